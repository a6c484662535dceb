package metacommerce

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/kit"
	"github.com/dropgate/dropgate/internal/fakes/metafake"
)

func rigFake(t *testing.T, limit store.Limit, opts ...metafake.Option) (*connectortest.Rig, *metafake.Fake, *Connector) {
	r := connectortest.NewRig(connectortest.Wrap(t), limit)
	f := metafake.New(append([]metafake.Option{metafake.WithClock(r.Clock)}, opts...)...)
	return r, f, suiteConnector(r, &Config{}, f.Transport())
}

// TestAcknowledgeAfterIntake: a CREATED order is acknowledged by the
// poll after the one that listed it (once it is in), exactly once, and
// is IN_PROGRESS on Meta afterwards; a cancelled one is listed as a
// cancellation.
func TestAcknowledgeAfterIntake(t *testing.T) {
	r, f, c := rigFake(t, store.Limit{Rate: 100, Burst: 100})
	ctx := context.Background()
	o := f.AddOrder(metafake.NewLine{SKU: "MUG", Name: "Mug", Qty: 2, Price: "19.99"})
	evs, cur, err := c.PollOrders(ctx, "")
	if err != nil || len(evs) != 1 || evs[0].ChannelOrderID != o.ID {
		t.Fatalf("first poll: %v %+v", err, evs)
	}
	if f.Acks(o.ID) != 0 || f.State(o.ID) != "CREATED" {
		t.Fatalf("acknowledged before the poll's events were ingested")
	}
	r.Clock.Advance(time.Minute)
	if _, cur, err = c.PollOrders(ctx, cur); err != nil {
		t.Fatal(err)
	}
	if f.Acks(o.ID) != 1 || f.State(o.ID) != "IN_PROGRESS" {
		t.Fatalf("after the second poll: %d acks, state %s; want 1, IN_PROGRESS", f.Acks(o.ID), f.State(o.ID))
	}
	r.Clock.Advance(time.Minute)
	f.Cancel(o.ID, "changed mind")
	evs, _, err = c.PollOrders(ctx, cur)
	if err != nil {
		t.Fatal(err)
	}
	if f.Acks(o.ID) != 1 {
		t.Errorf("acknowledged %d times", f.Acks(o.ID))
	}
	if len(evs) != 1 || evs[0].Kind != "order_cancelled" || !strings.Contains(evs[0].Reason, "changed mind") {
		t.Errorf("after the cancellation: %+v", evs)
	}
	var acks int
	for _, q := range f.Server().Requests() {
		if strings.HasSuffix(q.Path, "/acknowledge_order") {
			acks++
		}
	}
	if acks != 1 {
		t.Errorf("%d acknowledge calls, want 1", acks)
	}
}

// TestGraphErrors: throttling codes are retryable, token errors
// permanent, an invalid parameter permanent.
func TestGraphErrors(t *testing.T) {
	cases := []struct {
		status    int
		code      string
		permanent bool
	}{{400, "4", false}, {400, "17", false}, {403, "32", false}, {400, "613", false}, {400, "190", true},
		{400, "100", true}, {500, "2", false}}
	for _, tc := range cases {
		_, f, c := rigFake(t, store.Limit{Rate: 100, Burst: 100})
		f.Server().Inject(kit.Fault{Method: "GET", PathPrefix: "/", Status: tc.status,
			Body: []byte(`{"error": {"message": "m", "type": "OAuthException", "code": ` + tc.code + `, "error_subcode": 0, "fbtrace_id": "Abc"}}`)})
		_, _, err := c.PollOrders(context.Background(), "")
		if err == nil {
			t.Fatalf("code %s: no error", tc.code)
		}
		if fault.IsPermanent(err) != tc.permanent {
			t.Errorf("code %s: %v; permanent %v, want %v", tc.code, err, fault.IsPermanent(err), tc.permanent)
		}
		if !strings.Contains(err.Error(), "Abc") {
			t.Errorf("code %s: %v does not name the fbtrace_id", tc.code, err)
		}
	}
}

// TestBusinessUseCaseDefers: an answer saying the business must wait
// defers the shared limiter key, so the next call does not leave.
func TestBusinessUseCaseDefers(t *testing.T) {
	_, f, c := rigFake(t, store.Limit{Rate: 100, Burst: 100})
	h := http.Header{}
	h.Set("X-Business-Use-Case-Usage", `{"987654321": [{"type": "commerce", "call_count": 100, "total_cputime": 20, "total_time": 20, "estimated_time_to_regain_access": 7}]}`)
	f.Server().Inject(kit.Fault{Method: "GET", PathPrefix: "/", Status: 400, Header: h, Times: 1,
		Body: []byte(`{"error": {"message": "too many calls", "type": "OAuthException", "code": 80014, "fbtrace_id": "X"}}`)})
	_, _, err := c.PollOrders(context.Background(), "")
	class, notBefore := fault.Classify(err)
	if fault.IsPermanent(err) || notBefore.Before(c.now().Add(6*time.Minute)) {
		t.Fatalf("%v: class %v not before %v; want retryable after the 7 minutes", err, class, notBefore)
	}
	before := len(f.Server().Requests())
	_, _, err = c.PollOrders(context.Background(), "")
	var throttled *fault.ThrottledError
	if !errors.As(err, &throttled) || len(f.Server().Requests()) != before {
		t.Errorf("the next poll: %v, %d requests left; want it throttled locally", err, len(f.Server().Requests())-before)
	}
}

func TestBucUsage(t *testing.T) {
	now := time.Unix(0, 0)
	for v, want := range map[string]time.Duration{
		``: 0,
		`{"1": [{"call_count": 12, "total_cputime": 3, "total_time": 4, "estimated_time_to_regain_access": 0}]}`: 0,
		`{"1": [{"call_count": 100, "estimated_time_to_regain_access": 0}]}`:                                     time.Minute,
		`{"1": [{"call_count": 5, "estimated_time_to_regain_access": 3}], "2": [{"total_time": 101}]}`:           3 * time.Minute,
		`not json`: 0,
	} {
		h := http.Header{}
		h.Set("X-Business-Use-Case-Usage", v)
		got := bucUsage(h, now)
		if (want == 0 && !got.IsZero()) || (want != 0 && got.Sub(now) != want) {
			t.Errorf("%s: %v, want %v", v, got, want)
		}
	}
}

// TestShipmentBody: parcels carry Meta's carrier codes (else OTHER with
// the carrier's name), items by Meta item id or retailer id.
func TestShipmentBody(t *testing.T) {
	_, f, c := rigFake(t, store.Limit{Rate: 100, Burst: 100})
	o, sh := shipmentOf(f, 1)
	if _, err := c.PushFulfillment(context.Background(), o, sh); err != nil {
		t.Fatal(err)
	}
	got := f.Shipments(o.ChannelOrderID)
	if len(got) != 2 || got[0].Carrier != "UPS" || got[1].Carrier != "OTHER" || got[1].MethodName != "yodel" ||
		got[1].Items[0].RetailerID != "TEE-WHT-M" || got[0].Items[0].Quantity != 2 {
		t.Fatalf("shipments %+v", got)
	}
	if f.State(o.ChannelOrderID) != "COMPLETED" {
		t.Errorf("state %s after shipping everything", f.State(o.ChannelOrderID))
	}
}

func TestPriceString(t *testing.T) {
	for _, tc := range []struct {
		m    money.Money
		want string
	}{{money.MustParse("12.3", "USD"), "12.30 USD"}, {money.MustParse("0.05", "EUR"), "0.05 EUR"},
		{money.MustParse("1500", "JPY"), "1500 JPY"}, {money.MustParse("1.5", "KWD"), "1.500 KWD"}} {
		if got, err := priceString(tc.m); err != nil || got != tc.want {
			t.Errorf("%v: %q %v, want %q", tc.m, got, err, tc.want)
		}
	}
}

// TestCatalogRefusals: a SKU the catalog does not have is a permanent
// error naming it; without catalog_id nothing is sent.
func TestCatalogRefusals(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), store.Limit{Rate: 100, Burst: 100})
	f := metafake.New(metafake.WithClock(r.Clock))
	c := suiteConnector(r, &Config{CatalogID: metafake.CatalogID}, f.Transport())
	err := c.PushInventory(context.Background(), []connector.InventoryUpdate{{SKU: "NOPE", Available: 3}})
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "NOPE") {
		t.Errorf("unknown SKU: %v", err)
	}
	c2 := suiteConnector(r, &Config{}, f.Transport())
	if err := c2.PushPrices(context.Background(), []connector.PriceUpdate{{SKU: "A", Price: money.MustParse("1", "USD")}}); !fault.IsPermanent(err) {
		t.Errorf("without catalog_id: %v", err)
	}
	if n := len(f.Server().Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// TestShipBeforeAcknowledgement: an order polled in and shipped before
// the next poll is acknowledged first (Meta ships IN_PROGRESS orders
// only), and the next poll's acknowledgement is no second one.
func TestShipBeforeAcknowledgement(t *testing.T) {
	_, f, c := rigFake(t, store.Limit{Rate: 100, Burst: 100})
	ctx := context.Background()
	mo := f.AddOrder(metafake.NewLine{SKU: "MUG", Name: "Mug", Qty: 1, Price: "6.00"})
	evs, cur, err := c.PollOrders(ctx, "")
	if err != nil || len(evs) != 1 {
		t.Fatalf("poll: %v %+v", err, evs)
	}
	sh := &model.Shipment{ID: "shp_1", Carrier: "usps", Packages: []model.Package{{TrackingNumber: "9400",
		Lines: []model.ShipmentLine{{OrderLineID: mo.Items[0].ID, Quantity: 1}}}}}
	if _, err := c.PushFulfillment(ctx, evs[0].Order, sh); err != nil {
		t.Fatalf("push: %v", err)
	}
	if f.Acks(mo.ID) != 1 || len(f.Shipments(mo.ID)) != 1 || f.Shipments(mo.ID)[0].Carrier != "USPS" {
		t.Fatalf("%d acks, shipments %+v", f.Acks(mo.ID), f.Shipments(mo.ID))
	}
	if _, _, err := c.PollOrders(ctx, cur); err != nil {
		t.Fatal(err)
	}
	if f.Acks(mo.ID) != 1 {
		t.Errorf("%d acknowledgements", f.Acks(mo.ID))
	}
}
