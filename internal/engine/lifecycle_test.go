package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
)

// backupRig adds supplier "c" carrying TEE as a more expensive backup.
func backupRig(t *testing.T, onBreach string) *rig {
	r := newRig(t)
	c := &recorder{name: "c"}
	r.e.Suppliers["c"] = c
	r.e.Catalog.Replace("c", []routing.Offer{{SKU: "TEE", SupplierSKU: "C-TEE", Cost: usd("8.50"), Stock: 10}, {SKU: "MUG", SupplierSKU: "C-MUG", Cost: usd("6.00"), Stock: 10}})
	r.e.Profiles["c"] = routing.SupplierProfile{Name: "c"}
	p := r.e.Profiles["b"]
	p.SLA = routing.SLA{AcknowledgeWithin: time.Hour, OnBreach: onBreach}
	r.e.Profiles["b"] = p
	r.e.Router.Suppliers = r.e.Profiles
	return r
}

func (r *rig) order(t *testing.T, id string) *model.Aggregate {
	t.Helper()
	a, err := r.e.Load(context.Background(), model.OrderID("shop", id))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (r *rig) doc(t *testing.T, supplier string, d connector.InboundDoc) {
	t.Helper()
	if err := r.e.QueueDocument(context.Background(), supplier, "test-file", d); err != nil {
		t.Fatal(err)
	}
	r.drain(t)
}

func timeline(a *model.Aggregate) string {
	var ev []string
	for _, e := range a.Timeline {
		ev = append(ev, e.Event)
	}
	return strings.Join(ev, " ")
}

func TestRejectedLineIsReroutedToBackup(t *testing.T) {
	r := backupRig(t, "")
	ctx := context.Background()
	r.e.Intake(ctx, testOrder("1", line("1", "MUG", 2), line("2", "TEE", 1)), cause)
	r.drain(t)
	a := r.order(t, "1")
	poB := a.POs[1] // TEE went to b (cheapest)
	if poB.Supplier != "b" {
		t.Fatalf("TEE went to %s", poB.Supplier)
	}
	r.doc(t, "b", connector.InboundDoc{ID: "855-1", PONumber: poB.Number, POAck: &model.POAck{PONumber: poB.Number, Status: "rejected",
		Lines: []model.AckLine{{LineNo: 1, Status: model.AckRejected, Quantity: 1, ReasonCode: "IR", Reason: "out of stock"}}}})
	a = r.order(t, "1")
	if len(a.POs) != 3 || a.POs[2].Supplier != "c" || a.POs[2].Status != model.POSent || a.POs[2].Lines[0].SupplierSKU != "C-TEE" {
		t.Fatalf("POs = %+v", a.POs)
	}
	if a.PO(poB.Number).Status != model.PORejected {
		t.Errorf("b's PO = %s", a.PO(poB.Number).Status)
	}
	if got := timeline(a); !strings.Contains(got, "po.line_rejected po.rejected po.rerouted line.routed") {
		t.Errorf("timeline = %s", got)
	}
	// The same 855 again changes nothing.
	r.e.QueueDocument(ctx, "b", "again", connector.InboundDoc{ID: "855-1", PONumber: poB.Number, POAck: &model.POAck{PONumber: poB.Number, Status: "rejected"}})
	if n := r.drain(t); n != 0 {
		t.Errorf("a redelivered document ran %d jobs", n)
	}
}

func TestRejectedWithNoAlternativeIsAnException(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.e.Intake(ctx, testOrder("2", line("1", "MUG", 1)), cause)
	r.drain(t)
	po := r.order(t, "2").POs[0]
	r.doc(t, "a", connector.InboundDoc{ID: "855", PONumber: po.Number, POAck: &model.POAck{PONumber: po.Number, Status: "rejected", Reason: "discontinued"}})
	a := r.order(t, "2")
	if a.Order.Status != model.OrderOnHold || a.Order.Holds[0].Code != model.HoldNoAlternative {
		t.Fatalf("status %s holds %+v", a.Order.Status, a.Order.Holds)
	}
	recs, _, _ := r.st.ListRecords(ctx, RecException, store.Query{Field: "kind", Value: string(model.ExRejectedNoAlt)})
	if len(recs) != 1 {
		t.Errorf("exceptions = %d", len(recs))
	}
}

func TestShipNoticePushesFulfillmentOnce(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.e.Intake(ctx, testOrder("3", line("1", "MUG", 2)), cause)
	r.drain(t)
	po := r.order(t, "3").POs[0]
	sn := connector.InboundDoc{ID: "856-1", PONumber: po.Number, ShipNotice: &model.ShipNotice{PONumber: po.Number, Carrier: "ups",
		Packages: []model.Package{{TrackingNumber: "1Z999AA10123456784", Lines: []model.ShipmentLine{{SKU: "A-MUG", Quantity: 2}}}}}}
	r.doc(t, "a", sn)
	r.doc(t, "a", sn)
	a := r.order(t, "3")
	if a.Order.Status != model.OrderShipped || len(a.Shipments) != 1 || a.Shipments[0].ChannelFulfillmentID == "" {
		t.Fatalf("status %s shipments %+v", a.Order.Status, a.Shipments)
	}
	if n := r.channel.pushed[a.Shipments[0].ID]; n != 1 {
		t.Errorf("fulfillment pushed %d times", n)
	}
	if !strings.Contains(timeline(a), "fulfillment.created") {
		t.Errorf("timeline = %s", timeline(a))
	}
}

func TestAckSLABreach(t *testing.T) {
	for _, tc := range []struct {
		onBreach string
		reroute  bool
	}{{"exception", false}, {"reroute", true}} {
		t.Run(tc.onBreach, func(t *testing.T) {
			r := backupRig(t, tc.onBreach)
			ctx := context.Background()
			r.e.Intake(ctx, testOrder("4", line("1", "TEE", 1)), cause)
			r.drain(t)
			po := r.order(t, "4").POs[0]
			if po.Supplier != "b" || po.AckDueAt == nil {
				t.Fatalf("po = %+v", po)
			}
			r.clk.Advance(59 * time.Minute)
			r.drain(t)
			if st := r.order(t, "4").PO(po.Number).Status; st != model.POSent {
				t.Fatalf("before the SLA: %s", st)
			}
			r.clk.Advance(2 * time.Minute)
			r.drain(t)
			a := r.order(t, "4")
			if tc.reroute {
				if len(a.POs) != 2 || a.POs[1].Supplier != "c" || a.POs[1].Status != model.POSent {
					t.Fatalf("POs = %+v", a.POs)
				}
				if len(r.e.Suppliers["b"].(*recorder).cancelled) != 1 || a.PO(po.Number).Status != model.POCancelRequested {
					t.Errorf("b should be asked to cancel: %v %s", r.e.Suppliers["b"].(*recorder).cancelled, a.PO(po.Number).Status)
				}
			} else {
				if len(a.POs) != 1 || a.PO(po.Number).Status != model.POAckOverdue {
					t.Fatalf("POs = %+v", a.POs)
				}
				recs, _, _ := r.st.ListRecords(ctx, RecException, store.Query{Field: "kind", Value: string(model.ExAckOverdue)})
				if len(recs) != 1 {
					t.Errorf("ack_overdue exceptions = %d", len(recs))
				}
			}
		})
	}
}

func TestCancellationAfterSend(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	o := testOrder("5", line("1", "MUG", 1))
	r.e.Intake(ctx, o, cause)
	r.drain(t)
	if err := r.e.CancelOrder(ctx, "shop", cancelEvent(o, "customer"), cause); err != nil {
		t.Fatal(err)
	}
	r.drain(t)
	a := r.order(t, "5")
	po := a.POs[0]
	if po.Status != model.POCancelRequested || len(r.a.cancelled) != 1 {
		t.Fatalf("po %s cancellations %v", po.Status, r.a.cancelled)
	}
	r.doc(t, "a", connector.InboundDoc{ID: "855-c", PONumber: po.Number, POAck: &model.POAck{PONumber: po.Number, CancelResponse: "accepted"}})
	if st := r.order(t, "5").PO(po.Number).Status; st != model.POCancelled {
		t.Errorf("after the supplier's answer: %s", st)
	}
}

func TestDocumentForUnknownPO(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if err := r.e.QueueDocument(ctx, "a", "f", connector.InboundDoc{ID: "x", PONumber: "PONOPE", POAck: &model.POAck{PONumber: "PONOPE"}}); err != nil {
		t.Fatal(err)
	}
	recs, _, _ := r.st.ListRecords(ctx, RecException, store.Query{Field: "kind", Value: string(model.ExDocumentRejected)})
	if len(recs) != 1 {
		t.Errorf("exceptions = %d", len(recs))
	}
}

// TestResolvedExceptionReopensWhenTheProblemReturns: the same problem
// raised after an operator resolved it is open again, not silently
// swallowed by its deterministic id.
func TestResolvedExceptionReopensWhenTheProblemReturns(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	x := model.Exception{Kind: model.ExDeadLetter, Ref: "job_1", Reason: "boom", Actions: []string{"retry", "discard"}}
	if err := r.e.raise(ctx, x); err != nil {
		t.Fatal(err)
	}
	xs, _, _ := r.e.Exceptions(ctx, store.Query{Field: "ref", Value: "job_1"})
	if len(xs) != 1 {
		t.Fatalf("exceptions = %+v", xs)
	}
	if _, err := r.e.ResolveException(ctx, xs[0].ID, "resolve", "ops", ""); err != nil {
		t.Fatal(err)
	}
	if err := r.e.raise(ctx, x); err != nil {
		t.Fatal(err)
	}
	got, _, err := r.e.Exception(ctx, xs[0].ID)
	if err != nil || got.Status != "open" || got.ResolvedAt != nil {
		t.Fatalf("after the problem came back: %+v %v", got, err)
	}
	open, _, _ := r.e.Exceptions(ctx, store.Query{Field: "status", Value: "open"})
	if len(open) != 1 {
		t.Errorf("open exceptions = %d, want 1 (reopened, not duplicated)", len(open))
	}
	// Raising it again while open changes nothing.
	if err := r.e.raise(ctx, x); err != nil {
		t.Fatal(err)
	}
	if all, _, _ := r.e.Exceptions(ctx, store.Query{}); len(all) != 1 {
		t.Errorf("exceptions = %d", len(all))
	}
}
