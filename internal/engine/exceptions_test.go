package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
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
		x := model.Exception{Kind: kind, Supplier: sup, OrderID: fmt.Sprintf("ord_%d", i%4), PONumber: fmt.Sprint("PO", i), Reason: fmt.Sprint("r", i), Actions: []string{"resolve"}}
		if err := r.e.raise(ctx, x); err != nil {
			t.Fatal(err)
		}
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
		q := store.Query{Limit: 2}
		for page := 0; page < 50; page++ {
			xs, next, err := r.e.ExceptionsWhere(ctx, where, q)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, xs...)
			if next == "" {
				break
			}
			q.Cursor = next
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
	ctx := context.Background()
	o := testOrder("50", line("1", "TEE", 1))
	r.e.Intake(ctx, o, cause)
	r.drain(t)
	po := r.order(t, "50").POs[0]
	r.clk.Advance(2 * time.Hour) // b's acknowledgement was due within the hour
	r.drain(t)
	open := func(kind model.ExceptionKind) int {
		xs, _, err := r.e.ExceptionsWhere(ctx, map[string]string{"status": "open", "kind": string(kind), "order": o.ID}, store.Query{})
		if err != nil {
			t.Fatal(err)
		}
		return len(xs)
	}
	if open(model.ExAckOverdue) != 1 {
		t.Fatalf("ack_overdue exceptions = %d, want 1", open(model.ExAckOverdue))
	}
	r.doc(t, "b", connector.InboundDoc{ID: "855", PONumber: po.Number, POAck: &model.POAck{PONumber: po.Number, Status: "accepted"}})
	if n := open(model.ExAckOverdue); n != 0 {
		t.Errorf("ack_overdue still open after the acknowledgement: %d", n)
	}
	xs, _, _ := r.e.ExceptionsWhere(ctx, map[string]string{"kind": string(model.ExAckOverdue), "order": o.ID}, store.Query{})
	if len(xs) != 1 || xs[0].Resolution != "settled by dropgate: the supplier acknowledged "+po.Number {
		t.Errorf("resolution = %+v", xs)
	}

	held := testOrder("51", line("1", "GHOST", 1))
	r.e.Intake(ctx, held, cause)
	if err := r.e.CancelOrder(ctx, "shop", cancelEvent(held, "customer"), cause); err != nil {
		t.Fatal(err)
	}
	if xs, _, _ := r.e.ExceptionsWhere(ctx, map[string]string{"status": "open", "order": held.ID}, store.Query{}); len(xs) != 0 {
		t.Errorf("open exceptions of a cancelled order: %+v", xs)
	}
}
