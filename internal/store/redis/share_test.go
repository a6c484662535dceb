package redis

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dropgate/dropgate/core/store"
)

// stepGate holds the first pipeline sent with a counted context until
// released, and records the commands of every such pipeline.
type stepGate struct {
	once    sync.Once
	held    chan struct{}
	release chan struct{}

	mu    sync.Mutex
	sizes []int
}

func newStepGate() *stepGate {
	return &stepGate{held: make(chan struct{}), release: make(chan struct{})}
}

func (g *stepGate) DialHook(next goredis.DialHook) goredis.DialHook          { return next }
func (g *stepGate) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook { return next }

func (g *stepGate) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		if ctx.Value(countedKey{}) != nil {
			g.mu.Lock()
			g.sizes = append(g.sizes, len(cmds))
			g.mu.Unlock()
			g.once.Do(func() {
				close(g.held)
				<-g.release
			})
		}
		return next(ctx, cmds)
	}
}

func (g *stepGate) pipelines() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]int(nil), g.sizes...)
}

// waitShared returns once n calls wait in s's line of shared pipelines.
func waitShared(t *testing.T, s *Store, n int) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		s.shared.mu.Lock()
		got := len(s.shared.line)
		s.shared.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d calls in line", got, n)
		}
	}
}

// lineUpShared runs first while the gate holds its pipeline, then each of
// rest in its own goroutine, and returns once they all wait in line, so
// they must share the next pipeline.
func lineUpShared(t *testing.T, s *Store, g *stepGate, first func() error, rest []func() error) (errs []error, wait func()) {
	t.Helper()
	errs = make([]error, 1+len(rest))
	var wg sync.WaitGroup
	wg.Go(func() { errs[0] = first() })
	<-g.held
	for i, call := range rest {
		wg.Go(func() { errs[1+i] = call() })
	}
	waitShared(t, s, len(rest))
	return errs, wg.Wait
}

// TestSharedStepsOwnAnswers: record reads and script calls that arrive
// while a pipeline is in flight go together in the next one, and each
// caller gets its own answer or error: a record, ErrNotFound, a refusal
// of its command alone (WRONGTYPE), an ack, a lost lease, a blob.
// leasedJobs enqueues n jobs on queue "q" and leases them.
func leasedJobs(t *testing.T, s *Store, n int) []*store.Job {
	t.Helper()
	ctx := context.Background()
	var jobs []*store.Job
	for range n {
		if _, err := s.Enqueue(ctx, store.Job{Queue: "q", Kind: "k"}); err != nil {
			t.Fatal(err)
		}
		j, err := s.Dequeue(ctx, []string{"q"}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, j)
	}
	return jobs
}

func TestSharedStepsOwnAnswers(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			o := tg.opts(t)
			o.EnqueuePipelines = 1
			s := openTest(t, o)
			defer s.Close()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			for _, id := range []string{"a", "b"} {
				if _, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: id, Data: []byte(`"` + id + `"`)}); err != nil {
					t.Fatal(err)
				}
			}
			// A key of the wrong type where a record's hash belongs: its
			// read fails, and only its read.
			if err := s.rdb.Set(ctx, s.keys.records("order").data("bad"), "x", 0).Err(); err != nil {
				t.Fatal(err)
			}
			if err := s.PutBlob(ctx, "raw/a", []byte("body a")); err != nil {
				t.Fatal(err)
			}
			jobs := leasedJobs(t, s, 2)
			stale := *jobs[1]
			stale.Lease = "not-the-lease"

			g := newStepGate()
			s.rdb.AddHook(g)
			cctx := counted(ctx)
			got := make([]store.Record, 4)
			get := func(i int, id string) func() error {
				return func() (err error) { got[i], err = s.GetRecord(cctx, "order", id); return err }
			}
			var blob []byte
			errs, wait := lineUpShared(t, s, g, get(0, "a"), []func() error{
				get(1, "b"),
				get(2, "missing"),
				get(3, "bad"),
				func() error { return s.Ack(cctx, jobs[0]) },
				func() error { return s.Ack(cctx, &stale) },
				// A worker reads a webhook's raw body per job: blobs share
				// the round trip too.
				func() (err error) { blob, err = s.GetBlob(cctx, "raw/a"); return err },
				func() error { _, err := s.GetBlob(cctx, "raw/missing"); return err },
				func() error { return s.PutBlob(cctx, "raw/b", []byte("body b")) },
			})
			close(g.release)
			wait()

			if p := g.pipelines(); len(p) != 2 || p[0] != 1 || p[1] != 8 {
				t.Errorf("pipelines carried %v commands; want [1 8]: the first alone, then the line together", p)
			}
			if errs[6] != nil || string(blob) != "body a" {
				t.Errorf("blob read: %q, %v", blob, errs[6])
			}
			if !errors.Is(errs[7], store.ErrNotFound) {
				t.Errorf("read of a missing blob: %v; want ErrNotFound", errs[7])
			}
			if b, err := s.GetBlob(ctx, "raw/b"); errs[8] != nil || err != nil || string(b) != "body b" {
				t.Errorf("blob write: %v; read back %q, %v", errs[8], b, err)
			}
			for i, id := range []string{"a", "b"} {
				if errs[i] != nil || got[i].ID != id || string(got[i].Data) != `"`+id+`"` {
					t.Errorf("read of %s: %+v, %v", id, got[i], errs[i])
				}
			}
			if !errors.Is(errs[2], store.ErrNotFound) {
				t.Errorf("read of a missing record: %v; want ErrNotFound", errs[2])
			}
			if errs[3] == nil || !strings.Contains(errs[3].Error(), "WRONGTYPE") || errors.Is(errs[3], store.ErrUnavailable) {
				t.Errorf("read of a key of the wrong type: %v; want its WRONGTYPE", errs[3])
			}
			if errs[4] != nil {
				t.Errorf("ack: %v", errs[4])
			}
			if !errors.Is(errs[5], store.ErrLeaseLost) {
				t.Errorf("ack with a lease not held: %v; want ErrLeaseLost", errs[5])
			}
			// The stale ack settled nothing: the real holder still can.
			if err := s.Ack(ctx, jobs[1]); err != nil {
				t.Errorf("ack of the job the stale ack named: %v", err)
			}
		})
	}
}

// TestSharedStepCallerGaveUp: a caller whose context ends while it waits
// in line is answered with its context's error and its step is not sent;
// the others in the same line are.
func TestSharedStepCallerGaveUp(t *testing.T) {
	s := openTest(t, Options{URL: standaloneOptions(t).URL, EnqueuePipelines: 1})
	defer s.Close()
	ctx := context.Background()
	jobs := leasedJobs(t, s, 2)
	g := newStepGate()
	s.rdb.AddHook(g)
	cctx := counted(ctx)
	gone, cancel := context.WithCancel(cctx)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	wg.Go(func() { _, errs[0] = s.GetRecord(cctx, "order", "x") })
	<-g.held
	wg.Go(func() { errs[1] = s.Ack(cctx, jobs[0]) })
	wg.Go(func() { errs[2] = s.Ack(gone, jobs[1]) })
	waitShared(t, s, 2)
	cancel()
	close(g.release)
	wg.Wait()
	if !errors.Is(errs[0], store.ErrNotFound) || errs[1] != nil {
		t.Errorf("the calls that stayed: %v, %v; want ErrNotFound, nil", errs[0], errs[1])
	}
	if !errors.Is(errs[2], context.Canceled) {
		t.Errorf("caller that gave up: %v; want context.Canceled", errs[2])
	}
	if err := s.Ack(ctx, jobs[1]); err != nil {
		t.Errorf("ack of the abandoned ack's job: %v; want it still leased (the ack was never sent)", err)
	}
}

// TestSharedStepsRedisDown: when Redis dies under a pipeline of waiting
// calls, each caller gets ErrUnavailable and none hangs; after a restart
// that lost the script cache, script calls (lease, ack) send the script
// again and succeed.
func TestSharedStepsRedisDown(t *testing.T) {
	srv := startRedis(t, t.TempDir(), "--appendonly", "no")
	s := openTest(t, Options{URL: "redis://" + srv.addr + "/0", EnqueuePipelines: 1})
	defer s.Close()
	ctx := counted(context.Background())
	g := newStepGate()
	s.rdb.AddHook(g)
	read := func() error { _, err := s.GetRecord(ctx, "order", "x"); return err }
	errs, wait := lineUpShared(t, s, g, read, []func() error{read, read, read})
	srv.kill()
	close(g.release)
	wait()
	for i, err := range errs {
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("call %d with Redis down: %v; want ErrUnavailable", i, err)
		}
	}

	srv.restart(t)
	var err error
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		_, err = s.Enqueue(ctx, store.Job{ID: "after", Queue: "q", Kind: "k"})
		if !errors.Is(err, store.ErrUnavailable) || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("enqueue after the restart: %v", err)
	}
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	j, err := s.Dequeue(dctx, []string{"q"}, time.Minute)
	if err != nil || j == nil || j.ID != "after" {
		t.Fatalf("dequeue after the restart: %v, %v", j, err)
	}
	if err := s.Ack(ctx, j); err != nil {
		t.Errorf("ack after the restart: %v", err)
	}
}

// TestRoundTripsCounted: the counter behind
// dropgate_store_round_trips_total counts a command sent alone once and
// a pipeline once, whatever it holds.
func TestRoundTripsCounted(t *testing.T) {
	o, err := standaloneOptions(t).withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	c, err := o.client()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := &Store{}
	s.countRoundTrips(c)
	ctx := context.Background()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	base := s.RoundTrips()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		p.Ping(ctx)
		p.Ping(ctx)
		p.Ping(ctx)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n := s.RoundTrips() - base; n != 2 {
		t.Errorf("a command and a pipeline of three counted %d round trips; want 2", n)
	}
}
