package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/connectors/payment/stripe"
	"github.com/dropgate/dropgate/core/model"
)

// TestRequireCaptureHoldsAnAuthorisedOrderUntilCaptured: with
// orders.require_capture, Stripe's authorisation does not release the
// payment-held order; dropgate captures the whole authorisation at once
// (the order's capture key, no shipment), and that capture releases it.
// Its shipment then captures nothing more.
func TestRequireCaptureHoldsAnAuthorisedOrderUntilCaptured(t *testing.T) {
	t.Parallel()
	l, calls := stripeLoopWith(t, []supplierSpec{{name: "acme", rows: []string{"MUG,3.00,50"}}}, nil, "orders: { require_capture: true }\n")
	o, body := l.order(item("MUG", 1, "14.95"))
	id := orderIDOf(o)
	l.webhook("orders/create", withFinancial(body, "pending"))
	l.wait(id, "a payment hold", func(a *model.Aggregate) bool { return len(a.Order.Holds) > 0 })
	if code := stripePost(t, l, stripeAuthEvent("evt_rc_auth", "pi_rc", id), stripeSecret); code != http.StatusOK {
		t.Fatalf("event answered %d", code)
	}
	a := l.wait(id, "captured, released and shipped", func(a *model.Aggregate) bool {
		return len(a.Shipments) == 1 && len(a.Payments) == 1 && a.Payments[0].Status == model.PayCaptured
	})
	p := a.Payments[0]
	key := stripe.IdempotencyKey(id, "capture", "")
	if len(p.Movements) != 1 || p.Movements[0].Shipment != "" || p.Movements[0].IdempotencyKey != key || p.Captured.Amount != 1495 || a.Order.PaymentStatus != model.PaymentPaid {
		t.Fatalf("payment %+v, order payment %s", p, a.Order.PaymentStatus)
	}
	// The order went only after the capture: the authorisation alone
	// lifted nothing.
	at := map[string]int{}
	for i, e := range a.Timeline {
		if _, seen := at[e.Event]; !seen {
			at[e.Event] = i
		}
	}
	capture, hasCapture := at["payment.capture"]
	released, hasRelease := at["order.released"]
	if !hasCapture || !hasRelease || released < capture || !strings.Contains(a.Timeline[capture].Message, "require_capture") {
		t.Errorf("timeline %v", events(a))
	}
	var captures []string
	for _, c := range calls() {
		if strings.Contains(c.line, "/capture ") {
			captures = append(captures, c.line)
		}
	}
	if len(captures) != 1 || captures[0] != "POST /v1/payment_intents/pi_rc/capture "+key {
		t.Errorf("captures at Stripe %v, want one with %s", captures, key)
	}
}
