package payments

import (
	"context"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/event"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/core/store/memstore"
)

func usd(n int64) money.Money { return money.Money{Amount: n, Currency: "USD"} }

// fakeProvider records the calls a provider gets.
type fakeProvider struct {
	policy    connector.CapturePolicy
	calls     []string
	movements []string // PaymentRef.Movement of each refund
}

func (f *fakeProvider) Name() string { return "pay" }
func (f *fakeProvider) Type() string { return "fake" }
func (f *fakeProvider) CapturePolicy() connector.CapturePolicy {
	return f.policy
}
func (f *fakeProvider) Capture(_ context.Context, ref connector.PaymentRef, amount money.Money, shipment string, final bool) (connector.PaymentResult, error) {
	f.calls = append(f.calls, "capture "+amount.String()+" "+shipment+map[bool]string{true: " final", false: ""}[final])
	return connector.PaymentResult{ProviderID: ref.ProviderID, MovementID: "ch_1", Amount: amount, IdempotencyKey: "k:" + shipment}, nil
}
func (f *fakeProvider) Void(_ context.Context, ref connector.PaymentRef, _ string) (connector.PaymentResult, error) {
	f.calls = append(f.calls, "void")
	return connector.PaymentResult{ProviderID: ref.ProviderID, Status: model.PayVoided}, nil
}
func (f *fakeProvider) Refund(_ context.Context, ref connector.PaymentRef, amount money.Money, _ string) (connector.PaymentResult, error) {
	f.calls = append(f.calls, "refund "+amount.String())
	f.movements = append(f.movements, ref.Movement)
	return connector.PaymentResult{ProviderID: ref.ProviderID, MovementID: "re_1", Amount: amount}, nil
}

// twoLineOrder: 2 × 10.00 and 1 × 5.00 with 1.00 tax, authorised 26.00
// (shipping 0.00 + 1.00 tax on top), shipped in two shipments.
func twoLineOrder() *model.Aggregate {
	return &model.Aggregate{
		Order: model.Order{ID: "o1", Currency: "USD", Lines: []model.OrderLine{
			{ID: "l1", Quantity: 2, UnitPrice: usd(1000)},
			{ID: "l2", Quantity: 1, UnitPrice: usd(500), Tax: usd(100)},
		}},
		Shipments: []model.Shipment{
			{ID: "s1", Packages: []model.Package{{Lines: []model.ShipmentLine{{OrderLineID: "l1", Quantity: 1}}}}},
			{ID: "s2", Packages: []model.Package{{Lines: []model.ShipmentLine{{OrderLineID: "l1", Quantity: 1}, {OrderLineID: "l2", Quantity: 1}}}}},
		},
		Payments: []model.Payment{{Provider: "pay", ProviderID: "pi_1", Status: model.PayAuthorized, Authorized: usd(2600)}},
	}
}

func rig(t *testing.T, a *model.Aggregate, f connector.Connector) (*Service, *app.Deps) {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	recs := memstore.New(clk.Now)
	d := &app.Deps{Records: recs, Orders: repo.NewOrders(recs, clk), Events: event.NewTable(), Clock: clk,
		Others: map[string]connector.Connector{"pay": f}}
	if err := d.Orders.Create(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return New(d), d
}

func get(t *testing.T, d *app.Deps) *model.Aggregate {
	t.Helper()
	a, _, err := d.Orders.Get(context.Background(), "o1")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestCapturePerShipmentThenTheRest(t *testing.T) {
	a := twoLineOrder()
	s2 := a.Shipments[1]
	a.Shipments = a.Shipments[:1] // s1 recorded; the line buckets are derived from the shipments
	f := &fakeProvider{policy: connector.CapturePerShipment}
	s, d := rig(t, a, f)
	ctx := context.Background()
	j := &store.Job{ID: "j1"}
	if err := s.handleMove(ctx, j, Move{Order: "o1", Provider: "pay", Payment: "pi_1", Shipment: "s1"}); err != nil {
		t.Fatal(err)
	}
	// A retried job finds the capture recorded and calls nothing.
	if err := s.handleMove(ctx, j, Move{Order: "o1", Provider: "pay", Payment: "pi_1", Shipment: "s1"}); err != nil {
		t.Fatal(err)
	}
	b := get(t, d)
	if p := b.Payments[0]; p.Status != model.PayPartiallyCaptured || p.Captured != usd(1000) || len(p.Movements) != 1 || b.Order.PaymentStatus != model.PaymentPartiallyPaid {
		t.Fatalf("after s1: %+v, order %s", p, b.Order.PaymentStatus)
	}
	// s2 completes the order: it captures everything left, as final.
	if _, _, err := d.Change(ctx, "o1", model.Cause{}, func(a *model.Aggregate, _ lifecycle.Step) (lifecycle.Outcome, error) {
		a.Shipments = append(a.Shipments, s2)
		return lifecycle.Outcome{Changed: true}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.handleMove(ctx, j, Move{Order: "o1", Provider: "pay", Payment: "pi_1", Shipment: "s2"}); err != nil {
		t.Fatal(err)
	}
	want := []string{"capture 10.00 USD s1", "capture 16.00 USD s2 final"}
	if len(f.calls) != 2 || f.calls[0] != want[0] || f.calls[1] != want[1] {
		t.Fatalf("calls %q, want %q", f.calls, want)
	}
	b = get(t, d)
	if p := b.Payments[0]; p.Status != model.PayCaptured || p.Captured != usd(2600) || b.Order.PaymentStatus != model.PaymentPaid {
		t.Fatalf("after s2: %+v", p)
	}
	var n int
	for _, e := range b.Timeline {
		if e.Event == "payment.capture" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d payment.capture entries, want 2", n)
	}
}

// TestLastCaptureLeavesCancelledUnits: one of l1's two units is cancelled
// before shipping; s1 ships the other and l2. The capture is the last,
// and takes the authorisation less the cancelled unit's 10.00.
func TestLastCaptureLeavesCancelledUnits(t *testing.T) {
	a := twoLineOrder()
	a.Order.Lines[0].Cancelled = 1
	a.Order.Lines[0].Qty = model.Buckets{Ordered: 2, Cancelled: 1, Shipped: 1}
	a.Order.Lines[1].Qty = model.Buckets{Ordered: 1, Shipped: 1}
	a.Shipments = []model.Shipment{{ID: "s1", Packages: []model.Package{{Lines: []model.ShipmentLine{
		{OrderLineID: "l1", Quantity: 1}, {OrderLineID: "l2", Quantity: 1}}}}}}
	amount, final, err := captureAmount(a, &a.Payments[0], "s1", connector.CapturePerShipment)
	if err != nil || amount != usd(1600) || !final {
		t.Fatalf("captured %v (final %v, %v); want 16.00 USD final: 26.00 authorised less the cancelled 10.00", amount, final, err)
	}
}

func TestAtOrderCapturesAllAtFirstShipment(t *testing.T) {
	a := twoLineOrder()
	amount, final, err := captureAmount(a, &a.Payments[0], "s1", connector.CaptureAtOrder)
	if err != nil || amount != usd(2600) || !final {
		t.Fatalf("%v %v %v", amount, final, err)
	}
}

func TestCancellationVoidsOrRefunds(t *testing.T) {
	for _, tc := range []struct {
		name     string
		captured money.Money
		call     string
		status   model.PaymentStatus
		order    model.OrderPayment
	}{
		{"nothing captured: void", money.Money{}, "void", model.PayVoided, model.PaymentVoided},
		{"captured: refund", usd(1000), "refund 10.00 USD", model.PayRefunded, model.PaymentRefunded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := twoLineOrder()
			a.Payments[0].Captured = tc.captured
			f := &fakeProvider{}
			s, d := rig(t, a, f)
			m := Move{Order: "o1", Provider: "pay", Payment: "pi_1", Cancel: true}
			for range 2 { // the second run is a retry: no second call
				if err := s.handleMove(context.Background(), &store.Job{ID: "j"}, m); err != nil {
					t.Fatal(err)
				}
			}
			if len(f.calls) != 1 || f.calls[0] != tc.call {
				t.Fatalf("calls %q, want [%s]", f.calls, tc.call)
			}
			b := get(t, d)
			if b.Payments[0].Status != tc.status || b.Order.PaymentStatus != tc.order {
				t.Errorf("payment %s, order %s", b.Payments[0].Status, b.Order.PaymentStatus)
			}
		})
	}
}

func TestWebhookAdoptsAndDedupes(t *testing.T) {
	a := &model.Aggregate{Order: model.Order{ID: "o1", Status: model.OrderReceived}}
	s := New(&app.Deps{})
	ev := connector.PaymentEvent{ID: "evt_1", Type: "payment_intent.amount_capturable_updated", ProviderID: "pi_9",
		OrderID: "o1", Status: model.PayAuthorized, Authorized: usd(2000)}
	if out := s.apply(a, "pay", ev, lifecycle.Step{}); !out.Changed {
		t.Fatal("not applied")
	}
	if out := s.apply(a, "pay", ev, lifecycle.Step{}); out.Changed {
		t.Fatal("the same event applied twice")
	}
	if len(a.Payments) != 1 || a.Payments[0].ProviderID != "pi_9" || a.Payments[0].Authorized != usd(2000) || a.Order.PaymentStatus != model.PaymentAuthorized {
		t.Fatalf("payments %+v, order %s", a.Payments, a.Order.PaymentStatus)
	}
}

func TestDeadlineCapturesAllUnlessShipped(t *testing.T) {
	a := twoLineOrder()
	a.Shipments = nil
	f := &fakeProvider{policy: connector.CapturePerShipment}
	s, d := rig(t, a, f)
	m := Move{Order: "o1", Provider: "pay", Payment: "pi_1", Deadline: true}
	for range 2 {
		if err := s.handleMove(context.Background(), &store.Job{ID: "j"}, m); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.calls) != 1 || f.calls[0] != "capture 26.00 USD  final" {
		t.Fatalf("calls %q", f.calls)
	}
	if b := get(t, d); b.Payments[0].Status != model.PayCaptured {
		t.Errorf("payment %s", b.Payments[0].Status)
	}

	// Already partly captured by a shipment: the deadline does nothing.
	a = twoLineOrder()
	a.Payments[0].Captured, a.Payments[0].Status = usd(1000), model.PayPartiallyCaptured
	f = &fakeProvider{}
	s, _ = rig(t, a, f)
	if err := s.handleMove(context.Background(), &store.Job{ID: "j"}, m); err != nil || len(f.calls) != 0 {
		t.Fatalf("calls %q, %v", f.calls, err)
	}
}

func TestNewAuthorisationSchedulesTheDeadline(t *testing.T) {
	a := &model.Aggregate{Order: model.Order{ID: "o1", Status: model.OrderReceived}}
	s := New(&app.Deps{})
	ev := connector.PaymentEvent{ID: "evt_1", ProviderID: "pi_9", OrderID: "o1", Status: model.PayAuthorized, Authorized: usd(2000)}
	out := s.apply(a, "pay", ev, lifecycle.Step{})
	if len(out.Events) == 0 || out.Events[0].Type != model.EvPaymentAuthorized || out.Events[0].Data["payment"] != "pi_9" {
		t.Fatalf("events %+v", out.Events)
	}
	ev.ID, ev.Status = "evt_2", model.PayCaptured
	for _, e := range s.apply(a, "pay", ev, lifecycle.Step{}).Events {
		if e.Type == model.EvPaymentAuthorized {
			t.Fatal("a capture announced an authorisation")
		}
	}
}
