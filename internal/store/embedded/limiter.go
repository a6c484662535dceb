package embedded

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/dropgate/dropgate/core/store"
)

// limiter keeps one token bucket per key in memory: the embedded store is
// owned by a single process, which is then the only spender of every
// budget. All arithmetic uses the store's clock (rate's *At methods), so a
// fake clock drives it in tests, and nothing ever sleeps.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	lim   *rate.Limiter
	limit store.Limit
	until time.Time // blocked until (a 429's Retry-After)
}

func newLimiter() *limiter { return &limiter{buckets: make(map[string]*bucket)} }

// Take spends n tokens of key and returns 0, or spends nothing and returns
// how long until n tokens are there (or key's Defer ends). A Rate of 0 or
// less means unlimited. n above Burst can never be satisfied: an error.
func (s *Store) Take(ctx context.Context, key string, n int, l store.Limit) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if s.closedFlag.Load() {
		return 0, store.ErrClosed
	}
	return s.lim.take(key, n, l, s.clock.Now())
}

// Defer blocks key until t: Take returns the remaining time until then.
// An earlier t than a block already in place does not shorten it.
func (s *Store) Defer(ctx context.Context, key string, until time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closedFlag.Load() {
		return store.ErrClosed
	}
	s.lim.mu.Lock()
	defer s.lim.mu.Unlock()
	b := s.lim.buckets[key]
	if b == nil {
		b = &bucket{}
		s.lim.buckets[key] = b
	}
	if until.After(b.until) {
		b.until = until
	}
	return nil
}

// Sync lowers key's available tokens to what the platform reports as left
// (capacity-used, scaled to l.Burst when the platform's capacity differs).
// It never raises them: requests of ours still in flight are not in the
// platform's count yet, so our own figure is the safer one when lower.
func (s *Store) Sync(ctx context.Context, key string, used, capacity int, l store.Limit) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closedFlag.Load() {
		return store.ErrClosed
	}
	if capacity <= 0 {
		return fmt.Errorf("embedded: sync limiter %s: capacity %d", key, capacity)
	}
	s.lim.sync(key, used, capacity, l, s.clock.Now())
	return nil
}

func (lm *limiter) take(key string, n int, l store.Limit, now time.Time) (time.Duration, error) {
	if n <= 0 {
		return 0, nil
	}
	lm.mu.Lock()
	defer lm.mu.Unlock()
	b := lm.bucketLocked(key, l, now)
	if now.Before(b.until) {
		return b.until.Sub(now), nil
	}
	if l.Rate <= 0 {
		return 0, nil
	}
	r := b.lim.ReserveN(now, n)
	if !r.OK() {
		return 0, fmt.Errorf("embedded: limiter %s: %d tokens exceed the burst of %d", key, n, b.lim.Burst())
	}
	d := r.DelayFrom(now)
	if d <= 0 {
		return 0, nil
	}
	// Over budget: give the tokens back, so waiting callers do not queue
	// up debt; each learns the wait and reschedules its job.
	r.CancelAt(now)
	return d, nil
}

func (lm *limiter) sync(key string, used, capacity int, l store.Limit, now time.Time) {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	b := lm.bucketLocked(key, l, now)
	if l.Rate <= 0 {
		return
	}
	burst := burstOf(l)
	left := float64(capacity-used) / float64(capacity) * float64(burst)
	left = math.Max(0, math.Min(left, float64(burst)))
	if left >= b.lim.TokensAt(now) {
		return
	}
	// rate.Limiter has no setter for its tokens: start from a full bucket
	// and spend down to what is left.
	fresh := rate.NewLimiter(rate.Limit(l.Rate), burst)
	fresh.AllowN(now, burst-int(math.Floor(left)))
	b.lim = fresh
}

// bucketLocked returns key's bucket (full when new), adopting l if the
// configured limit changed.
func (lm *limiter) bucketLocked(key string, l store.Limit, now time.Time) *bucket {
	b := lm.buckets[key]
	if b == nil {
		b = &bucket{}
		lm.buckets[key] = b
	}
	if b.lim == nil {
		b.lim = rate.NewLimiter(rateOf(l), burstOf(l))
		b.limit = l
	} else if b.limit != l {
		b.lim.SetLimitAt(now, rateOf(l))
		b.lim.SetBurstAt(now, burstOf(l))
		b.limit = l
	}
	return b
}

// sweep forgets buckets that are full and not blocked: a new bucket would
// be identical, so only memory is saved.
func (lm *limiter) sweep(now time.Time) {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	for key, b := range lm.buckets {
		if now.Before(b.until) {
			continue
		}
		if b.lim == nil || b.lim.TokensAt(now) >= float64(b.lim.Burst()) {
			delete(lm.buckets, key)
		}
	}
}

func rateOf(l store.Limit) rate.Limit {
	if l.Rate <= 0 {
		return rate.Inf
	}
	return rate.Limit(l.Rate)
}

// burstOf treats a Burst below 1 as 1: a positive rate with no burst would
// otherwise allow nothing at all.
func burstOf(l store.Limit) int { return max(l.Burst, 1) }
