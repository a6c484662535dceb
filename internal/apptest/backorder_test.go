package apptest_test

import (
	"context"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
)

// TestBackorderRerouteAction: supplier b backorders the TEE with no date.
// The order does not sit in "processing" unnoticed: a backordered
// exception is raised, and its reroute action takes the PO back from b
// (a cancellation goes to b) and sends the TEE to c.
func TestBackorderRerouteAction(t *testing.T) {
	r := backupRig(t, "")
	r.intake(testOrder("40", line("1", "TEE", 1)))
	r.Drain()
	po := r.order("40").POs[0]
	if po.Supplier != "b" {
		t.Fatalf("TEE went to %s", po.Supplier)
	}
	r.doc("b", connector.InboundDoc{ID: "855-bo", PONumber: po.Number, POAck: &model.POAck{PONumber: po.Number, Status: "accepted_with_changes",
		Lines: []model.AckLine{{LineNo: 1, Status: model.AckBackordered, Quantity: 1}}}})
	xs := r.Exceptions(map[string]string{"kind": string(model.ExBackordered)})
	if len(xs) != 1 || xs[0].PONumber != po.Number {
		t.Fatalf("backordered exceptions = %+v", xs)
	}
	if _, err := r.S.Operations.ResolveException(context.Background(), xs[0].ID, "reroute", "ops", ""); err != nil {
		t.Fatal(err)
	}
	r.Drain()
	a := r.order("40")
	if len(a.POs) != 2 || a.POs[1].Supplier != "c" || a.POs[1].Status != model.POSent {
		t.Fatalf("POs = %+v", a.POs)
	}
	if got := a.PO(po.Number); got.Status != model.POCancelRequested || !got.Withdrawn() {
		t.Errorf("b's PO = %s withdrawn %v", got.Status, got.Withdrawn())
	}
	if len(r.b.Cancelled()) != 1 {
		t.Errorf("b was asked to cancel %v", r.b.Cancelled())
	}
	if x := r.exception(xs[0].ID); x.Status != "resolved" {
		t.Errorf("exception = %s", x.Status)
	}
}
