package storetest

import (
	"context"
	"fmt"
	"sync"
	"time"
)

var concurrencyCases = []testCase{
	{"EachJobOnceWhenAcked", testExactlyOnce},
	{"GroupsInOrderUnderCompletes", testGroupsUnderCompletes},
}

// testExactlyOnce runs producers and workers at once: every job is
// delivered exactly once (leases never expire here), none is lost.
func testExactlyOnce(h *harness) {
	const producers, perProducer, workers = 4, 75, 8
	const total = producers * perProducer
	ctx, cancel := context.WithTimeout(h.ctx, 90*time.Second)
	defer cancel()

	var (
		mu       sync.Mutex
		enqueued = map[string]bool{}
		seen     = map[string]int{}
		failure  error
	)
	fail := func(err error) {
		mu.Lock()
		if failure == nil {
			failure = err
		}
		mu.Unlock()
		cancel()
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for {
				j, err := h.s.Dequeue(ctx, []string{"work"}, longLease)
				if err != nil {
					return
				}
				if err := h.s.Ack(ctx, j); err != nil {
					fail(fmt.Errorf("worker %d: Ack(%s): %w", w, j.ID, err))
					return
				}
				mu.Lock()
				seen[j.ID]++
				if len(seen) == total {
					cancel()
				}
				mu.Unlock()
			}
		})
	}
	var pg sync.WaitGroup
	for p := range producers {
		pg.Go(func() {
			for i := range perProducer {
				id, err := h.s.Enqueue(ctx, newJob("work", fmt.Sprintf("%d/%d", p, i)))
				if err != nil {
					fail(fmt.Errorf("producer %d: Enqueue: %w", p, err))
					return
				}
				mu.Lock()
				enqueued[id] = true
				mu.Unlock()
			}
		})
	}
	pg.Wait()
	wg.Wait()
	if failure != nil {
		h.t.Fatal(failure)
	}
	if len(enqueued) != total {
		h.t.Fatalf("%d distinct ids for %d enqueued jobs", len(enqueued), total)
	}
	for id, n := range seen {
		if n != 1 {
			h.t.Fatalf("job %s delivered %d times", id, n)
		}
		if !enqueued[id] {
			h.t.Fatalf("delivered unknown job %s", id)
		}
	}
	if len(seen) != total {
		h.t.Fatalf("delivered %d of %d jobs", len(seen), total)
	}
	h.expectNone(quiet, "work")
}
