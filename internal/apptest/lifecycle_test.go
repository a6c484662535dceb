package apptest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
)

// Supplier documents and timers: what an acknowledgement, a rejection, a
// ship notice, a cancellation answer or a missed SLA does to an order.

func TestRejectedLineIsReroutedToBackup(t *testing.T) {
	r := backupRig(t, "")
	r.intake(testOrder("1", line("1", "MUG", 2), line("2", "TEE", 1)))
	r.Drain()
	a := r.order("1")
	poB := a.POs[1] // TEE went to b (cheapest)
	if poB.Supplier != "b" {
		t.Fatalf("TEE went to %s", poB.Supplier)
	}
	r.doc("b", connector.InboundDoc{ID: "855-1", PONumber: poB.Number, POAck: &model.POAck{PONumber: poB.Number, Status: "rejected",
		Lines: []model.AckLine{{LineNo: 1, Status: model.AckRejected, Quantity: 1, ReasonCode: "IR", Reason: "out of stock"}}}})
	a = r.order("1")
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
	if err := r.S.Purchasing.QueueDocument(context.Background(), "b", "again", connector.InboundDoc{ID: "855-1", PONumber: poB.Number,
		POAck: &model.POAck{PONumber: poB.Number, Status: "rejected"}}); err != nil {
		t.Fatal(err)
	}
	if n := r.Drain(); n != 0 {
		t.Errorf("a redelivered document ran %d jobs", n)
	}
}

func TestRejectedWithNoAlternativeIsAnException(t *testing.T) {
	r := newRig(t)
	r.intake(testOrder("2", line("1", "MUG", 1)))
	r.Drain()
	po := r.order("2").POs[0]
	r.doc("a", connector.InboundDoc{ID: "855", PONumber: po.Number, POAck: &model.POAck{PONumber: po.Number, Status: "rejected", Reason: "discontinued"}})
	a := r.order("2")
	if a.Order.Status != model.OrderOnHold || a.Order.Holds[0].Code != model.HoldNoAlternative {
		t.Fatalf("status %s holds %+v", a.Order.Status, a.Order.Holds)
	}
	if xs := r.Exceptions(map[string]string{"kind": string(model.ExRejectedNoAlt)}); len(xs) != 1 {
		t.Errorf("exceptions = %d", len(xs))
	}
}

func TestShipNoticePushesFulfillmentOnce(t *testing.T) {
	r := newRig(t)
	r.intake(testOrder("3", line("1", "MUG", 2)))
	r.Drain()
	po := r.order("3").POs[0]
	sn := connector.InboundDoc{ID: "856-1", PONumber: po.Number, ShipNotice: &model.ShipNotice{PONumber: po.Number, Carrier: "ups",
		Packages: []model.Package{{TrackingNumber: "1Z999AA10123456784", Lines: []model.ShipmentLine{{SKU: "A-MUG", Quantity: 2}}}}}}
	r.doc("a", sn)
	r.doc("a", sn)
	a := r.order("3")
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
			r.intake(testOrder("4", line("1", "TEE", 1)))
			r.Drain()
			po := r.order("4").POs[0]
			if po.Supplier != "b" || po.AckDueAt == nil {
				t.Fatalf("po = %+v", po)
			}
			r.Clock.Advance(59 * time.Minute)
			r.Drain()
			if st := r.order("4").PO(po.Number).Status; st != model.POSent {
				t.Fatalf("before the SLA: %s", st)
			}
			r.Clock.Advance(2 * time.Minute)
			r.Drain()
			a := r.order("4")
			if tc.reroute {
				if len(a.POs) != 2 || a.POs[1].Supplier != "c" || a.POs[1].Status != model.POSent {
					t.Fatalf("POs = %+v", a.POs)
				}
				if len(r.b.Cancelled()) != 1 || a.PO(po.Number).Status != model.POCancelRequested {
					t.Errorf("b should be asked to cancel: %v %s", r.b.Cancelled(), a.PO(po.Number).Status)
				}
			} else {
				if len(a.POs) != 1 || a.PO(po.Number).Status != model.POAckOverdue {
					t.Fatalf("POs = %+v", a.POs)
				}
				if xs := r.Exceptions(map[string]string{"kind": string(model.ExAckOverdue)}); len(xs) != 1 {
					t.Errorf("ack_overdue exceptions = %d", len(xs))
				}
			}
		})
	}
}

func TestCancellationAfterSend(t *testing.T) {
	r := newRig(t)
	o := testOrder("5", line("1", "MUG", 1))
	r.intake(o)
	r.Drain()
	r.cancel(cancelEvent(o, "customer"))
	r.Drain()
	a := r.order("5")
	po := a.POs[0]
	if po.Status != model.POCancelRequested || len(r.a.Cancelled()) != 1 {
		t.Fatalf("po %s cancellations %v", po.Status, r.a.Cancelled())
	}
	r.doc("a", connector.InboundDoc{ID: "855-c", PONumber: po.Number, POAck: &model.POAck{PONumber: po.Number, CancelResponse: "accepted"}})
	if st := r.order("5").PO(po.Number).Status; st != model.POCancelled {
		t.Errorf("after the supplier's answer: %s", st)
	}
}

func TestDocumentForUnknownPO(t *testing.T) {
	r := newRig(t)
	if err := r.S.Purchasing.QueueDocument(context.Background(), "a", "f", connector.InboundDoc{ID: "x", PONumber: "PONOPE",
		POAck: &model.POAck{PONumber: "PONOPE"}}); err != nil {
		t.Fatal(err)
	}
	if xs := r.Exceptions(map[string]string{"kind": string(model.ExDocumentRejected)}); len(xs) != 1 {
		t.Errorf("exceptions = %d", len(xs))
	}
}
