package shopifyfake

import (
	"math"
	"time"
)

// bucket is Shopify's REST leaky bucket for one shop and app: each request
// adds one marble, marbles leak at a constant rate, and a request that would
// overflow is refused outright (Shopify's throttle is pass or fail; a
// refused request adds nothing).
// https://shopify.dev/docs/api/admin-rest/usage/rate-limits
type bucket struct {
	capacity float64
	leak     float64 // marbles per second
	level    float64
	last     time.Time
}

// epsilon absorbs float rounding so that, e.g., 40 marbles drained for
// exactly 0.5 s at 2/s read as 39, not 39.000000001.
const epsilon = 1e-9

func newBucket(capacity int, leak float64) *bucket {
	return &bucket{capacity: float64(capacity), leak: leak}
}

// take admits one request at now, reporting the marbles in the bucket after
// the decision (what X-Shopify-Shop-Api-Call-Limit shows) and whether the
// request may proceed.
func (b *bucket) take(now time.Time) (used int, ok bool) {
	b.drain(now)
	if b.level+1 > b.capacity+epsilon {
		return b.used(), false
	}
	b.level++
	return b.used(), true
}

// drain leaks what has leaked since the last call. A clock that goes
// backwards leaks nothing rather than refilling the bucket.
func (b *bucket) drain(now time.Time) {
	if !b.last.IsZero() && now.After(b.last) {
		b.level = math.Max(0, b.level-now.Sub(b.last).Seconds()*b.leak)
	}
	if b.last.IsZero() || now.After(b.last) {
		b.last = now
	}
}

func (b *bucket) used() int { return int(math.Ceil(b.level - epsilon)) }
