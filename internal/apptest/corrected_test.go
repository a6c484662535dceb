package apptest_test

import (
	"testing"

	"github.com/dropgate/dropgate/core/model"
)

// TestCorrectedOrderGoesOn: an order taken in without its address (an
// Amazon order listed while Pending) is held as invalid with an
// exception; the channel's next version, paid and complete, replaces it,
// settles the exception and becomes a PO, once. An order still invalid
// stays held; one with POs is never replaced.
func TestCorrectedOrderGoesOn(t *testing.T) {
	r := newRig(t)
	o := paidOrder("4001", model.PaymentPending, "")
	o.ShippingAddress = nil
	r.intake(o)
	r.Drain()
	id := model.OrderID("shop", "4001")
	a := r.Order(id)
	if a.Order.Status != model.OrderOnHold || holdCodes(a) != model.HoldInvalidOrder || len(r.Exceptions(map[string]string{"order": id, "status": "open"})) != 1 {
		t.Fatalf("without an address: %s holds %q", a.Order.Status, holdCodes(a))
	}
	again := paidOrder("4001", model.PaymentPending, "")
	again.ShippingAddress = nil
	r.intake(again) // still incomplete
	r.Drain()
	if a := r.Order(id); holdCodes(a) != model.HoldInvalidOrder || len(a.POs) != 0 {
		t.Fatalf("an update still without an address: holds %q, POs %d", holdCodes(a), len(a.POs))
	}
	fixed := paidOrder("4001", model.PaymentPaid, "")
	r.intake(fixed)
	r.Drain()
	a = r.Order(id)
	if len(a.POs) != 1 || a.POs[0].Status != model.POSent || len(a.Order.Holds) != 0 || a.Order.ShippingAddress == nil || a.Order.PaymentStatus != model.PaymentPaid {
		t.Fatalf("corrected: POs %+v holds %q address %v payment %s", a.POs, holdCodes(a), a.Order.ShippingAddress, a.Order.PaymentStatus)
	}
	if xs := r.Exceptions(map[string]string{"order": id, "status": "open"}); len(xs) != 0 {
		t.Errorf("the invalid-order exception is still open: %+v", xs)
	}
	corrected := false
	for _, e := range a.Timeline {
		corrected = corrected || e.Event == "order.corrected"
	}
	if !corrected {
		t.Error("no order.corrected on the timeline")
	}
	// A later version changes nothing any more: the order has its PO.
	other := paidOrder("4001", model.PaymentPaid, "")
	other.Lines[0].Quantity = 5
	r.intake(other)
	r.Drain()
	if a := r.Order(id); len(a.POs) != 1 || a.Order.Lines[0].Quantity != 1 || len(r.a.Sent()) != 1 {
		t.Fatalf("an order with a PO was replaced: %+v, sent %v", a.Order.Lines, r.a.Sent())
	}
}

// TestCorrectedOrderStillWaitsForPayment: the corrected order is judged
// by the release policy like a new one: unpaid, it waits on a payment
// hold, and the paid update then releases it.
func TestCorrectedOrderStillWaitsForPayment(t *testing.T) {
	r := newRig(t)
	o := paidOrder("4002", model.PaymentPending, "")
	o.ShippingAddress = nil
	r.intake(o)
	r.Drain()
	r.intake(paidOrder("4002", model.PaymentPending, ""))
	r.Drain()
	id := model.OrderID("shop", "4002")
	if a := r.Order(id); holdCodes(a) != model.HoldPayment || len(a.POs) != 0 {
		t.Fatalf("corrected but unpaid: holds %q, POs %d", holdCodes(a), len(a.POs))
	}
	r.intake(paidOrder("4002", model.PaymentPaid, ""))
	r.Drain()
	if a := r.Order(id); len(a.POs) != 1 || len(a.Order.Holds) != 0 {
		t.Fatalf("paid: holds %q, POs %d", holdCodes(a), len(a.POs))
	}
}
