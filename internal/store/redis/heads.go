package redis

import (
	"context"
	"sync"
	"time"
)

// headCache keeps, per physical queue, the ready heads the last lease or
// peek of this process saw. A busy worker's next Dequeue offers one of
// them to the lease script instead of reading them first: one round trip
// a job fewer. Concurrent leases of the process are offered different
// heads (claim), and the script leases the offered job while it is still
// among the queue's first heads: what is ahead of it is held by the
// process's other leases, or arrived meanwhile and goes to the next one.
// A stale guess costs nothing but a retry, the script answering "miss"
// with the real candidates.
//
// It also remembers a queue seen empty, until an announcement of a ready
// job of it arrives (or knownEmptyFor passes, in case one was lost), so
// that CompleteAndNext can pass over it and still keep priority order.
type headCache struct {
	mu    sync.Mutex
	m     map[string][]string
	empty map[string]time.Time // seen empty at, with no announcement since
	gen   map[string]uint64    // announcements received, per queue
	all   uint64               // resubscriptions: announcements may be lost
	// held are the heads a lease of this process has in flight, per
	// queue, with when each was claimed: each lease is offered a head no
	// other holds (claim).
	held map[string]map[string]time.Time
}

// knownEmptyFor bounds how long a queue seen empty is taken to be empty
// without a fresh look.
const knownEmptyFor = time.Second

// heldFor bounds a claim: a lease's round trip ends well within it
// (go-redis's timeouts, ioTimeout), so a claim never released, which no
// path should leave, holds its job back from this process for this long
// at most. After it, two leases may offer the same job: one misses, as
// before claims.
const heldFor = 4 * ioTimeout

// since is the state an answer about queue is read against: an
// announcement after it makes an "empty" answer stale.
func (c *headCache) since(queue string) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen[queue] + c.all
}

func (c *headCache) get(queue string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[queue]
}

// set records what Redis just said about queue's heads; none forgets them
// and, unless a job of queue was announced after gen, notes it empty.
func (c *headCache) set(queue string, heads []string, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(heads) == 0 {
		delete(c.m, queue)
		if gen == c.gen[queue]+c.all {
			if c.empty == nil {
				c.empty = make(map[string]time.Time)
			}
			c.empty[queue] = now
		}
		return
	}
	delete(c.empty, queue)
	if c.m == nil {
		c.m = make(map[string][]string)
	}
	c.m[queue] = heads
}

// forget drops queue's known heads without taking it to be empty.
func (c *headCache) forget(queue string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, queue)
}

// state returns queue's known heads, or whether it is known to be empty;
// neither: this process cannot tell without a look.
func (c *headCache) state(queue string, now time.Time) (heads []string, empty bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if at, ok := c.empty[queue]; ok && now.Sub(at) < knownEmptyFor {
		return nil, true
	}
	return c.m[queue], false
}

// claim returns the first of members (a queue's heads, in ready order)
// that no lease of this process holds, now held until release; "" when
// every one is held. Leases that each offer the same heads all race for
// the first: one wins, and on a short queue the others come back empty
// or stale-handed, a lease script for nothing each (about one per order,
// against two jobs leased, in the orders benchmark before this). Holding
// them apart, concurrent leases of one process take successive jobs.
func (c *headCache) claim(queue string, members []string, now time.Time) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := c.held[queue]
	for _, m := range members {
		if at, taken := h[m]; taken && now.Sub(at) < heldFor {
			continue
		}
		if h == nil {
			if c.held == nil {
				c.held = make(map[string]map[string]time.Time)
			}
			h = make(map[string]time.Time)
			c.held[queue] = h
		}
		h[m] = now
		return m
	}
	return ""
}

// release ends the hold claim took, once its lease has its answer (and
// the answer's heads are in the cache, so the member leased is not
// offered again).
func (c *headCache) release(queue, member string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.held[queue], member)
}

// announced notes that a job of queue became ready.
func (c *headCache) announced(queue string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == nil {
		c.gen = make(map[string]uint64)
	}
	c.gen[queue]++
	delete(c.empty, queue)
}

// lost forgets every queue known empty: announcements may have been
// missed.
func (c *headCache) lost() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.all++
	clear(c.empty)
}

// chasers serialize, per physical queue, the leases of this process that
// follow a "miss". On a short queue with many idle workers, each miss
// means another worker took the head first; every loser trying again at
// once with the heads its miss returned loses again to the next, a few
// round trips per job per worker (9 misses per lease in the orders
// benchmark). One at a time, each retry starts from the freshest heads
// this process knows, and once one of them finds the queue empty the
// rest see it in the cache and go back to waiting without asking Redis.
type chasers struct {
	mu sync.Mutex
	m  map[string]chan struct{}
}

// lock takes queue's turn, or fails when ctx ends first.
func (c *chasers) lock(ctx context.Context, queue string) (unlock func(), err error) {
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[string]chan struct{})
	}
	ch := c.m[queue]
	if ch == nil {
		ch = make(chan struct{}, 1)
		c.m[queue] = ch
	}
	c.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
