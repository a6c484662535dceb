package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/fakes/shopifyfake"
)

// A partial shipment (1 of 2 lines, 1 of 2 units) then the rest: two
// fulfillments with exactly the shipped lines, the tracking, and the
// fulfillment order moving open → in_progress → closed.
func TestPushFulfillmentPartialThenRest(t *testing.T) {
	r := newRig(t, rigOptions{})
	ctx := context.Background()
	mug := r.product("14.95", "MUG-BLK-11")
	tee := r.product("25.00", "TEE-WHT-M")
	o, order := r.order(
		shopifyfake.NewLineItem{VariantID: mug.Variants[0].ID, Quantity: 2},
		shopifyfake.NewLineItem{VariantID: tee.Variants[0].ID, Quantity: 1},
	)
	a, b := o.Lines[0], o.Lines[1]

	id1, err := r.c.PushFulfillment(ctx, order, shipment("shp_1", "ups", pkg("1Z999AA10123456784", shipped(a, 1))))
	if err != nil {
		t.Fatalf("first push: %v", err)
	}
	fls := r.f.Fulfillments(o.ID)
	if len(fls) != 1 || formatID(fls[0].ID) != id1 {
		t.Fatalf("fulfillments = %+v, returned id %s", fls, id1)
	}
	f1 := fls[0]
	if len(f1.Lines) != 1 || f1.Lines[0].LineItemID != a.ID || f1.Lines[0].Quantity != 1 {
		t.Errorf("first fulfillment lines = %+v, want line %d × 1", f1.Lines, a.ID)
	}
	if f1.Tracking.Company != "UPS" || f1.Tracking.Number != "1Z999AA10123456784" {
		t.Errorf("first tracking = %+v", f1.Tracking)
	}
	if !f1.NotifyCustomer {
		t.Error("notify_customer defaults to true")
	}
	fo := r.f.FulfillmentOrders(o.ID)[0]
	if fo.Status != shopifyfake.FOInProgress || fo.Lines[0].FulfillableQuantity != 1 || fo.Lines[1].FulfillableQuantity != 1 {
		t.Errorf("after the partial shipment FO = %+v", fo)
	}

	// The rest: two parcels, FedEx.
	sh2 := shipment("shp_2", "fedex",
		pkg("794644790138", shipped(a, 1)),
		pkg("794644790149", shipped(b, 1)))
	id2, err := r.c.PushFulfillment(ctx, order, sh2)
	if err != nil {
		t.Fatalf("second push: %v", err)
	}
	fls = r.f.Fulfillments(o.ID)
	if len(fls) != 2 || formatID(fls[1].ID) != id2 || id1 == id2 {
		t.Fatalf("fulfillments = %d, ids %s %s", len(fls), id1, id2)
	}
	got := map[uint64]int{}
	for _, l := range fls[1].Lines {
		got[l.LineItemID] += l.Quantity
	}
	if len(got) != 2 || got[a.ID] != 1 || got[b.ID] != 1 {
		t.Errorf("second fulfillment lines = %+v", fls[1].Lines)
	}
	if fls[1].Tracking.Company != "FedEx" || fls[1].Tracking.Number != "794644790138" {
		t.Errorf("second tracking = %+v", fls[1].Tracking)
	}
	// What went on the wire: numbers for all parcels, and no number.
	bodies := r.posts.all()
	var sent fulfillmentRequest
	if err := json.Unmarshal([]byte(bodies[len(bodies)-1]), &sent); err != nil {
		t.Fatal(err)
	}
	ti := sent.Fulfillment.TrackingInfo
	if ti == nil || ti.Number != "" || strings.Join(ti.Numbers, ",") != "794644790138,794644790149" || ti.Company != "FedEx" {
		t.Errorf("tracking_info sent = %+v", ti)
	}
	fo = r.f.FulfillmentOrders(o.ID)[0]
	if fo.Status != shopifyfake.FOClosed {
		t.Errorf("FO status = %s, want closed", fo.Status)
	}
	for _, l := range fo.Lines {
		if l.FulfillableQuantity != 0 {
			t.Errorf("FO line %d still has %d to fulfil", l.ID, l.FulfillableQuantity)
		}
	}
	if got, _ := r.f.Order(o.ID); got.FulfillmentStatus != "fulfilled" {
		t.Errorf("order fulfillment status = %q", got.FulfillmentStatus)
	}
	if n := r.f.Throttled(""); n != 0 {
		t.Errorf("%d calls hit a 429", n)
	}
}

// Pushing a shipment twice, or retrying after the response to the create
// was lost, leaves exactly one fulfillment.
func TestPushFulfillmentRetrySafe(t *testing.T) {
	ctx := context.Background()
	var lose atomic.Bool
	// The POST reaches Shopify, the answer never comes back.
	loseResponse := func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(req *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(req)
			if err == nil && req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/fulfillments.json") && lose.CompareAndSwap(true, false) {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				return nil, io.ErrUnexpectedEOF
			}
			return resp, err
		})
	}

	t.Run("tracked", func(t *testing.T) {
		r := newRig(t, rigOptions{wrap: loseResponse})
		p := r.product("9.00", "A")
		o, order := r.order(shopifyfake.NewLineItem{VariantID: p.Variants[0].ID, Quantity: 3})
		sh := shipment("shp_t", "usps", pkg("9400111899223197428490", shipped(o.Lines[0], 2)))

		lose.Store(true)
		_, err := r.c.PushFulfillment(ctx, order, sh)
		if c := class(err); c != fault.ClassRetryable {
			t.Fatalf("lost response: class %v (%v), want retryable", c, err)
		}
		id, err := r.c.PushFulfillment(ctx, order, sh)
		if err != nil {
			t.Fatalf("retry: %v", err)
		}
		again, err := r.c.PushFulfillment(ctx, order, sh)
		if err != nil || again != id {
			t.Fatalf("third push = %q, %v; want %q", again, err, id)
		}
		fls := r.f.Fulfillments(o.ID)
		if len(fls) != 1 || formatID(fls[0].ID) != id || fls[0].Lines[0].Quantity != 2 {
			t.Fatalf("fulfillments = %+v, want one of 2 units with id %s", fls, id)
		}
		if n := len(r.posts.all()); n != 1 {
			t.Errorf("%d creates sent, want 1", n)
		}
	})

	// Without tracking numbers the store's note of the first attempt tells
	// a retry which fulfillment is its own, and a second, different
	// shipment of the same contents still gets its own fulfillment.
	t.Run("untracked", func(t *testing.T) {
		r := newRig(t, rigOptions{wrap: loseResponse})
		p := r.product("9.00", "A")
		o, order := r.order(shopifyfake.NewLineItem{VariantID: p.Variants[0].ID, Quantity: 2})
		first := shipment("shp_u1", "", pkg("", shipped(o.Lines[0], 1)))

		lose.Store(true)
		if _, err := r.c.PushFulfillment(ctx, order, first); class(err) != fault.ClassRetryable {
			t.Fatalf("lost response: %v", err)
		}
		id1, err := r.c.PushFulfillment(ctx, order, first)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(r.f.Fulfillments(o.ID)); n != 1 {
			t.Fatalf("after the retry: %d fulfillments, want 1", n)
		}
		second := shipment("shp_u2", "", pkg("", shipped(o.Lines[0], 1)))
		id2, err := r.c.PushFulfillment(ctx, order, second)
		if err != nil {
			t.Fatal(err)
		}
		if fls := r.f.Fulfillments(o.ID); len(fls) != 2 || id1 == id2 {
			t.Fatalf("second shipment: %d fulfillments, ids %s %s; want 2 distinct", len(fls), id1, id2)
		}
		// Both are still recognised as done.
		for _, sh := range []*model.Shipment{first, second} {
			if _, err := r.c.PushFulfillment(ctx, order, sh); err != nil {
				t.Errorf("re-push %s: %v", sh.ID, err)
			}
		}
		if n := len(r.f.Fulfillments(o.ID)); n != 2 {
			t.Errorf("re-pushes created fulfillments: %d", n)
		}
	})

	t.Run("untracked without store", func(t *testing.T) {
		r := newRig(t, rigOptions{wrap: loseResponse, noStore: true})
		p := r.product("9.00", "A")
		o, order := r.order(shopifyfake.NewLineItem{VariantID: p.Variants[0].ID, Quantity: 2})
		sh := shipment("shp_n", "", pkg("", shipped(o.Lines[0], 2)))
		lose.Store(true)
		if _, err := r.c.PushFulfillment(ctx, order, sh); class(err) != fault.ClassRetryable {
			t.Fatalf("lost response: %v", err)
		}
		if _, err := r.c.PushFulfillment(ctx, order, sh); err != nil {
			t.Fatal(err)
		}
		if n := len(r.f.Fulfillments(o.ID)); n != 1 {
			t.Fatalf("%d fulfillments, want 1", n)
		}
	})
}

// Lines at two locations need one fulfillment each; a retry after the
// first went through creates only the second.
func TestPushFulfillmentTwoLocations(t *testing.T) {
	ctx := context.Background()
	var failSecond atomic.Int32
	r := newRig(t, rigOptions{wrap: func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(req *http.Request) (*http.Response, error) {
			if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/fulfillments.json") && failSecond.Add(1) == 2 {
				return jsonResponse(req, http.StatusServiceUnavailable, `{"errors":"Service Unavailable"}`), nil
			}
			return next.RoundTrip(req)
		})
	}})
	warehouse := r.f.AddLocation(shopifyfake.NewLocation{Name: "Warehouse", CountryCode: "US"})
	p := r.product("9.00", "A", "B")
	o, order := r.order(
		shopifyfake.NewLineItem{VariantID: p.Variants[0].ID, Quantity: 1},
		shopifyfake.NewLineItem{VariantID: p.Variants[1].ID, Quantity: 1, LocationID: warehouse.ID},
	)
	sh := shipment("shp_2loc", "dhl", pkg("JD014600006281230704", shipped(o.Lines[0], 1), shipped(o.Lines[1], 1)))
	if _, err := r.c.PushFulfillment(ctx, order, sh); class(err) != fault.ClassRetryable {
		t.Fatalf("503 on the second location: %v", err)
	}
	ids, err := r.c.PushFulfillment(ctx, order, sh)
	if err != nil {
		t.Fatal(err)
	}
	fls := r.f.Fulfillments(o.ID)
	if len(fls) != 2 || ids != formatID(fls[0].ID)+","+formatID(fls[1].ID) {
		t.Fatalf("fulfillments = %d, ids %q", len(fls), ids)
	}
	if fls[0].LocationID == fls[1].LocationID {
		t.Error("both fulfillments at one location")
	}
	for _, fl := range fls {
		if fl.Tracking.Company != "DHL Express" || fl.Tracking.Number != "JD014600006281230704" {
			t.Errorf("tracking = %+v", fl.Tracking)
		}
	}
}

// What cannot be fulfilled any more is a permanent error, unless this
// shipment's fulfillment is already there.
func TestPushFulfillmentNothingLeft(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, rigOptions{})
	p := r.product("9.00", "A")
	o, order := r.order(shopifyfake.NewLineItem{VariantID: p.Variants[0].ID, Quantity: 1})
	other, err := r.f.Client("", DefaultAPIVersion)
	if err != nil {
		t.Fatal(err)
	}
	// The merchant fulfils the order by hand.
	fo := r.f.FulfillmentOrders(o.ID)[0]
	body := map[string]any{"fulfillment": map[string]any{"line_items_by_fulfillment_order": []any{map[string]any{"fulfillment_order_id": fo.ID}}}}
	if err := other.Post(ctx, "fulfillments.json", body, nil); err != nil {
		t.Fatal(err)
	}
	_, err = r.c.PushFulfillment(ctx, order, shipment("shp_x", "ups", pkg("1ZNOTYET", shipped(o.Lines[0], 1))))
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "not enough left to fulfil") {
		t.Fatalf("err = %v, want a permanent explanation", err)
	}
	if n := len(r.f.Fulfillments(o.ID)); n != 1 {
		t.Errorf("%d fulfillments", n)
	}
}

func TestPushFulfillmentErrors(t *testing.T) {
	ctx := context.Background()

	t.Run("wrong token is permanent", func(t *testing.T) {
		r := newRig(t, rigOptions{token: "shpat_not_the_right_one"})
		p := r.product("9.00", "A")
		o, order := r.order(shopifyfake.NewLineItem{VariantID: p.Variants[0].ID, Quantity: 1})
		_, err := r.c.PushFulfillment(ctx, order, shipment("s", "ups", pkg("1Z1", shipped(o.Lines[0], 1))))
		if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "Invalid API key or access token") {
			t.Fatalf("err = %v, want permanent 401", err)
		}
		if strings.Contains(err.Error(), "shpat_not_the_right_one") {
			t.Error("the error leaks the token")
		}
	})

	t.Run("422 over-fulfilment is permanent with Shopify's message", func(t *testing.T) {
		var other atomic.Pointer[func()]
		r := newRig(t, rigOptions{wrap: func(next http.RoundTripper) http.RoundTripper {
			return rtFunc(func(req *http.Request) (*http.Response, error) {
				if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/fulfillments.json") {
					if f := other.Swap(nil); f != nil {
						(*f)() // someone else fulfils between our read and our create
					}
				}
				return next.RoundTrip(req)
			})
		}})
		p := r.product("9.00", "A")
		o, order := r.order(shopifyfake.NewLineItem{VariantID: p.Variants[0].ID, Quantity: 2})
		cl, err := r.f.Client("", DefaultAPIVersion)
		if err != nil {
			t.Fatal(err)
		}
		race := func() {
			// One of the two units goes out through another app.
			fo := r.f.FulfillmentOrders(o.ID)[0]
			body := map[string]any{"fulfillment": map[string]any{"line_items_by_fulfillment_order": []any{map[string]any{
				"fulfillment_order_id":         fo.ID,
				"fulfillment_order_line_items": []any{map[string]any{"id": fo.Lines[0].ID, "quantity": 1}},
			}}}}
			if err := cl.Post(ctx, "fulfillments.json", body, nil); err != nil {
				t.Error(err)
			}
		}
		other.Store(&race)
		_, err = r.c.PushFulfillment(ctx, order, shipment("s", "ups", pkg("1ZRACE", shipped(o.Lines[0], 2))))
		if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "Invalid fulfillment order line item quantity requested.") {
			t.Fatalf("err = %v, want permanent with Shopify's 422 message", err)
		}
	})

	t.Run("5xx is retryable", func(t *testing.T) {
		r := newRig(t, rigOptions{wrap: func(next http.RoundTripper) http.RoundTripper {
			return rtFunc(func(req *http.Request) (*http.Response, error) {
				if strings.HasSuffix(req.URL.Path, "/fulfillment_orders.json") {
					return jsonResponse(req, http.StatusServiceUnavailable, `{"errors":"Service Unavailable"}`), nil
				}
				return next.RoundTrip(req)
			})
		}})
		p := r.product("9.00", "A")
		o, order := r.order(shopifyfake.NewLineItem{VariantID: p.Variants[0].ID, Quantity: 1})
		_, err := r.c.PushFulfillment(ctx, order, shipment("s", "ups", pkg("1Z5", shipped(o.Lines[0], 1))))
		if class(err) != fault.ClassRetryable || fault.IsPermanent(err) {
			t.Fatalf("err = %v, want retryable", err)
		}
	})

	t.Run("bad input is permanent", func(t *testing.T) {
		r := newRig(t, rigOptions{})
		for name, tc := range map[string]struct {
			order *model.Order
			sh    *model.Shipment
		}{
			"order id":   {&model.Order{ChannelOrderID: "#1001"}, shipment("s", "ups", pkg("1", model.ShipmentLine{OrderLineID: "1", Quantity: 1}))},
			"line id":    {&model.Order{ChannelOrderID: "7"}, shipment("s", "ups", pkg("1", model.ShipmentLine{OrderLineID: "MUG", Quantity: 1}))},
			"no lines":   {&model.Order{ChannelOrderID: "7"}, shipment("s", "ups", pkg("1"))},
			"negative":   {&model.Order{ChannelOrderID: "7"}, shipment("s", "ups", pkg("1", model.ShipmentLine{OrderLineID: "1", Quantity: -1}))},
			"no such id": {&model.Order{ChannelOrderID: "7"}, shipment("s", "ups", pkg("1", model.ShipmentLine{OrderLineID: "1", Quantity: 1}))},
		} {
			if _, err := r.c.PushFulfillment(ctx, tc.order, tc.sh); !fault.IsPermanent(err) {
				t.Errorf("%s: err = %v, want permanent", name, err)
			}
		}
	})

	t.Run("cancelled context", func(t *testing.T) {
		r := newRig(t, rigOptions{})
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := r.c.PushFulfillment(cctx, &model.Order{ChannelOrderID: "7"}, shipment("s", "ups", pkg("1", model.ShipmentLine{OrderLineID: "1", Quantity: 1})))
		if err == nil || fault.IsPermanent(err) || !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want a non-permanent context.Canceled", err)
		}
	})
}

func TestCancelOrder(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, rigOptions{})
	p := r.product("9.00", "A")
	o, order := r.order(shopifyfake.NewLineItem{VariantID: p.Variants[0].ID, Quantity: 1})
	if err := r.c.CancelOrder(ctx, order, "out_of_stock"); err != nil {
		t.Fatal(err)
	}
	got, _ := r.f.Order(o.ID)
	if got.CancelledAt == nil || got.CancelReason != "inventory" {
		t.Fatalf("order = cancelled %v, reason %q", got.CancelledAt, got.CancelReason)
	}
	if err := r.c.CancelOrder(ctx, order, "out_of_stock"); err != nil {
		t.Errorf("second cancel must succeed (idempotent): %v", err)
	}

	o2, order2 := r.order(shopifyfake.NewLineItem{VariantID: p.Variants[0].ID, Quantity: 1})
	if _, err := r.c.PushFulfillment(ctx, order2, shipment("s", "ups", pkg("1ZC", shipped(o2.Lines[0], 1)))); err != nil {
		t.Fatal(err)
	}
	err := r.c.CancelOrder(ctx, order2, "customer")
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "fulfillments") {
		t.Errorf("cancelling a fulfilled order: %v, want permanent with Shopify's reason", err)
	}
}
