package connectortest

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connenv"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// Instance is the name every suite gives the connector instance (the
// channel of decoded orders, the supplier of POs).
const Instance = "suite"

// Epoch is where the suites' fake clock starts.
var Epoch = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// Rig is what a suite hands a harness to build a connector on: a fake
// clock (share it with the platform's fake), and an Env whose state,
// counters and claims live in a fresh embedded store on that clock and
// whose limiter is the store's, seen through a recorder.
type Rig struct {
	T       T
	Clock   *clock.Fake
	Env     connector.Env
	Limiter *Limiter
	Store   store.Store
}

// NewRig opens a rig whose Env has limit as its rate limit (the
// connector's default: the platform's quota).
func NewRig(t T, limit store.Limit) *Rig {
	t.Helper()
	clk := clock.NewFake(Epoch)
	st, err := embedded.Open(filepath.Join(t.TempDir(), "suite.db"), embedded.WithClock(clk))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	env := connenv.New(st, connenv.Options{Name: Instance, Namespace: "suite", Clock: clk,
		Logger: slog.New(slog.DiscardHandler), RateLimit: limit, Retry: connector.DefaultRetry, ConfigDir: t.TempDir()})
	lim := &Limiter{inner: st}
	env.Limiter = lim
	return &Rig{T: t, Clock: clk, Env: env, Limiter: lim, Store: st}
}

// Limiter is the shared rate limiter as a connector sees it, counting
// what it is asked; Starve makes it refuse every request for budget.
type Limiter struct {
	inner store.Limiter

	mu     sync.Mutex
	asked  int // Take calls
	tokens int // tokens granted
	starve bool
}

// Take implements store.Limiter.
func (l *Limiter) Take(ctx context.Context, key string, n int, lim store.Limit) (time.Duration, error) {
	l.mu.Lock()
	l.asked++
	starve := l.starve
	l.mu.Unlock()
	if starve {
		return time.Minute, nil
	}
	wait, err := l.inner.Take(ctx, key, n, lim)
	if err == nil && wait == 0 {
		l.mu.Lock()
		l.tokens += n
		l.mu.Unlock()
	}
	return wait, err
}

// Defer implements store.Limiter.
func (l *Limiter) Defer(ctx context.Context, key string, until time.Time) error {
	return l.inner.Defer(ctx, key, until)
}

// Sync implements store.Limiter.
func (l *Limiter) Sync(ctx context.Context, key string, used, capacity int, lim store.Limit) error {
	return l.inner.Sync(ctx, key, used, capacity, lim)
}

// Starve makes every Take refuse (true) or behave again (false).
func (l *Limiter) Starve(on bool) {
	l.mu.Lock()
	l.starve = on
	l.mu.Unlock()
}

// Tokens is how many tokens were granted so far.
func (l *Limiter) Tokens() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tokens
}

// Asked is how many times the limiter was asked.
func (l *Limiter) Asked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.asked
}
