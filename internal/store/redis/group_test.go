package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dropgate/dropgate/core/store"
)

// gate holds the first pipeline of enqueue scripts until released, and
// records how many scripts each such pipeline carried.
type gate struct {
	once    sync.Once
	held    chan struct{}
	release chan struct{}

	mu    sync.Mutex
	sizes []int
}

func newGate() *gate { return &gate{held: make(chan struct{}), release: make(chan struct{})} }

func (g *gate) DialHook(next goredis.DialHook) goredis.DialHook { return next }
func (g *gate) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return next
}

func (g *gate) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		n := 0
		for _, c := range cmds {
			if args := c.Args(); len(args) > 1 && args[0] == "evalsha" && args[1] == scriptEnqueue.Hash() {
				n++
			}
		}
		if n > 0 {
			g.mu.Lock()
			g.sizes = append(g.sizes, n)
			g.mu.Unlock()
			g.once.Do(func() {
				close(g.held)
				<-g.release
			})
		}
		return next(ctx, cmds)
	}
}

func (g *gate) pipelines() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]int(nil), g.sizes...)
}

// lineUp starts each call in its own goroutine while the gate holds the
// first pipeline, and returns once all of them wait in the store's line,
// so they must share the next pipeline.
func lineUp(t *testing.T, s *Store, g *gate, calls []func() (string, error)) (ids []string, errs []error, wait func()) {
	t.Helper()
	ids, errs = make([]string, len(calls)), make([]error, len(calls))
	var wg sync.WaitGroup
	for i, call := range calls {
		wg.Go(func() { ids[i], errs[i] = call() })
	}
	waitLine(t, s, len(calls)-1) // the first leads the held pipeline
	return ids, errs, wg.Wait
}

// waitLine returns once n calls wait in s's line.
func waitLine(t *testing.T, s *Store, n int) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		s.group.mu.Lock()
		got := len(s.group.line)
		s.group.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d calls in line", got, n)
		}
	}
}

// TestEnqueueGrouped: Enqueue calls that arrive while a pipeline is in
// flight go together in the next one, and each caller gets its own
// answer: its id, ErrDuplicate for a held id or unique key, a delayed or
// grouped job stored as such.
func TestEnqueueGrouped(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			o := tg.opts(t)
			o.EnqueuePipelines = 1
			s := openTest(t, o)
			defer s.Close()
			g := newGate()
			s.rdb.AddHook(g)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			enq := func(j store.Job) func() (string, error) {
				return func() (string, error) { return s.Enqueue(ctx, j) }
			}
			calls := []func() (string, error){
				enq(store.Job{ID: "first", Queue: "q", Kind: "k"}),
				enq(store.Job{ID: "same", Queue: "q", Kind: "k"}),
				enq(store.Job{ID: "same", Queue: "q", Kind: "k"}),
				enq(store.Job{Queue: "q", Kind: "k", UniqueKey: "u", UniqueTTL: time.Minute}),
				enq(store.Job{Queue: "q", Kind: "k", UniqueKey: "u", UniqueTTL: time.Minute}),
				enq(store.Job{Queue: "q", Kind: "k", Group: "order-1"}),
				enq(store.Job{Queue: "q", Kind: "k", Group: "order-1"}),
				enq(store.Job{Queue: "q", Kind: "later", RunAt: time.Now().Add(time.Hour)}),
				enq(store.Job{Queue: "other", Kind: "k"}),
			}
			ids, errs, wait := lineUp(t, s, g, calls)
			close(g.release)
			wait()

			if got := g.pipelines(); len(got) != 2 || got[0] != 1 || got[1] != len(calls)-1 {
				t.Errorf("enqueue pipelines carried %v scripts; want [1 %d]", got, len(calls)-1)
			}
			stored := 0
			seen := map[string]bool{}
			for i, err := range errs {
				switch {
				case err == nil:
					if ids[i] == "" || seen[ids[i]] {
						t.Errorf("call %d: id %q (empty or repeated)", i, ids[i])
					}
					seen[ids[i]] = true
					stored++
				case !errors.Is(err, store.ErrDuplicate):
					t.Errorf("call %d: %v", i, err)
				}
			}
			for _, pair := range [][2]int{{1, 2}, {3, 4}} {
				if (errs[pair[0]] == nil) == (errs[pair[1]] == nil) {
					t.Errorf("calls %v: errors %v, %v; want exactly one ErrDuplicate", pair, errs[pair[0]], errs[pair[1]])
				}
			}
			if want := len(calls) - 2; stored != want {
				t.Errorf("%d stored, want %d", stored, want)
			}
			stats, err := s.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, q := range stats {
				got[q.Queue] = fmt.Sprintf("ready %d waiting %d scheduled %d", q.Ready, q.Waiting, q.Scheduled)
			}
			if got["q"] != "ready 4 waiting 1 scheduled 1" || got["other"] != "ready 1 waiting 0 scheduled 0" {
				t.Errorf("stats %v; want q ready 4 waiting 1 (behind its group) scheduled 1, other ready 1", got)
			}
		})
	}
}

// TestEnqueueGroupRedisDown: when Redis dies under a pipeline of waiting
// calls, each caller gets ErrUnavailable (the gateway's 503), none hangs;
// after a restart that lost the script cache the next calls load the
// script again and succeed.
func TestEnqueueGroupRedisDown(t *testing.T) {
	srv := startRedis(t, t.TempDir(), "--appendonly", "no")
	s := openTest(t, Options{URL: "redis://" + srv.addr + "/0", EnqueuePipelines: 1})
	defer s.Close()
	ctx := context.Background()
	if _, err := s.Enqueue(ctx, store.Job{Queue: "q", Kind: "k"}); err != nil {
		t.Fatal(err) // registers the queue, so the calls below need only the script
	}
	g := newGate()
	s.rdb.AddHook(g)
	calls := make([]func() (string, error), 8)
	for i := range calls {
		calls[i] = func() (string, error) { return s.Enqueue(ctx, store.Job{Queue: "q", Kind: "k"}) }
	}
	ids, errs, wait := lineUp(t, s, g, calls)
	<-g.held
	srv.kill()
	close(g.release)
	wait()
	for i, err := range errs {
		if !errors.Is(err, store.ErrUnavailable) || ids[i] != "" {
			t.Errorf("call %d with Redis down: id %q, %v; want ErrUnavailable", i, ids[i], err)
		}
	}

	srv.restart(t)
	_, port, _ := net.SplitHostPort(srv.addr)
	var wg sync.WaitGroup
	errs = make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				_, errs[i] = s.Enqueue(ctx, store.Job{Queue: "q", Kind: "k"})
				if !errors.Is(errs[i], store.ErrUnavailable) || time.Now().After(deadline) {
					return
				}
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d after the restart of redis on port %s: %v", i, port, err)
		}
	}
}

// TestEnqueueGroupCallerGaveUp: a caller whose context ends while it waits
// in line is answered with its context's error and its job is not sent;
// the others in the same line are.
func TestEnqueueGroupCallerGaveUp(t *testing.T) {
	s := openTest(t, Options{URL: standaloneOptions(t).URL, EnqueuePipelines: 1})
	defer s.Close()
	g := newGate()
	s.rdb.AddHook(g)
	ctx := context.Background()
	gone, cancel := context.WithCancel(ctx)
	ids, errs := make([]string, 3), make([]error, 3)
	var wg sync.WaitGroup
	wg.Go(func() { ids[0], errs[0] = s.Enqueue(ctx, store.Job{ID: "a", Queue: "q", Kind: "k"}) })
	<-g.held // "a" leads the held pipeline; the others wait in line
	wg.Go(func() { ids[1], errs[1] = s.Enqueue(ctx, store.Job{ID: "b", Queue: "q", Kind: "k"}) })
	wg.Go(func() { ids[2], errs[2] = s.Enqueue(gone, store.Job{ID: "gone", Queue: "q", Kind: "k"}) })
	waitLine(t, s, 2)
	cancel()
	close(g.release)
	wg.Wait()
	for i, want := range []string{"a", "b"} {
		if errs[i] != nil || ids[i] != want {
			t.Errorf("call %d: %q, %v; want %q stored", i, ids[i], errs[i], want)
		}
	}
	if !errors.Is(errs[2], context.Canceled) {
		t.Errorf("caller that gave up: %q, %v; want context.Canceled", ids[2], errs[2])
	}
	if id, err := s.Enqueue(ctx, store.Job{ID: "gone", Queue: "q", Kind: "k"}); err != nil || id != "gone" {
		t.Errorf("the abandoned job's id again: %q, %v; want it free (the job was never sent)", id, err)
	}
}
