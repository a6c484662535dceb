package storetest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// testGroupsUnderCompletes runs producers that enqueue into a few groups
// while workers settle jobs with Complete, some with a follow-up in the
// same group. Jobs of one group are admitted and settled concurrently, so
// a group's next job is often released by a Complete that was queued
// before that job was enqueued. Every job must be delivered once, each
// producer's jobs in their group in the order it enqueued them, and the
// store must keep serving.
func testGroupsUnderCompletes(h *harness) {
	const producers, perProducer, groups, workers = 4, 60, 3, 8
	c, d := h.completer()
	ctx, cancel := context.WithTimeout(h.ctx, 90*time.Second)
	defer cancel()

	var (
		mu      sync.Mutex
		seen    = map[string]int{}
		last    = map[string]int{} // "group/producer" -> last n delivered
		pending = producers * perProducer
		failure error
	)
	fail := func(err error) {
		mu.Lock()
		if failure == nil {
			failure = err
		}
		mu.Unlock()
		cancel()
	}
	deliver := func(j *store.Job) error {
		mu.Lock()
		defer mu.Unlock()
		seen[j.ID]++
		if seen[j.ID] > 1 {
			return fmt.Errorf("job %s delivered %d times", j.ID, seen[j.ID])
		}
		p := string(j.Payload)
		if rest, ok := strings.CutPrefix(p, "job "); ok {
			who, nStr, _ := strings.Cut(rest, "#")
			n, _ := strconv.Atoi(nStr)
			k := j.Group + "/" + who
			if prev, ok := last[k]; ok && n <= prev {
				return fmt.Errorf("group %s: %s delivered after #%d", j.Group, p, prev)
			}
			last[k] = n
		}
		return nil
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for {
				j, err := h.s.Dequeue(ctx, []string{"grp"}, longLease)
				if err != nil {
					return
				}
				if err := deliver(j); err != nil {
					fail(err)
					return
				}
				fx := &store.Effects{}
				followed := strings.HasSuffix(string(j.Payload), "0") && strings.HasPrefix(string(j.Payload), "job ")
				if followed {
					f := store.Job{Queue: "grp", Group: j.Group, Payload: []byte("follow-up of " + j.ID)}
					if _, err := d.Enqueue(store.WithEffects(ctx, fx), f); err != nil {
						fail(fmt.Errorf("worker %d: held Enqueue: %w", w, err))
						return
					}
				}
				if err := c.Complete(ctx, j, fx); err != nil {
					fail(fmt.Errorf("worker %d: Complete(%s): %w", w, j.ID, err))
					return
				}
				mu.Lock()
				if followed {
					pending++
				}
				pending--
				if pending == 0 {
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
				j := store.Job{Queue: "grp", Group: "g" + strconv.Itoa(i%groups), Payload: []byte(fmt.Sprintf("job p%d#%d", p, i))}
				if _, err := h.s.Enqueue(ctx, j); err != nil {
					fail(fmt.Errorf("producer %d: Enqueue: %w", p, err))
					return
				}
			}
		})
	}
	pg.Wait()
	wg.Wait()
	if failure != nil {
		h.t.Fatal(failure)
	}
	mu.Lock()
	left := pending
	mu.Unlock()
	if left != 0 {
		h.t.Fatalf("%d jobs never settled (%d delivered)", left, len(seen))
	}
	if err := h.s.Ping(h.ctx); err != nil {
		h.t.Fatalf("store stopped serving: %v", err)
	}
	h.expectNone(quiet, "grp")
}
