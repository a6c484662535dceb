package paypal

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/fakes/kit"
	"github.com/dropgate/dropgate/internal/testutil"
)

func conformance(t testing.TB, name string) []byte {
	t.Helper()
	return testutil.ConformanceFile(t, filepath.Join("payments", name))
}

func TestConformanceSamplesDecode(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339Nano, s); return v.UTC() }
	for _, tc := range []struct {
		file string
		want connector.PaymentEvent
	}{
		{"paypal_PAYMENT.AUTHORIZATION.VOIDED.json", connector.PaymentEvent{ID: "WH-5J139929H24960831-61917983AY1263720", Type: "PAYMENT.AUTHORIZATION.VOIDED",
			ProviderID: "8PP38301D7923932J", Status: model.PayVoided, Authorized: usd(251), At: at("2018-08-15T19:21:36.256Z")}},
		{"paypal_PAYMENT.CAPTURE.COMPLETED.json", connector.PaymentEvent{ID: "WH-7Y7254563A4550640-11V2185806837105M", Type: "PAYMENT.CAPTURE.COMPLETED",
			ProviderID: "42311647XV020574X", OrderID: "d93e4fce-d3af-137c-82fe-1a8101f1ad11", Status: model.PayCaptured, Captured: usd(5700), At: at("2015-02-17T18:51:33Z")}},
		{"paypal_PAYMENT.CAPTURE.DECLINED.json", connector.PaymentEvent{ID: "WH-6HE329230C693231F-5WV60586YA659351G", Type: "PAYMENT.CAPTURE.DECLINED",
			ProviderID: "24B76447NN600461P", OrderID: "CUSTOMID-1001", Status: model.PayFailed, At: at("2022-12-13T19:13:07.251Z")}},
		{"paypal_PAYMENT.CAPTURE.PENDING.json", connector.PaymentEvent{ID: "WH-9Y180613C5171350R-3A568107UP261041K", Type: "PAYMENT.CAPTURE.PENDING",
			ProviderID: "02T21492PP3782704", At: at("2018-08-15T20:03:06.086Z")}},
		{"paypal_PAYMENT.CAPTURE.REFUNDED.json", connector.PaymentEvent{ID: "WH-1GE84257G0350133W-6RW800890C634293G", Type: "PAYMENT.CAPTURE.REFUNDED",
			ProviderID: "0JF852973C016714D", Status: model.PayPartiallyRefunded, Refunded: usd(198), At: at("2018-08-15T19:14:04.543Z")}},
		{"paypal_PAYMENT.CAPTURE.REVERSED.json", connector.PaymentEvent{ID: "WH-6F207351SC284371F-0KX52201050121307", Type: "PAYMENT.CAPTURE.REVERSED",
			ProviderID: "4L335234718889942", Status: model.PayRefunded, Refunded: usd(251), At: at("2018-08-15T21:30:35.780Z")}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, err := decode(conformance(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("decoded\n %+v\nwant\n %+v", got, tc.want)
			}
		})
	}
}

func TestDecodeRefusesFloatsAndJunk(t *testing.T) {
	for _, body := range []string{
		`{`, `{"id":"WH-1"}`,
		`{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"id":"C","status":"COMPLETED","amount":{"currency_code":"USD","value":57.0}}}`,
		`{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"id":"C","status":"COMPLETED","amount":{"currency_code":"USD","value":"57.001"}}}`,
		`{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"id":"C","status":"COMPLETED","amount":{"currency_code":"XXQ","value":"5"}}}`,
		`{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED","create_time":"yesterday","resource":{"id":"C"}}`,
		`{"id":"WH-1","event_type":"PAYMENT.AUTHORIZATION.CREATED","resource":{}}`,
	} {
		if _, err := decode([]byte(body)); !fault.IsPermanent(err) {
			t.Errorf("%s: want a permanent error, got %v", body, err)
		}
	}
	ev, err := decode([]byte(`{"id":"WH-2","event_type":"CUSTOMER.DISPUTE.CREATED","resource":{"id":"PP-D-1"}}`))
	if err != nil || !ev.Ignored {
		t.Fatalf("dispute: %+v, %v", ev, err)
	}
}

func TestWebhookVerifiedByPayPalInTheJob(t *testing.T) {
	c, f, _ := rig(t)
	ctx := context.Background()
	body := []byte(`{
  "id": "WH-AUTH-1", "event_type": "PAYMENT.AUTHORIZATION.CREATED", "create_time": "2026-11-27T09:00:00Z",
  "resource": {"id": "0AW1", "status": "CREATED", "custom_id": "ord_1", "amount": {"currency_code": "USD", "value": "100.00"}}
}`)
	h := f.Sign(body)
	d, err := c.VerifyWebhook(h, body)
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != "WH-AUTH-1" || d.Topic != "PAYMENT.AUTHORIZATION.CREATED" || d.OrderRef != "ord_1" || d.Proof == "" {
		t.Fatalf("delivery = %+v", d)
	}
	if err := c.VerifyPaymentEvent(ctx, d.Proof, body); err != nil {
		t.Fatalf("a delivery the fake signed: %v", err)
	}
	ev, err := c.DecodePaymentEvent(ctx, body)
	if err != nil || ev.Status != model.PayAuthorized || ev.Authorized != (money.Money{Amount: 10000, Currency: "USD"}) || ev.OrderID != "ord_1" {
		t.Fatalf("event = %+v, %v", ev, err)
	}

	// The body changed on the way: PayPal answers FAILURE, a permanent
	// failure of the job.
	tampered := []byte(`{"id":"WH-AUTH-1","event_type":"PAYMENT.AUTHORIZATION.CREATED","resource":{"id":"0AW1","status":"CREATED","custom_id":"ord_1","amount":{"currency_code":"USD","value":"1.00"}}}`)
	if err := c.VerifyPaymentEvent(ctx, d.Proof, tampered); !fault.IsPermanent(err) || !errors.Is(err, ErrUnverified) {
		t.Fatalf("tampered body: %v", err)
	}
	// Headers PayPal never sent.
	forged := h.Clone()
	forged.Set(HeaderTransmissionSig, "Zm9yZ2Vk")
	d2, err := c.VerifyWebhook(forged, body)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.VerifyPaymentEvent(ctx, d2.Proof, body); !errors.Is(err, ErrUnverified) {
		t.Fatalf("forged signature: %v", err)
	}
	// Another webhook's id (sandbox for live): FAILURE.
	c.cfg.WebhookID = "OTHER"
	if err := c.VerifyPaymentEvent(ctx, d.Proof, body); !errors.Is(err, ErrUnverified) {
		t.Fatalf("another webhook id: %v", err)
	}
	c.cfg.WebhookID = webhookID
	// Without the proof (a replay of the raw body alone): permanent.
	if err := c.VerifyPaymentEvent(ctx, "", body); !fault.IsPermanent(err) || !errors.Is(err, ErrNotSigned) {
		t.Fatalf("no proof: %v", err)
	}
	// PayPal down: retried, not dropped.
	f.ClearFaults()
	f.Inject(kit.Fault{Path: "/v1/notifications/verify-webhook-signature", Status: http.StatusServiceUnavailable})
	if err := c.VerifyPaymentEvent(ctx, d.Proof, body); err == nil || fault.IsPermanent(err) {
		t.Fatalf("PayPal unavailable must be retryable: %v", err)
	}
}

func TestVerifyWebhookRefusesWithoutIO(t *testing.T) {
	c, f, _ := rig(t)
	body := conformance(t, "paypal_PAYMENT.CAPTURE.COMPLETED.json")
	good := f.Sign(body)
	before := len(f.Requests())
	for name, mutate := range map[string]func(http.Header){
		"no transmission id": func(h http.Header) { h.Del(HeaderTransmissionID) },
		"no signature":       func(h http.Header) { h.Del(HeaderTransmissionSig) },
		"no cert url":        func(h http.Header) { h.Del(HeaderCertURL) },
		"http cert url":      func(h http.Header) { h.Set(HeaderCertURL, "http://api.paypal.com/cert") },
		"foreign cert url":   func(h http.Header) { h.Set(HeaderCertURL, "https://paypal.com.evil.example/cert") },
		"other algorithm":    func(h http.Header) { h.Set(HeaderAuthAlgo, "SHA1withRSA") },
	} {
		h := good.Clone()
		mutate(h)
		if _, err := c.VerifyWebhook(h, body); !errors.Is(err, connector.ErrBadSignature) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := c.VerifyWebhook(good, []byte(`not json`)); !errors.Is(err, connector.ErrBadSignature) {
		t.Errorf("junk body: %v", err)
	}
	if len(f.Requests()) != before {
		t.Fatal("VerifyWebhook called PayPal")
	}
}

func FuzzDecode(f *testing.F) {
	for _, name := range []string{"paypal_PAYMENT.AUTHORIZATION.VOIDED.json", "paypal_PAYMENT.CAPTURE.COMPLETED.json", "paypal_PAYMENT.CAPTURE.REFUNDED.json"} {
		if dir, err := testutil.LocateConformance(); err == nil {
			if b, err := os.ReadFile(filepath.Join(dir, "payments", name)); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(`{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"id":"C","status":"COMPLETED","amount":{"currency_code":"JPY","value":"1000"}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := decode(body)
		if err != nil {
			if !fault.IsPermanent(err) {
				t.Fatalf("a bad body must be a permanent error: %v", err)
			}
			return
		}
		if ev.ID == "" || (!ev.Ignored && ev.ProviderID == "") {
			t.Fatalf("decoded without ids: %+v", ev)
		}
		for _, m := range []money.Money{ev.Authorized, ev.Captured, ev.Refunded} {
			if m.Currency != "" && !money.KnownCurrency(m.Currency) {
				t.Fatalf("unknown currency %+v", m)
			}
		}
	})
}
