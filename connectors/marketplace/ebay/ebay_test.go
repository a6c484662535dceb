package ebay

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/ebayfake"
	"github.com/dropgate/dropgate/internal/fakes/kit"
	"github.com/dropgate/dropgate/internal/oauthtoken"
	"github.com/dropgate/dropgate/internal/testutil"
)

func rig(t *testing.T) (*connectortest.Rig, *ebayfake.Fake) {
	r := connectortest.NewRig(connectortest.Wrap(t), store.Limit{Rate: 100, Burst: 100})
	return r, ebayfake.New(ebayfake.WithClock(r.Clock))
}

// Two packages are two fulfillments, each with its own carrier code (an
// unknown carrier is "Other"); a replay makes neither again.
func TestTwoPackages(t *testing.T) {
	r, f := rig(t)
	c := suiteConnector(r, &Config{}, f.Transport())
	o, sh := twoPackages(f, 1)
	ctx := context.Background()
	id, err := c.PushFulfillment(ctx, o, sh)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PushFulfillment(ctx, o, sh); err != nil {
		t.Fatalf("replay: %v", err)
	}
	fs := f.Fulfillments(o.ChannelOrderID)
	if len(fs) != 2 || id != fs[0].FulfillmentID+","+fs[1].FulfillmentID {
		t.Fatalf("fulfillments %+v, id %q; want two, joined", fs, id)
	}
	if fs[0].ShippingCarrierCode != "UPS" || fs[1].ShippingCarrierCode != "Other" {
		t.Errorf("carrier codes %q, %q; want UPS, Other", fs[0].ShippingCarrierCode, fs[1].ShippingCarrierCode)
	}
	if l := fs[0].LineItems; len(l) != 1 || l[0].LineItemID != o.Lines[0].ID || l[0].Quantity != 2 {
		t.Errorf("first package lines %+v", l)
	}
}

// The access token is fetched once, reused until shortly before it
// expires, shared through the state with another replica, and refreshed
// after; the fake refuses an expired token.
func TestTokenCachedSharedRefreshed(t *testing.T) {
	r, f := rig(t)
	a := suiteConnector(r, &Config{}, f.Transport())
	b := suiteConnector(r, &Config{}, f.Transport()) // another replica, same state
	ctx := context.Background()
	poll := func(c *Connector) {
		t.Helper()
		if _, _, err := c.PollOrders(ctx, ""); err != nil {
			t.Fatal(err)
		}
	}
	poll(a)
	poll(a)
	poll(b)
	if n := f.Refreshes(); n != 1 {
		t.Fatalf("%d token refreshes for three polls on two replicas, want 1", n)
	}
	r.Clock.Advance(ebayfake.TokenTTL - tokenMargin + time.Second)
	poll(b)
	if n := f.Refreshes(); n != 2 {
		t.Fatalf("%d refreshes after the token neared its expiry, want 2", n)
	}
	poll(a) // a reads b's fresh token from the state
	if n := f.Refreshes(); n != 2 {
		t.Fatalf("%d refreshes, want the replica's token reused", n)
	}
}

// A token eBay refuses (revoked: 401) is a permanent error, and the next
// call refreshes instead of reusing it.
func TestRefusedTokenForgotten(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), store.Limit{Rate: 100, Burst: 100})
	f := ebayfake.New(ebayfake.WithClock(r.Clock), ebayfake.WithTokenTTL(time.Hour))
	c := suiteConnector(r, &Config{}, f.Transport())
	ctx := context.Background()
	if _, _, err := c.PollOrders(ctx, ""); err != nil {
		t.Fatal(err)
	}
	// The fake's token dies early (eBay revoked it); ours still looks live.
	rec, err := c.env.State.GetRecord(ctx, tokenKind, c.cfg.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	var tok oauthtoken.Token
	if err := json.Unmarshal(rec.Data, &tok); err != nil {
		t.Fatal(err)
	}
	tok.ExpiresAt = tok.ExpiresAt.Add(24 * time.Hour)
	rec.Data, _ = json.Marshal(tok)
	if _, err := c.env.State.PutRecord(ctx, rec); err != nil {
		t.Fatal(err)
	}
	r.Clock.Advance(time.Hour)
	// Revoked an hour after it was obtained: worth a retry, not a dead
	// letter.
	_, _, err = c.PollOrders(ctx, "")
	if class, _ := fault.Classify(err); class != fault.ClassRetryable {
		t.Fatalf("poll with a token revoked mid-run: %v; want a retryable error", err)
	}
	if _, _, err := c.PollOrders(ctx, ""); err != nil {
		t.Fatalf("poll after a refused token: %v; want a fresh token", err)
	}
	if n := f.Refreshes(); n != 2 {
		t.Errorf("%d refreshes, want 2", n)
	}
}

// Orders polled in carry their payment status, and a cancellation on
// eBay comes in as a cancellation event proven by the order.
func TestPollPaymentAndCancel(t *testing.T) {
	r, f := rig(t)
	c := suiteConnector(r, &Config{}, f.Transport())
	ctx := context.Background()
	unpaid := f.AddOrder(ebayfake.NewOrder{Lines: []ebayfake.Line{{SKU: "A", Title: "A", Qty: 1, Price: "5.00"}}})
	evs, cursor, err := c.PollOrders(ctx, "")
	if err != nil || len(evs) != 1 {
		t.Fatalf("poll: %v, %d events", err, len(evs))
	}
	if evs[0].Order.PaymentStatus != model.PaymentPending {
		t.Errorf("unpaid order payment %q, want pending", evs[0].Order.PaymentStatus)
	}
	r.Clock.Advance(time.Minute)
	if err := f.Cancel(unpaid.OrderID); err != nil {
		t.Fatal(err)
	}
	evs, _, err = c.PollOrders(ctx, cursor)
	if err != nil || len(evs) != 1 || !evs[0].ProvesCancellation() {
		t.Fatalf("poll after a cancel: %v, %+v; want a proven cancellation", err, evs)
	}
}

type vector struct {
	Signature string          `json:"signature"`
	Message   json.RawMessage `json:"message"`
	Response  *struct {
		Key string `json:"key"`
	} `json:"response"`
	PublicKey string `json:"public_key"`
}

func vectors(t *testing.T) (map[string]vector, []byte) {
	dir := testutil.ConformanceDir(t)
	raw, err := os.ReadFile(filepath.Join(dir, "channels/ebay/ebay-event-notification-sdk.test-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vs map[string]vector
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(filepath.Join(dir, "channels/ebay/ebay-account-deletion.VALID.raw-body.json"))
	if err != nil {
		t.Fatal(err)
	}
	return vs, body
}

// keyFetches counts getPublicKey calls on the fake.
func keyFetches(f *ebayfake.Fake) int {
	n := 0
	for _, rq := range f.Server().Requests() {
		if rq.Method == "GET" && filepath.Dir(rq.Path) == "/commerce/notification/v1/public_key" {
			n++
		}
	}
	return n
}

// eBay's SDK vectors, in two stages. The gateway's VerifyWebhook makes no
// call: it refuses a missing or garbled header and keeps a well-formed one
// as the Proof. The queued VerifyDelivery verifies VALID over the raw
// body and refuses, permanently, a tampered body, a signature of another
// message and a re-serialised body. The key is fetched once, shared with
// another replica through the state, and fetched again after an hour.
func TestVerifyNotificationVectors(t *testing.T) {
	vs, body := vectors(t)
	r, f := rig(t)
	for _, v := range vs {
		if v.Response != nil {
			f.AddKey(v.PublicKey, v.Response.Key)
		}
	}
	// The SIGNATURE_MISMATCH and INVALID headers carry VALID's kid; the
	// fake knows only the kids of keys it serves.
	c := suiteConnector(r, &Config{}, f.Transport())
	ctx := context.Background()
	h := sigHeader(vs["VALID"].Signature)
	d, err := c.VerifyWebhook(h, body)
	if err != nil {
		t.Fatalf("VALID at the gateway: %v", err)
	}
	if n := len(f.Server().Requests()); n != 0 {
		t.Fatalf("VerifyWebhook made %d calls; the gateway's check must make none", n)
	}
	if !strings.HasPrefix(d.ID, "49feeaeb-4982-42d9-a377-9645b8479411_33f7e043-fed8-442b-9d44-791923bd9a6d.") || d.Topic != TopicAccountDeletion || d.Proof != vs["VALID"].Signature {
		t.Errorf("delivery %+v; want the notification id, topic and the header as proof", d)
	}
	// The dedupe id: eBay's retry (the same bytes) is the same delivery; a
	// forgery under the genuine notificationId (another signature, or
	// another body) is a delivery of its own, so sent first it cannot make
	// the genuine one a duplicate.
	if again, _ := c.VerifyWebhook(h, body); again.ID != d.ID {
		t.Errorf("a retry's id %q, first %q", again.ID, d.ID)
	}
	mismatch, err := c.VerifyWebhook(sigHeader(vs["SIGNATURE_MISMATCH"].Signature), body)
	if err != nil || mismatch.ID == d.ID {
		t.Errorf("a forgery under the same notificationId: id %q (%v), genuine %q", mismatch.ID, err, d.ID)
	}
	altered := bytes.Replace(body, []byte(`"username"`), []byte(`"username" `), 1)
	if a, err := c.VerifyWebhook(h, altered); err != nil || a.ID == d.ID || bytes.Equal(altered, body) {
		t.Errorf("an altered body under the genuine header: id %q (%v), genuine %q", a.ID, err, d.ID)
	}
	for i := range 2 {
		if err := c.VerifyDelivery(ctx, d.Proof, body); err != nil {
			t.Fatalf("VALID in the job (%d): %v", i, err)
		}
	}
	replica := suiteConnector(r, &Config{}, f.Transport())
	if err := replica.VerifyDelivery(ctx, d.Proof, body); err != nil {
		t.Fatalf("VALID on another replica: %v", err)
	}
	if n := keyFetches(f); n != 1 {
		t.Errorf("%d public key fetches for three verifications on two replicas, want 1 (cached, shared)", n)
	}
	r.Clock.Advance(keyTTL + time.Second)
	if err := replica.VerifyDelivery(ctx, d.Proof, body); err != nil {
		t.Fatalf("VALID after the key expired: %v", err)
	}
	if n := keyFetches(f); n != 2 {
		t.Errorf("%d public key fetches after an hour, want 2 (the cached key expired)", n)
	}

	// Another user's deletion under eBay's signature: still a notification.
	tampered := bytes.Replace(body, []byte(`"test_user"`), []byte(`"some_user"`), 1)
	forged := map[string]struct {
		proof string
		body  []byte
	}{
		"tampered body":      {vs["VALID"].Signature, tampered},
		"signature mismatch": {vs["SIGNATURE_MISMATCH"].Signature, body},
		"re-serialised body": {vs["VALID"].Signature, vs["VALID"].Message}, // indented: not the bytes eBay signed
		"no proof kept":      {"", body},                                   // a replay without its header
	}
	for name, tc := range forged {
		if tc.proof != "" {
			if _, err := c.VerifyWebhook(sigHeader(tc.proof), tc.body); err != nil {
				t.Errorf("%s: the gateway refused a well-formed header (%v); the signature is the job's to check", name, err)
			}
		}
		err := c.VerifyDelivery(ctx, tc.proof, tc.body)
		if !errors.Is(err, connector.ErrBadSignature) || !fault.IsPermanent(err) {
			t.Errorf("%s: VerifyDelivery = %v; want a permanent ErrBadSignature", name, err)
		}
	}
	for name, hdr := range map[string]http.Header{"no header": {}, "garbled header": sigHeader("not base64!"), "not JSON": sigHeader("dA==")} {
		if _, err := c.VerifyWebhook(hdr, body); !errors.Is(err, connector.ErrBadSignature) {
			t.Errorf("%s: %v; want ErrBadSignature at the gateway", name, err)
		}
	}

	// A kid eBay does not serve (the ERROR case: no key) is permanent;
	// eBay unreachable is retried.
	fresh := ebayfake.New()
	fc := suiteConnector(connectortest.NewRig(connectortest.Wrap(t), store.Limit{Rate: 100, Burst: 100}), &Config{}, fresh.Transport())
	if err := fc.VerifyDelivery(ctx, d.Proof, body); err == nil || !fault.IsPermanent(err) {
		t.Errorf("unknown key: %v; want a permanent error", err)
	}
	fresh.Server().Inject(kit.Fault{Method: "GET", PathPrefix: "/commerce/notification/", Status: http.StatusServiceUnavailable})
	if err := fc.VerifyDelivery(ctx, d.Proof, body); err == nil || fault.IsPermanent(err) {
		t.Errorf("eBay unavailable: %v; want a retryable error", err)
	}
}

// The endpoint validation answers hex(SHA-256(code + token + endpoint)).
func TestChallenge(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), store.Limit{})
	c := suiteConnector(r, &Config{}, nil)
	got, err := c.RespondChallenge(url.Values{"challenge_code": {"a8628072-3d33-45ee-9004-bee86830a22d"}})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("a8628072-3d33-45ee-9004-bee86830a22d" + suiteVerify + suiteEndpoint))
	want := map[string]string{"challengeResponse": hex.EncodeToString(sum[:])}
	if g := got.(map[string]string); g["challengeResponse"] != want["challengeResponse"] {
		t.Errorf("challenge response %v, want %v", g, want)
	}
	if _, err := c.RespondChallenge(url.Values{}); err == nil {
		t.Error("a GET without challenge_code was answered")
	}
}

// The deletion notification decodes to nothing to act on.
func TestDeletionNotificationIgnored(t *testing.T) {
	_, body := vectors(t)
	c := suiteConnector(connectortest.NewRig(connectortest.Wrap(t), store.Limit{}), &Config{}, nil)
	evs, err := c.DecodeEvent(context.Background(), TopicAccountDeletion, body)
	if err != nil || len(evs) != 1 || evs[0].Kind != connector.EventIgnored {
		t.Fatalf("%v, %+v; want one ignored event", err, evs)
	}
}

// Config checks: a bad marketplace and an http endpoint are reported.
func TestConfigCheck(t *testing.T) {
	cfg := Config{PollEvery: time.Minute, MarketplaceID: "US", PageSize: 100, EndpointURL: "http://x.example/webhooks/ebay"}
	ps := cfg.Check()
	paths := map[string]bool{}
	for _, p := range ps {
		paths[p.Path] = true
	}
	for _, want := range []string{"marketplace_id", "endpoint_url"} {
		if !paths[want] {
			t.Errorf("no problem reported at %s: %+v", want, ps)
		}
	}
}

// sigHeader is a request's headers with X-EBAY-SIGNATURE set as a server
// reads it (canonical key).
func sigHeader(v string) http.Header {
	h := http.Header{}
	h.Set(SignatureHeader, v)
	return h
}

// Stock goes 25 SKUs a call; a price whose offer eBay no longer has (a
// 207 with a status per SKU) is a partial error keeping the others.
func TestBulkBatchesAndPartialPrices(t *testing.T) {
	r, f := rig(t)
	c := suiteConnector(r, &Config{}, f.Transport())
	ctx := context.Background()
	var inv []connector.InventoryUpdate
	for i := range 30 {
		inv = append(inv, connector.InventoryUpdate{SKU: fmt.Sprintf("S-%02d", i), Available: int64(i)})
	}
	if err := c.PushInventory(ctx, inv); err != nil {
		t.Fatal(err)
	}
	if q, _ := f.Quantity("S-29"); q != 29 {
		t.Errorf("S-29 quantity %d, want 29", q)
	}
	calls := 0
	for _, rq := range f.Server().Requests() {
		if rq.Path == bulkPath {
			calls++
		}
	}
	if calls != 2 {
		t.Errorf("%d bulk calls for 30 SKUs, want 2 (25 a call)", calls)
	}
	f.AddOffer("A", "EBAY_US", "1.00", "USD")
	f.AddOffer("B", "EBAY_US", "1.00", "USD")
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	if err := c.PushPrices(ctx, []connector.PriceUpdate{{SKU: "A", Price: usd("2.00")}, {SKU: "B", Price: usd("3.00")}}); err != nil {
		t.Fatal(err)
	}
	f.AddOffer("B", "EBAY_US", "1.00", "USD") // B relisted: the offer id we kept is gone
	err := c.PushPrices(ctx, []connector.PriceUpdate{{SKU: "A", Price: usd("4.00")}, {SKU: "B", Price: usd("5.00")}})
	var partial *fault.PartialError
	if !errors.As(err, &partial) || len(partial.Accepted) != 1 || partial.Rejected["B"] == "" {
		t.Fatalf("push with a stale offer: %v; want a partial error refusing B", err)
	}
	if o, _ := f.Offer("A"); o.Price != "4.00" {
		t.Errorf("A price %s, want 4.00", o.Price)
	}
	// The refused offer id is forgotten: the next push finds the new one.
	if err := c.PushPrices(ctx, []connector.PriceUpdate{{SKU: "B", Price: usd("5.00")}}); err != nil {
		t.Fatalf("push after relisting: %v", err)
	}
	if o, _ := f.Offer("B"); o.Price != "5.00" {
		t.Errorf("B price %s, want 5.00", o.Price)
	}
}
