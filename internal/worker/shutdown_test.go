package worker

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/store/embedded"
	"github.com/dropgate/dropgate/internal/testutil"
)

// A handler that ignores its context (stuck in a loop, a call without a
// timeout) must not keep the process from stopping: Run gives up on it
// after the grace period, and the job, whose lease is no longer renewed,
// goes to the next runner.
func TestRunAbandonsHandlerThatIgnoresItsContext(t *testing.T) {
	st, err := embedded.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var logs testutil.Buffer
	guard, cancelGuard := context.WithTimeout(context.Background(), time.Minute)
	defer cancelGuard()

	started := make(chan string, 1)
	release := make(chan struct{}) // the stuck handler returns only at the end of the test
	defer close(release)
	first := &Runner{Queue: st, Queues: []string{"q"}, Concurrency: 1, Lease: 500 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	first.Handle("k", func(_ context.Context, j *store.Job) error {
		started <- j.ID
		<-release // ignores ctx
		return nil
	})
	id, err := st.Enqueue(context.Background(), store.Job{Queue: "q", Kind: "k"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	returned := make(chan error, 1)
	go func() { returned <- first.Run(ctx, 100*time.Millisecond) }()
	select {
	case got := <-started:
		if got != id {
			t.Fatalf("handler got job %s, want %s", got, id)
		}
	case <-guard.Done():
		t.Fatal("the job never started")
	}
	stop()
	select {
	case <-returned:
	case <-guard.Done():
		t.Fatal("Run did not return: it waits for a handler that ignores its context")
	}
	if out := logs.String(); !strings.Contains(out, "abandoning") || !strings.Contains(out, "job="+id) {
		t.Errorf("the abandoned job is not logged:\n%s", out)
	}

	redelivered := make(chan *store.Job, 1)
	second := &Runner{Queue: st, Queues: []string{"q"}, Concurrency: 1, Lease: 500 * time.Millisecond, Logger: quiet}
	second.Handle("k", func(_ context.Context, j *store.Job) error {
		redelivered <- j
		return nil
	})
	ctx2, stop2 := context.WithCancel(context.Background())
	done2 := make(chan struct{})
	go func() { _ = second.Run(ctx2, time.Second); close(done2) }()
	defer func() { stop2(); <-done2 }()
	select {
	case j := <-redelivered:
		if j.ID != id || j.Attempt < 2 {
			t.Errorf("next runner got job %s attempt %d, want %s redelivered", j.ID, j.Attempt, id)
		}
	case <-guard.Done():
		t.Fatal("the abandoned job was never delivered again")
	}
}
