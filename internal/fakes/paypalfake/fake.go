// Package paypalfake is a local PayPal REST API for tests: the OAuth2
// client-credentials token, Orders v2 authorisation, Payments v2 captures
// (partial, with final_capture), voids and refunds, PayPal-Request-Id
// idempotency (the same id answers the first call's result again, and
// never moves money twice), PayPal's error body {name, message, debug_id,
// details}, and verify-webhook-signature, which answers SUCCESS only for
// deliveries this fake signed. Sources: README.md.
package paypalfake

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// Options configure a Fake.
type Options struct {
	ClientID, ClientSecret string
	WebhookID              string // the webhook the signed deliveries belong to
	Clock                  clock.Clock
	TokenTTL               time.Duration // default 9 hours, as PayPal's
}

// Amount is PayPal's money: a decimal string, never a float.
type Amount struct {
	CurrencyCode string `json:"currency_code"`
	Value        string `json:"value"`
}

// Fake is the PayPal API. Its state is in memory.
type Fake struct {
	*kit.Server
	o Options

	mu       sync.Mutex
	seq      int
	tokens   map[string]time.Time // token → expiry
	issued   int
	orders   map[string]*Order
	auths    map[string]*Authorization
	captures map[string]*Capture
	refunds  map[string]*Refund
	replays  map[string]cached // PayPal-Request-Id → first answer
	signed   map[string]string // transmission id → sig
	moves    int               // captures and refunds actually made
}

type cached struct {
	path string
	resp *kit.Response
}

// Order is a buyer-approved checkout order with intent AUTHORIZE.
type Order struct {
	ID       string
	Amount   Amount
	CustomID string
	Status   string
	Auths    []string
}

// Authorization is a PayPal authorisation.
type Authorization struct {
	ID, OrderID, Status, CustomID string
	Amount                        Amount
	Captured                      int64 // minor units (two decimals in the fake)
	Captures                      []string
	Created, Expires              time.Time
}

// Capture is one capture of an authorisation.
type Capture struct {
	ID, AuthID, Status string
	Amount             Amount
	Final              bool
	Refunded           int64
}

// Refund is a refund of a capture.
type Refund struct {
	ID, CaptureID, Status string
	Amount                Amount
}

// New returns a fake with its routes; Start it.
func New(o Options) *Fake {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.TokenTTL == 0 {
		o.TokenTTL = 9 * time.Hour
	}
	f := &Fake{o: o, tokens: map[string]time.Time{}, orders: map[string]*Order{}, auths: map[string]*Authorization{},
		captures: map[string]*Capture{}, refunds: map[string]*Refund{}, replays: map[string]cached{}, signed: map[string]string{}}
	f.Server = kit.New(kit.Options{Name: "paypalfake", Clock: o.Clock, Auth: kit.AuthFunc(f.auth), Errors: Errors,
		Messages: map[int]string{http.StatusUnauthorized: "Authentication failed due to invalid authentication credentials or a missing Authorization header."}})
	f.Handle("POST /v1/oauth2/token", f.token)
	f.Handle("POST /v2/checkout/orders/{id}/authorize", f.idem(f.authorize))
	f.Handle("GET /v2/checkout/orders/{id}", f.getOrder)
	f.Handle("GET /v2/payments/authorizations/{id}", f.getAuth)
	f.Handle("POST /v2/payments/authorizations/{id}/capture", f.idem(f.capture))
	f.Handle("POST /v2/payments/authorizations/{id}/void", f.idem(f.void))
	f.Handle("POST /v2/payments/captures/{id}/refund", f.idem(f.refund))
	f.Handle("POST /v1/notifications/verify-webhook-signature", f.verify)
	return f
}

// Errors renders PayPal's error body.
func Errors(status int, code, message string) any {
	name := code
	switch status {
	case http.StatusUnauthorized:
		name = "AUTHENTICATION_FAILURE"
	case http.StatusNotFound:
		name = "RESOURCE_NOT_FOUND"
	case http.StatusTooManyRequests:
		name = "RATE_LIMIT_REACHED"
	case http.StatusInternalServerError:
		name = "INTERNAL_SERVER_ERROR"
	}
	return map[string]any{"name": name, "message": message, "debug_id": "fakedebug" + fmt.Sprint(status)}
}

func (f *Fake) fail(status int, name, issue, message string) *kit.Response {
	return kit.JSON(status, map[string]any{"name": name, "message": message, "debug_id": "fakedebug",
		"details": []map[string]string{{"issue": issue, "description": message}}})
}

// auth: Basic client credentials on the token endpoint, a live Bearer
// token issued by it elsewhere.
func (f *Fake) auth(r *http.Request, _ []byte) (string, bool) {
	if r.URL.Path == "/v1/oauth2/token" {
		u, p, ok := r.BasicAuth()
		return u, ok && kit.Equal(u, f.o.ClientID) && kit.Equal(p, f.o.ClientSecret)
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return "", false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	exp, ok := f.tokens[tok]
	return "app", ok && f.o.Clock.Now().Before(exp)
}

func (f *Fake) next(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s%013d", prefix, f.seq)
}

func (f *Fake) token(r *http.Request) *kit.Response {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		return kit.JSON(http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type", "error_description": "Grant Type is NULL"})
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	tok := f.next("A21AA")
	f.tokens[tok] = f.o.Clock.Now().Add(f.o.TokenTTL)
	f.issued++
	return kit.OK(map[string]any{"scope": "https://uri.paypal.com/services/payments/payment", "access_token": tok,
		"token_type": "Bearer", "app_id": "APP-FAKE", "expires_in": int(f.o.TokenTTL / time.Second), "nonce": tok})
}

// idem makes a route idempotent on PayPal-Request-Id: the same id on the
// same path answers the first answer again without acting.
func (f *Fake) idem(h func(r *http.Request) *kit.Response) func(r *http.Request) *kit.Response {
	return func(r *http.Request) *kit.Response {
		id := r.Header.Get("PayPal-Request-Id")
		if id == "" {
			return h(r)
		}
		f.mu.Lock()
		c, ok := f.replays[id]
		f.mu.Unlock()
		if ok {
			if c.path != r.URL.Path {
				return f.fail(http.StatusUnprocessableEntity, "UNPROCESSABLE_ENTITY", "DUPLICATE_REQUEST_ID", "The PayPal-Request-Id was already used for another request.")
			}
			return c.resp
		}
		resp := h(r)
		if resp.Status < 300 {
			f.mu.Lock()
			f.replays[id] = cached{path: r.URL.Path, resp: resp}
			f.mu.Unlock()
		}
		return resp
	}
}

// Tokens is how many access tokens were issued.
func (f *Fake) Tokens() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issued
}

// Moves is how many captures and refunds moved money.
func (f *Fake) Moves() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.moves
}

// ExpireTokens revokes every token (the next call is a 401).
func (f *Fake) ExpireTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens = map[string]time.Time{}
}

// CreateOrder adds an order the buyer approved, for value (a decimal
// string) in currency, and returns its id.
func (f *Fake) CreateOrder(currency, value, customID string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.next("5O")
	f.orders[id] = &Order{ID: id, Amount: Amount{currency, value}, CustomID: customID, Status: "APPROVED"}
	return id
}

// Auth returns a copy of an authorisation.
func (f *Fake) Auth(id string) (Authorization, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.auths[id]
	if !ok {
		return Authorization{}, false
	}
	return *a, true
}

// Sign returns the transmission headers PayPal would send with body; only
// deliveries signed here verify.
func (f *Fake) Sign(body []byte) http.Header {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.next("tx-")
	ts := f.o.Clock.Now().UTC().Format(time.RFC3339)
	m := hmac.New(sha256.New, []byte(f.o.WebhookID))
	m.Write([]byte(id + "|" + ts + "|"))
	m.Write(body)
	sig := base64.StdEncoding.EncodeToString(m.Sum(nil))
	// PayPal's postback takes the event re-serialised: compare compacted.
	var compact bytes.Buffer
	if json.Compact(&compact, body) != nil {
		compact.Reset()
		compact.Write(body)
	}
	f.signed[id] = sig + "|" + ts + "|" + hex.EncodeToString(sum(compact.Bytes()))
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("PAYPAL-TRANSMISSION-ID", id)
	h.Set("PAYPAL-TRANSMISSION-TIME", ts)
	h.Set("PAYPAL-TRANSMISSION-SIG", sig)
	h.Set("PAYPAL-CERT-URL", "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-fake")
	h.Set("PAYPAL-AUTH-ALGO", "SHA256withRSA")
	return h
}

func sum(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

// Authorized adds an order the storefront already authorised (the buyer
// approved it and the checkout called authorize), returning the
// authorisation's id.
func (f *Fake) Authorized(currency, value, customID string) string {
	id := f.CreateOrder(currency, value, customID)
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.orders[id]
	now := f.o.Clock.Now().UTC()
	a := &Authorization{ID: f.next("0AW"), OrderID: id, Status: "CREATED", CustomID: customID, Amount: o.Amount,
		Created: now, Expires: now.Add(29 * 24 * time.Hour)}
	f.auths[a.ID] = a
	o.Auths, o.Status = append(o.Auths, a.ID), "COMPLETED"
	return a.ID
}
