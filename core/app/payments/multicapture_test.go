package payments

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// oneCapture is a provider whose payments take one capture only.
type oneCapture struct {
	fakeProvider
	asked int
}

func (o *oneCapture) Multicapture(context.Context, connector.PaymentRef) (bool, error) {
	o.asked++
	return false, nil
}

// captureBoth runs the capture jobs of s1 then s2 on the two-line order,
// both shipments recorded before the first job runs.
func captureBoth(t *testing.T, f connector.Connector) *model.Aggregate {
	t.Helper()
	s, d := rig(t, twoLineOrder(), f)
	for _, sh := range []string{"s1", "s2"} {
		if err := s.handleMove(context.Background(), &store.Job{ID: "j-" + sh}, Move{Order: "o1", Provider: "pay", Payment: "pi_1", Shipment: sh}); err != nil {
			t.Fatal(err)
		}
	}
	return get(t, d)
}

// TestBothShipmentsRecordedBeforeTheFirstCapture: the order is complete
// when s1's capture runs, yet s1 captures only its own value and s2, the
// last shipment, the rest.
func TestBothShipmentsRecordedBeforeTheFirstCapture(t *testing.T) {
	f := &fakeProvider{policy: connector.CapturePerShipment}
	b := captureBoth(t, f)
	want := []string{"capture 10.00 USD s1", "capture 16.00 USD s2 final"}
	if !slices.Equal(f.calls, want) {
		t.Fatalf("calls %q, want %q", f.calls, want)
	}
	if p := b.Payments[0]; p.Status != model.PayCaptured || p.Captured != usd(2600) || len(p.Movements) != 2 {
		t.Fatalf("payment %+v", p)
	}
}

// TestSingleCapturePaymentCapturesAtTheLastShipment: a payment without
// multicapture is not captured at s1 (that would release the rest); the
// deferral is on the timeline, and s2 captures everything once, final.
func TestSingleCapturePaymentCapturesAtTheLastShipment(t *testing.T) {
	f := &oneCapture{fakeProvider: fakeProvider{policy: connector.CapturePerShipment}}
	b := captureBoth(t, f)
	if want := []string{"capture 26.00 USD s2 final"}; !slices.Equal(f.calls, want) {
		t.Fatalf("calls %q, want %q", f.calls, want)
	}
	if f.asked != 1 {
		t.Errorf("asked about multicapture %d times, want 1 (the final capture needs no answer)", f.asked)
	}
	p := b.Payments[0]
	if p.Status != model.PayCaptured || p.Captured != usd(2600) || len(p.Movements) != 1 || p.Movements[0].Shipment != "s2" {
		t.Fatalf("payment %+v", p)
	}
	if !slices.ContainsFunc(b.Timeline, func(e model.TimelineEntry) bool {
		return e.Event == "payment.capture_deferred" && e.Data["shipment"] == "s1"
	}) {
		t.Errorf("no deferral on the timeline")
	}
}

// TestLateAuthorisationEventKeepsTheCapture: a captured payment's late
// "authorized" webhook (delivered out of order) does not move it back, nor
// the order's payment status; the timeline says it was older news.
func TestLateAuthorisationEventKeepsTheCapture(t *testing.T) {
	a := &model.Aggregate{Order: model.Order{ID: "o1", Status: model.OrderShipped, PaymentStatus: model.PaymentPaid},
		Payments: []model.Payment{{Provider: "pay", ProviderID: "pi_9", Status: model.PayCaptured, Authorized: usd(2000), Captured: usd(2000)}}}
	s := New(&app.Deps{})
	ev := connector.PaymentEvent{ID: "evt_late", Type: "payment_intent.amount_capturable_updated", ProviderID: "pi_9",
		OrderID: "o1", Status: model.PayAuthorized, Authorized: usd(2000)}
	out := s.apply(a, "pay", ev, lifecycle.Step{})
	if p := a.Payments[0]; p.Status != model.PayCaptured || p.Captured != usd(2000) || a.Order.PaymentStatus != model.PaymentPaid {
		t.Fatalf("payment %+v, order %s", p, a.Order.PaymentStatus)
	}
	if len(out.Events) != 0 {
		t.Errorf("events %+v: a late authorisation must not schedule anything", out.Events)
	}
	if e := a.Timeline[len(a.Timeline)-1]; !strings.Contains(e.Message, "stays captured") {
		t.Errorf("timeline %q", e.Message)
	}
}
