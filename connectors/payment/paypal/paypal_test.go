package paypal

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/kit"
	"github.com/dropgate/dropgate/internal/fakes/paypalfake"
)

const webhookID = "8PT597110X687430LKGECATA"

func rig(t *testing.T) (*Connector, *paypalfake.Fake, *connectortest.Rig) {
	t.Helper()
	r := connectortest.NewRig(connectortest.Wrap(t), store.Limit{Rate: 100, Burst: 100})
	f := paypalfake.New(paypalfake.Options{ClientID: "client-1", ClientSecret: "secret-1", WebhookID: webhookID, Clock: r.Clock})
	url := f.Start()
	t.Cleanup(f.Close)
	c, err := New(r.Env, &Config{ClientID: "client-1", ClientSecret: "secret-1", WebhookID: webhookID, BaseURL: url,
		Capture: string(connector.CapturePerShipment), ReauthorizeBefore: Validity - HonorPeriod})
	if err != nil {
		t.Fatal(err)
	}
	return c, f, r
}

func usd(n int64) money.Money { return money.Money{Amount: n, Currency: "USD"} }

// authorized returns an authorisation of USD 100.00 for order ord_1.
func authorized(t *testing.T, c *Connector, f *paypalfake.Fake) connector.PaymentRef {
	t.Helper()
	ppOrder := f.CreateOrder("USD", "100.00", "ord_1")
	r, err := c.Authorize(context.Background(), &model.Order{ID: "ord_1", Currency: "USD"}, usd(10000), ppOrder)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != model.PayAuthorized || r.Amount != usd(10000) || r.ProviderID == "" || r.IdempotencyKey != RequestID("ord_1", "authorize", "") {
		t.Fatalf("authorize = %+v", r)
	}
	return connector.PaymentRef{OrderID: "ord_1", ProviderID: r.ProviderID}
}

// last is the fake's last request to path (suffix).
func last(t *testing.T, f *paypalfake.Fake, suffix string) kit.Request {
	t.Helper()
	reqs := f.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if strings.HasSuffix(reqs[i].Path, suffix) {
			return reqs[i]
		}
	}
	t.Fatalf("no request to …%s", suffix)
	return kit.Request{}
}

func TestAuthorizePartialCapturesThenRefund(t *testing.T) {
	c, f, _ := rig(t)
	ctx := context.Background()
	ref := authorized(t, c, f)

	r, err := c.Capture(ctx, ref, usd(4000), "shp_1", false)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != model.PayPartiallyCaptured || r.Amount != usd(4000) || r.MovementID == "" {
		t.Fatalf("first capture = %+v", r)
	}
	q := last(t, f, "/capture")
	if got := q.Header.Get("PayPal-Request-Id"); got != RequestID("ord_1", "capture", "shp_1") || got != r.IdempotencyKey {
		t.Fatalf("PayPal-Request-Id = %q", got)
	}
	var body struct {
		Amount       Amount `json:"amount"`
		FinalCapture *bool  `json:"final_capture"`
	}
	if err := json.Unmarshal(q.Body, &body); err != nil || body.Amount != (Amount{"USD", "40.00"}) || body.FinalCapture == nil || *body.FinalCapture {
		t.Fatalf("capture body = %s", q.Body)
	}
	if a, _ := f.Auth(ref.ProviderID); a.Status != "PARTIALLY_CAPTURED" || a.Captured != 4000 {
		t.Fatalf("authorisation after the first capture: %+v", a)
	}

	r, err = c.Capture(ctx, ref, usd(6000), "shp_2", true)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != model.PayCaptured {
		t.Fatalf("final capture = %+v", r)
	}
	if a, _ := f.Auth(ref.ProviderID); a.Status != "CAPTURED" || a.Captured != 10000 {
		t.Fatalf("authorisation after the last capture: %+v", a)
	}

	// 70.00 back: 60.00 from the latest capture, 10.00 from the first.
	r, err = c.Refund(ctx, ref, usd(7000), "damaged")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != model.PayPartiallyRefunded || r.Amount != usd(7000) {
		t.Fatalf("refund = %+v", r)
	}
	moves := f.Moves()
	// The job retried: the same request ids, PayPal's first answers.
	r2, err := c.Refund(ctx, ref, usd(7000), "damaged")
	if err != nil {
		t.Fatal(err)
	}
	if f.Moves() != moves || r2.MovementID != r.MovementID || r2.Amount != r.Amount {
		t.Fatalf("retried refund moved money again: %d → %d, %+v", moves, f.Moves(), r2)
	}
	// The rest (zero: everything): 30.00 left on the first capture; the
	// latest, already refunded in full, is skipped.
	r, err = c.Refund(ctx, ref, money.Money{}, "")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != model.PayRefunded || r.Amount != usd(3000) || f.Moves() != moves+1 {
		t.Fatalf("refund of the rest = %+v (moves %d → %d)", r, moves, f.Moves())
	}
}

func TestRetriedCaptureAfterALostAnswerCapturesOnce(t *testing.T) {
	c, f, _ := rig(t)
	ctx := context.Background()
	ref := authorized(t, c, f)
	f.Inject(kit.Fault{Method: "POST", PathPrefix: "/v2/payments/authorizations/", Status: http.StatusServiceUnavailable, AfterHandling: true, Times: 1})
	_, err := c.Capture(ctx, ref, usd(2500), "shp_1", false)
	if err == nil || fault.IsPermanent(err) {
		t.Fatalf("a lost answer must be retryable, got %v", err)
	}
	r, err := c.Capture(ctx, ref, usd(2500), "shp_1", false)
	if err != nil {
		t.Fatal(err)
	}
	if f.Moves() != 1 || r.Amount != usd(2500) {
		t.Fatalf("moves = %d, result %+v: the retry captured twice", f.Moves(), r)
	}
	if a, _ := f.Auth(ref.ProviderID); a.Captured != 2500 {
		t.Fatalf("captured %d", a.Captured)
	}
	// Another shipment is another request id, another capture.
	if _, err := c.Capture(ctx, ref, usd(2500), "shp_2", false); err != nil || f.Moves() != 2 {
		t.Fatalf("second shipment: %v, moves %d", err, f.Moves())
	}
}

func TestVoidAndItsRetry(t *testing.T) {
	c, f, _ := rig(t)
	ctx := context.Background()
	ref := authorized(t, c, f)
	for i := 0; i < 2; i++ {
		r, err := c.Void(ctx, ref, "cancelled")
		if err != nil {
			t.Fatalf("void %d: %v", i, err)
		}
		if r.Status != model.PayVoided || r.IdempotencyKey != RequestID("ord_1", "void", "") {
			t.Fatalf("void = %+v", r)
		}
	}
	if a, _ := f.Auth(ref.ProviderID); a.Status != "VOIDED" {
		t.Fatalf("status %s", a.Status)
	}
	got, err := c.Lookup(ctx, ref)
	if err != nil || got.Status != model.PayVoided {
		t.Fatalf("lookup = %+v, %v", got, err)
	}
	_, err = c.Capture(ctx, ref, usd(100), "shp_1", true)
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "AUTHORIZATION_ALREADY_CAPTURED") {
		t.Fatalf("capture of a voided authorisation: %v", err)
	}
}

func TestErrorsAreClassified(t *testing.T) {
	c, f, _ := rig(t)
	ctx := context.Background()
	ref := authorized(t, c, f)
	_, err := c.Capture(ctx, ref, usd(20000), "shp_1", true)
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "MAX_CAPTURE_AMOUNT_EXCEEDED") || !strings.Contains(err.Error(), "debug_id") {
		t.Fatalf("over-capture: %v", err)
	}
	f.Inject(kit.Fault{Method: "POST", PathPrefix: "/v2/payments/", Status: http.StatusTooManyRequests, Times: 1})
	if _, err := c.Capture(ctx, ref, usd(100), "shp_1", false); err == nil || fault.IsPermanent(err) {
		t.Fatalf("429 must be retryable: %v", err)
	}
	if _, err := c.Authorize(ctx, &model.Order{ID: "ord_2"}, usd(1), ""); !fault.IsPermanent(err) {
		t.Fatalf("authorize without a PayPal order: %v", err)
	}
	if _, err := c.Lookup(ctx, connector.PaymentRef{OrderID: "ord_1", ProviderID: "NOPE"}); !fault.IsPermanent(err) || !strings.Contains(err.Error(), "RESOURCE_NOT_FOUND") {
		t.Fatalf("unknown authorisation: %v", err)
	}
}

func TestTokenIsCachedRefreshedAndRetriedOn401(t *testing.T) {
	c, f, r := rig(t)
	ctx := context.Background()
	ref := authorized(t, c, f)
	for i := 0; i < 3; i++ {
		if _, err := c.Lookup(ctx, ref); err != nil {
			t.Fatal(err)
		}
	}
	if f.Tokens() != 1 {
		t.Fatalf("tokens issued: %d, want 1 (cached)", f.Tokens())
	}
	r.Clock.Advance(9*time.Hour - tokenMargin + time.Second) // inside the margin: replaced
	if _, err := c.Lookup(ctx, ref); err != nil || f.Tokens() != 2 {
		t.Fatalf("near expiry: %v, tokens %d", err, f.Tokens())
	}
	f.ExpireTokens() // revoked early: one 401, a new token, the call again
	if _, err := c.Lookup(ctx, ref); err != nil || f.Tokens() != 3 {
		t.Fatalf("after revocation: %v, tokens %d", err, f.Tokens())
	}
}

func TestBadCredentialsArePermanent(t *testing.T) {
	c, _, _ := rig(t)
	c.cfg.ClientSecret = "wrong"
	_, err := c.Lookup(context.Background(), connector.PaymentRef{OrderID: "o", ProviderID: "X"})
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "401") {
		t.Fatalf("bad credentials: %v", err)
	}
}

func TestAmounts(t *testing.T) {
	for _, tc := range []struct {
		m    money.Money
		want string
	}{
		{usd(1234), "12.34"}, {usd(5700), "57.00"}, {money.Money{Amount: 1000, Currency: "JPY"}, "1000"},
		{money.Money{Amount: 1234, Currency: "KWD"}, "1.234"}, {money.Money{Amount: 1200, Currency: "HUF"}, "12"},
	} {
		a, err := ToAmount(tc.m)
		if err != nil || a.Value != tc.want || a.CurrencyCode != tc.m.Currency {
			t.Errorf("ToAmount(%s) = %+v, %v; want %s", tc.m, a, err, tc.want)
		}
		back, err := FromAmount(a)
		if err != nil || back != tc.m {
			t.Errorf("FromAmount(%+v) = %s, %v", a, back, err)
		}
	}
	if _, err := ToAmount(money.Money{Amount: 1250, Currency: "HUF"}); err == nil {
		t.Error("HUF 12.50 must not be sent to PayPal")
	}
	if _, err := FromAmount(Amount{"USD", "1.001"}); err == nil {
		t.Error("USD 1.001 must be refused")
	}
}

func TestConfigCheck(t *testing.T) {
	ok := &Config{Capture: "per_shipment", ReauthorizeBefore: 26 * 24 * time.Hour, BaseURL: SandboxURL}
	if p := ok.Check(); len(p) != 0 {
		t.Fatal(p)
	}
	bad := &Config{Capture: "later", ReauthorizeBefore: 30 * 24 * time.Hour, BaseURL: "nope"}
	if p := bad.Check(); len(p) != 3 {
		t.Fatalf("problems: %v", p)
	}
}
