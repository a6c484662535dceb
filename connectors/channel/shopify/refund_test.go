package shopify

import (
	"context"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/fakes/shopifyfake"
)

func returnOf(id string, lines ...model.ReturnLine) *model.Return {
	return &model.Return{ID: id, Lines: lines, Status: model.ReturnRefunded, Refund: usd("25.00")}
}

func returned(li shopifyfake.LineItem, qty int64) model.ReturnLine {
	return model.ReturnLine{OrderLineID: formatID(li.ID), SKU: li.SKU, Quantity: qty}
}

// A refunded return becomes one Shopify refund of its line items and
// quantities, no restock, no notification, no transactions, the return
// id in the note; a replay (a lost response, a re-run job) creates none.
func TestPushRefund(t *testing.T) {
	r := newRig(t, rigOptions{})
	p := r.product("10.00", "A-1", "B-2")
	so, order := r.order(
		shopifyfake.NewLineItem{VariantID: p.Variants[0].ID, Quantity: 3},
		shopifyfake.NewLineItem{VariantID: p.Variants[1].ID, Quantity: 1})
	a, b := so.Lines[0], so.Lines[1]
	if _, ok := connector.As[connector.RefundPusher](r.c); !ok {
		t.Fatal("the connector does not offer push_refund")
	}
	ret := returnOf("ret_1", returned(a, 2), returned(b, 1))
	for range 2 {
		if err := r.c.PushRefund(context.Background(), order, ret); err != nil {
			t.Fatal(err)
		}
	}
	refunds := r.f.Shop(shopifyfake.DefaultShop).Refunds(so.ID)
	if len(refunds) != 1 {
		t.Fatalf("%d refunds, want 1: %+v", len(refunds), refunds)
	}
	rf := refunds[0]
	if rf.Notify || len(rf.Transactions) != 0 || !strings.Contains(rf.Note, "[dropgate return ret_1]") {
		t.Fatalf("refund %+v: want notify false, no transactions, the return id in the note", rf)
	}
	got := map[uint64]int{}
	for _, l := range rf.Lines {
		if l.RestockType != "no_restock" {
			t.Errorf("line %d restock_type %q", l.LineItemID, l.RestockType)
		}
		got[l.LineItemID] += l.Quantity
	}
	if len(got) != 2 || got[a.ID] != 2 || got[b.ID] != 1 {
		t.Fatalf("refunded %v, want %d×2 and %d×1", got, a.ID, b.ID)
	}
	// Another return of the last unit of a is its own refund.
	if err := r.c.PushRefund(context.Background(), order, returnOf("ret_12", returned(a, 1))); err != nil {
		t.Fatal(err)
	}
	if n := len(r.f.Shop(shopifyfake.DefaultShop).Refunds(so.ID)); n != 2 {
		t.Fatalf("%d refunds after a second return, want 2", n)
	}
}

// More units than the order has left to refund, or a line item of
// another order, is a permanent error with Shopify's message, and
// nothing is refunded.
func TestPushRefundRefused(t *testing.T) {
	r := newRig(t, rigOptions{})
	p := r.product("10.00", "A-1")
	so, order := r.order(shopifyfake.NewLineItem{VariantID: p.Variants[0].ID, Quantity: 2})
	other, _ := r.order(shopifyfake.NewLineItem{VariantID: p.Variants[0].ID, Quantity: 1})
	for name, ret := range map[string]*model.Return{
		"over quantity": returnOf("ret_1", returned(so.Lines[0], 3)),
		"foreign line":  returnOf("ret_2", returned(other.Lines[0], 1)),
		"not an id":     returnOf("ret_3", model.ReturnLine{OrderLineID: "L1", Quantity: 1}),
		"zero units":    returnOf("ret_4", returned(so.Lines[0], 0)),
	} {
		err := r.c.PushRefund(context.Background(), order, ret)
		if !fault.IsPermanent(err) {
			t.Errorf("%s: %v, want a permanent error", name, err)
		}
		if name == "over quantity" && (err == nil || !strings.Contains(err.Error(), "cannot refund more items")) {
			t.Errorf("%s: %v, want Shopify's message", name, err)
		}
	}
	if n := len(r.f.Shop(shopifyfake.DefaultShop).Refunds(so.ID)); n != 0 {
		t.Fatalf("%d refunds, want none", n)
	}
}

// The fake refuses a refund without the shop's token.
func TestPushRefundNeedsToken(t *testing.T) {
	r := newRig(t, rigOptions{token: "shpat_wrong"})
	p := r.product("10.00", "A-1")
	so, order := r.order(shopifyfake.NewLineItem{VariantID: p.Variants[0].ID, Quantity: 1})
	if err := r.c.PushRefund(context.Background(), order, returnOf("ret_1", returned(so.Lines[0], 1))); !fault.IsPermanent(err) {
		t.Fatalf("%v, want a permanent error (401)", err)
	}
	if n := len(r.f.Shop(shopifyfake.DefaultShop).Refunds(so.ID)); n != 0 {
		t.Fatalf("%d refunds, want none", n)
	}
}
