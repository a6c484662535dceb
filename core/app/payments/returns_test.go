package payments

import (
	"context"
	"testing"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// A received return is refunded once, under its own movement name (the
// provider's idempotency key), and a later cancellation still refunds
// only what is left.
func TestReturnRefundIsOncePerReturn(t *testing.T) {
	a := twoLineOrder()
	a.Payments[0] = model.Payment{Provider: "pay", ProviderID: "pi_1", Status: model.PayCaptured, Authorized: usd(2600), Captured: usd(2600)}
	a.Returns = []model.Return{
		{ID: "ret_1", OrderID: "o1", Status: model.ReturnReceived, Refund: usd(1000)},
		{ID: "ret_2", OrderID: "o1", Status: model.ReturnReceived, Refund: usd(1000)},
	}
	f := &fakeProvider{}
	s, d := rig(t, a, f)
	ctx := context.Background()
	j := &store.Job{ID: "j1"}
	for _, id := range []string{"ret_1", "ret_1", "ret_2"} {
		if err := s.handleMove(ctx, j, Move{Order: "o1", Provider: "pay", Payment: "pi_1", Return: id}); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.calls) != 2 || f.calls[0] != "refund 10.00 USD" || f.movements[0] != "return:ret_1" || f.movements[1] != "return:ret_2" {
		t.Fatalf("calls %q movements %q: want one refund of 10.00 per return", f.calls, f.movements)
	}
	b := get(t, d)
	p := b.Payments[0]
	if p.Refunded != usd(2000) || p.Status != model.PayPartiallyRefunded || b.Order.PaymentStatus != model.PaymentPartiallyRefunded {
		t.Fatalf("payment after two returns: %+v order %s", p, b.Order.PaymentStatus)
	}
	if b.Return("ret_1").Status != model.ReturnRefunded || b.Return("ret_2").Status != model.ReturnRefunded {
		t.Fatalf("returns %+v", b.Returns)
	}
	if err := s.handleMove(ctx, j, Move{Order: "o1", Provider: "pay", Payment: "pi_1", Cancel: true}); err != nil {
		t.Fatal(err)
	}
	if last := f.calls[len(f.calls)-1]; len(f.calls) != 3 || last != "refund 6.00 USD" {
		t.Fatalf("cancellation after the returns: calls %q, want a refund of the 6.00 left", f.calls)
	}
}
