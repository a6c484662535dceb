package embedded

import (
	"container/heap"
	"sync/atomic"
	"time"
)

// jobState is where a job is in its life, as the in-memory scheduler sees it.
type jobState uint8

const (
	stateReady     jobState = iota + 1 // in its queue's ready heap
	stateScheduled                     // in its queue's scheduled heap (RunAt in the future)
	stateInFlight                      // leased to a worker, in the lease heap
	stateWaiting                       // behind an earlier job of its group
	stateDead                          // a dead letter
)

// entry is the in-memory index of one job: what scheduling needs, not the
// payload, meta or errors (those stay in the file).
type entry struct {
	id, queue, group string
	rateKey          string // Job.Key, for the per-key pending counts
	key              uint64 // storage key in the file (see jobKey)
	seq              uint64 // enqueue order; groups and ties follow it
	state            jobState
	runAt            time.Time
	attempt          int
	maxAttempts      int
	lease            string
	leaseUntil       time.Time
	uniqueKey        string
	uniqueTTL        time.Duration
	deadAt           time.Time
	idx              int // position in the heap that holds it; -1 when none
	// queued is the token of a write about this job (its enqueue, retry
	// or replay) that is queued in the committer and has not run yet; 0
	// when none. An inline lease must not be written before it (inline.go).
	queued atomic.Uint64
}

// markQueued records that a write about e is about to be queued and
// returns its token; the write calls ranQueued with it when it runs.
func (s *Store) markQueued(e *entry) uint64 {
	s.writeTok++
	e.queued.Store(s.writeTok)
	return s.writeTok
}

// ranQueued clears e's mark if it is still tok's: a batch that rolls back
// runs its writes again, and a later write may have marked e since.
func (e *entry) ranQueued(tok uint64) { e.queued.CompareAndSwap(tok, 0) }

// entryHeap is a min-heap of entries with removal by position; an entry is
// in at most one heap at a time, so one idx field serves all of them.
type entryHeap struct {
	items []*entry
	less  func(a, b *entry) bool
}

func byRunAt(a, b *entry) bool {
	if !a.runAt.Equal(b.runAt) {
		return a.runAt.Before(b.runAt)
	}
	return a.seq < b.seq
}

func byLeaseUntil(a, b *entry) bool {
	if !a.leaseUntil.Equal(b.leaseUntil) {
		return a.leaseUntil.Before(b.leaseUntil)
	}
	return a.seq < b.seq
}

func (h *entryHeap) Len() int           { return len(h.items) }
func (h *entryHeap) Less(i, j int) bool { return h.less(h.items[i], h.items[j]) }
func (h *entryHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].idx = i
	h.items[j].idx = j
}

// Push implements heap.Interface; use add.
func (h *entryHeap) Push(x any) {
	e := x.(*entry)
	e.idx = len(h.items)
	h.items = append(h.items, e)
}

// Pop implements heap.Interface; use take.
func (h *entryHeap) Pop() any {
	n := len(h.items) - 1
	e := h.items[n]
	h.items[n] = nil
	h.items = h.items[:n]
	e.idx = -1
	return e
}

func (h *entryHeap) add(e *entry) { heap.Push(h, e) }

func (h *entryHeap) peek() *entry {
	if len(h.items) == 0 {
		return nil
	}
	return h.items[0]
}

func (h *entryHeap) take() *entry { return heap.Pop(h).(*entry) }

func (h *entryHeap) remove(e *entry) {
	if e.idx >= 0 && e.idx < len(h.items) && h.items[e.idx] == e {
		heap.Remove(h, e.idx)
	}
}

func (h *entryHeap) fix(e *entry) { heap.Fix(h, e.idx) }

// queueState is one queue's scheduler state.
type queueState struct {
	ready     entryHeap // runnable now, oldest first
	scheduled entryHeap // runnable at runAt
	inFlight  int64
	waiting   int64
	dead      int64
	// pending counts ready, scheduled and waiting jobs per rate-limit key.
	pending map[string]int64
	// groups maps a group name to its FIFO; the head (index 0) is the only
	// member that may be ready, scheduled or in flight. Groups are scoped
	// to their queue.
	groups map[string]*groupFIFO
}

func newQueueState() *queueState {
	return &queueState{
		ready:     entryHeap{less: byRunAt},
		scheduled: entryHeap{less: byRunAt},
		groups:    make(map[string]*groupFIFO),
		pending:   make(map[string]int64),
	}
}

// countPending moves e's rate-limit key count by delta as e enters (+1)
// or leaves (-1) the pending states.
func (q *queueState) countPending(e *entry, delta int64) {
	if e.rateKey == "" {
		return
	}
	if n := q.pending[e.rateKey] + delta; n > 0 {
		q.pending[e.rateKey] = n
	} else {
		delete(q.pending, e.rateKey)
	}
}

// waiter is a blocked Dequeue call.
type waiter struct {
	queues []string
	lease  time.Duration
	ch     chan struct{} // buffered 1: a wake-up is never lost
	// handed is set when a commit leased a job to this waiter (inline.go).
	handed *handoff
}

func (w *waiter) wants(queue string) bool {
	for _, q := range w.queues {
		if q == queue {
			return true
		}
	}
	return false
}
