package redis

import (
	"sync"
	"time"
)

// headsFresh is how long heads a lease script answered with stay good
// enough to lease with instead of reading them again. A stale guess costs
// nothing but the round trip it was meant to save: the lease script
// re-checks the head and answers "miss" with the true heads.
const headsFresh = 50 * time.Millisecond

// heads remembers, per physical queue, the ready heads the last lease
// script of this process answered with. A worker that acks and asks
// again then leases in one round trip (the script) instead of two (a read
// of the heads, then the script). The clock is the real one: this is
// about round trips, not about the jobs' own times.
type heads struct {
	mu sync.Mutex
	m  map[string]headsSeen
}

type headsSeen struct {
	members []string
	at      time.Time
}

// put records members (never modified afterwards) as queue's heads; none
// forgets them.
func (h *heads) put(queue string, members []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(members) == 0 {
		delete(h.m, queue)
		return
	}
	if h.m == nil {
		h.m = make(map[string]headsSeen)
	}
	h.m[queue] = headsSeen{members: members, at: time.Now()}
}

// get returns queue's heads if they are fresh, else nil.
func (h *heads) get(queue string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	seen, ok := h.m[queue]
	if !ok || time.Since(seen.at) > headsFresh {
		return nil
	}
	return seen.members
}
