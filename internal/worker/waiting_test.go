package worker

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/store"
)

// TestWaitingHandlerLetsAnotherRun: with one handler, a job that waits
// for another job's work (as a supplier batch waits for its members)
// would wait forever; saying so (job.Waiting) lets the runner start the
// other meanwhile, one loop however often it waits. Only Concurrency
// handlers work at once, and once the waiting job is done its loop stops:
// one loop is left, and it works.
func TestWaitingHandlerLetsAnotherRun(t *testing.T) {
	st, r, start := setup(t)
	r.Concurrency = 1
	other := make(chan struct{})
	var working, most, acked atomic.Int32
	var standIns atomic.Int64 // loops started for the waiting job
	enter := func() {
		n := working.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
	}
	r.Handle("waits", func(ctx context.Context, _ *store.Job) error {
		enter()
		working.Add(-1)
		resume := job.Waiting(ctx)
		job.Waiting(ctx)() // a second wait of the same job: it holds one place
		standIns.Store(r.standIns.Load())
		<-other
		resume()
		enter()
		defer working.Add(-1)
		acked.Add(1)
		return nil
	})
	r.Handle("other", func(context.Context, *store.Job) error {
		enter()
		defer working.Add(-1)
		close(other)
		acked.Add(1)
		return nil
	})
	var third atomic.Bool
	r.Handle("third", func(context.Context, *store.Job) error { third.Store(true); return nil })
	ctx := context.Background()
	if _, err := st.Enqueue(ctx, store.Job{Queue: "q", Kind: "waits"}); err != nil {
		t.Fatal(err)
	}
	start()
	waitFor(t, "the waiting job to be leased", func() bool { return r.standIns.Load() == 1 })
	if _, err := st.Enqueue(ctx, store.Job{Queue: "q", Kind: "other"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both jobs to finish", func() bool { return acked.Load() == 2 })
	waitFor(t, "the stand-in loop to stop", func() bool { return r.standIns.Load() == 0 })
	if n := standIns.Load(); n != 1 {
		t.Errorf("%d loops started for one waiting job (it waited twice); want 1", n)
	}
	if m := most.Load(); m != 1 {
		t.Errorf("%d handlers worked at once; want at most Concurrency (1)", m)
	}
	// The one loop left still works.
	if _, err := st.Enqueue(ctx, store.Job{Queue: "q", Kind: "third"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a job after the wait", third.Load)
}
