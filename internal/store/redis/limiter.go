package redis

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// The global rate limiter: one token bucket per key, in a hash
// P:{l:<key>} (tok: tokens, ts: when tok was computed, until: blocked
// until), updated by one script per call. Time is the Redis server's
// (TIME), so replicas whose clocks disagree still share one timeline; the
// store's Clock only converts a Defer deadline into "how long from now".
// Nothing sleeps: a refused Take spends nothing and says how long to wait.
//
// Headroom. N replicas spending from one Shopify bucket (40, leaking 2/s)
// through this limiter never spend faster than the platform leaks, and a
// delay common to every request shifts arrivals and leak alike. What can
// still draw a 429 is what the limiter cannot see:
//   - arrival jitter at the onset of a burst: while the platform's bucket
//     is empty it does not leak, so a burst whose first requests arrive
//     late leaves it fuller than ours by up to rate × jitter;
//   - requests in flight at a Sync: the platform's count, adopted when it
//     is higher than ours (another app's calls, a limiter that lost its
//     state, the platform rounding up), does not include our requests
//     still on the wire, about rate × latency of them.
// So the limiter holds LimitHeadroom (10%) of every burst back: a Shopify
// bucket is spent down to 36 of 40, which covers 2 s of either at 2/s.
// It costs a tenth of the first burst and nothing of the sustained rate:
// replicas use the platform's full 2/s in steady state, and ≥ 95% of the
// allowance (40 + 2/s × t) over a run that starts from a full bucket
// (TestLimiterSharedByReplicas). Bursts under 10 tokens get no headroom
// (it rounds down), so small limits are exact.

const luaNow = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
`

// luaTokens computes the bucket's tokens at now (full when unknown).
const luaTokens = `
local f = redis.call('HMGET', KEYS[1], 'tok', 'ts', 'until')
local blocked = tonumber(f[3] or '0') or 0
local function tokens(rate, cap)
  if not f[1] then
    return cap
  end
  return math.min(cap, tonumber(f[1]) + (now - tonumber(f[2])) * rate / 1000000)
end
-- keep sets the bucket and lets Redis forget it once it would be full
-- and unblocked again: an absent bucket is a full one.
local function keep(tok, rate, cap)
  redis.call('HSET', KEYS[1], 'tok', string.format('%.17g', tok), 'ts', string.format('%d', now))
  local ms = math.ceil((cap - tok) * 1000 / rate) + 1000
  if blocked > now then
    ms = math.max(ms, math.ceil((blocked - now) / 1000) + 1000)
  end
  redis.call('PEXPIRE', KEYS[1], ms)
end
`

// scriptTake spends n tokens if the bucket has them. It answers 0 when
// they were spent, otherwise the wait in microseconds.
//
// KEYS: bucket
// ARGV: n rate cap
var scriptTake = newScript("take", luaNow+luaTokens+`
if now < blocked then
  return blocked - now
end
local n, rate, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if rate <= 0 then
  return 0
end
local tok = tokens(rate, cap)
if tok < n then
  return math.ceil((n - tok) * 1000000 / rate)
end
keep(tok - n, rate, cap)
return 0
`)

// scriptSync lowers the bucket to target tokens (never raises it).
//
// KEYS: bucket
// ARGV: rate cap target
var scriptSync = newScript("sync", luaNow+luaTokens+`
local rate, cap, target = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if rate <= 0 or target >= tokens(rate, cap) then
  return 0
end
keep(target, rate, cap)
return 1
`)

// scriptDefer blocks the bucket for d microseconds from now, unless it is
// blocked longer already.
//
// KEYS: bucket
// ARGV: d
var scriptDefer = newScript("defer", luaNow+`
local untilv = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('HGET', KEYS[1], 'until') or '0') or 0
if untilv <= cur then
  return 0
end
redis.call('HSET', KEYS[1], 'until', string.format('%d', untilv))
local ms = math.ceil((untilv - now) / 1000) + 1000
if redis.call('PTTL', KEYS[1]) < ms then
  redis.call('PEXPIRE', KEYS[1], ms)
end
return 1
`)

// bucket is a Limit as the scripts see it.
type bucket struct {
	rate  float64
	burst int
	cap   int // burst minus headroom: what Take may spend
}

func (s *Store) bucket(l store.Limit) bucket {
	burst := max(l.Burst, 1) // a positive rate with no burst would allow nothing
	reserve := int(math.Floor(float64(burst) * s.opts.LimitHeadroom))
	return bucket{rate: l.Rate, burst: burst, cap: burst - reserve}
}

// Take spends n tokens of key and returns 0, or spends nothing and returns
// how long until n tokens are there (or key's Defer ends). A Rate of 0 or
// less means unlimited. More than the usable burst can never be had: an
// error.
func (s *Store) Take(ctx context.Context, key string, n int, l store.Limit) (time.Duration, error) {
	if err := s.usable(ctx); err != nil {
		return 0, err
	}
	if n <= 0 {
		return 0, nil
	}
	b := s.bucket(l)
	if b.rate > 0 && n > b.cap {
		return 0, fmt.Errorf("redis: limiter %s: %d tokens exceed the usable burst of %d (burst %d less headroom)", key, n, b.cap, b.burst)
	}
	v, err := s.eval(ctx, scriptTake, []string{s.keys.limiter(key)}, n, b.rate, b.cap)
	if err != nil {
		return 0, err
	}
	us, _ := v.(int64)
	return time.Duration(us) * time.Microsecond, nil
}

// Defer blocks key until t: Take returns the remaining time until then.
// An earlier t than a block already in place does not shorten it. t is
// turned into a duration on the store's clock and back into an instant
// on the server's, so a replica's clock skew does not move it.
func (s *Store) Defer(ctx context.Context, key string, until time.Time) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	d := until.Sub(s.clock.Now())
	if d <= 0 {
		return nil
	}
	_, err := s.eval(ctx, scriptDefer, []string{s.keys.limiter(key)}, itoa(d.Microseconds()))
	return err
}

// Sync lowers key's tokens to what the platform reports as left: used of
// capacity, scaled to l.Burst when the platform's capacity differs, less
// the headroom. It never raises them: requests of ours still in flight
// are not in the platform's count yet, so our own figure is the safer one
// when lower.
func (s *Store) Sync(ctx context.Context, key string, used, capacity int, l store.Limit) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	if capacity <= 0 {
		return fmt.Errorf("redis: sync limiter %s: capacity %d", key, capacity)
	}
	b := s.bucket(l)
	if b.rate <= 0 {
		return nil
	}
	spent := float64(min(max(used, 0), capacity)) / float64(capacity) * float64(b.burst)
	target := float64(b.cap) - spent // below 0 when the platform is into our headroom
	_, err := s.eval(ctx, scriptSync, []string{s.keys.limiter(key)}, b.rate, b.cap, target)
	return err
}
