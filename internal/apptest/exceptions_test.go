package apptest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
)

// TestExceptionFiltersCombine: status, kind, supplier and order all apply
// at once, and paging through a sparse match still finds every one.
func TestExceptionFiltersCombine(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	for i := 0; i < 30; i++ {
		kind, sup := model.ExSLABreach, "a"
		if i%3 == 1 {
			kind = model.ExInvoiceMismatch
		}
		if i%5 == 0 {
			sup = "b"
		}
		r.raise(model.Exception{Kind: kind, Supplier: sup, OrderID: fmt.Sprintf("ord_%d", i%4), PONumber: fmt.Sprint("PO", i), Reason: fmt.Sprint("r", i), Actions: []string{"resolve"}})
	}
	want := func(where map[string]string) int {
		n := 0
		for i := 0; i < 30; i++ {
			kind, sup, order := model.ExSLABreach, "a", fmt.Sprintf("ord_%d", i%4)
			if i%3 == 1 {
				kind = model.ExInvoiceMismatch
			}
			if i%5 == 0 {
				sup = "b"
			}
			if (where["kind"] == "" || where["kind"] == string(kind)) && (where["supplier"] == "" || where["supplier"] == sup) &&
				(where["order"] == "" || where["order"] == order) {
				n++
			}
		}
		return n
	}
	for _, where := range []map[string]string{
		{"status": "open", "kind": string(model.ExSLABreach), "supplier": "b"},
		{"status": "open", "kind": string(model.ExInvoiceMismatch), "supplier": "a", "order": "ord_1"},
		{"supplier": "b", "order": "ord_0"},
	} {
		var got []model.Exception
		p := repo.Page{Limit: 2}
		for page := 0; page < 50; page++ {
			xs, next, err := r.S.Operations.Exceptions(ctx, where, p)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, xs...)
			if next == "" {
				break
			}
			p.Cursor = next
		}
		for _, x := range got {
			if (where["kind"] != "" && string(x.Kind) != where["kind"]) || (where["supplier"] != "" && x.Supplier != where["supplier"]) ||
				(where["order"] != "" && x.OrderID != where["order"]) {
				t.Errorf("%v: got %+v", where, x)
			}
		}
		if len(got) != want(where) || len(got) == 0 {
			t.Errorf("%v: %d exceptions, want %d", where, len(got), want(where))
		}
	}
}

// TestExceptionsCloseWhenTheirCauseIsGone: an acknowledgement settles the
// PO's ack_overdue exception; cancelling the order settles its routing
// hold exceptions but keeps what still matters.
func TestExceptionsCloseWhenTheirCauseIsGone(t *testing.T) {
	r := backupRig(t, "")
	o := testOrder("50", line("1", "TEE", 1))
	r.intake(o)
	r.Drain()
	po := r.order("50").POs[0]
	r.Clock.Advance(2 * time.Hour) // b's acknowledgement was due within the hour
	r.Drain()
	open := func(kind model.ExceptionKind) int {
		return len(r.Exceptions(map[string]string{"status": "open", "kind": string(kind), "order": o.ID}))
	}
	if open(model.ExAckOverdue) != 1 {
		t.Fatalf("ack_overdue exceptions = %d, want 1", open(model.ExAckOverdue))
	}
	r.doc("b", connector.InboundDoc{ID: "855", PONumber: po.Number, POAck: &model.POAck{PONumber: po.Number, Status: "accepted"}})
	if n := open(model.ExAckOverdue); n != 0 {
		t.Errorf("ack_overdue still open after the acknowledgement: %d", n)
	}
	xs := r.Exceptions(map[string]string{"kind": string(model.ExAckOverdue), "order": o.ID})
	if len(xs) != 1 || xs[0].Resolution != "settled by dropgate: the supplier acknowledged "+po.Number {
		t.Errorf("resolution = %+v", xs)
	}

	held := testOrder("51", line("1", "GHOST", 1))
	r.intake(held)
	r.cancel(cancelEvent(held, "customer"))
	if xs := r.Exceptions(map[string]string{"status": "open", "order": held.ID}); len(xs) != 0 {
		t.Errorf("open exceptions of a cancelled order: %+v", xs)
	}
}

// TestResolvedExceptionReopensWhenTheProblemReturns: the same problem
// raised after an operator resolved it is open again, not silently
// swallowed by its deterministic id.
func TestResolvedExceptionReopensWhenTheProblemReturns(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	x := model.Exception{Kind: model.ExDeadLetter, Ref: "job_1", Reason: "boom", Actions: []string{"retry", "discard"}}
	r.raise(x)
	xs := r.Exceptions(map[string]string{"ref": "job_1"})
	if len(xs) != 1 {
		t.Fatalf("exceptions = %+v", xs)
	}
	if _, err := r.S.Operations.ResolveException(ctx, xs[0].ID, "resolve", "ops", ""); err != nil {
		t.Fatal(err)
	}
	r.raise(x)
	got, err := r.S.Operations.Exception(ctx, xs[0].ID)
	if err != nil || got.Status != "open" || got.ResolvedAt != nil {
		t.Fatalf("after the problem came back: %+v %v", got, err)
	}
	if open := r.Exceptions(map[string]string{"status": "open"}); len(open) != 1 {
		t.Errorf("open exceptions = %d, want 1 (reopened, not duplicated)", len(open))
	}
	// Raising it again while open changes nothing.
	r.raise(x)
	if all := r.Exceptions(nil); len(all) != 1 {
		t.Errorf("exceptions = %d", len(all))
	}
}
