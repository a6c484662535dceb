package authorizenet

import (
	"context"
	"errors"
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
	"github.com/dropgate/dropgate/internal/fakes/authnetfake"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

const sigKey = "56E529FE6A63D4F4D3CEE8A6E28EA7B9B0CB58D9F9BD1F4B4E4D6A9A2C7C8C3E"

func rig(t *testing.T) (*Connector, *authnetfake.Fake) {
	t.Helper()
	r := connectortest.NewRig(connectortest.Wrap(t), store.Limit{Rate: 100, Burst: 100})
	f := authnetfake.New("login-1", "txkey-1", r.Clock)
	base := f.Start()
	t.Cleanup(f.Close)
	c, err := New(r.Env, &Config{APILoginID: "login-1", TransactionKey: "txkey-1", SignatureKey: sigKey, BaseURL: base + authnetfake.Path,
		Currency: "USD", Capture: "at_order", ReauthorizeBefore: 27 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return c, f
}

func usd(n int64) money.Money { return money.Money{Amount: n, Currency: "USD"} }

func authorized(t *testing.T, c *Connector) connector.PaymentRef {
	t.Helper()
	r, err := c.Authorize(context.Background(), &model.Order{ID: "ord_1", Currency: "USD"}, usd(10000), "nonce-1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != model.PayAuthorized || r.ProviderID == "" || r.IdempotencyKey != RefID("ord_1", "authorize", "") || len(r.IdempotencyKey) > 20 {
		t.Fatalf("authorize = %+v", r)
	}
	return connector.PaymentRef{OrderID: "ord_1", ProviderID: r.ProviderID}
}

func TestAuthorizePartialCaptureReleasesTheRest(t *testing.T) {
	c, f := rig(t)
	ctx := context.Background()
	ref := authorized(t, c)
	if tx, _ := f.Tx(ref.ProviderID); tx.Status != "authorizedPendingCapture" || tx.Auth != 10000 || tx.Invoice != "ord_1" {
		t.Fatalf("tx %+v", tx)
	}
	r, err := c.Capture(ctx, ref, usd(4000), "shp_1", true)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != model.PayCaptured || r.Amount != usd(4000) {
		t.Fatalf("capture = %+v", r)
	}
	if tx, _ := f.Tx(ref.ProviderID); tx.Status != "capturedPendingSettlement" || tx.Settle != 4000 || tx.RefID != RefID("ord_1", "authorize", "") {
		t.Fatalf("tx after capture %+v", tx)
	}
	// One capture per authorisation: another shipment is refused.
	_, err = c.Capture(ctx, ref, usd(1000), "shp_2", true)
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "[311]") {
		t.Fatalf("second capture: %v", err)
	}
	got, err := c.Lookup(ctx, ref)
	if err != nil || got.Status != model.PayCaptured || got.Amount != usd(4000) {
		t.Fatalf("lookup = %+v, %v", got, err)
	}
}

func TestRetriedCaptureNeverChargesTwice(t *testing.T) {
	c, f := rig(t)
	ctx := context.Background()
	ref := authorized(t, c)
	// The capture is made, its answer lost: the retry finds the movement
	// marked sent, reads the transaction and does not capture again.
	f.Inject(kit.Fault{Method: "POST", Path: authnetfake.Path, Status: http.StatusServiceUnavailable, AfterHandling: true, Times: 1})
	if _, err := c.Capture(ctx, ref, usd(2500), "shp_1", true); err == nil || fault.IsPermanent(err) {
		t.Fatalf("lost answer must be retryable: %v", err)
	}
	r, err := c.Capture(ctx, ref, usd(2500), "shp_1", true)
	if err != nil || r.Status != model.PayCaptured || f.Moves() != 1 {
		t.Fatalf("retry = %+v, %v, moves %d", r, err, f.Moves())
	}
	// Once recorded, a replay answers from the state without a call.
	before := len(f.Requests())
	if _, err := c.Capture(ctx, ref, usd(2500), "shp_1", true); err != nil || len(f.Requests()) != before || f.Moves() != 1 {
		t.Fatalf("replay: %v, requests %d → %d", err, before, len(f.Requests()))
	}
}

func TestVoidAndRefund(t *testing.T) {
	c, f := rig(t)
	ctx := context.Background()
	ref := authorized(t, c)
	if r, err := c.Void(ctx, ref, "cancelled"); err != nil || r.Status != model.PayVoided {
		t.Fatalf("void = %+v, %v", r, err)
	}
	if tx, _ := f.Tx(ref.ProviderID); tx.Status != "voided" {
		t.Fatalf("tx %+v", tx)
	}

	c2, f2 := rig(t)
	ref = authorized(t, c2)
	if _, err := c2.Capture(ctx, ref, usd(10000), "shp_1", true); err != nil {
		t.Fatal(err)
	}
	// Before settlement a partial refund waits; settled, it is a refund
	// with the card's last four digits.
	if _, err := c2.Refund(ctx, ref, usd(3000), "damaged"); err == nil || fault.IsPermanent(err) {
		t.Fatalf("partial refund before settlement must wait: %v", err)
	}
	f2.Settle()
	r, err := c2.Refund(ctx, ref, usd(3000), "damaged")
	if err != nil || r.Status != model.PayPartiallyRefunded || r.Amount != usd(3000) || f2.Moves() != 2 {
		t.Fatalf("refund = %+v, %v, moves %d", r, err, f2.Moves())
	}
	if _, err := c2.Refund(ctx, ref, usd(3000), "damaged"); err != nil || f2.Moves() != 2 {
		t.Fatalf("retried refund: %v, moves %d", err, f2.Moves())
	}
	// The rest: 100.00 settled, 30.00 refunded → over the debit is refused.
	if _, err := c2.Refund(ctx, ref, money.Money{}, ""); !fault.IsPermanent(err) || !strings.Contains(err.Error(), "[55]") {
		t.Fatalf("refund over the debit: %v", err)
	}

	// A full refund before settlement voids instead.
	c3, f3 := rig(t)
	ref = authorized(t, c3)
	if _, err := c3.Capture(ctx, ref, usd(10000), "shp_1", true); err != nil {
		t.Fatal(err)
	}
	r, err = c3.Refund(ctx, ref, money.Money{}, "")
	if err != nil || r.Status != model.PayRefunded || r.Amount != usd(10000) {
		t.Fatalf("refund before settlement = %+v, %v", r, err)
	}
	if tx, _ := f3.Tx(ref.ProviderID); tx.Status != "voided" {
		t.Fatalf("tx %+v", tx)
	}
}

func TestRefusalsArePermanent(t *testing.T) {
	c, _ := rig(t)
	ctx := context.Background()
	_, err := c.Authorize(ctx, &model.Order{ID: "ord_2"}, usd(100), authnetfake.Decline)
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "declined") {
		t.Fatalf("decline: %v", err)
	}
	if _, err := c.Authorize(ctx, &model.Order{ID: "ord_3"}, money.Money{Amount: 100, Currency: "EUR"}, "n"); !fault.IsPermanent(err) {
		t.Fatalf("another currency: %v", err)
	}
	c.cfg.TransactionKey = "wrong"
	_, err = c.Authorize(ctx, &model.Order{ID: "ord_4"}, usd(100), "n")
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "E00007") {
		t.Fatalf("bad credentials: %v", err)
	}
}

func TestConfigCheck(t *testing.T) {
	if p := (&Config{Capture: "at_order", ReauthorizeBefore: time.Hour, Currency: "USD", BaseURL: SandboxURL}).Check(); len(p) != 0 {
		t.Fatal(p)
	}
	p := (&Config{Capture: "per_shipment", ReauthorizeBefore: 31 * 24 * time.Hour, Currency: "XXQ"}).Check()
	if len(p) != 3 {
		t.Fatalf("problems %v", p)
	}
}

func TestWebhookSignature(t *testing.T) {
	c, _ := rig(t)
	body := []byte(`{"notificationId":"d0e8e7fe-c3e7-4add-a480-27bc5ce28a2f","eventType":"net.authorize.payment.authorization.created","eventDate":"2026-11-27T09:00:00.000Z","webhookId":"63d6fea2-aa13-4b1d-a204-f5fbc15942b7","payload":{"responseCode":1,"authCode":"LZ6I19","avsResponse":"Y","authAmount":45.00,"invoiceNumber":"ord_1","entityName":"transaction","id":"60020981676"}}`)
	h, _ := c.SignWebhook("", body)
	if !strings.HasPrefix(h.Get("X-ANET-Signature"), "sha512=") || strings.ToUpper(h.Get("X-ANET-Signature")[7:]) != h.Get("X-ANET-Signature")[7:] {
		t.Fatalf("header %q", h.Get("X-ANET-Signature"))
	}
	d, err := c.VerifyWebhook(h, body)
	if err != nil || d.ID != "d0e8e7fe-c3e7-4add-a480-27bc5ce28a2f" || d.Topic != "net.authorize.payment.authorization.created" || d.OrderRef != "ord_1" {
		t.Fatalf("delivery %+v, %v", d, err)
	}
	lower := http.Header{"X-Anet-Signature": {strings.ToLower(h.Get("X-ANET-Signature"))}}
	if _, err := c.VerifyWebhook(lower, body); err != nil {
		t.Fatalf("lower-case hex: %v", err)
	}
	for name, hdr := range map[string]string{"none": "", "no prefix": h.Get("X-ANET-Signature")[7:], "other key": Sign("other", body), "not hex": "sha512=zz"} {
		if _, err := c.VerifyWebhook(http.Header{"X-Anet-Signature": {hdr}}, body); !errors.Is(err, connector.ErrBadSignature) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := c.VerifyWebhook(h, append(body[:len(body)-1:len(body)-1], ' ', '}')); !errors.Is(err, connector.ErrBadSignature) {
		t.Error("a changed body verified")
	}
	ev, err := c.DecodePaymentEvent(context.Background(), body)
	want := connector.PaymentEvent{ID: "d0e8e7fe-c3e7-4add-a480-27bc5ce28a2f", Type: "net.authorize.payment.authorization.created", ProviderID: "60020981676",
		OrderID: "ord_1", Status: model.PayAuthorized, Authorized: usd(4500), At: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	if err != nil || ev != want {
		t.Fatalf("event %+v, %v", ev, err)
	}
}

func TestDecodeEvents(t *testing.T) {
	for typ, want := range map[string]model.PaymentStatus{
		"net.authorize.payment.authcapture.created":      model.PayCaptured,
		"net.authorize.payment.priorAuthCapture.created": model.PayCaptured,
		"net.authorize.payment.refund.created":           model.PayPartiallyRefunded,
		"net.authorize.payment.void.created":             model.PayVoided,
	} {
		ev, err := decode([]byte(`{"notificationId":"n1","eventType":"`+typ+`","payload":{"responseCode":1,"authAmount":12.5,"id":"600"}}`), "USD")
		if err != nil || ev.Status != want || ev.ProviderID != "600" {
			t.Errorf("%s: %+v, %v", typ, ev, err)
		}
	}
	ev, _ := decode([]byte(`{"notificationId":"n1","eventType":"net.authorize.payment.authorization.created","payload":{"responseCode":2,"authAmount":1,"id":"600"}}`), "USD")
	if ev.Status != model.PayFailed {
		t.Errorf("declined: %+v", ev)
	}
	ev, _ = decode([]byte(`{"notificationId":"n1","eventType":"net.authorize.customer.created","payload":{"id":"1"}}`), "USD")
	if !ev.Ignored {
		t.Errorf("profile event acted on: %+v", ev)
	}
	for _, bad := range []string{`{`, `{"notificationId":"n"}`, `{"notificationId":"n","eventType":"net.authorize.payment.void.created","payload":{}}`,
		`{"notificationId":"n","eventType":"net.authorize.payment.authorization.created","payload":{"id":"1","authAmount":1.001}}`} {
		if _, err := decode([]byte(bad), "USD"); !fault.IsPermanent(err) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"notificationId":"n1","eventType":"net.authorize.payment.authorization.created","eventDate":"2026-11-27T09:00:00Z","payload":{"responseCode":1,"authAmount":45.00,"id":"600","invoiceNumber":"o"}}`))
	f.Add([]byte(`{"notificationId":"n1","eventType":"net.authorize.payment.refund.created","payload":{"authAmount":1e3,"id":"600"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := decode(body, "USD")
		if err != nil {
			if !fault.IsPermanent(err) {
				t.Fatalf("not permanent: %v", err)
			}
			return
		}
		if ev.ID == "" || (!ev.Ignored && ev.ProviderID == "") {
			t.Fatalf("no ids: %+v", ev)
		}
		for _, m := range []money.Money{ev.Authorized, ev.Captured, ev.Refunded} {
			if m.Currency != "" && m.Currency != "USD" {
				t.Fatalf("currency %+v", m)
			}
		}
	})
}
