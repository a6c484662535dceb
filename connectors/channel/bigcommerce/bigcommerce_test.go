package bigcommerce

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/bigcommercefake"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

func signAt(secret string, at time.Time, body []byte) http.Header {
	h := http.Header{}
	h.Set(HeaderID, "msg_1")
	h.Set(HeaderTimestamp, strconv.FormatInt(at.Unix(), 10))
	h.Set(HeaderSignature, Sign([]byte(secret), "msg_1", at.Unix(), body))
	return h
}

// TestWebhookTimestampAndRotation: a capture replayed after the tolerance
// is refused although its signature is right; a header with several
// signatures (a secret being rotated) verifies when one matches; the
// delivery id is the payload hash whatever the webhook-id.
func TestWebhookTimestampAndRotation(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), suiteLimit)
	c := suiteConnector(r, bigcommercefake.New(), "sekret")
	body := HookBody("store/order/created", bigcommercefake.StoreHash, "42", 11, connectortest.Epoch)
	if _, err := c.VerifyWebhook(signAt("sekret", r.Clock.Now().Add(-6*time.Minute), body), body); !errors.Is(err, connector.ErrBadSignature) {
		t.Fatalf("a six-minute-old delivery: %v; want refused", err)
	}
	h := signAt("sekret", r.Clock.Now(), body)
	h.Set(HeaderSignature, "v1,bm90IGl0 "+h.Get(HeaderSignature))
	d, err := c.VerifyWebhook(h, body)
	if err != nil {
		t.Fatalf("rotation: %v", err)
	}
	var hk hook
	_ = json.Unmarshal(body, &hk)
	if d.ID != "bc-hash:"+hk.Hash || d.Topic != "store/order/created" || d.OrderRef != "42" {
		t.Errorf("delivery %+v", d)
	}
	h2 := signAt("sekret", r.Clock.Now(), body)
	h2.Set(HeaderID, "msg_2") // BigCommerce's retry: another message id, the same payload
	h2.Set(HeaderSignature, Sign([]byte("sekret"), "msg_2", r.Clock.Now().Unix(), body))
	if d2, err := c.VerifyWebhook(h2, body); err != nil || d2.ID != d.ID {
		t.Errorf("redelivery %+v %v; want the same id %q", d2, err, d.ID)
	}
}

// TestStatusCallbackCancelsFromTheFetchedOrder: a statusUpdated callback
// is a cancellation only because the order fetched from the API is
// status 5; the callback's own new_status_id is not trusted.
func TestStatusCallbackCancelsFromTheFetchedOrder(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), suiteLimit)
	f := bigcommercefake.New(bigcommercefake.WithClock(r.Clock))
	c := suiteConnector(r, f, "s")
	id := f.AddOrder(bigcommercefake.NewOrder{Email: "a@example.com", Street: "1 Main", City: "Austin", Zip: "78701",
		Lines: []bigcommercefake.Line{{SKU: "MUG", Name: "Mug", Quantity: 1, Price: "9.00"}}})
	lying := HookBody("store/order/statusUpdated", bigcommercefake.StoreHash, id, 5, r.Clock.Now())
	evs, err := c.DecodeEvent(context.Background(), "store/order/statusUpdated", lying)
	if err != nil || len(evs) != 1 || evs[0].Kind != connector.EventOrderUpdated || evs[0].ProvesCancellation() {
		t.Fatalf("status 5 in the callback, 11 in the store: %+v %v; want an update", evs, err)
	}
	r.Clock.Advance(time.Minute)
	f.SetStatus(id, 5)
	evs, err = c.DecodeEvent(context.Background(), "store/order/statusUpdated", lying)
	if err != nil || len(evs) != 1 || !evs[0].ProvesCancellation() || !evs[0].At.Equal(r.Clock.Now().Truncate(time.Second)) {
		t.Fatalf("cancelled in the store: %+v %v", evs, err)
	}
	f.SetStatus(id, 0)
	if evs, err = c.DecodeEvent(context.Background(), "store/order/created", lying); err != nil || evs[0].Kind != connector.EventIgnored {
		t.Errorf("an incomplete checkout: %+v %v; want ignored", evs, err)
	}
}

// TestQuotaHeadersReachTheSharedLimiter: a 429 with
// X-Rate-Limit-Time-Reset-Ms is retried no sooner, and the store is
// deferred for every caller until then.
func TestQuotaHeadersReachTheSharedLimiter(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), suiteLimit)
	f := bigcommercefake.New(bigcommercefake.WithClock(r.Clock))
	c := suiteConnector(r, f, "s")
	id := f.AddOrder(bigcommercefake.NewOrder{Street: "1 Main", City: "Austin", Lines: []bigcommercefake.Line{{SKU: "A", Quantity: 1, Price: "1"}}})
	f.Server().Inject(kit.Fault{Method: "GET", PathPrefix: "/stores/", Status: 429, Times: 1,
		Header: http.Header{"X-Rate-Limit-Time-Reset-Ms": {"7000"}, "X-Rate-Limit-Requests-Left": {"0"}, "X-Rate-Limit-Requests-Quota": {"150"}}})
	body := HookBody("store/order/created", bigcommercefake.StoreHash, id, 11, r.Clock.Now())
	_, err := c.DecodeEvent(context.Background(), "store/order/created", body)
	var re *fault.RetryableError
	if !errors.As(err, &re) || re.NotBefore.Before(r.Clock.Now().Add(7*time.Second)) {
		t.Fatalf("429: %v; want retryable not before +7s", err)
	}
	_, err = c.DecodeEvent(context.Background(), "store/order/created", body)
	var th *fault.ThrottledError
	if !errors.As(err, &th) || th.NotBefore.Before(r.Clock.Now().Add(7*time.Second)) {
		t.Fatalf("next call before the reset: %v; want throttled by the shared limiter", err)
	}
	r.Clock.Advance(8 * time.Second)
	if evs, err := c.DecodeEvent(context.Background(), "store/order/created", body); err != nil || evs[0].Order == nil {
		t.Fatalf("after the reset: %+v %v", evs, err)
	}
}

// TestShipmentPerParcel: two parcels are two BigCommerce shipments, each
// with its items; a carrier BigCommerce does not know goes without one,
// with its link; shipping_provider is sent empty.
func TestShipmentPerParcel(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), suiteLimit)
	f := bigcommercefake.New(bigcommercefake.WithClock(r.Clock))
	c := suiteConnector(r, f, "s")
	id := f.AddOrder(bigcommercefake.NewOrder{Street: "1 Main", City: "Austin", Lines: []bigcommercefake.Line{
		{SKU: "A", Name: "A", Quantity: 2, Price: "1"}, {SKU: "B", Name: "B", Quantity: 1, Price: "2"}}})
	bo, _ := f.Get(id)
	la, lb := bo.Products[0]["id"].(json.Number).String(), bo.Products[1]["id"].(json.Number).String()
	o := &model.Order{ChannelOrderID: id, ShippingMethod: "Flat Rate"}
	sh := &model.Shipment{ID: "shp_1", Carrier: "ups", Packages: []model.Package{
		{TrackingNumber: "1Z999AA10123456784", Lines: []model.ShipmentLine{{OrderLineID: la, Quantity: 2}}},
		{TrackingNumber: "LX123", Carrier: "swisspost", TrackingURL: "https://track.example/LX123", Lines: []model.ShipmentLine{{OrderLineID: lb, Quantity: 1}}},
	}}
	ids, err := c.PushFulfillment(context.Background(), o, sh)
	if err != nil || len(strings.Split(ids, ",")) != 2 {
		t.Fatalf("push: %q %v", ids, err)
	}
	bo, _ = f.Get(id)
	if len(bo.Shipments) != 2 || f.Status(id) != 2 {
		t.Fatalf("shipments %v, status %d; want 2 and Shipped", bo.Shipments, f.Status(id))
	}
	if s := bo.Shipments[0]; s["tracking_carrier"] != "ups" {
		t.Errorf("parcel 1: %v", s)
	}
	if s := bo.Shipments[1]; s["tracking_carrier"] != "" || s["tracking_link"] != "https://track.example/LX123" || !strings.HasPrefix(s["comments"].(string), "swisspost ") {
		t.Errorf("parcel 2: %v", s)
	}
	for _, req := range f.Server().Requests() {
		if req.Method == "POST" && !strings.Contains(string(req.Body), `"shipping_provider":""`) {
			t.Errorf("shipment without shipping_provider \"\": %s", req.Body)
		}
	}
	if again, err := c.PushFulfillment(context.Background(), o, sh); err != nil || again != ids {
		t.Errorf("replay: %q %v; want %q and nothing new", again, err, ids)
	}
}

// TestSeveralShippingAddressesHold: an order to two addresses is kept
// but held for a person to split.
func TestSeveralShippingAddressesHold(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), suiteLimit)
	c := suiteConnector(r, bigcommercefake.New(), "s")
	o, err := c.ToOrder(bcOrder{ID: "9", StatusID: "11", CurrencyCode: "USD", DateCreated: "Tue, 05 Mar 2019 21:40:11 +0000"},
		nil, []bcAddress{{ID: "1", Street1: "a", CountryISO2: "US"}, {ID: "2", Street1: "b", CountryISO2: "US"}})
	if err != nil || len(o.Holds) != 1 || o.Holds[0].Code != model.HoldManual {
		t.Fatalf("%+v %v", o.Holds, err)
	}
}
