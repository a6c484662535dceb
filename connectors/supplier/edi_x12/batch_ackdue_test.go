package edi_x12_test

import (
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
)

// TestBatchWithoutFunctionalAckFlagsEachPO: the POs of a batch share one
// timer for their functional acknowledgement, not one each; when it
// fires unanswered, every PO of the batch is flagged, each with its own
// exception.
func TestBatchWithoutFunctionalAckFlagsEachPO(t *testing.T) {
	b := sendBatchOfThree(t, "31", "32", "33")
	r, orders := b.Rig, b.orders
	r.Drain()

	r.Clock.Advance(61 * time.Minute)
	if n := r.Drain(); n != 1 {
		t.Errorf("%d jobs ran at the deadline, want 1 (the batch's timer)", n)
	}
	xs := r.Exceptions(map[string]string{"kind": string(model.ExAckOverdue)})
	flagged := map[string]bool{}
	for _, x := range xs {
		flagged[x.PONumber] = true
		if !strings.Contains(x.Reason, "no functional acknowledgement from a for interchange") {
			t.Errorf("reason: %s", x.Reason)
		}
	}
	for _, o := range orders {
		if po := r.Order(o.ID).POs[0]; !flagged[po.Number] {
			t.Errorf("PO %s of order %s not flagged: %+v", po.Number, o.ID, xs)
		}
	}
	if len(xs) != 3 {
		t.Errorf("%d ack_overdue exceptions, want 3", len(xs))
	}
}
