package worker

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

func setup(t *testing.T) (*embedded.Store, *Runner, func()) {
	t.Helper()
	st, err := embedded.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Queue: st, Queues: []string{"q"}, Concurrency: 2, Lease: time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Policy: func(*store.Job) connector.RetryPolicy {
			return connector.RetryPolicy{MaxAttempts: 3, BaseDelay: 10 * time.Millisecond, MaxDelay: 20 * time.Millisecond}
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	start := func() {
		go func() { _ = r.Run(ctx, time.Second); close(done) }()
	}
	t.Cleanup(func() {
		cancel()
		<-done
		st.Close()
	})
	return st, r, start
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute) // a hang guard
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func dead(t *testing.T, st *embedded.Store) []store.Job {
	t.Helper()
	jobs, _, err := st.DeadLetters(context.Background(), "", 10)
	if err != nil {
		t.Fatal(err)
	}
	return jobs
}

// settled reports whether no job is ready, scheduled or running.
func settled(t *testing.T, st *embedded.Store) bool {
	t.Helper()
	stats, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range stats {
		if q.Ready+q.Scheduled+q.InFlight+q.Waiting != 0 {
			return false
		}
	}
	return true
}

func TestRetryThenSucceed(t *testing.T) {
	st, r, start := setup(t)
	var calls atomic.Int32
	r.Handle("k", func(_ context.Context, j *store.Job) error {
		if calls.Add(1) < 3 {
			return errors.New("flaky")
		}
		return nil
	})
	start()
	if _, err := st.Enqueue(context.Background(), store.Job{Queue: "q", Kind: "k"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "third call", func() bool { return calls.Load() == 3 })
	// Once acknowledged the job is gone: nothing can call the handler again.
	waitFor(t, "the job acknowledged", func() bool { return settled(t, st) })
	if calls.Load() != 3 || len(dead(t, st)) != 0 {
		t.Errorf("calls=%d dead=%d", calls.Load(), len(dead(t, st)))
	}
}

func TestOutOfAttemptsGoesDeadWithEveryError(t *testing.T) {
	st, r, start := setup(t)
	r.Handle("k", func(context.Context, *store.Job) error { return errors.New("still down") })
	start()
	if _, err := st.Enqueue(context.Background(), store.Job{Queue: "q", Kind: "k", MaxAttempts: 3, Payload: []byte("raw")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "dead letter", func() bool { return len(dead(t, st)) == 1 })
	d := dead(t, st)[0]
	if string(d.Payload) != "raw" || len(d.Errors) != 3 || d.DeadAt.IsZero() {
		t.Errorf("dead letter = payload %q, %d errors, dead at %v", d.Payload, len(d.Errors), d.DeadAt)
	}
}

func TestPermanentIsDeadAtOnce(t *testing.T) {
	st, r, start := setup(t)
	var calls atomic.Int32
	r.Handle("k", func(context.Context, *store.Job) error {
		calls.Add(1)
		return fault.Permanentf("bad payload at $.line_items[0]")
	})
	start()
	st.Enqueue(context.Background(), store.Job{Queue: "q", Kind: "k"})
	waitFor(t, "dead letter", func() bool { return len(dead(t, st)) == 1 })
	if calls.Load() != 1 || dead(t, st)[0].Errors[0].Error != "bad payload at $.line_items[0]" {
		t.Errorf("calls=%d errors=%+v", calls.Load(), dead(t, st)[0].Errors)
	}
}

func TestThrottledDoesNotSpendAttempts(t *testing.T) {
	st, r, start := setup(t)
	var mu sync.Mutex
	var attempts []int
	r.Handle("k", func(_ context.Context, j *store.Job) error {
		mu.Lock()
		defer mu.Unlock()
		attempts = append(attempts, j.Attempt)
		if len(attempts) <= 5 {
			return fault.Throttled("shop", time.Now().Add(5*time.Millisecond))
		}
		return nil
	})
	start()
	st.Enqueue(context.Background(), store.Job{Queue: "q", Kind: "k", MaxAttempts: 2})
	waitFor(t, "six runs", func() bool { mu.Lock(); defer mu.Unlock(); return len(attempts) == 6 })
	mu.Lock()
	defer mu.Unlock()
	for i, a := range attempts {
		if a != 1 {
			t.Errorf("run %d had attempt %d; throttling must not count", i, a)
		}
	}
	if len(dead(t, st)) != 0 {
		t.Error("a throttled job must never die of throttling")
	}
}

func TestPanicIsContained(t *testing.T) {
	st, r, start := setup(t)
	var calls atomic.Int32
	r.Handle("k", func(context.Context, *store.Job) error {
		if calls.Add(1) == 1 {
			var m map[string]int
			m["boom"]++
		}
		return nil
	})
	start()
	st.Enqueue(context.Background(), store.Job{Queue: "q", Kind: "k"})
	waitFor(t, "retry after panic", func() bool { return calls.Load() == 2 })
}

func TestUnknownKindIsDead(t *testing.T) {
	st, _, start := setup(t)
	start()
	st.Enqueue(context.Background(), store.Job{Queue: "q", Kind: "nobody"})
	waitFor(t, "dead letter", func() bool { return len(dead(t, st)) == 1 })
}

func TestBackoffGrowsWithJitterAndCap(t *testing.T) {
	p := connector.RetryPolicy{BaseDelay: time.Second, MaxDelay: 10 * time.Second}
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 9: 10 * time.Second} {
		for i := 0; i < 50; i++ {
			d := Backoff(p, n)
			if d < want/2 || d > want {
				t.Fatalf("Backoff(%d) = %v, want in [%v, %v]", n, d, want/2, want)
			}
		}
	}
}
