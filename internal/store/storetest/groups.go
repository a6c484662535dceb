package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

var groupCases = []testCase{
	{"OneAtATimeInOrder", testGroupOrder},
	{"RetryHoldsGroup", testGroupRetryHolds},
	{"RetriedHeadRunsWhenDue", testGroupRetryRuns},
	{"DeadHeadReleasesGroup", testGroupDeadReleases},
	{"ReclaimedHeadKeepsPlace", testGroupReclaimKeeps},
	{"ReplayJoinsTail", testGroupReplayTail},
	{"ScopedToQueue", testGroupScopedToQueue},
}

func groupJob(queue, group, payload string) store.Job {
	j := newJob(queue, payload)
	j.Group = group
	return j
}

// testGroupOrder runs many workers over interleaved groups and checks that
// no two jobs of a group ever overlap and each group runs in enqueue order.
func testGroupOrder(h *harness) {
	const groups, perGroup, loose, workers = 4, 12, 12, 8
	want := map[string][]string{}
	total := 0
	for i := range perGroup {
		for g := range groups {
			name := fmt.Sprintf("order-%d", g)
			want[name] = append(want[name], h.enqueue(groupJob("q", name, fmt.Sprintf("%s/%d", name, i))))
			total++
		}
		if i < loose {
			h.enqueue(newJob("q", "loose"))
			total++
		}
	}

	var (
		mu      sync.Mutex
		active  = map[string]bool{}
		ran     = map[string][]string{}
		done    int
		failure error
	)
	ctx, cancel := context.WithTimeout(h.ctx, 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				j, err := h.s.Dequeue(ctx, []string{"q"}, longLease)
				if err != nil {
					return
				}
				mu.Lock()
				if j.Group != "" {
					if active[j.Group] && failure == nil {
						failure = fmt.Errorf("group %s: %s delivered while another job of the group was running", j.Group, j.ID)
					}
					active[j.Group] = true
					ran[j.Group] = append(ran[j.Group], j.ID)
				}
				mu.Unlock()
				time.Sleep(2 * time.Millisecond) // widen the window for overlap
				mu.Lock()
				active[j.Group] = false
				mu.Unlock()
				if err := h.s.Ack(ctx, j); err != nil {
					mu.Lock()
					failure = fmt.Errorf("Ack(%s): %w", j.ID, err)
					mu.Unlock()
					cancel()
					return
				}
				mu.Lock()
				done++
				if done == total {
					cancel()
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if failure != nil {
		h.t.Fatal(failure)
	}
	if done != total {
		h.t.Fatalf("processed %d of %d jobs", done, total)
	}
	for g, ids := range want {
		if !slices.Equal(ran[g], ids) {
			h.t.Fatalf("group %s ran %v; want enqueue order %v", g, ran[g], ids)
		}
	}
}

func testGroupRetryHolds(h *harness) {
	g1 := h.enqueue(groupJob("q", "order-1", "create"))
	h.enqueue(groupJob("q", "order-1", "cancel"))
	loose := h.enqueue(newJob("q", "loose"))
	other := h.enqueue(groupJob("q", "order-2", "create"))
	head := h.dequeue(longLease, "q")
	if head.ID != g1 {
		h.t.Fatalf("first delivery %s (%q); want the group head %s", head.ID, head.Payload, g1)
	}
	// Retried an hour from now: however slow the checks below, the head
	// still waits while they run.
	h.retry(head, time.Now().Add(time.Hour), errorf("supplier down"), true)
	// The retrying head holds its group; the others are not blocked.
	got := map[string]bool{}
	for range 2 {
		j := h.dequeue(longLease, "q")
		got[j.ID] = true
		h.ack(j)
	}
	if !got[loose] || !got[other] {
		h.t.Fatalf("while order-1 waits for a retry, delivered %v; want %s (ungrouped) and %s (order-2)", got, loose, other)
	}
	if st := h.stats("q"); st.Waiting != 1 || st.Scheduled != 1 {
		h.t.Fatalf("Stats = %+v; want waiting 1 (cancel), scheduled 1 (create)", st)
	}
	h.expectNone(quiet, "q")
}

// testGroupRetryRuns: a group head retried a moment later runs again when
// due, still holding its group, which moves on once it is acknowledged.
func testGroupRetryRuns(h *harness) {
	g1 := h.enqueue(groupJob("q", "order-1", "create"))
	g2 := h.enqueue(groupJob("q", "order-1", "cancel"))
	head := h.dequeue(longLease, "q")
	runAt := time.Now().Add(300 * time.Millisecond)
	h.retry(head, runAt, errorf("supplier down"), true)
	again := h.dueAt(runAt, "q")
	if again.ID != g1 || again.Attempt != 2 {
		h.t.Fatalf("after the retry delay got %s attempt %d; want %s attempt 2", again.ID, again.Attempt, g1)
	}
	h.expectNone(quiet, "q") // still held while the head runs
	h.ack(again)
	if next := h.dequeue(longLease, "q"); next.ID != g2 {
		h.t.Fatalf("after the head's Ack got %s; want %s", next.ID, g2)
	}
}

func testGroupDeadReleases(h *harness) {
	h.enqueue(groupJob("q", "g", "first"))
	second := h.enqueue(groupJob("q", "g", "second"))
	h.bury(h.dequeue(longLease, "q"), errorf("permanent"))
	if next := h.dequeue(longLease, "q"); next.ID != second {
		h.t.Fatalf("after the head was buried got %s (%q); want %s", next.ID, next.Payload, second)
	}
}

func testGroupReclaimKeeps(h *harness) {
	first := h.enqueue(groupJob("q", "g", "first"))
	second := h.enqueue(groupJob("q", "g", "second"))
	j := h.dequeue(shortLease, "q")
	if j.ID != first {
		h.t.Fatalf("got %s; want %s", j.ID, first)
	}
	again := h.dequeue(longLease, "q") // after the lease expires
	if again.ID != first || again.Attempt != 2 {
		h.t.Fatalf("after the head's lease expired got %s attempt %d; want %s attempt 2", again.ID, again.Attempt, first)
	}
	h.ack(again)
	if next := h.dequeue(longLease, "q"); next.ID != second {
		h.t.Fatalf("got %s; want %s", next.ID, second)
	}
}

func testGroupReplayTail(h *harness) {
	first := h.enqueue(groupJob("q", "g", "first"))
	second := h.enqueue(groupJob("q", "g", "second"))
	h.bury(h.dequeue(longLease, "q"), errorf("bad"))
	j := h.dequeue(longLease, "q")
	if j.ID != second {
		h.t.Fatalf("got %s; want %s", j.ID, second)
	}
	if err := h.s.Replay(h.ctx, first); err != nil {
		h.t.Fatalf("Replay: %v", err)
	}
	h.expectNone(quiet, "q") // second still holds the group
	h.ack(j)
	if next := h.dequeue(longLease, "q"); next.ID != first {
		h.t.Fatalf("got %s; want the replayed %s", next.ID, first)
	}
}

func testGroupScopedToQueue(h *harness) {
	h.enqueue(groupJob("orders", "order-1", "create"))
	other := h.enqueue(groupJob("outbound", "order-1", "po.send"))
	h.dequeue(longLease, "orders") // the head of order-1 in orders runs
	if j := h.dequeue(longLease, "outbound"); j.ID != other {
		h.t.Fatalf("got %s; want %s: a group in another queue is a different group", j.ID, other)
	}
}
