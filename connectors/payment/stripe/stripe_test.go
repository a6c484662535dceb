package stripe

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/testutil"
)

// recorder is a reverse proxy in front of stripe-mock that keeps each
// request's method, path and Idempotency-Key.
type recorder struct {
	mu    sync.Mutex
	reqs  []string // "POST /v1/payment_intents key"
	forms []url.Values
}

func (r *recorder) add(req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req.Method+" "+req.URL.Path+" "+req.Header.Get("Idempotency-Key"))
	b, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(b))
	f, _ := url.ParseQuery(string(b))
	r.forms = append(r.forms, f)
}

func (r *recorder) lastForm() url.Values {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.forms[len(r.forms)-1]
}

func (r *recorder) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reqs) == 0 {
		return ""
	}
	return r.reqs[len(r.reqs)-1]
}

func mockConnector(t *testing.T, capture connector.CapturePolicy) (*Connector, *recorder) {
	t.Helper()
	target, err := url.Parse(testutil.StripeMock(t))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	rig := connectortest.NewRig(connectortest.Wrap(t), store.Limit{Rate: 100, Burst: 100})
	c, err := New(rig.Env, &Config{SecretKey: "sk_test_123", WebhookSecret: "whsec_test_secret", BaseURL: srv.URL,
		Capture: string(capture), ReauthorizeBefore: 6 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

func usd(n int64) money.Money { return money.Money{Amount: n, Currency: "USD"} }

func TestAuthorizeCreatesManualCaptureIntent(t *testing.T) {
	c, rec := mockConnector(t, connector.CapturePerShipment)
	o := &model.Order{ID: "ord_1", Currency: "USD"}
	r, err := c.Authorize(context.Background(), o, usd(2000), "pm_card_visa")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.ProviderID, "pi_") {
		t.Errorf("provider id %q", r.ProviderID)
	}
	if got, want := rec.last(), "POST /v1/payment_intents dropgate:ord_1:authorize"; got != want {
		t.Errorf("request %q, want %q", got, want)
	}
	f := rec.lastForm()
	if f.Get("capture_method") != "manual" || f.Get("amount") != "2000" || f.Get("currency") != "usd" || f.Get("metadata[order_id]") != "ord_1" ||
		f.Get("payment_method_options[card][request_multicapture]") != "if_available" {
		t.Errorf("form %v", f)
	}
}

func TestCapturePartialSendsShipmentKey(t *testing.T) {
	c, rec := mockConnector(t, connector.CapturePerShipment)
	ref := connector.PaymentRef{OrderID: "ord_1", ProviderID: "pi_123"}
	r, err := c.Capture(context.Background(), ref, usd(700), "shp_a", false)
	if err != nil {
		t.Fatal(err)
	}
	if r.Amount != usd(700) || r.IdempotencyKey != "dropgate:ord_1:capture:shp_a" {
		t.Errorf("result %+v", r)
	}
	if f := rec.lastForm(); f.Get("amount_to_capture") != "700" || f.Get("final_capture") != "false" {
		t.Errorf("form %v", f)
	}
	if got, want := rec.last(), "POST /v1/payment_intents/pi_123/capture dropgate:ord_1:capture:shp_a"; got != want {
		t.Errorf("request %q, want %q", got, want)
	}
	// A retried capture of the same shipment sends the same key; another
	// shipment a different one.
	if _, err := c.Capture(context.Background(), ref, usd(700), "shp_a", false); err != nil {
		t.Fatal(err)
	}
	if got := rec.last(); !strings.HasSuffix(got, " dropgate:ord_1:capture:shp_a") {
		t.Errorf("retry sent %q", got)
	}
	if _, err := c.Capture(context.Background(), ref, usd(300), "shp_b", true); err != nil {
		t.Fatal(err)
	}
	if got := rec.last(); !strings.HasSuffix(got, " dropgate:ord_1:capture:shp_b") {
		t.Errorf("second shipment sent %q", got)
	}
}

func TestVoidAndRefund(t *testing.T) {
	c, rec := mockConnector(t, connector.CaptureAtOrder)
	ref := connector.PaymentRef{OrderID: "ord_2", ProviderID: "pi_123"}
	r, err := c.Void(context.Background(), ref, "customer")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != model.PayVoided {
		t.Errorf("void status %q", r.Status)
	}
	if got, want := rec.last(), "POST /v1/payment_intents/pi_123/cancel dropgate:ord_2:void"; got != want {
		t.Errorf("request %q, want %q", got, want)
	}
	r, err = c.Refund(context.Background(), ref, usd(500), "cancelled")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.MovementID, "re_") || r.Status != model.PayRefunded {
		t.Errorf("refund %+v", r)
	}
	if got := rec.last(); !strings.HasPrefix(got, "POST /v1/refunds dropgate:ord_2:refund") {
		t.Errorf("request %q", got)
	}
}

func TestErrorsClassified(t *testing.T) {
	c, _ := mockConnector(t, connector.CapturePerShipment)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code := http.StatusBadRequest
		if strings.Contains(r.URL.Path, "pi_busy") {
			code = http.StatusServiceUnavailable
		}
		w.WriteHeader(code)
		w.Write([]byte(`{"error":{"type":"invalid_request_error","code":"x","message":"no"}}`))
	}))
	defer srv.Close()
	c.cfg.BaseURL = srv.URL
	c2, _ := New(c.env, c.cfg)
	_, err := c2.Capture(context.Background(), connector.PaymentRef{OrderID: "o", ProviderID: "pi_bad"}, usd(1), "s", true)
	if !fault.IsPermanent(err) {
		t.Errorf("400: %v is not permanent", err)
	}
	_, err = c2.Capture(context.Background(), connector.PaymentRef{OrderID: "o", ProviderID: "pi_busy"}, usd(1), "s", true)
	var re *fault.RetryableError
	if !errors.As(err, &re) {
		t.Errorf("503: %v is not retryable", err)
	}
	if strings.Contains(err.Error(), "sk_test") {
		t.Error("the secret key leaked into an error")
	}
}

func moneyUSD(n int64) money.Money { return usd(n) }
