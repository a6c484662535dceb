package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/dropgate/dropgate/connectors/payment/paypal"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/fakes/paypalfake"
)

// TestPayPalAuthorisationVerifiedInTheJobReleasesAndShipmentCaptures: an
// unpaid order is held; PayPal's PAYMENT.AUTHORIZATION.CREATED (signed by
// the fake) passes the gateway, is verified in the job with the fake's
// verify-webhook-signature, and releases the order; the supplier ships and
// the shipment's value is captured at PayPal with its PayPal-Request-Id.
func TestPayPalAuthorisationVerifiedInTheJobReleasesAndShipmentCaptures(t *testing.T) {
	t.Parallel()
	fake := paypalfake.New(paypalfake.Options{ClientID: "e2e-client", ClientSecret: "e2e-secret", WebhookID: "WH-E2E"})
	base := fake.Start()
	t.Cleanup(fake.Close)

	l := newLoop(t, []supplierSpec{{name: "acme", rows: []string{"MUG,3.00,50"}}})
	l.srv.stop(t)
	f, err := os.OpenFile(filepath.Join(l.dir, "configs", "demo.yaml"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "payments:\n  - name: paypal\n    type: paypal\n    client_id: e2e-client\n    client_secret: e2e-secret\n    webhook_id: WH-E2E\n    base_url: %s\n", base)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	l.srv = startServer(t, l.dir)

	o, body := l.order(item("MUG", 1, "14.95"))
	id := orderIDOf(o)
	l.webhook("orders/create", withFinancial(body, "pending"))
	l.wait(id, "a payment hold", func(a *model.Aggregate) bool { return len(a.Order.Holds) > 0 })

	auth := fake.Authorized("USD", "14.95", id)
	ev := []byte(fmt.Sprintf(`{"id":"WH-E2E-AUTH","event_version":"1.0","create_time":"2026-12-01T09:00:00Z","resource_type":"authorization",`+
		`"event_type":"PAYMENT.AUTHORIZATION.CREATED","resource":{"id":%q,"status":"CREATED","custom_id":%q,"amount":{"currency_code":"USD","value":"14.95"}}}`, auth, id))
	req, _ := http.NewRequest(http.MethodPost, l.srv.url+"/webhooks/paypal", bytes.NewReader(ev))
	req.Header = fake.Sign(ev)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("event answered %d", resp.StatusCode)
	}
	a := l.wait(id, "the capture recorded", func(a *model.Aggregate) bool {
		return len(a.Shipments) > 0 && len(a.Payments) == 1 && len(a.Payments[0].Movements) > 0
	})
	p := a.Payments[0]
	if p.ProviderID != auth || p.Movements[0].Kind != "capture" || p.Movements[0].Shipment != a.Shipments[0].ID {
		t.Fatalf("payment %+v", p)
	}
	got, _ := fake.Auth(auth)
	if got.Captured == 0 || fake.Moves() != 1 {
		t.Fatalf("PayPal authorisation %+v, moves %d", got, fake.Moves())
	}
	// A capture job that runs again (its commit met a concurrent write)
	// asks again under the same PayPal-Request-Id, which PayPal (and the
	// fake, above: one move) answers with the first capture; any other id
	// would be a second capture.
	want := paypal.RequestID(id, "capture", a.Shipments[0].ID)
	n := 0
	for _, r := range fake.Requests() {
		if r.Method == http.MethodPost && r.Path == "/v2/payments/authorizations/"+auth+"/capture" {
			if got := r.Header.Get("PayPal-Request-Id"); got != want {
				t.Errorf("a capture with PayPal-Request-Id %q, want only %q", got, want)
			}
			n++
		}
	}
	if n == 0 {
		t.Errorf("no capture with %q", want)
	}
	verified := 0
	for _, r := range fake.Requests() {
		if r.Path == "/v1/notifications/verify-webhook-signature" {
			verified++
		}
	}
	if verified != 1 {
		t.Errorf("verify-webhook-signature calls: %d", verified)
	}
}
