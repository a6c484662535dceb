package redis

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dropgate/dropgate/core/store"
)

// A busy worker acknowledges a job and at once asks for the next. When
// its queue has a backlog, Ack sends the lease of the next head in the
// same round trip as the ack (one pipeline, two scripts, each atomic as
// ever) and holds the job for this process's next Dequeue of that queue,
// which then needs no round trip at all. Nothing changes for an idle or
// short queue, where the job would rather go to a waiting worker.
//
// A held job is leased like any other: its attempt is counted, its lease
// runs, and a crash returns it when the lease expires. One that no
// Dequeue takes within holdFor is given back (ready again, attempt
// uncounted), as Close does with those it still holds.
const (
	holdFor = 50 * time.Millisecond
	// maxHeld bounds the jobs held per queue: one per worker that has
	// just acked is the need.
	maxHeld = 16
)

// prefetch holds jobs leased ahead of a Dequeue, by physical queue.
type prefetch struct {
	mu   sync.Mutex
	held map[string][]*heldJob
	// leaseFor is the lease a Dequeue last asked for, by physical queue:
	// the one a job leased ahead for it gets.
	leaseFor map[string]time.Duration
	hold     time.Duration // holdFor; tests lengthen it
	shut     bool          // drained by Close: hold nothing more
}

type heldJob struct {
	j *store.Job
	t *time.Timer
}

// wants notes that a Dequeue whose first choice is queue asked for lease.
func (p *prefetch) wants(queue string, lease time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.leaseFor == nil {
		p.leaseFor = make(map[string]time.Duration)
	}
	p.leaseFor[queue] = lease
}

// room returns the lease to take ahead for queue, or 0 when it should not.
func (p *prefetch) room(queue string) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.held[queue]) >= maxHeld {
		return 0
	}
	return p.leaseFor[queue]
}

// put holds j, to be given to expire if no Dequeue takes it in time; false
// after drain.
func (p *prefetch) put(j *store.Job, expire func(*store.Job)) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shut {
		return false
	}
	if p.held == nil {
		p.held = make(map[string][]*heldJob)
	}
	h := &heldJob{j: j}
	hold := p.hold
	if hold <= 0 {
		hold = holdFor
	}
	h.t = time.AfterFunc(hold, func() {
		if p.remove(h) {
			expire(j)
		}
	})
	p.held[j.Queue] = append(p.held[j.Queue], h)
	return true
}

func (p *prefetch) remove(h *heldJob) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	list := p.held[h.j.Queue]
	for i, x := range list {
		if x == h {
			p.held[h.j.Queue] = append(list[:i], list[i+1:]...)
			return true
		}
	}
	return false
}

// take hands out a held job of one of queues whose lease has at least
// half its length left.
func (p *prefetch) take(queues []string, now time.Time) *store.Job {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, q := range queues {
		list := p.held[q]
		if len(list) == 0 {
			continue
		}
		h := list[0]
		if !h.t.Stop() {
			continue // its give-back has started
		}
		p.held[q] = list[1:]
		if h.j.LeaseUntil.Sub(now) < p.leaseFor[q]/2 {
			// Held for too long (a clock jump, a stalled process): let the
			// give-back run rather than hand out a nearly spent lease.
			h.t.Reset(0)
			p.held[q] = append(p.held[q], h)
			continue
		}
		return h.j
	}
	return nil
}

// drain removes every held job and refuses more.
func (p *prefetch) drain() []*store.Job {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.shut = true
	var out []*store.Job
	for q, list := range p.held {
		for _, h := range list {
			if h.t.Stop() {
				out = append(out, h.j)
			}
		}
		delete(p.held, q)
	}
	return out
}

// aheadCall is the lease to send with an ack of a job of queue, or nil
// when its queue has no backlog or no Dequeue of this process wants it.
func (s *Store) aheadCall(queue string) *leaseCall {
	lease := s.pre.room(queue)
	if lease <= 0 {
		return nil
	}
	heads := s.heads.get(queue)
	if len(heads) < peekSize {
		return nil // not a backlog: leave the next job to whoever waits
	}
	return s.newLeaseCall(queue, heads, lease)
}

// ackAhead runs the ack script and the lease c in one pipeline and
// returns the ack's answer; a job the lease took is held for Dequeue.
// ok false: the ack did not run (the server lacked the script), and the
// caller sends it alone.
func (s *Store) ackAhead(ctx context.Context, keys []string, args []any, c *leaseCall) (status string, rest []any, ok bool, err error) {
	if err := s.usable(ctx); err != nil {
		return "", nil, true, err
	}
	var ack, lease *goredis.Cmd
	_, _ = s.rdb.Pipelined(context.WithoutCancel(ctx), func(p goredis.Pipeliner) error {
		ack = scriptAck.EvalSha(ctx, p, keys, args...)
		lease = scriptLease.EvalSha(ctx, p, c.keys, c.args...)
		return nil
	})
	if v, lerr := lease.Result(); lerr == nil {
		if list, _ := v.([]any); len(list) > 0 {
			st, _ := list[0].(string)
			if j, _, _, _ := c.result(s, st, list[1:]); j != nil && !s.pre.put(j, s.returnHeld) {
				s.returnHeld(j) // Close has already given back what was held
			}
		}
	}
	v, aerr := ack.Result()
	if aerr != nil {
		if strings.HasPrefix(aerr.Error(), "NOSCRIPT") {
			return "", nil, false, nil
		}
		return "", nil, true, s.fail(ctx, scriptAck.name, aerr)
	}
	list, _ := v.([]any)
	if len(list) == 0 {
		return "", nil, true, errors.New("redis: ack: unexpected reply")
	}
	status, _ = list[0].(string)
	return status, list[1:], true, nil
}

// returnHeld gives back a job no Dequeue took: ready again at the place
// it had (its old RunAt and sequence number), attempt uncounted. It runs
// the retry script itself, so it works during Close.
func (s *Store) returnHeld(j *store.Job) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(s.bg), ioTimeout)
	defer cancel()
	now := s.clock.Now()
	runAt := j.RunAt
	if runAt.IsZero() || runAt.After(now) {
		runAt = now
	}
	keys, args := s.retryCall(j, now, runAt, "", false)
	if err := scriptRetry.Run(ctx, s.rdb, keys, args...).Err(); err != nil {
		s.log.Warn("redis store: could not give back a job leased ahead; it returns when its lease expires",
			"job", j.ID, "err", err)
	}
}
