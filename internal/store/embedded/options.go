package embedded

import (
	"io"
	"log/slog"
	"time"

	"github.com/dropgate/dropgate/core/clock"
)

// Option configures Open.
type Option func(*options)

type options struct {
	clock         clock.Clock
	logger        *slog.Logger
	maxAttempts   int
	lockTimeout   time.Duration
	sweepInterval time.Duration
	defaultLease  time.Duration
	// log, checkpointEvery and checkpointBytes set the redo log (wal.go).
	log             bool
	checkpointEvery time.Duration
	checkpointBytes int64
}

func defaultOptions() options {
	return options{
		clock:         clock.Real{},
		logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		maxAttempts:   25,
		lockTimeout:   500 * time.Millisecond,
		sweepInterval: time.Minute,
		defaultLease:  time.Minute,

		log:             true,
		checkpointEvery: defaultCheckpointEvery,
		checkpointBytes: defaultCheckpointBytes,
	}
}

// WithClock sets the clock used for run times, leases, TTLs, record
// timestamps and the limiter. Timers that wake blocked Dequeue calls run on
// the wall clock, so with a fake clock a Dequeue already blocked does not
// notice Advance; a new call (or any Enqueue/Retry) re-evaluates the time.
func WithClock(c clock.Clock) Option {
	return func(o *options) {
		if c != nil {
			o.clock = c
		}
	}
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithMaxAttempts sets the attempts a job gets when its MaxAttempts is 0
// (default 25).
func WithMaxAttempts(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxAttempts = n
		}
	}
}

// WithLockTimeout sets how long Open waits for the file lock held by
// another process before failing (default 500ms).
func WithLockTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.lockTimeout = d
		}
	}
}

// WithSweepInterval sets how often expired unique keys, claims and idle
// limiter buckets are removed (default 1 minute). Expiry is also checked
// lazily on access, so this only bounds the space they hold.
func WithSweepInterval(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.sweepInterval = d
		}
	}
}

// WithDefaultLease sets the lease Dequeue grants when called with a lease
// of 0 or less (default 1 minute).
func WithDefaultLease(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.defaultLease = d
		}
	}
}

// withoutLog makes bbolt sync every commit, as before the redo log: for
// tests that compare the two, and the platforms without the log.
func withoutLog() Option { return func(o *options) { o.log = false } }

// withCheckpoints sets when a checkpoint starts: after every (time) or
// bytes of log, whichever first; tests make them frequent.
func withCheckpoints(every time.Duration, bytes int64) Option {
	return func(o *options) {
		if every > 0 {
			o.checkpointEvery = every
		}
		if bytes > 0 {
			o.checkpointBytes = bytes
		}
	}
}
