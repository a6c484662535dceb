package redis

import "sync"

// headCache keeps, per physical queue, the ready heads the last lease or
// peek of this process saw. A busy worker's next Dequeue offers them to
// the lease script instead of reading them first: one round trip a job
// fewer. A stale guess costs nothing but a retry, since the script leases
// only the true head and answers "miss" with the real candidates.
type headCache struct {
	mu sync.Mutex
	m  map[string][]string
}

func (c *headCache) get(queue string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[queue]
}

// set records what Redis just said about queue's heads; none forgets it.
func (c *headCache) set(queue string, heads []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(heads) == 0 {
		delete(c.m, queue)
		return
	}
	if c.m == nil {
		c.m = make(map[string][]string)
	}
	c.m[queue] = heads
}
