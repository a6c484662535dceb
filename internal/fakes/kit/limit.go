package kit

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Limiter is a platform's quota. Admit decides one request of key at now:
// the headers go on the answer whatever the decision (Shopify shows
// "40/40" on its 429), and a refusal becomes a 429 with Message, counted
// as a quota violation.
type Limiter interface {
	Admit(key string, now time.Time) Decision
}

// Decision is a Limiter's verdict on one request.
type Decision struct {
	OK      bool
	Header  http.Header
	Message string
}

// decider is a kit limiter that can decide without spending, so All can
// admit a request only when every one of its quotas has room.
type decider interface {
	decide(key string, now time.Time, spend bool) Decision
}

// All admits a request only when every limiter does, and spends from
// each only then (Etsy: per second and per day). Its limiters must be the
// kit's.
func All(limiters ...Limiter) Limiter { return all(limiters) }

type all []Limiter

func (a all) Admit(key string, now time.Time) Decision {
	h := http.Header{}
	var refused *Decision
	for _, l := range a {
		d := l.(decider).decide(key, now, false)
		mergeHeader(h, d.Header)
		if !d.OK && refused == nil {
			refused = &d
		}
	}
	if refused != nil {
		refused.Header = h
		return *refused
	}
	h = http.Header{}
	for _, l := range a {
		mergeHeader(h, l.(decider).decide(key, now, true).Header)
	}
	return Decision{OK: true, Header: h}
}

// retryAfter renders a wait as whole seconds, at least 1.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}

// LeakyBucket is a leaky bucket per key (Shopify REST): each request adds
// a marble, marbles leak at a constant rate, and a request that would
// overflow is refused outright and adds nothing.
type LeakyBucket struct {
	Capacity      int
	LeakPerSecond float64
	// UsageHeader, when set, carries "used/capacity" on every answer
	// (X-Shopify-Shop-Api-Call-Limit).
	UsageHeader string
	// RetryAfter is sent with a refusal as is ("2.0": Shopify's, whatever
	// the actual wait); empty sends the wait for one marble to leak.
	RetryAfter string
	Message    string

	mu      sync.Mutex
	buckets map[string]*leaky
}

type leaky struct {
	level float64
	last  time.Time
}

// epsilon absorbs float rounding, so 40 marbles drained for exactly
// 0.5 s at 2/s read as 39, not 39.000000001.
const epsilon = 1e-9

// Admit implements Limiter.
func (b *LeakyBucket) Admit(key string, now time.Time) Decision { return b.decide(key, now, true) }

func (b *LeakyBucket) decide(key string, now time.Time, spend bool) Decision {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buckets == nil {
		b.buckets = map[string]*leaky{}
	}
	l := b.buckets[key]
	if l == nil {
		l = &leaky{}
		b.buckets[key] = l
	}
	// A clock that goes backwards leaks nothing rather than refilling.
	if !l.last.IsZero() && now.After(l.last) {
		l.level = math.Max(0, l.level-now.Sub(l.last).Seconds()*b.LeakPerSecond)
	}
	if l.last.IsZero() || now.After(l.last) {
		l.last = now
	}
	ok := l.level+1 <= float64(b.Capacity)+epsilon
	if ok && spend {
		l.level++
	}
	h := http.Header{}
	if b.UsageHeader != "" {
		h.Set(b.UsageHeader, fmt.Sprintf("%d/%d", int(math.Ceil(l.level-epsilon)), b.Capacity))
	}
	d := Decision{OK: ok, Header: h}
	if !ok {
		wait := time.Duration((l.level + 1 - float64(b.Capacity)) / b.LeakPerSecond * float64(time.Second))
		h.Set("Retry-After", firstNonEmpty(b.RetryAfter, retryAfter(wait)))
		d.Message = firstNonEmpty(b.Message, "too many requests")
	}
	return d
}

// WindowState is a fixed window's count, for its headers.
type WindowState struct {
	Quota, Left   int
	Window, Reset time.Duration // the window's length; the time left in it
}

// FixedWindow allows Quota requests per key per Window (BigCommerce: 150
// per 30 s); the window starts with the first request after the last one
// ended.
type FixedWindow struct {
	Quota  int
	Window time.Duration
	// Headers renders the window's state on every answer.
	Headers func(WindowState) http.Header
	// RetryAfter sends Retry-After (seconds left in the window) with a
	// refusal.
	RetryAfter bool
	Message    string

	mu      sync.Mutex
	windows map[string]*window
}

type window struct {
	start time.Time
	used  int
}

// Admit implements Limiter.
func (f *FixedWindow) Admit(key string, now time.Time) Decision { return f.decide(key, now, true) }

func (f *FixedWindow) decide(key string, now time.Time, spend bool) Decision {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.windows == nil {
		f.windows = map[string]*window{}
	}
	w := f.windows[key]
	if w == nil || !now.Before(w.start.Add(f.Window)) {
		w = &window{start: now}
		f.windows[key] = w
	}
	ok := w.used < f.Quota
	if ok && spend {
		w.used++
	}
	st := WindowState{Quota: f.Quota, Left: max(0, f.Quota-w.used), Window: f.Window, Reset: w.start.Add(f.Window).Sub(now)}
	h := http.Header{}
	if f.Headers != nil {
		h = f.Headers(st)
	}
	d := Decision{OK: ok, Header: h}
	if !ok {
		if f.RetryAfter {
			h.Set("Retry-After", retryAfter(st.Reset))
		}
		d.Message = firstNonEmpty(f.Message, "too many requests")
	}
	return d
}

// TokenState is a token bucket's state, for its headers.
type TokenState struct {
	Rate   float64
	Burst  int
	Tokens int           // whole tokens left
	Next   time.Duration // until the next token
	At     time.Time     // the decision's time
}

// TokenBucket refills Rate tokens per second up to Burst, starting full
// (Amazon SP-API per operation, Walmart).
type TokenBucket struct {
	Rate  float64
	Burst int
	// Headers renders the bucket's state on every answer.
	Headers func(TokenState) http.Header
	// NoRetryAfter leaves Retry-After out of refusals (SP-API sends none:
	// clients must back off on their own).
	NoRetryAfter bool
	Message      string

	mu      sync.Mutex
	buckets map[string]*tokens
}

type tokens struct {
	n    float64
	last time.Time
}

// Admit implements Limiter.
func (b *TokenBucket) Admit(key string, now time.Time) Decision { return b.decide(key, now, true) }

func (b *TokenBucket) decide(key string, now time.Time, spend bool) Decision {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buckets == nil {
		b.buckets = map[string]*tokens{}
	}
	t := b.buckets[key]
	if t == nil {
		t = &tokens{n: float64(b.Burst), last: now}
		b.buckets[key] = t
	}
	if now.After(t.last) {
		t.n = math.Min(float64(b.Burst), t.n+now.Sub(t.last).Seconds()*b.Rate)
		t.last = now
	}
	ok := t.n >= 1-epsilon
	if ok && spend {
		t.n--
	}
	var next time.Duration
	if t.n < 1-epsilon && b.Rate > 0 {
		next = time.Duration((1 - t.n) / b.Rate * float64(time.Second))
	}
	h := http.Header{}
	if b.Headers != nil {
		h = b.Headers(TokenState{Rate: b.Rate, Burst: b.Burst, Tokens: int(t.n + epsilon), Next: next, At: now})
	}
	d := Decision{OK: ok, Header: h}
	if !ok {
		if !b.NoRetryAfter {
			h.Set("Retry-After", retryAfter(next))
		}
		d.Message = firstNonEmpty(b.Message, "too many requests")
	}
	return d
}
