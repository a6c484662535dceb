package apptest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
)

func TestIntakeSplitsBySupplierAndSendsOnce(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	o := testOrder("1001", line("1", "MUG", 2), line("2", "TEE", 1))
	r.intake(o)
	// Redelivery: the same order again changes nothing.
	r.intake(testOrder("1001", line("1", "MUG", 2), line("2", "TEE", 1)))
	if n := r.Drain(); n != 2 {
		t.Fatalf("sent %d jobs, want 2 (one per supplier)", n)
	}
	if len(r.a.Sent()) != 1 || len(r.b.Sent()) != 1 {
		t.Fatalf("a got %v, b got %v", r.a.Sent(), r.b.Sent())
	}
	a := r.Order(o.ID)
	if len(a.POs) != 2 {
		t.Fatalf("POs = %d", len(a.POs))
	}
	for _, po := range a.POs {
		if po.Status != model.POSent || po.SentAt == nil || po.Number != model.PONumber(o.ID, po.Supplier, 1) {
			t.Errorf("PO %s: %+v", po.Number, po)
		}
		if po.Supplier == "a" && (po.AckDueAt == nil || !po.AckDueAt.Equal(r.Clock.Now().Add(4*time.Hour))) {
			t.Errorf("PO to a has no ack due time: %v", po.AckDueAt)
		}
		if po.Supplier == "b" && (po.Lines[0].SupplierSKU != "B-TEE" || po.Lines[0].UnitCost.Amount != 700) {
			t.Errorf("TEE should go to b, cheaper: %+v", po.Lines)
		}
	}
	if a.Order.Status != model.OrderProcessing || a.Order.Lines[0].State != model.LineSent || a.Order.Lines[0].Qty.Sent != 2 {
		t.Errorf("order %s, line %s %+v", a.Order.Status, a.Order.Lines[0].State, a.Order.Lines[0].Qty)
	}
	events := map[string]int{}
	for _, e := range a.Timeline {
		events[e.Event]++
		if e.Cause.Kind == "" {
			t.Errorf("timeline entry without cause: %+v", e)
		}
	}
	if events["order.received"] != 1 || events["po.created"] != 2 || events["po.sent"] != 2 || events["line.routed"] != 2 || events["routing.decided"] != 1 {
		t.Errorf("timeline events = %v", events)
	}
	// The timeline says how the plan was found: MUG has one supplier, TEE
	// two, so the exact search ran.
	for _, e := range a.Timeline {
		if e.Event == "routing.decided" && !strings.HasPrefix(e.Message, "shipments: 2 (a, b), landed ") ||
			e.Event == "routing.decided" && !strings.Contains(e.Message, "; search: exact (branch and bound, 2 nodes)") {
			t.Errorf("routing.decided: %q", e.Message)
		}
	}
	// The PO index finds the order.
	if id, err := r.S.Operator().OrderOfPO(ctx, a.POs[0].Number); err != nil || id != o.ID {
		t.Errorf("OrderOfPO = %q, %v", id, err)
	}
	// A second run of a send job changes nothing.
	if err := r.S.Mux.Serve(ctx, sendJob(t, &a.POs[0])); err != nil || len(r.a.Sent())+len(r.b.Sent()) != 2 {
		t.Errorf("resend: %v, sent %v %v", err, r.a.Sent(), r.b.Sent())
	}
}

func TestInvalidOrdersGoOnHoldWithReason(t *testing.T) {
	noAddr := testOrder("3", line("1", "MUG", 1))
	noAddr.ShippingAddress = nil
	badCur := testOrder("4", line("1", "MUG", 1))
	badCur.Currency = "XYZ"
	negPrice := testOrder("8", line("1", "MUG", 1))
	negPrice.Lines[0].UnitPrice = usd("-20.00")
	negTotal := testOrder("9", line("1", "MUG", 1))
	negTotal.Totals.Total = usd("-5.00")
	tests := []struct {
		name   string
		order  *model.Order
		reason string
		kind   model.ExceptionKind
	}{
		{"no lines", testOrder("1"), "the order has no lines", model.ExInvalidOrder},
		{"zero quantity", testOrder("2", line("1", "MUG", 0)), "line 1 (MUG): quantity 0 is not positive", model.ExInvalidOrder},
		{"negative quantity", testOrder("5", line("1", "MUG", -2)), "line 1 (MUG): quantity -2 is not positive", model.ExInvalidOrder},
		{"missing address", noAddr, "missing shipping address", model.ExInvalidOrder},
		{"unknown currency", badCur, `unknown currency "XYZ"`, model.ExInvalidOrder},
		{"negative unit price", negPrice, "line 1 (MUG): negative unit price -20.00 USD", model.ExInvalidOrder},
		{"negative total", negTotal, "negative order total -5.00 USD", model.ExInvalidOrder},
		{"unroutable sku", testOrder("6", line("1", "MUG", 1), line("2", "GHOST", 1)), "SKU GHOST is carried by no supplier", model.ExUnroutable},
		{"not enough stock", testOrder("7", line("1", "MUG", 50)), "no eligible supplier for SKU MUG (a: stock 10 (minus safety buffer 0) is below quantity 50)", model.ExUnroutable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			r.intake(tt.order)
			a := r.Order(tt.order.ID)
			if a.Order.Status != model.OrderOnHold || len(a.Order.Holds) == 0 || a.Order.Holds[0].Reason != tt.reason {
				t.Fatalf("status %s holds %+v, want reason %q", a.Order.Status, a.Order.Holds, tt.reason)
			}
			if len(a.POs) != 0 || r.Drain() != 0 {
				t.Error("a held order must not produce POs or jobs")
			}
			xs := r.Exceptions(map[string]string{"order": tt.order.ID})
			if len(xs) != 1 {
				t.Fatalf("exceptions = %d", len(xs))
			}
			if x := xs[0]; x.Kind != tt.kind || x.Reason != tt.reason || x.Status != "open" {
				t.Errorf("exception = %+v", x)
			}
			// Processing the same order again raises nothing new.
			r.intake(tt.order)
			if xs := r.Exceptions(nil); len(xs) != 1 {
				t.Errorf("exceptions after redelivery = %d", len(xs))
			}
		})
	}
}

func TestCancelBeforeSend(t *testing.T) {
	r := newRig(t)
	o := testOrder("9", line("1", "MUG", 1))
	r.intake(o)
	r.cancel(cancelEvent(o, "customer"))
	r.Drain()
	if len(r.a.Sent()) != 0 {
		t.Fatalf("a cancelled order's PO was sent: %v", r.a.Sent())
	}
	a := r.Order(o.ID)
	if a.Order.Status != model.OrderCancelled || a.POs[0].Status != model.POCancelled {
		t.Errorf("order %s po %s", a.Order.Status, a.POs[0].Status)
	}
	last := a.Timeline[len(a.Timeline)-1]
	if last.Event != "order.cancelled" || !strings.Contains(last.Message, "customer") {
		t.Errorf("last timeline entry = %+v", last)
	}
}

// TestUnprovenCancellationChangesNothing: an event that says "cancelled"
// without the order showing it (a header's word) is not acted on, on any
// channel.
func TestUnprovenCancellationChangesNothing(t *testing.T) {
	r := newRig(t)
	o := testOrder("11", line("1", "MUG", 1))
	r.intake(o)
	r.cancel(connector.ChannelEvent{Kind: connector.EventOrderCancelled, ChannelOrderID: "11", Order: o, Reason: "customer"})
	r.Drain()
	a := r.Order(o.ID)
	if a.Order.Status == model.OrderCancelled || len(r.a.Sent()) != 1 || len(r.a.Cancelled()) != 0 {
		t.Fatalf("order %s, sent %v, cancelled %v: an unproven cancellation was applied", a.Order.Status, r.a.Sent(), r.a.Cancelled())
	}
	r.cancel(cancelEvent(o, "customer"))
	r.Drain()
	if a = r.Order(o.ID); a.Order.Status != model.OrderCancelled || len(r.a.Cancelled()) != 1 {
		t.Errorf("proven cancellation: order %s, cancelled %v", a.Order.Status, r.a.Cancelled())
	}
}
