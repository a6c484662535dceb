package connector

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/store"
)

// Env is what an instance gets from the runtime: injected, never global,
// and narrow. A connector sees its own namespaced state, counters and
// claims, never the whole store (it cannot read orders or another
// connector's state), plus the shared rate limiter, a clock and a logger.
type Env struct {
	Name   string // the instance name from the config
	Logger *slog.Logger
	Clock  clock.Clock
	// State keeps the instance's own records (idempotency markers, poll
	// cursors), namespaced: kinds never collide with another instance's.
	State State
	// Counters are persistent sequences (EDI control numbers), namespaced.
	Counters Counters
	// Claims are expiring exclusive markers, namespaced.
	Claims Claims
	// Limiter is the store's rate limiter, shared by every replica. Its
	// keys are the platform's own budget (a Shopify shop, an Amazon
	// seller), which several instances may share, so it is not
	// namespaced.
	Limiter store.Limiter
	// Blobs keeps raw payloads (an inbound document, a feed), namespaced.
	Blobs Blobs
	// RateLimit and Retry are the effective policies (the spec's defaults
	// or the YAML's override).
	RateLimit store.Limit
	Retry     RetryPolicy
	ConfigDir string // relative paths in the config resolve against it
	// Calls is told how each outgoing call went (nil: not observed). A
	// connector hands it to the one HTTP client it builds.
	Calls CallObserver
}

// Log returns the instance's logger, or the default one in tests that
// built an Env without it.
func (e Env) Log() *slog.Logger {
	if e.Logger != nil {
		return e.Logger
	}
	return slog.Default()
}

// Now is the instance's clock, or real time.
func (e Env) Now() time.Time {
	if e.Clock != nil {
		return e.Clock.Now()
	}
	return time.Now()
}

// State is an instance's own small document store with optimistic
// concurrency (store.Records, scoped to the instance).
type State interface {
	GetRecord(ctx context.Context, kind, id string) (store.Record, error)
	PutRecord(ctx context.Context, rec store.Record) (int64, error)
	DeleteRecord(ctx context.Context, kind, id string) error
	ListRecords(ctx context.Context, kind string, q store.Query) ([]store.Record, string, error)
}

// Counters are an instance's persistent sequences (store.Counters).
type Counters interface {
	NextCounter(ctx context.Context, name, once string) (int64, error)
}

// Claims are an instance's expiring markers (store.Claims).
type Claims interface {
	Claim(ctx context.Context, key string, ttl time.Duration) (bool, error)
	Release(ctx context.Context, key string) error
}

// Blobs are an instance's raw payloads (store.Blobs).
type Blobs interface {
	PutBlob(ctx context.Context, key string, data []byte) error
	GetBlob(ctx context.Context, key string) ([]byte, error)
}

// Starter is a connector with work to do once before it serves: open a
// long-lived connection, sweep an outbox of a crashed write's leftovers.
// The app calls Start after building every connector and before the
// workers run; an error stops start-up.
type Starter interface {
	Start(ctx context.Context) error
}

// Closer is a connector holding resources (an SFTP or IMAP connection);
// the app calls Close on shutdown, after the workers stopped.
type Closer interface {
	Close() error
}

// ErrGone says the thing a call names no longer exists: an inbox file
// another replica already took, a listing deleted on the channel. Callers
// treat it as done, not as a failure.
var ErrGone = errors.New("gone")
