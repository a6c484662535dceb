// Package fedexfake is a local FedEx API (the routes dropgate uses), built
// on internal/fakes/kit: OAuth client-credentials tokens from POST
// /oauth/token (client_id and client_secret in the form, expires_in a
// number) that expire, 401 on an expired or unknown bearer, FedEx's error
// body {"transactionId","errors":[{"code","message"}]}, POST
// /track/v1/trackingnumbers with up to 30 numbers and scripted scan
// histories, and an optional quota. Sources are in its README.
package fedexfake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/internal/fakes/carrierfake"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// Default credentials.
const (
	ClientID     = "fedex-api-key"
	ClientSecret = "fedex-secret-key"
)

// TokenTTL is an access token's life (FedEx answers expires_in 3599).
const TokenTTL = time.Hour

// Paths of the routes.
const (
	TokenPath = "/oauth/token"
	TrackPath = "/track/v1/trackingnumbers"
)

// Option configures the fake.
type Option func(*options)

type options struct {
	clock clock.Clock
	limit kit.Limiter
}

// WithClock drives token expiry and the quota.
func WithClock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// WithLimit sets a quota (FedEx answers 429 past it).
func WithLimit(l kit.Limiter) Option { return func(o *options) { o.limit = l } }

// ScanEvent is one scan as FedEx writes it.
type ScanEvent struct {
	Date             string `json:"date"` // RFC 3339 with the local offset
	EventType        string `json:"eventType"`
	EventDescription string `json:"eventDescription"`
	ScanLocation     struct {
		City                string `json:"city,omitempty"`
		StateOrProvinceCode string `json:"stateOrProvinceCode,omitempty"`
		CountryCode         string `json:"countryCode,omitempty"`
	} `json:"scanLocation"`
}

// Scan builds a scan at t of eventType typ.
func Scan(t time.Time, typ, description string) ScanEvent {
	return ScanEvent{Date: t.Format(time.RFC3339), EventType: typ, EventDescription: description}
}

// Fake is a FedEx account: its tokens (Minted, ExpireTokens) and
// scripted histories (AddScan, Tracked).
type Fake struct {
	*carrierfake.Tokens
	carrierfake.Histories[ScanEvent]
	srv *kit.Server
}

// New builds the fake.
func New(opts ...Option) *Fake {
	o := options{clock: clock.Real{}}
	for _, opt := range opts {
		opt(&o)
	}
	f := &Fake{Tokens: &carrierfake.Tokens{Clock: o.clock, TTL: TokenTTL, Prefix: "fx-"}}
	f.srv = kit.New(kit.Options{
		Name: "fedexfake", Clock: o.clock, Auth: kit.AuthFunc(f.auth), Limit: o.limit, Errors: Errors,
		LimitKey: func(*http.Request, string) string { return "account" },
	})
	f.srv.Handle("POST "+TokenPath, f.token)
	f.srv.Handle("POST "+TrackPath, f.track)
	return f
}

// Errors is FedEx's error body, with FedEx's codes for the kit's own
// refusals.
func Errors(status int, code, message string) any {
	if c := map[int]string{401: "NOT.AUTHORIZED.ERROR", 429: "RATE.LIMIT.EXCEEDED", 500: "INTERNAL.SERVER.ERROR"}[status]; c != "" {
		code = c
	}
	return map[string]any{"transactionId": "fake-txn", "errors": []map[string]string{{"code": code, "message": message}}}
}

// Server is the kit server (faults, log, counters).
func (f *Fake) Server() *kit.Server { return f.srv }

// Transport reaches the fake in process.
func (f *Fake) Transport() http.RoundTripper { return f.srv.Transport() }

// Start serves on loopback and returns the base URL.
func (f *Fake) Start() string { return f.srv.Start() }

// Close stops the server.
func (f *Fake) Close() { f.srv.Close() }

// auth: the token route takes the credentials in its form; the others a
// live bearer token.
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
		return kit.JSON(http.StatusBadRequest, Errors(400, "BAD.REQUEST.ERROR", "grant_type is invalid"))
	}
	tok := f.Mint()
	return kit.OK(map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": int(TokenTTL/time.Second) - 1, "scope": "CXS"})
}

type trackRequest struct {
	IncludeDetailedScans bool `json:"includeDetailedScans"`
	TrackingInfo         []struct {
		TrackingNumberInfo struct {
			TrackingNumber string `json:"trackingNumber"`
		} `json:"trackingNumberInfo"`
	} `json:"trackingInfo"`
}

// track answers POST /track/v1/trackingnumbers: one completeTrackResults
// entry per number, scans most recent first; an unknown number is an
// error inside its result (the call itself succeeds).
func (f *Fake) track(r *http.Request) *kit.Response {
	var req trackRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.TrackingInfo) == 0 {
		return kit.JSON(http.StatusBadRequest, Errors(400, "TRACKING.TRACKINGNUMBER.EMPTY", "Please provide tracking number."))
	}
	if len(req.TrackingInfo) > 30 {
		return kit.JSON(http.StatusBadRequest, Errors(400, "TRACKING.TRACKINGNUMBER.LIMIT", "Up to 30 tracking numbers per request."))
	}
	var results []any
	for _, ti := range req.TrackingInfo {
		n := ti.TrackingNumberInfo.TrackingNumber
		scans, ok := f.Answer(n)
		var tr map[string]any
		if !ok {
			tr = map[string]any{"trackingNumberInfo": map[string]string{"trackingNumber": n},
				"error": map[string]string{"code": "TRACKING.TRACKINGNUMBER.NOTFOUND", "message": "Tracking number cannot be found. Please correct the tracking number and try again."}}
		} else {
			tr = map[string]any{"trackingNumberInfo": map[string]string{"trackingNumber": n}, "scanEvents": scans}
			if len(scans) > 0 {
				tr["latestStatusDetail"] = map[string]string{"code": scans[0].EventType, "description": scans[0].EventDescription}
			}
		}
		results = append(results, map[string]any{"trackingNumber": n, "trackResults": []any{tr}})
	}
	return kit.OK(map[string]any{"transactionId": "fake-txn", "output": map[string]any{"completeTrackResults": results}})
}
