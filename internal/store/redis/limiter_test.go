package redis

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/store"
)

// platformBucket is a platform's leaky bucket as Shopify describes it:
// capacity requests, leaking rate per second, 429 when a request arrives
// at a full bucket.
type platformBucket struct {
	mu             sync.Mutex
	capacity, rate float64
	level          float64
	at             time.Time
	rejected       int
	served         int
}

// arrive counts one request and returns the bucket's level as the
// platform reports it (X-Shopify-Shop-Api-Call-Limit: used/capacity).
func (b *platformBucket) arrive(now time.Time) (used int, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.at.IsZero() {
		b.level = math.Max(0, b.level-b.rate*now.Sub(b.at).Seconds())
	}
	b.at = now
	if b.level+1 > b.capacity {
		b.rejected++
		return int(math.Ceil(b.level)), false
	}
	b.level++
	b.served++
	return int(math.Ceil(b.level)), true
}

// TestLimiterSharedByReplicas runs three replicas, each with its own
// client, spending one Shopify-shaped bucket (capacity 40, time scaled
// tenfold to 20/s so the test is quick) through the limiter. Each request
// reaches the simulated platform 40–120ms after its Take (0.4–1.2 s at
// Shopify's pace: a network path plus 0.8 tokens of jitter) and the
// replica Syncs from the level the platform reports, as the HTTP client
// does. The platform must never answer 429, the limiter never hand out
// more than the platform allows, and the replicas together must use at
// least 90% of the allowance.
func TestLimiterSharedByReplicas(t *testing.T) {
	o := standaloneOptions(t)
	prefix := testPrefix()
	t.Cleanup(func() { wipe(t, o, prefix) })
	limit := store.Limit{Rate: 20, Burst: 40}
	const run = 4 * time.Second
	const latency, jitter = 40 * time.Millisecond, 80 * time.Millisecond
	platform := &platformBucket{capacity: 40, rate: limit.Rate}

	var mu sync.Mutex
	var granted []time.Time
	var wg, requests sync.WaitGroup
	start := time.Now()
	for range 3 {
		s := openPrefixed(t, o, prefix)
		defer s.Close()
		wg.Go(func() {
			ctx := context.Background()
			for time.Since(start) < run {
				wait, err := s.Take(ctx, "shop:acme", 1, limit)
				if err != nil {
					t.Errorf("Take: %v", err)
					return
				}
				if wait > 0 {
					time.Sleep(wait) // a throttled job is rescheduled this much later
					continue
				}
				mu.Lock()
				granted = append(granted, time.Now())
				mu.Unlock()
				requests.Go(func() {
					time.Sleep(latency + rand.N(jitter))
					used, ok := platform.arrive(time.Now())
					if !ok {
						_ = s.Defer(ctx, "shop:acme", time.Now().Add(time.Second))
					}
					if err := s.Sync(ctx, "shop:acme", used, 40, limit); err != nil {
						t.Errorf("Sync: %v", err)
					}
				})
			}
		})
	}
	wg.Wait()
	requests.Wait()

	// Grants stamped after the window closed (a replica asleep on a wait
	// when it ended) are outside it.
	inWindow := 0
	for _, at := range granted {
		if at.Sub(start) <= run {
			inWindow++
		}
	}
	allowance := float64(limit.Burst) + limit.Rate*run.Seconds()
	t.Logf("%d requests in %s: %.0f%% of the platform's allowance of %.0f; %d rejected (429)",
		inWindow, run, 100*float64(inWindow)/allowance, allowance, platform.rejected)
	if platform.rejected > 0 {
		t.Errorf("the platform rejected %d requests (429)", platform.rejected)
	}
	// Never ahead of the allowance at any point (one token of slack for
	// the clocks: grants are stamped here, spent on the server).
	for i, at := range granted {
		if allowed := float64(limit.Burst) + limit.Rate*at.Sub(start).Seconds() + 1; float64(i+1) > allowed {
			t.Fatalf("%d requests granted after %s; the allowance was %.1f", i+1, at.Sub(start), allowed)
		}
	}
	if used := float64(inWindow) / allowance; used < 0.9 {
		t.Errorf("used %.0f%% of the allowance; want at least 90%%", 100*used)
	}
}

// TestLimiterUsesServerTime: two replicas whose clocks are an hour apart
// still share one bucket and one Defer, because the scripts read TIME.
func TestLimiterUsesServerTime(t *testing.T) {
	o := standaloneOptions(t)
	prefix := testPrefix()
	t.Cleanup(func() { wipe(t, o, prefix) })
	ahead := o
	ahead.Clock = clock.NewFake(time.Now().Add(time.Hour))
	a := openPrefixed(t, ahead, prefix)
	defer a.Close()
	b := openPrefixed(t, o, prefix)
	defer b.Close()
	ctx := context.Background()
	l := store.Limit{Rate: 2, Burst: 5}

	if d, err := a.Take(ctx, "k", 5, l); d != 0 || err != nil {
		t.Fatalf("Take(5) on a full bucket = %s, %v", d, err)
	}
	if d, err := b.Take(ctx, "k", 1, l); err != nil || d <= 0 || d > 500*time.Millisecond {
		t.Fatalf("the other replica's Take = %s, %v; want up to 500ms (the bucket is empty)", d, err)
	}
	// a's clock is an hour ahead: its Defer of "2s from now" means 2s.
	if err := a.Defer(ctx, "k2", ahead.Clock.Now().Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	if d, err := b.Take(ctx, "k2", 1, l); err != nil || d < time.Second || d > 2*time.Second {
		t.Fatalf("Take on a key deferred by a skewed replica = %s, %v; want about 2s", d, err)
	}
}

// TestLimiterHeadroom: a burst of 40 keeps 4 back; small bursts are exact.
func TestLimiterHeadroom(t *testing.T) {
	o := standaloneOptions(t)
	s := openTest(t, o)
	defer s.Close()
	ctx := context.Background()
	shop := store.Limit{Rate: 2, Burst: 40}
	if d, err := s.Take(ctx, "shop", 36, shop); d != 0 || err != nil {
		t.Fatalf("Take(36) = %s, %v", d, err)
	}
	if d, _ := s.Take(ctx, "shop", 1, shop); d < 400*time.Millisecond || d > 500*time.Millisecond {
		t.Fatalf("the 37th token waits %s; want about 500ms (4 of 40 held back)", d)
	}
	if _, err := s.Take(ctx, "shop", 40, shop); err == nil {
		t.Fatal("Take(40) succeeded; only 36 are usable")
	}
	// Shopify says 38/40 used: two above our usable 36, so a token is
	// 3 tokens (1.5s) away.
	if err := s.Sync(ctx, "fresh", 38, 40, shop); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.Take(ctx, "fresh", 1, shop); d < 1400*time.Millisecond || d > 1500*time.Millisecond {
		t.Fatalf("after Sync 38/40, Take waits %s; want 1.5s", d)
	}
	for _, b := range []struct{ burst, usable int }{{5, 5}, {9, 9}, {10, 9}, {40, 36}, {80, 72}} {
		if got := s.bucket(store.Limit{Rate: 1, Burst: b.burst}).cap; got != b.usable {
			t.Errorf("burst %d: usable %d; want %d", b.burst, got, b.usable)
		}
	}
}
