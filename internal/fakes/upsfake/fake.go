// Package upsfake is a local UPS API (the routes dropgate uses), built on
// internal/fakes/kit: OAuth client-credentials tokens from POST
// /security/v1/oauth/token that expire (expires_in a string of seconds),
// 401 on an expired or unknown bearer, the transId and transactionSrc
// headers required on every tracking call, UPS's error body
// {"response":{"errors":[{"code","message"}]}}, scripted tracking
// histories per number and an optional quota. Sources are in its README.
package upsfake

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/internal/fakes/carrierfake"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// Default credentials.
const (
	ClientID     = "ups-client-id"
	ClientSecret = "ups-client-secret"
)

// TokenTTL is an access token's life (UPS answers expires_in "14399").
const TokenTTL = 4 * time.Hour

// Paths of the routes.
const (
	TokenPath = "/security/v1/oauth/token"
	TrackPath = "/api/track/v1/details/"
)

// Option configures the fake.
type Option func(*options)

type options struct {
	clock clock.Clock
	limit kit.Limiter
}

// WithClock drives token expiry and the quota.
func WithClock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// WithLimit sets a quota (a kit.FixedWindow: UPS answers 429 past it).
func WithLimit(l kit.Limiter) Option { return func(o *options) { o.limit = l } }

// Status is an activity's status as UPS writes it.
type Status struct {
	Type        string `json:"type"`
	Description string `json:"description"`
	Code        string `json:"code"`
	StatusCode  string `json:"statusCode,omitempty"`
}

// Location is an activity's address.
type Location struct {
	Address struct {
		City          string `json:"city,omitempty"`
		StateProvince string `json:"stateProvince,omitempty"`
		CountryCode   string `json:"countryCode,omitempty"`
	} `json:"address"`
}

// Activity is one scan of a package.
type Activity struct {
	Date      string    `json:"date"` // YYYYMMDD, local
	Time      string    `json:"time"` // HHMMSS, local
	GMTDate   string    `json:"gmtDate,omitempty"`
	GMTTime   string    `json:"gmtTime,omitempty"` // HH:MM:SS
	GMTOffset string    `json:"gmtOffset,omitempty"`
	Location  *Location `json:"location,omitempty"`
	Status    Status    `json:"status"`
}

// Scan builds an activity at t (UTC) of type typ and code.
func Scan(t time.Time, typ, code, description string) Activity {
	t = t.UTC()
	return Activity{Date: t.Format("20060102"), Time: t.Format("150405"), GMTDate: t.Format("20060102"),
		GMTTime: t.Format("15:04:05"), GMTOffset: "+00:00", Status: Status{Type: typ, Code: code, Description: description}}
}

// Fake is a UPS account: its tokens (Minted, ExpireTokens) and scripted
// histories (AddScan, Tracked).
type Fake struct {
	*carrierfake.Tokens
	carrierfake.Histories[Activity]
	srv   *kit.Server
	clock clock.Clock

	mu      sync.Mutex
	transID map[string]int
}

// New builds the fake.
func New(opts ...Option) *Fake {
	o := options{clock: clock.Real{}}
	for _, opt := range opts {
		opt(&o)
	}
	f := &Fake{clock: o.clock, transID: map[string]int{},
		Tokens: &carrierfake.Tokens{Clock: o.clock, TTL: TokenTTL, Prefix: "ups-"}}
	f.srv = kit.New(kit.Options{
		Name: "upsfake", Clock: o.clock, Auth: kit.AuthFunc(f.auth), Limit: o.limit, Errors: Errors,
		LimitKey: func(*http.Request, string) string { return "account" },
		Messages: map[int]string{http.StatusUnauthorized: "Invalid Authentication Information.",
			http.StatusTooManyRequests: "Rate Limit Exceeded."},
	})
	f.srv.Handle("POST "+TokenPath, f.token)
	f.srv.Handle("GET "+TrackPath+"{number}", f.track)
	return f
}

// Errors is UPS's error body: {"response":{"errors":[{"code","message"}]}},
// with UPS's numeric codes for the kit's own refusals (401, 429, 500).
func Errors(status int, code, message string) any {
	if c := map[int]string{401: "250002", 429: "10429", 500: "10500"}[status]; c != "" {
		code = c
	}
	return map[string]any{"response": map[string]any{"errors": []map[string]string{{"code": code, "message": message}}}}
}

// Server is the kit server (faults, log, counters).
func (f *Fake) Server() *kit.Server { return f.srv }

// Transport reaches the fake in process.
func (f *Fake) Transport() http.RoundTripper { return f.srv.Transport() }

// Start serves on loopback and returns the base URL.
func (f *Fake) Start() string { return f.srv.Start() }

// Close stops the server.
func (f *Fake) Close() { f.srv.Close() }

func (f *Fake) fail(status int, code, message string) *kit.Response {
	return kit.JSON(status, Errors(status, code, message))
}

// auth: the token route takes Basic client_id:client_secret; the others
// a live bearer token.
func (f *Fake) auth(r *http.Request, _ []byte) (string, bool) {
	if r.URL.Path == TokenPath {
		u, p, ok := r.BasicAuth()
		return u, ok && kit.Equal(u, ClientID) && kit.Equal(p, ClientSecret)
	}
	return ClientID, f.LiveBearer(r.Header.Get("Authorization"))
}

func (f *Fake) token(r *http.Request) *kit.Response {
	body, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("grant_type") != "client_credentials" {
		return f.fail(http.StatusBadRequest, "10400", "Invalid/Missing grant_type")
	}
	tok := f.Mint()
	return kit.OK(map[string]any{"token_type": "Bearer", "issued_at": strconv.FormatInt(f.clock.Now().UnixMilli(), 10),
		"client_id": ClientID, "access_token": tok, "expires_in": strconv.Itoa(int(TokenTTL/time.Second) - 1),
		"refresh_count": "0", "status": "approved"})
}

// track answers GET /api/track/v1/details/{number}: the package with its
// activity most recent first; an unknown number is UPS's 404.
func (f *Fake) track(r *http.Request) *kit.Response {
	tid, src := r.Header.Get("transId"), r.Header.Get("transactionSrc")
	if tid == "" || src == "" {
		return f.fail(http.StatusBadRequest, "10001", "Missing transId or transactionSrc header")
	}
	n := r.PathValue("number")
	if len(n) < 7 || len(n) > 34 {
		return f.fail(http.StatusBadRequest, "TW0001", "Invalid inquiryNumber")
	}
	f.mu.Lock()
	f.transID[tid]++
	f.mu.Unlock()
	acts, ok := f.Answer(n)
	if !ok {
		return f.fail(http.StatusNotFound, "TW0003", "Tracking Information Not Found")
	}
	pkg := map[string]any{"trackingNumber": n, "activity": acts}
	if len(acts) > 0 {
		pkg["currentStatus"] = map[string]string{"description": acts[0].Status.Description, "code": acts[0].Status.Code}
	}
	return kit.OK(map[string]any{"trackResponse": map[string]any{"shipment": []any{
		map[string]any{"inquiryNumber": n, "package": []any{pkg}}}}})
}

// ReusedTransIDs is how many transId values came more than once: UPS
// wants one per request.
func (f *Fake) ReusedTransIDs() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.transID {
		if c > 1 {
			n++
		}
	}
	return n
}
