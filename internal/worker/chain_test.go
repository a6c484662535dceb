package worker

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// chainer gives the embedded store a CompleteAndNext that leases the next
// job without waiting, and records what the worker asked of it.
type chainer struct {
	*embedded.Store
	mu        sync.Mutex
	dequeues  int
	chained   []string   // ids CompleteAndNext leased
	orders    [][]string // the queues each CompleteAndNext was given
	afterNext func()     // runs after a job was leased by CompleteAndNext
}

func (c *chainer) Dequeue(ctx context.Context, queues []string, lease time.Duration) (*store.Job, error) {
	c.mu.Lock()
	c.dequeues++
	c.mu.Unlock()
	return c.Store.Dequeue(ctx, queues, lease)
}

func (c *chainer) CompleteAndNext(ctx context.Context, j *store.Job, fx *store.Effects, queues []string, lease time.Duration) (*store.Job, error) {
	if err := c.Complete(ctx, j, fx); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.orders = append(c.orders, slices.Clone(queues))
	c.mu.Unlock()
	dctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	next, err := c.Store.Dequeue(dctx, queues, lease)
	if err != nil || next == nil {
		return nil, nil
	}
	c.mu.Lock()
	c.chained = append(c.chained, next.ID)
	c.mu.Unlock()
	if c.afterNext != nil {
		c.afterNext()
	}
	return next, nil
}

// TestChainedSettleRunsTheNextJob: with a store.Chainer the worker runs
// the job its settle leased instead of dequeueing, passes the queue order
// of its next turn (reversed one turn in fairEvery), and every job runs
// once.
func TestChainedSettleRunsTheNextJob(t *testing.T) {
	st, r, start := setup(t)
	c := &chainer{Store: st}
	r.Queue, r.Concurrency, r.Queues = c, 1, []string{"q", "p"}
	var mu sync.Mutex
	ran := map[string]int{}
	r.Handle("k", func(ctx context.Context, j *store.Job) error {
		mu.Lock()
		ran[j.ID]++
		mu.Unlock()
		return nil
	})
	ctx := context.Background()
	for _, id := range []string{"j1", "j2", "j3", "j4", "j5"} {
		if _, err := st.Enqueue(ctx, store.Job{ID: id, Queue: "q", Kind: "k"}); err != nil {
			t.Fatal(err)
		}
	}
	start()
	waitFor(t, "all jobs settled", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(ran) == 5 && settled(t, st)
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, n := range ran {
		if n != 1 {
			t.Fatalf("job %s ran %d times; want once", id, n)
		}
	}
	if len(c.chained) < 4 || c.dequeues > 2 {
		t.Fatalf("chained %v with %d Dequeue calls; want the jobs after the first leased by the settles", c.chained, c.dequeues)
	}
	// Turns 1, 2, 3…: turn 2 (n%3 == 2) has the order reversed.
	if want := []string{"p", "q"}; !slices.Equal(c.orders[1], want) || !slices.Equal(c.orders[0], r.Queues) {
		t.Fatalf("orders %v; want %v then %v", c.orders, r.Queues, want)
	}
}

// TestChainedJobGivenBackAtShutdown: a job leased by the last settle of a
// stopping worker goes back ready, its attempt not counted, instead of
// waiting for its lease to expire.
func TestChainedJobGivenBackAtShutdown(t *testing.T) {
	st, err := embedded.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := &chainer{Store: st}
	r := &Runner{Queue: c, Queues: []string{"q"}, Concurrency: 1, Lease: time.Hour,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	c.afterNext = cancel // SIGTERM arrives while the settle leases the next job
	r.Handle("k", func(ctx context.Context, j *store.Job) error { return nil })
	for _, id := range []string{"j1", "j2"} {
		if _, err := st.Enqueue(context.Background(), store.Job{ID: id, Queue: "q", Kind: "k"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Run(ctx, time.Second); err != nil {
		t.Fatal(err)
	}
	stats, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 1 || stats[0].Ready != 1 || stats[0].InFlight != 0 {
		t.Fatalf("stats %+v; want j2 ready again, nothing in flight", stats)
	}
	j, err := st.Dequeue(context.Background(), []string{"q"}, time.Minute)
	if err != nil || j.ID != "j2" || j.Attempt != 1 {
		t.Fatalf("Dequeue = %+v, %v; want j2 at attempt 1", j, err)
	}
}
