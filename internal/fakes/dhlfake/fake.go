// Package dhlfake is a local DHL Shipment Tracking - Unified API (the
// route dropgate uses), built on internal/fakes/kit: GET
// /track/shipments?trackingNumber= with the DHL-API-Key header (401
// without a known key), problem+json errors, 404 for a number DHL does not
// know, scripted event histories and an optional quota. Sources are in its
// README.
package dhlfake

import (
	"net/http"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/internal/fakes/carrierfake"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// APIKey is the accepted key.
const APIKey = "dhl-api-key"

// TrackPath is the tracking route.
const TrackPath = "/track/shipments"

// Option configures the fake.
type Option func(*options)

type options struct {
	clock clock.Clock
	limit kit.Limiter
}

// WithClock drives the quota.
func WithClock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// WithLimit sets a quota (DHL's initial key: 1 call per 5 seconds, 250 a day).
func WithLimit(l kit.Limiter) Option { return func(o *options) { o.limit = l } }

// Event is one tracking event as DHL writes it.
type Event struct {
	Timestamp   string `json:"timestamp"`
	StatusCode  string `json:"statusCode"` // pre-transit, transit, delivered, failure, unknown
	Status      string `json:"status,omitempty"`
	Description string `json:"description,omitempty"`
	Location    *struct {
		Address struct {
			AddressLocality string `json:"addressLocality"`
		} `json:"address"`
	} `json:"location,omitempty"`
}

// Scan builds an event at t.
func Scan(t time.Time, statusCode, description string) Event {
	return Event{Timestamp: t.UTC().Format(time.RFC3339), StatusCode: statusCode, Status: description, Description: description}
}

// Fake is a DHL developer account and its scripted histories (AddScan,
// Tracked).
type Fake struct {
	carrierfake.Histories[Event]
	srv *kit.Server
}

// New builds the fake.
func New(opts ...Option) *Fake {
	o := options{clock: clock.Real{}}
	for _, opt := range opts {
		opt(&o)
	}
	f := &Fake{}
	f.srv = kit.New(kit.Options{Name: "dhlfake", Clock: o.clock, Auth: kit.HeaderToken("DHL-API-Key", APIKey),
		Limit: o.limit, Errors: kit.ProblemJSON})
	f.srv.Handle("GET "+TrackPath, f.track)
	return f
}

// Server is the kit server (faults, log, counters).
func (f *Fake) Server() *kit.Server { return f.srv }

// Transport reaches the fake in process.
func (f *Fake) Transport() http.RoundTripper { return f.srv.Transport() }

// Start serves on loopback and returns the base URL.
func (f *Fake) Start() string { return f.srv.Start() }

// Close stops the server.
func (f *Fake) Close() { f.srv.Close() }

// track answers with the shipment, its latest event as status and its
// events most recent first.
func (f *Fake) track(r *http.Request) *kit.Response {
	n := r.URL.Query().Get("trackingNumber")
	if n == "" {
		return kit.JSON(http.StatusBadRequest, kit.ProblemJSON(400, "", "trackingNumber is required"))
	}
	events, ok := f.Answer(n)
	if !ok {
		return kit.JSON(http.StatusNotFound, map[string]any{"title": "No result found", "status": 404,
			"detail": "No shipment with given tracking number found."})
	}
	sh := map[string]any{"id": n, "service": "express", "events": events}
	if len(events) > 0 {
		sh["status"] = events[0]
	}
	return kit.OK(map[string]any{"shipments": []any{sh}})
}
