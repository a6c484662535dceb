// Package uspsfake is a local USPS API v3 (the routes dropgate uses),
// built on internal/fakes/kit: OAuth client-credentials tokens from POST
// /oauth2/v3/token (credentials in the form, expires_in a number) that
// expire, 401 on an expired or unknown bearer, GET
// /tracking/v3/tracking/{trackingNumber}?expand=DETAIL with scripted
// histories, USPS's error body and an optional quota. Sources are in its
// README.
package uspsfake

import (
	"net/http"
	"net/url"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/internal/fakes/carrierfake"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// Default credentials.
const (
	ClientID     = "usps-consumer-key"
	ClientSecret = "usps-consumer-secret"
)

// TokenTTL is an access token's life (USPS answers expires_in 28799).
const TokenTTL = 8 * time.Hour

// Paths of the routes.
const (
	TokenPath = "/oauth2/v3/token"
	TrackPath = "/tracking/v3/tracking/"
)

// Option configures the fake.
type Option func(*options)

type options struct {
	clock clock.Clock
	limit kit.Limiter
}

// WithClock drives token expiry and the quota.
func WithClock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// WithLimit sets a quota (USPS's default is 60 calls an hour).
func WithLimit(l kit.Limiter) Option { return func(o *options) { o.limit = l } }

// Event is one tracking event as USPS writes it.
type Event struct {
	EventType      string `json:"eventType"`
	EventTimestamp string `json:"eventTimestamp"` // local, with offset
	GMTTimestamp   string `json:"GMTTimestamp,omitempty"`
	EventCode      string `json:"eventCode"`
	EventCity      string `json:"eventCity,omitempty"`
	EventState     string `json:"eventState,omitempty"`
	EventZIP       string `json:"eventZIP,omitempty"`
	EventCountry   string `json:"eventCountry,omitempty"`
}

// Scan builds an event at t.
func Scan(t time.Time, code, eventType string) Event {
	return Event{EventType: eventType, EventCode: code, EventTimestamp: t.Format(time.RFC3339),
		GMTTimestamp: t.UTC().Format(time.RFC3339)}
}

// Fake is a USPS developer app: its tokens (Minted, ExpireTokens) and
// scripted histories (AddScan, Tracked).
type Fake struct {
	*carrierfake.Tokens
	carrierfake.Histories[Event]
	srv *kit.Server
}

// New builds the fake.
func New(opts ...Option) *Fake {
	o := options{clock: clock.Real{}}
	for _, opt := range opts {
		opt(&o)
	}
	f := &Fake{Tokens: &carrierfake.Tokens{Clock: o.clock, TTL: TokenTTL, Prefix: "usps-"}}
	f.srv = kit.New(kit.Options{
		Name: "uspsfake", Clock: o.clock, Auth: kit.AuthFunc(f.auth), Limit: o.limit, Errors: Errors,
		LimitKey: func(*http.Request, string) string { return "app" },
	})
	f.srv.Handle("POST "+TokenPath, f.token)
	f.srv.Handle("GET "+TrackPath+"{number}", f.track)
	return f
}

// Errors is USPS's error body: {"apiVersion","error":{"code","message","errors":[{"status","code","title","detail"}]}}.
func Errors(status int, code, message string) any {
	return map[string]any{"apiVersion": "v3", "error": map[string]any{"code": http.StatusText(status), "message": message,
		"errors": []map[string]string{{"status": http.StatusText(status), "code": code, "title": message, "detail": message}}}}
}

// Server is the kit server (faults, log, counters).
func (f *Fake) Server() *kit.Server { return f.srv }

// Transport reaches the fake in process.
func (f *Fake) Transport() http.RoundTripper { return f.srv.Transport() }

// Start serves on loopback and returns the base URL.
func (f *Fake) Start() string { return f.srv.Start() }

// Close stops the server.
func (f *Fake) Close() { f.srv.Close() }

func (f *Fake) auth(r *http.Request, body []byte) (string, bool) {
	if r.URL.Path == TokenPath {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return "", false
		}
		id := form.Get("client_id")
		return id, kit.Equal(id, ClientID) && kit.Equal(form.Get("client_secret"), ClientSecret)
	}
	return ClientID, f.LiveBearer(r.Header.Get("Authorization"))
}

func (f *Fake) token(r *http.Request) *kit.Response {
	if r.FormValue("grant_type") != "client_credentials" {
		return kit.JSON(http.StatusBadRequest, Errors(400, "invalid_request", "grant_type must be client_credentials"))
	}
	tok := f.Mint()
	return kit.OK(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": int(TokenTTL/time.Second) - 1,
		"status": "approved", "scope": "tracking", "issuer": "api.usps.com", "client_id": ClientID})
}

// track answers with the package's events most recent first; an unknown
// number is a 404.
func (f *Fake) track(r *http.Request) *kit.Response {
	n := r.PathValue("number")
	events, ok := f.Answer(n)
	if !ok {
		return kit.JSON(http.StatusNotFound, Errors(404, "404", "The tracking number may be incorrect or the status update is not yet available."))
	}
	res := map[string]any{"trackingNumber": n, "trackingEvents": events}
	if len(events) > 0 {
		res["status"] = events[0].EventType
	}
	return kit.OK(res)
}
