package connectortest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// TrackingHarness is what RunTracking needs of a carrier connector that
// polls a tracking API (connector.PackageTracker).
type TrackingHarness struct {
	Limit store.Limit
	Setup func(r *Rig) TrackingFixture
}

// TrackingFixture is a tracker on its fake.
type TrackingFixture struct {
	Connector connector.Connector
	Fake      *kit.Server
	Track     Route  // the tracking call
	Carrier   string // the canonical code it tracks and reports
	// Number is scripted by Delivered; Unknown is well formed and never
	// scripted.
	Number, Unknown string
	// Delivered scripts Number's history on the fake: an in-transit scan
	// at at, then a delivered scan an hour later.
	Delivered func(at time.Time)
	// For an OAuth carrier: tokens minted so far, a revocation of them
	// all, and their life. Minted nil: no tokens.
	Minted   func() int
	Expire   func()
	TokenTTL time.Duration
}

// RunTracking checks a tracker: a history comes back oldest first, mapped
// and at the carrier's instants; a number the carrier does not know yet is
// no events (polling goes on); 429 (not before Retry-After) and 5xx are
// retryable, 400 permanent; no budget means no request; a cancelled
// context is not a permanent failure; and, with OAuth, a token is reused
// until shortly before its expiry and replaced when revoked.
func RunTracking(t *testing.T, h TrackingHarness) { runTracking(std{t}, h) }

func runTracking(t T, h TrackingHarness) {
	t.Helper()
	start := func(t T) (*Rig, TrackingFixture, func(string) ([]connector.TrackingUpdate, error)) {
		r := NewRig(t, h.Limit)
		fx := h.Setup(r)
		tr := capability[connector.PackageTracker](t, fx.Connector)
		fx.Delivered(r.Clock.Now().Add(-24 * time.Hour))
		track := func(n string) (ups []connector.TrackingUpdate, err error) {
			safely(t, "Track", func() { ups, err = tr.Track(context.Background(), fx.Carrier, n) })
			return ups, err
		}
		return r, fx, track
	}
	inject := func(fx TrackingFixture, status int, h http.Header) kit.Fault {
		return kit.Fault{Method: fx.Track.Method, Path: fx.Track.Path, PathPrefix: fx.Track.PathPrefix, Status: status, Header: h, Times: 1}
	}
	t.Run("history", func(t T) {
		r, fx, track := start(t)
		ups, err := track(fx.Number)
		if err != nil {
			t.Fatalf("track: %v", err)
		}
		if len(ups) < 2 {
			t.Fatalf("%d updates, want the in-transit and delivered scans", len(ups))
		}
		first, last := ups[0], ups[len(ups)-1]
		t0 := r.Clock.Now().Add(-24 * time.Hour).Truncate(time.Second)
		if first.Event.Status != model.TrackInTransit || !first.Event.At.Equal(t0) {
			t.Errorf("first update %+v, want in_transit at %s", first.Event, t0)
		}
		if last.Event.Status != model.TrackDelivered || !last.Event.At.Equal(t0.Add(time.Hour)) || last.Event.Code == "" {
			t.Errorf("last update %+v, want delivered at %s with the carrier's code", last.Event, t0.Add(time.Hour))
		}
		for _, u := range ups {
			if u.Carrier != fx.Carrier || u.TrackingNumber != fx.Number {
				t.Errorf("update of %q %q, want %q %q", u.Carrier, u.TrackingNumber, fx.Carrier, fx.Number)
			}
		}
	})
	t.Run("unknown number", func(t T) {
		_, fx, track := start(t)
		if ups, err := track(fx.Unknown); err != nil || len(ups) != 0 {
			t.Fatalf("a number not scanned yet: %v %v, want no events and no error", ups, err)
		}
	})
	t.Run("429 retryable after Retry-After", func(t T) {
		r, fx, track := start(t)
		fx.Fake.Inject(inject(fx, http.StatusTooManyRequests, http.Header{"Retry-After": {"30"}}))
		_, err := track(fx.Number)
		if cl, at := classify(err); cl != classRetry || at.Before(r.Clock.Now().Add(30*time.Second)) {
			t.Fatalf("429: %v (not before %s)", err, at)
		}
	})
	t.Run("5xx retryable, 400 permanent", func(t T) {
		r, fx, track := start(t)
		fx.Fake.Inject(inject(fx, http.StatusBadGateway, nil))
		if _, err := track(fx.Number); !isRetry(err) {
			t.Fatalf("502: %v", err)
		}
		r.Clock.Advance(time.Minute) // a carrier's budget may be one call in several seconds
		fx.Fake.Inject(inject(fx, http.StatusBadRequest, nil))
		if _, err := track(fx.Number); !isPermanent(err) {
			t.Fatalf("400: %v", err)
		}
	})
	t.Run("no budget no request", func(t T) {
		r, fx, track := start(t)
		r.Limiter.Starve(true)
		_, err := track(fx.Number)
		if cl, _ := classify(err); cl != classThrottled {
			t.Fatalf("starved: %v, want throttled", err)
		}
		if n := len(fx.Fake.Requests()); n != 0 {
			t.Fatalf("%d requests without budget", n)
		}
	})
	t.Run("cancelled context", func(t T) {
		_, fx, _ := start(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		tr := capability[connector.PackageTracker](t, fx.Connector)
		var err error
		safely(t, "Track", func() { _, err = tr.Track(ctx, fx.Carrier, fx.Number) })
		if err == nil || isPermanent(err) {
			t.Fatalf("cancelled: %v, want a retryable error", err)
		}
	})
	t.Run("token reused, renewed, replaced", func(t T) {
		r, fx, track := start(t)
		if fx.Minted == nil {
			return
		}
		for range 3 {
			if _, err := track(fx.Number); err != nil {
				t.Fatalf("track: %v", err)
			}
		}
		if fx.Minted() != 1 {
			t.Fatalf("%d tokens for 3 calls, want 1", fx.Minted())
		}
		r.Clock.Advance(fx.TokenTTL - time.Minute)
		if _, err := track(fx.Number); err != nil || fx.Minted() != 2 {
			t.Fatalf("a minute before expiry: %d tokens, %v; want a fresh one", fx.Minted(), err)
		}
		fx.Expire()
		if _, err := track(fx.Number); err != nil || fx.Minted() != 3 {
			t.Fatalf("revoked: %d tokens, %v; want one more and success", fx.Minted(), err)
		}
	})
}

type class int

const (
	classOther class = iota
	classRetry
	classThrottled
)

func classify(err error) (class, time.Time) {
	if err == nil {
		return classOther, time.Time{}
	}
	switch c, at := fault.Classify(err); c {
	case fault.ClassRetryable:
		return classRetry, at
	case fault.ClassThrottled:
		return classThrottled, at
	}
	return classOther, time.Time{}
}

func isRetry(err error) bool { c, _ := classify(err); return c == classRetry }

func isPermanent(err error) bool { return err != nil && fault.IsPermanent(err) }
