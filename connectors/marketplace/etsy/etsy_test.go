package etsy

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/etsyfake"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

var noLimit = store.Limit{}

// readReceipt makes one authenticated call (a receipt read).
func readReceipt(t *testing.T, c *Connector, id int64) error {
	t.Helper()
	var r eReceipt
	return c.do(context.Background(), "read", "GET", "/v3/application/shops/"+etsyfake.ShopID+"/receipts/"+strconv.FormatInt(id, 10), nil, nil, &r)
}

// TestRefreshTokenRotates: the first refresh uses the config's token;
// the rotated one is saved and used next (the config's is dead on Etsy),
// and a second replica on the same state uses the shared tokens.
func TestRefreshTokenRotates(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), noLimit)
	f := newFake(r, store.Limit{Rate: 100, Burst: 100})
	rc := f.AddReceipt(etsyfake.NewLine{SKU: "A", Title: "A", Qty: 1, Cents: 100})
	c := suiteConnector(r, &Config{}, f.Transport())
	if err := readReceipt(t, c, rc.ReceiptID); err != nil {
		t.Fatalf("first call: %v", err)
	}
	if f.Refreshes() != 1 || f.LiveRefreshToken() == etsyfake.RefreshToken {
		t.Fatalf("refreshes %d, live token %q: the first call must refresh and Etsy rotate", f.Refreshes(), f.LiveRefreshToken())
	}
	// The access token is cached: no refresh before it nears expiry.
	if err := readReceipt(t, c, rc.ReceiptID); err != nil || f.Refreshes() != 1 {
		t.Fatalf("second call: %v, %d refreshes; want the cached token", err, f.Refreshes())
	}
	// Near expiry, the rotated refresh token (not the config's, which
	// the fake refuses now) buys the next one.
	r.Clock.Advance(etsyfake.TokenTTL - time.Minute)
	if err := readReceipt(t, c, rc.ReceiptID); err != nil {
		t.Fatalf("after expiry: %v (was the config's dead refresh token used?)", err)
	}
	if f.Refreshes() != 2 {
		t.Fatalf("%d refreshes; want 2", f.Refreshes())
	}
	// Another replica on the same state: it uses the shared token.
	other := suiteConnector(r, &Config{}, f.Transport())
	if err := readReceipt(t, other, rc.ReceiptID); err != nil || f.Refreshes() != 2 {
		t.Fatalf("replica: %v, %d refreshes; want the shared token", err, f.Refreshes())
	}
	// Its access token revoked, the replica refreshes with the shared
	// rotated refresh token.
	r.Clock.Advance(etsyfake.TokenTTL)
	if err := readReceipt(t, other, rc.ReceiptID); err != nil || f.Refreshes() != 3 {
		t.Fatalf("replica after expiry: %v, %d refreshes", err, f.Refreshes())
	}
	if err := readReceipt(t, c, rc.ReceiptID); err != nil || f.Refreshes() != 3 {
		t.Fatalf("first connector after the replica refreshed: %v, %d refreshes", err, f.Refreshes())
	}
}

// TestDeadRefreshTokenIsPermanent: a refresh token Etsy refuses (revoked)
// is a permanent error saying so.
func TestDeadRefreshTokenIsPermanent(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), noLimit)
	f := newFake(r, store.Limit{Rate: 100, Burst: 100})
	c := suiteConnector(r, &Config{}, f.Transport())
	c.cfg.RefreshToken = "12345678.revoked"
	err := readReceipt(t, c, 1)
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("err = %v; want a permanent invalid_grant", err)
	}
}

// TestSharedSecretIsSent: without the shared secret Etsy answers 403
// and the connector says why.
func TestSharedSecretIsSent(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), noLimit)
	f := newFake(r, store.Limit{Rate: 100, Burst: 100})
	c := suiteConnector(r, &Config{}, f.Transport())
	c.cfg.SharedSecret = ""
	err := readReceipt(t, c, 1)
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "Shared secret is required") {
		t.Fatalf("err = %v; want Etsy's 403", err)
	}
}

func TestMinorIsExact(t *testing.T) {
	for _, c := range []struct {
		amount, divisor string
		exp             uint8
		want            int64
		ok              bool
	}{
		{"1867", "100", 2, 1867, true}, {"4500", "1000", 2, 450, true}, {"1500", "1", 0, 1500, true},
		{"12345", "1000", 3, 12345, true}, {"1999", "1000", 2, 0, false}, {"15005", "10", 0, 0, false},
		{"1", "0", 2, 0, false}, {"1", "-1", 2, 0, false}, {"99999999999999999999", "1", 2, 0, false},
	} {
		got, err := Minor(c.amount, c.divisor, c.exp)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("Minor(%s, %s, %d) = %d, %v; want %d (ok %v)", c.amount, c.divisor, c.exp, got, err, c.want, c.ok)
		}
	}
}

func TestCarrierNames(t *testing.T) {
	for code, want := range map[string]string{"usps": "usps", "UPS": "ups", "dhl_express": "dhl-express", "yodel": "other", "": "other"} {
		if got := CarrierName(code); got != want {
			t.Errorf("CarrierName(%q) = %q; want %q", code, got, want)
		}
	}
}

// TestWebhookTimestampAndURL: an old delivery is refused; a ping whose
// resource_url is not a receipt of the shop is never fetched.
func TestWebhookTimestampAndURL(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), noLimit)
	f := newFake(r, store.Limit{Rate: 100, Burst: 100})
	c := suiteConnector(r, &Config{WebhookSecret: "s3cret"}, f.Transport())
	body := pingOf("ORDER_PAID", 4000000001)
	h, err := c.SignWebhook(TopicOrderPaid, body)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.VerifyWebhook(h, body); err != nil {
		t.Fatalf("fresh delivery refused: %v", err)
	}
	r.Clock.Advance(10 * time.Minute)
	if _, err := c.VerifyWebhook(h, body); !errors.Is(err, connector.ErrBadSignature) {
		t.Fatalf("a 10-minute-old delivery: %v; want refused", err)
	}
	before := len(f.Server().Requests())
	for _, u := range []string{"https://openapi.etsy.com/v3/application/shops/999/receipts/1",
		"https://openapi.etsy.com/v3/application/users/1", "https://openapi.etsy.com/v3/application/shops/" + etsyfake.ShopID + "/receipts/1/../../x"} {
		_, err := c.DecodeEvent(context.Background(), TopicOrderPaid, []byte(`{"event_type":"ORDER_PAID","resource_url":"`+u+`"}`))
		if !fault.IsPermanent(err) {
			t.Errorf("resource_url %s: %v; want a permanent refusal", u, err)
		}
	}
	if n := len(f.Server().Requests()) - before; n > 0 {
		t.Errorf("%d requests for foreign resource URLs", n)
	}
}

// TestInventoryKeepsVariations: a quantity and a price change touch only
// the SKU's offering; the other variations are written back unchanged.
func TestInventoryKeepsVariations(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), noLimit)
	f := newFake(r, store.Limit{Rate: 100, Burst: 100})
	c := suiteConnector(r, &Config{}, f.Transport())
	lid := f.AddListing(7, 1000, "RED", "GREEN", "BLUE")
	ctx := context.Background()
	if err := c.PushInventory(ctx, []connector.InventoryUpdate{{SKU: "GREEN", Available: 3}}); err != nil {
		t.Fatal(err)
	}
	if err := c.PushPrices(ctx, []connector.PriceUpdate{{SKU: "BLUE", Price: usd("12.34")}}); err != nil {
		t.Fatal(err)
	}
	ps := f.Products(lid)
	if len(ps) != 3 {
		t.Fatalf("%d products; want 3", len(ps))
	}
	for _, p := range ps {
		o := p.Offerings[0]
		wantQ, wantC := int64(7), int64(1000)
		switch p.SKU {
		case "GREEN":
			wantQ = 3
		case "BLUE":
			wantC = 1234
		}
		if o.Quantity != wantQ || o.Price.Amount*100/o.Price.Divisor != wantC || len(p.PropertyValues) != 1 {
			t.Errorf("%s: qty %d price %+v props %+v; want %d and %d cents", p.SKU, o.Quantity, o.Price, p.PropertyValues, wantQ, wantC)
		}
	}
	if err := c.PushPrices(ctx, []connector.PriceUpdate{{SKU: "BLUE", Price: eur("1")}}); !fault.IsPermanent(err) {
		t.Errorf("a EUR price on a USD listing: %v; want refused", err)
	}
	scans := func() int {
		n := 0
		for _, q := range f.Server().Requests() {
			if strings.HasSuffix(q.Path, "/listings") {
				n++
			}
		}
		return n
	}
	before := scans()
	for range 3 {
		if err := c.PushInventory(ctx, []connector.InventoryUpdate{{SKU: "NOPE", Available: 1}}); !fault.IsPermanent(err) {
			t.Errorf("an unknown SKU: %v; want a permanent error", err)
		}
	}
	if n := scans() - before; n != 0 {
		t.Errorf("%d listing scans for an unknown SKU just after a scan; want none", n)
	}
	r.Clock.Advance(rescanAfter)
	if err := c.PushInventory(ctx, []connector.InventoryUpdate{{SKU: "NOPE", Available: 1}}); !fault.IsPermanent(err) || scans()-before != 1 {
		t.Errorf("an unknown SKU later: %v, %d scans; want one rescan", err, scans()-before)
	}
}

// TestCanceledReceiptPolled: a receipt canceled after it was polled
// comes back as a cancellation.
func TestCanceledReceiptPolled(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), noLimit)
	f := newFake(r, store.Limit{Rate: 100, Burst: 100})
	c := suiteConnector(r, &Config{}, f.Transport())
	rc := f.AddReceipt(etsyfake.NewLine{SKU: "A", Title: "A", Qty: 1, Cents: 100})
	evs, cur, err := c.PollOrders(context.Background(), "")
	if err != nil || len(evs) != 1 || evs[0].Kind != connector.EventOrderUpdated || evs[0].Order.PaymentStatus != model.PaymentPaid {
		t.Fatalf("first poll: %+v, %v", evs, err)
	}
	r.Clock.Advance(time.Minute)
	f.Cancel(rc.ReceiptID)
	evs, _, err = c.PollOrders(context.Background(), cur)
	if err != nil || len(evs) != 1 || evs[0].Kind != connector.EventOrderCancelled {
		t.Fatalf("after cancel: %+v, %v; want a cancellation", evs, err)
	}
}

func usd(s string) money.Money { return money.MustParse(s, "USD") }

// racingState bumps the token record's version right before the
// connector writes rotated tokens, as another replica forgetting a
// refused access token would.
type racingState struct {
	connector.State
	once bool
}

func (s *racingState) PutRecord(ctx context.Context, rec store.Record) (int64, error) {
	if rec.Kind == tokenKind && !s.once {
		s.once = true
		cur, err := s.State.GetRecord(ctx, tokenKind, tokenID)
		if err == nil {
			if _, err := s.State.PutRecord(ctx, cur); err != nil {
				return 0, err
			}
		}
	}
	return s.State.PutRecord(ctx, rec)
}

// TestRotatedTokenSurvivesAConflict: a write conflict on the token
// record does not lose the rotated refresh token (the one used is dead).
func TestRotatedTokenSurvivesAConflict(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), noLimit)
	f := newFake(r, store.Limit{Rate: 100, Burst: 100})
	rc := f.AddReceipt(etsyfake.NewLine{SKU: "A", Title: "A", Qty: 1, Cents: 100})
	c := suiteConnector(r, &Config{}, f.Transport())
	if err := readReceipt(t, c, rc.ReceiptID); err != nil {
		t.Fatal(err)
	}
	c.env.State = &racingState{State: c.env.State}
	c.tokens = c.newTokens()
	r.Clock.Advance(etsyfake.TokenTTL)
	if err := readReceipt(t, c, rc.ReceiptID); err != nil {
		t.Fatalf("refresh racing a write: %v", err)
	}
	t2, err := c.tokens.Stored(context.Background())
	if err != nil || t2.Refresh != f.LiveRefreshToken() {
		t.Fatalf("stored refresh token %q, Etsy's live one %q (%v)", t2.Refresh, f.LiveRefreshToken(), err)
	}
}

// TestTriggeredReceipt: a signed whole receipt (dropgate trigger) is
// delivered under the receipt topic and decodes without a fetch.
func TestTriggeredReceipt(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), noLimit)
	c := suiteConnector(r, &Config{WebhookSecret: "s3cret"}, nil)
	body := receiptBody("Paid", true)
	h, err := c.SignWebhook(TopicReceipt, body)
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.VerifyWebhook(h, body)
	if err != nil || d.Topic != TopicReceipt {
		t.Fatalf("delivery %+v, %v; want topic %s", d, err, TopicReceipt)
	}
	evs, err := c.DecodeEvent(context.Background(), d.Topic, body)
	if err != nil || len(evs) != 1 || evs[0].ChannelOrderID != "9007199254740993" {
		t.Fatalf("decode: %+v, %v", evs, err)
	}
}

// TestSamplePayloads: both built-in samples verify and decode (the ping
// through the fake).
func TestSamplePayloads(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), noLimit)
	f := newFake(r, store.Limit{Rate: 100, Burst: 100})
	c := suiteConnector(r, &Config{WebhookSecret: "s3cret"}, f.Transport())
	f.PutReceipt("1000000001", r.Clock.Now())
	for _, topic := range []string{TopicOrderPaid, TopicReceipt} {
		body, err := c.SamplePayload(topic)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := c.SignWebhook(topic, body)
		d, err := c.VerifyWebhook(h, body)
		if err != nil || d.Topic != topic {
			t.Fatalf("%s: %+v, %v", topic, d, err)
		}
		evs, err := c.DecodeEvent(context.Background(), d.Topic, body)
		if err != nil || len(evs) != 1 || evs[0].ChannelOrderID != "1000000001" {
			t.Errorf("%s: %+v, %v", topic, evs, err)
		}
	}
	if _, err := c.SamplePayload("listing.updated"); err == nil {
		t.Error("a sample for an unknown topic")
	}
}

// TestTokenRevokedMidRunIsRetried: an access token Etsy refuses ten
// minutes after it was obtained is a retryable error; the retry refreshes
// and succeeds. One refused right after it was obtained is permanent.
func TestTokenRevokedMidRunIsRetried(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), noLimit)
	f := newFake(r, store.Limit{Rate: 100, Burst: 100})
	rc := f.AddReceipt(etsyfake.NewLine{SKU: "A", Title: "A", Qty: 1, Cents: 100})
	c := suiteConnector(r, &Config{}, f.Transport())
	if err := readReceipt(t, c, rc.ReceiptID); err != nil {
		t.Fatal(err)
	}
	r.Clock.Advance(10 * time.Minute)
	f.Server().Inject(kit.Fault{Method: "GET", PathPrefix: "/v3/application/shops/", Status: 401, Times: 1})
	err := readReceipt(t, c, rc.ReceiptID)
	if class, _ := fault.Classify(err); class != fault.ClassRetryable {
		t.Fatalf("a 401 on a ten-minute-old token: %v; want retryable", err)
	}
	if err := readReceipt(t, c, rc.ReceiptID); err != nil || f.Refreshes() != 2 {
		t.Fatalf("the retry: %v, %d refreshes; want a new token", err, f.Refreshes())
	}
	f.Server().Inject(kit.Fault{Method: "GET", PathPrefix: "/v3/application/shops/", Status: 401, Times: 1})
	if err := readReceipt(t, c, rc.ReceiptID); !fault.IsPermanent(err) {
		t.Fatalf("a 401 on a token just obtained: %v; want permanent", err)
	}
}
