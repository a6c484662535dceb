package redis

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/testutil"
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

// TestLimiterSharedByReplicas: three replicas, each with its own client,
// spend one Shopify-shaped bucket (capacity 40, time scaled tenfold to
// 20/s) through the limiter for two seconds, each taking again as soon as
// it may. Together they never get more than the usable burst plus the
// refill since the first Take: checked grant by grant against clock
// readings taken after each call, so a slow or stalled replica can only
// loosen the check, never fail it. How much of the allowance they used is
// logged; it depends on the machine's speed. The soak
// (TestLimiterSharedByReplicasSoak) adds a simulated platform.
func TestLimiterSharedByReplicas(t *testing.T) {
	o := standaloneOptions(t)
	prefix := testPrefix()
	t.Cleanup(func() { wipe(t, o, prefix) })
	limit := store.Limit{Rate: 20, Burst: 40}
	const run = 2 * time.Second
	start := time.Now()
	granted := spend(t, o, prefix, limit, start, run, nil)
	probe := openPrefixed(t, o, prefix)
	usable := probe.bucket(limit).cap
	probe.Close()
	checkNeverAhead(t, granted, start, usable, limit.Rate)
	elapsed := time.Since(start)
	t.Logf("%d grants in %s, %.0f%% of the %d + %.0f/s the bucket allows",
		len(granted), elapsed.Round(time.Millisecond), 100*float64(len(granted))/(float64(usable)+limit.Rate*elapsed.Seconds()), usable, limit.Rate)
}

// spend runs three replicas, each with its own client, taking one token
// of "shop:acme" at a time until run has passed since start and sleeping
// out every refusal, as a rescheduled job would. After each grant it
// calls onGrant (if set) with the replica's store, which stays open until
// the test ends. It returns when each granting Take returned.
func spend(t *testing.T, o Options, prefix string, limit store.Limit, start time.Time, run time.Duration, onGrant func(*Store)) []time.Time {
	t.Helper()
	var mu sync.Mutex
	var granted []time.Time
	var wg sync.WaitGroup
	for range 3 {
		s := openPrefixed(t, o, prefix)
		t.Cleanup(func() { s.Close() }) // onGrant's work may outlive spend
		wg.Go(func() {
			for time.Since(start) < run {
				wait, err := s.Take(context.Background(), "shop:acme", 1, limit)
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
				if onGrant != nil {
					onGrant(s)
				}
			}
		})
	}
	wg.Wait()
	return granted
}

// checkNeverAhead: the i-th grant, by the instant its Take returned, was
// one of at least i that the limiter had executed by then, so i may not
// exceed what the bucket allowed by then, counted from start (before the
// first Take), with one token of slack for rounding.
func checkNeverAhead(t *testing.T, granted []time.Time, start time.Time, burst int, rate float64) {
	t.Helper()
	slices.SortFunc(granted, func(a, b time.Time) int { return a.Compare(b) })
	for i, at := range granted {
		if allowed := float64(burst) + rate*at.Sub(start).Seconds() + 1; float64(i+1) > allowed {
			t.Fatalf("%d requests granted after %s; the allowance was %.1f", i+1, at.Sub(start), allowed)
		}
	}
}

// TestLimiterSharedByReplicasSoak runs three replicas spending the bucket
// as a fleet would: each request reaches a simulated platform 40–120ms
// after its Take (0.4–1.2 s at Shopify's pace: a network path plus 0.8
// tokens of jitter) and the replica Syncs from the level the platform
// reports, as the HTTP client does. The limiter must never hand out more
// than the platform allows; the platform's 429s and the share of the
// allowance used are logged (both depend on how late the machine delivers
// the requests, which a loaded machine stretches).
func TestLimiterSharedByReplicasSoak(t *testing.T) {
	testutil.SkipUnlessSoak(t, "four seconds against a simulated platform")
	o := standaloneOptions(t)
	prefix := testPrefix()
	t.Cleanup(func() { wipe(t, o, prefix) })
	limit := store.Limit{Rate: 20, Burst: 40}
	const run = 4 * time.Second
	const latency, jitter = 40 * time.Millisecond, 80 * time.Millisecond
	platform := &platformBucket{capacity: 40, rate: limit.Rate}

	var requests sync.WaitGroup
	start := time.Now()
	granted := spend(t, o, prefix, limit, start, run, func(s *Store) {
		requests.Go(func() {
			ctx := context.Background()
			time.Sleep(latency + rand.N(jitter))
			used, ok := platform.arrive(time.Now())
			if !ok {
				_ = s.Defer(ctx, "shop:acme", time.Now().Add(time.Second))
			}
			if err := s.Sync(ctx, "shop:acme", used, 40, limit); err != nil {
				t.Errorf("Sync: %v", err)
			}
		})
	})
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
	checkNeverAhead(t, granted, start, limit.Burst, limit.Rate)
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
	// A token every 10 minutes: no stall of the test refills one.
	l := store.Limit{Rate: 1.0 / 600, Burst: 5}

	if d, err := a.Take(ctx, "k", 5, l); d != 0 || err != nil {
		t.Fatalf("Take(5) on a full bucket = %s, %v", d, err)
	}
	if d, err := b.Take(ctx, "k", 1, l); err != nil || d < 9*time.Minute || d > 10*time.Minute {
		t.Fatalf("the other replica's Take = %s, %v; want up to 10m (the bucket is empty)", d, err)
	}
	// a's clock is an hour ahead: its Defer of "10 minutes from now"
	// means 10 minutes, not 70.
	if err := a.Defer(ctx, "k2", ahead.Clock.Now().Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if d, err := b.Take(ctx, "k2", 1, l); err != nil || d < 9*time.Minute || d > 10*time.Minute {
		t.Fatalf("Take on a key deferred by a skewed replica = %s, %v; want about 10m", d, err)
	}
}

// TestLimiterHeadroom: a burst of 40 keeps 4 back; small bursts are exact.
func TestLimiterHeadroom(t *testing.T) {
	o := standaloneOptions(t)
	s := openTest(t, o)
	defer s.Close()
	ctx := context.Background()
	// Shopify's bucket with time slowed 600-fold (a token every 5
	// minutes), so no stall of the test refills a token between calls.
	shop := store.Limit{Rate: 2.0 / 600, Burst: 40}
	const token = 5 * time.Minute
	if d, err := s.Take(ctx, "shop", 36, shop); d != 0 || err != nil {
		t.Fatalf("Take(36) = %s, %v", d, err)
	}
	if d, _ := s.Take(ctx, "shop", 1, shop); d < token-time.Minute || d > token {
		t.Fatalf("the 37th token waits %s; want about %s (4 of 40 held back)", d, token)
	}
	if _, err := s.Take(ctx, "shop", 40, shop); err == nil {
		t.Fatal("Take(40) succeeded; only 36 are usable")
	}
	// Shopify says 38/40 used: two above our usable 36, so a token is
	// 3 tokens away.
	if err := s.Sync(ctx, "fresh", 38, 40, shop); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.Take(ctx, "fresh", 1, shop); d < 3*token-time.Minute || d > 3*token {
		t.Fatalf("after Sync 38/40, Take waits %s; want %s", d, 3*token)
	}
	for _, b := range []struct{ burst, usable int }{{5, 5}, {9, 9}, {10, 9}, {40, 36}, {80, 72}} {
		if got := s.bucket(store.Limit{Rate: 1, Burst: b.burst}).cap; got != b.usable {
			t.Errorf("burst %d: usable %d; want %d", b.burst, got, b.usable)
		}
	}
}
