package embedded

import (
	"context"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/store"
)

var t0 = time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)

// shopifyREST is Shopify's REST leaky bucket: 40 requests, 2 per second.
var shopifyREST = store.Limit{Rate: 2, Burst: 40}

func TestLimiterFakeClock(t *testing.T) {
	ctx := context.Background()
	type step struct {
		name    string
		advance time.Duration
		do      func(s *Store) (time.Duration, error)
		want    time.Duration
	}
	take := func(key string, n int, l store.Limit) func(*Store) (time.Duration, error) {
		return func(s *Store) (time.Duration, error) { return s.Take(ctx, key, n, l) }
	}
	deferUntil := func(key string, at time.Time) func(*Store) (time.Duration, error) {
		return func(s *Store) (time.Duration, error) { return 0, s.Defer(ctx, key, at) }
	}
	sync := func(key string, used, capacity int) func(*Store) (time.Duration, error) {
		return func(s *Store) (time.Duration, error) { return 0, s.Sync(ctx, key, used, capacity, shopifyREST) }
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"burst then rate", []step{
			{"full burst", 0, take("shop", 40, shopifyREST), 0},
			{"one over", 0, take("shop", 1, shopifyREST), 500 * time.Millisecond},
			{"three over", 0, take("shop", 3, shopifyREST), 1500 * time.Millisecond},
			{"half refilled", 250 * time.Millisecond, take("shop", 1, shopifyREST), 250 * time.Millisecond},
			{"refilled", 250 * time.Millisecond, take("shop", 1, shopifyREST), 0},
			{"empty again", 0, take("shop", 1, shopifyREST), 500 * time.Millisecond},
		}},
		{"defer", []step{
			{"block", 0, deferUntil("shop", t0.Add(3*time.Second)), 0},
			{"earlier block does not shorten", 0, deferUntil("shop", t0.Add(time.Second)), 0},
			{"blocked", 0, take("shop", 1, shopifyREST), 3 * time.Second},
			{"other key free", 0, take("other", 1, shopifyREST), 0},
			{"still blocked", 2 * time.Second, take("shop", 1, shopifyREST), time.Second},
			{"free", time.Second, take("shop", 40, shopifyREST), 0},
		}},
		{"sync", []step{
			{"platform says 32/40", 0, sync("shop", 32, 40), 0},
			{"8 left", 0, take("shop", 8, shopifyREST), 0},
			{"then empty", 0, take("shop", 1, shopifyREST), 500 * time.Millisecond},
			{"sync never raises", 0, sync("shop", 0, 40), 0},
			{"still empty", 0, take("shop", 1, shopifyREST), 500 * time.Millisecond},
		}},
		{"sync scales to our burst", []step{
			{"Plus shop 40/80", 0, sync("shop", 40, 80), 0},
			{"half of 40 left", 0, take("shop", 20, shopifyREST), 0},
			{"then empty", 0, take("shop", 1, shopifyREST), 500 * time.Millisecond},
		}},
		{"sync over capacity", []step{
			{"platform says 45/40", 0, sync("shop", 45, 40), 0},
			{"nothing left", 0, take("shop", 1, shopifyREST), 500 * time.Millisecond},
		}},
		{"unlimited", []step{
			{"rate 0", 0, take("shop", 1000, store.Limit{}), 0},
			{"still", 0, take("shop", 1000, store.Limit{}), 0},
		}},
		{"limit change adopted", []step{
			{"spend 40", 0, take("shop", 40, shopifyREST), 0},
			{"faster rate", 0, take("shop", 1, store.Limit{Rate: 10, Burst: 40}), 100 * time.Millisecond},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewFake(t0)
			s := openTemp(t, WithClock(clk))
			defer s.Close()
			for _, st := range tc.steps {
				clk.Advance(st.advance)
				got, err := st.do(s)
				if err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
				if diff := got - st.want; diff < -time.Millisecond || diff > time.Millisecond {
					t.Fatalf("%s: wait %s; want %s", st.name, got, st.want)
				}
			}
		})
	}
}

func TestLimiterErrors(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	if _, err := s.Take(ctx, "shop", 41, shopifyREST); err == nil {
		t.Fatal("Take of more than the burst succeeded")
	}
	if err := s.Sync(ctx, "shop", 1, 0, shopifyREST); err == nil {
		t.Fatal("Sync with capacity 0 succeeded")
	}
	if d, err := s.Take(ctx, "shop", 0, shopifyREST); d != 0 || err != nil {
		t.Fatalf("Take(0) = %s, %v", d, err)
	}
}

func TestLimiterSweepForgetsIdleBuckets(t *testing.T) {
	clk := clock.NewFake(t0)
	s := openTemp(t, WithClock(clk))
	defer s.Close()
	ctx := context.Background()
	s.Take(ctx, "busy", 40, shopifyREST)
	s.Take(ctx, "idle", 1, shopifyREST)
	s.Defer(ctx, "blocked", t0.Add(time.Hour))
	clk.Advance(time.Second) // idle refilled, busy not
	s.lim.sweep(clk.Now())
	s.lim.mu.Lock()
	defer s.lim.mu.Unlock()
	for key, want := range map[string]bool{"busy": true, "idle": false, "blocked": true} {
		if _, ok := s.lim.buckets[key]; ok != want {
			t.Errorf("bucket %s kept = %v; want %v", key, ok, want)
		}
	}
}
