package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/connectors/payment/stripe"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/testutil"
)

const stripeSecret = "whsec_e2e"

// stripeLoop is the loop world with a Stripe provider whose API is
// stripe-mock behind a proxy that records each call's Idempotency-Key.
func stripeLoop(t *testing.T) (*loop, func() []string) {
	t.Helper()
	l, rec := stripeLoopWith(t, []supplierSpec{{name: "acme", rows: []string{"MUG,3.00,50"}}}, nil, "")
	return l, func() []string {
		var out []string
		for _, c := range rec() {
			out = append(out, c.line)
		}
		return out
	}
}

// stripeCall is one call the Stripe proxy saw: "METHOD path key" and its
// form.
type stripeCall struct {
	line string
	form url.Values
}

// stripeLoopWith is stripeLoop with these suppliers and more top-level
// YAML; modify, when set, rewrites stripe-mock's answers (a card's
// multicapture eligibility).
func stripeLoopWith(t *testing.T, suppliers []supplierSpec, modify func(*http.Response) error, yaml string) (*loop, func() []stripeCall) {
	t.Helper()
	target, err := url.Parse(testutil.StripeMock(t))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var calls []stripeCall
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = modify
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		form, _ := url.ParseQuery(string(b))
		mu.Lock()
		calls = append(calls, stripeCall{line: r.Method + " " + r.URL.Path + " " + r.Header.Get("Idempotency-Key"), form: form})
		mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	l := newLoop(t, suppliers)
	l.srv.stop(t)
	cfg := filepath.Join(l.dir, "configs", "demo.yaml")
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "payments:\n  - name: stripe\n    type: stripe\n    secret_key: sk_test_e2e\n    webhook_secret: %s\n    base_url: %s\n%s", stripeSecret, srv.URL, yaml)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	l.srv = startServer(t, l.dir)
	return l, func() []stripeCall {
		mu.Lock()
		defer mu.Unlock()
		return append([]stripeCall(nil), calls...)
	}
}

// stripeHeldOrder is an unpaid Shopify order in the Stripe loop, held on
// payment.
func stripeHeldOrder(t *testing.T) (*loop, func() []string, string, []byte) {
	t.Helper()
	l, calls := stripeLoop(t)
	o, body := l.order(item("MUG", 1, "14.95"))
	id := orderIDOf(o)
	l.webhook("orders/create", withFinancial(body, "pending"))
	l.wait(id, "a payment hold", func(a *model.Aggregate) bool { return len(a.Order.Holds) > 0 })
	return l, calls, id, body
}

// stripePost posts a signed Stripe event and returns the status.
func stripePost(t *testing.T, l *loop, body []byte, secret string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, l.srv.url+"/webhooks/stripe", bytes.NewReader(body))
	req.Header.Set("Stripe-Signature", stripe.Sign(secret, time.Now(), body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// stripeAuthEvent is a signed-to-be payment_intent.amount_capturable_updated
// for order id.
func stripeAuthEvent(evID, pi, orderID string) []byte {
	return stripeAuthEventOf(evID, pi, orderID, 1495)
}

// stripeAuthEventOf is stripeAuthEvent authorising amount (minor units).
func stripeAuthEventOf(evID, pi, orderID string, amount int64) []byte {
	return []byte(fmt.Sprintf(`{"id":%q,"object":"event","type":"payment_intent.amount_capturable_updated","created":%d,`+
		`"data":{"object":{"id":%q,"object":"payment_intent","amount":%d,"amount_capturable":%d,"amount_received":0,`+
		`"currency":"usd","status":"requires_capture","capture_method":"manual","metadata":{"order_id":%q}}}}`, evID, time.Now().Unix(), pi, amount, amount, orderID))
}

// TestStripeLateAuthorisationOfACancelledOrderIsVoided: an unpaid order is
// cancelled by the store; Stripe's authorisation arrives after it and is
// voided at Stripe (cancel, with the order's void key) and recorded; no PO
// ever goes out.
func TestStripeLateAuthorisationOfACancelledOrderIsVoided(t *testing.T) {
	t.Parallel()
	l, calls, id, body := stripeHeldOrder(t)
	l.webhook("orders/cancelled", cancelled(withFinancial(body, "pending")))
	l.wait(id, "cancelled", func(a *model.Aggregate) bool { return a.Order.Status == model.OrderCancelled })
	if code := stripePost(t, l, stripeAuthEvent("evt_e2e_late", "pi_late", id), stripeSecret); code != http.StatusOK {
		t.Fatalf("event answered %d", code)
	}
	a := l.wait(id, "the void recorded", func(a *model.Aggregate) bool {
		return len(a.Payments) == 1 && len(a.Payments[0].Movements) > 0
	})
	if p := a.Payments[0]; p.Movements[0].Kind != "void" || p.Status != model.PayVoided || len(a.POs) != 0 {
		t.Fatalf("payment %+v, POs %d", p, len(a.POs))
	}
	want := "POST /v1/payment_intents/pi_late/cancel " + stripe.IdempotencyKey(id, "void", "")
	if n := keyedCalls(t, calls(), "/cancel", want); n == 0 || !hasEvent(a, "payment.void", model.CauseSystem) {
		t.Errorf("calls %v, timeline %v", calls(), events(a))
	}
}

// TestStripeAuthorisationReleasesAndShipmentCaptures: an unpaid order is
// held; Stripe's signed "amount_capturable_updated" for its PaymentIntent
// releases it; the supplier ships and the shipped value is captured at
// Stripe with the shipment's idempotency key, recorded on the payment and
// the timeline. A forged event is refused.
func TestStripeAuthorisationReleasesAndShipmentCaptures(t *testing.T) {
	t.Parallel()
	l, calls, id, _ := stripeHeldOrder(t)

	ev := stripeAuthEvent("evt_e2e_auth", "pi_e2e", id)
	if code := stripePost(t, l, ev, "whsec_wrong"); code != http.StatusUnauthorized {
		t.Fatalf("forged event answered %d", code)
	}
	if code := stripePost(t, l, ev, stripeSecret); code != http.StatusOK {
		t.Fatalf("event answered %d", code)
	}
	a := l.wait(id, "the capture recorded", func(a *model.Aggregate) bool {
		return len(a.Shipments) > 0 && len(a.Payments) == 1 && len(a.Payments[0].Movements) > 0
	})
	p := a.Payments[0]
	mv := p.Movements[0]
	if p.ProviderID != "pi_e2e" || mv.Kind != "capture" || mv.Shipment != a.Shipments[0].ID || mv.Amount.String() != p.Authorized.String() {
		t.Fatalf("payment %+v", p)
	}
	if p.Status != model.PayCaptured || a.Order.PaymentStatus != model.PaymentPaid {
		t.Errorf("payment %s, order payment %s", p.Status, a.Order.PaymentStatus)
	}
	if !hasEvent(a, "payment.capture", model.CauseSystem) || !hasEvent(a, "order.released", model.CauseWebhook) {
		t.Errorf("timeline %v", events(a))
	}
	want := "POST /v1/payment_intents/pi_e2e/capture " + stripe.IdempotencyKey(id, "capture", a.Shipments[0].ID)
	if n := keyedCalls(t, calls(), "/capture", want); n == 0 {
		t.Errorf("captures %v, want %q", calls(), want)
	}
}

// keyedCalls counts the calls to a PaymentIntent action (suffix) and
// fails the test if one of them is not want. A job that runs again (its
// commit met a concurrent write) calls again under the same
// Idempotency-Key, which Stripe answers with its first answer; a second
// key would be a second charge.
func keyedCalls(t *testing.T, calls []string, suffix, want string) int {
	t.Helper()
	var n int
	for _, c := range calls {
		if !strings.HasPrefix(c, "POST /v1/payment_intents/") || !strings.Contains(c, suffix+" ") {
			continue
		}
		if c != want {
			t.Errorf("call %q: want only %q", c, want)
		}
		n++
	}
	return n
}
