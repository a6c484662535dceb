package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/connectors/payment/stripe"
	"github.com/dropgate/dropgate/core/model"
)

// TestStripeCancellationBeforeCaptureVoids: two authorised orders whose
// POs are acknowledged and not shipped; one is cancelled by the store
// (orders/cancelled), the other by an operator (POST
// /api/v1/orders/{id}/cancel). Each authorisation is voided at Stripe once,
// with its order's void key, nothing is captured, and the payment and the
// order show voided.
func TestStripeCancellationBeforeCaptureVoids(t *testing.T) {
	t.Parallel()
	l, calls := stripeLoopWith(t, []supplierSpec{{name: "acme", rows: []string{"MUG,3.00,50"}, shipAfter: time.Hour}}, nil, "")
	type held struct {
		id, pi string
		body   []byte
	}
	var orders []held
	for i, pi := range []string{"pi_void_store", "pi_void_operator"} {
		o, body := l.order(item("MUG", 1, "14.95"))
		id := orderIDOf(o)
		l.webhook("orders/create", withFinancial(body, "pending"))
		l.wait(id, "a payment hold", func(a *model.Aggregate) bool { return len(a.Order.Holds) > 0 })
		if code := stripePost(t, l, stripeAuthEvent(fmt.Sprintf("evt_void_%d", i), pi, id), stripeSecret); code != http.StatusOK {
			t.Fatalf("event answered %d", code)
		}
		l.wait(id, "acknowledged", func(a *model.Aggregate) bool { return len(a.POs) == 1 && a.POs[0].Status == model.POAcknowledged })
		orders = append(orders, held{id: id, pi: pi, body: body})
	}

	l.webhook("orders/cancelled", cancelled(withFinancial(orders[0].body, "pending")))
	req, _ := http.NewRequest(http.MethodPost, l.srv.url+"/api/v1/orders/"+orders[1].id+"/cancel", strings.NewReader(`{"reason":"customer changed their mind"}`))
	req.Header.Set("Authorization", "Bearer "+loopAdmin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("operator cancel: %s", resp.Status)
	}

	for i, o := range orders {
		a := l.wait(o.id, "the void recorded", func(a *model.Aggregate) bool {
			return len(a.Payments) == 1 && a.Payments[0].Status == model.PayVoided
		})
		p := a.Payments[0]
		key := stripe.IdempotencyKey(o.id, "void", "")
		if a.Order.Status != model.OrderCancelled || a.Order.PaymentStatus != model.PaymentVoided || len(p.Movements) != 1 ||
			p.Movements[0].Kind != "void" || p.Movements[0].IdempotencyKey != key || !p.Captured.IsZero() {
			t.Errorf("order %d: %s, payment %s, %+v", i, a.Order.Status, a.Order.PaymentStatus, p)
		}
		if !hasEvent(a, "payment.void", model.CauseSystem) {
			t.Errorf("order %d: timeline %v", i, events(a))
		}
		// A void job that runs again (its commit met a concurrent write on
		// the order) calls again under the same key, and Stripe answers
		// with its first answer; any other key would be a second call.
		var voids int
		for _, c := range calls() {
			if strings.HasPrefix(c.line, "POST /v1/payment_intents/"+o.pi+"/cancel ") {
				if c.line != "POST /v1/payment_intents/"+o.pi+"/cancel "+key {
					t.Errorf("order %d: void %q, want only the key %s", i, c.line, key)
				}
				voids++
			}
			if strings.Contains(c.line, "/capture ") || strings.Contains(c.line, "/v1/refunds") {
				t.Errorf("money moved: %s", c.line)
			}
		}
		if voids == 0 {
			t.Errorf("order %d: no void at Stripe", i)
		}
	}
}
