package redis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dropgate/dropgate/core/store"
)

var _ store.Chainer = (*Store)(nil)

// CompleteAndNext applies fx, then acknowledges j and leases the worker's
// next job in one round trip: the ack script and the lease script of one
// queue, one pipeline, each script atomic as ever. That queue is the
// first of queues (in order, partitions as Dequeue takes them) not known
// to be empty, provided this process knows its heads (headCache), so it
// is the job Dequeue would take; a queue this process cannot tell about
// answers nil, and the worker's Dequeue looks at every queue as before.
// A queue is known empty from this process's last look until a job of it
// is announced (knownEmptyFor at most). A job leased here is leased like
// any other: a crash returns it when its lease expires.
func (s *Store) CompleteAndNext(ctx context.Context, j *store.Job, fx *store.Effects, queues []string, lease time.Duration) (*store.Job, error) {
	if j == nil || len(queues) == 0 {
		return nil, s.Complete(ctx, j, fx)
	}
	if err := s.owned(ctx, j); err != nil {
		return nil, err
	}
	if err := s.applyEffects(ctx, fx); err != nil {
		return nil, err
	}
	if lease <= 0 {
		lease = s.opts.DefaultLease
	}
	now := s.clock.Now()
	for _, parts := range s.expand(queues) {
		for _, name := range parts {
			heads, empty := s.heads.state(name, now)
			if empty {
				continue // seen empty, nothing announced since: the next one's turn
			}
			c := s.newLeaseCall(name, heads, lease)
			if c == nil {
				// Unknown, or every head known is held by another lease
				// of this process: Dequeue looks.
				return nil, s.Ack(ctx, j)
			}
			return s.ackAndLease(ctx, j, c)
		}
	}
	// Every queue is empty as far as this process knows: Dequeue waits.
	return nil, s.Ack(ctx, j)
}

// ackAndLease sends j's ack and the lease c in one pipeline. The ack's
// answer decides: anything but "ok" gives the leased job back and settles
// j the ordinary way (Ack follows a "refresh", reports a lost lease).
func (s *Store) ackAndLease(ctx context.Context, j *store.Job, c *leaseCall) (*store.Job, error) {
	q := s.keys.queue(j.Queue)
	keys := []string{q.job(j.ID), q.lease, q.ready, q.sched, q.meta, q.group(j.Group), q.job(""), q.uniq(j.UniqueKey)}
	args := []any{j.ID, j.Lease, micros(s.clock.Now()), j.Group, "", j.UniqueKey, s.keys.channel(), j.Queue}
	var ack, next *goredis.Cmd
	if err := s.shared.share(context.WithoutCancel(ctx), func(p goredis.Pipeliner) {
		ack = scriptAck.EvalSha(ctx, p, keys, args...)
		next = scriptLease.EvalSha(ctx, p, c.keys, c.args...)
	}); err != nil {
		c.done(s)
		return nil, err
	}
	var leased *store.Job
	var again []string
	var remaining int64
	if v, err := next.Result(); err == nil {
		if list, _ := v.([]any); len(list) > 0 {
			st, _ := list[0].(string)
			leased, remaining, again, _ = c.result(s, st, list[1:])
		}
	}
	c.done(s)
	if remaining > 0 {
		// Others of this process may have gone idle finding every head
		// held (leaseHead): one of them takes the next. Dequeue does the
		// same with what it leaves.
		s.note.wake(c.name, 1)
	}
	status, err := ackStatus(ack)
	if err == nil && status == "ok" {
		if leased == nil && again != nil {
			// Other workers took the heads this process knew: the queue
			// still has jobs, and the answer named its heads now. One
			// more lease of the same queue keeps the priority order and
			// costs less than Dequeue reading every queue.
			// A failure here is Dequeue's to report: j is settled.
			var left int64
			if leased, left, _ = s.leaseHead(ctx, c.name, again, c.until.Sub(c.now), true); left > 0 {
				s.note.wake(c.name, 1) // as above
			}
			return leased, nil
		}
		if leased != nil && ctx.Err() != nil {
			// The worker is leaving: the job goes straight back.
			s.giveBack(leased)
			return nil, nil
		}
		return leased, nil
	}
	if err != nil && !strings.HasPrefix(err.Error(), "NOSCRIPT") || status == "lost" {
		if leased != nil {
			s.giveBack(leased)
		}
		if err != nil {
			return nil, s.fail(ctx, scriptAck.name, err)
		}
		return nil, fmt.Errorf("redis: ack %s: %w", j.ID, store.ErrLeaseLost)
	}
	// "refresh" (a grouped job: the next member was not known), or the
	// server lost its scripts: the first run wrote nothing, Ack does it
	// again; the job leased meanwhile is as good as any.
	if err := s.Ack(ctx, j); err != nil {
		if leased != nil {
			s.giveBack(leased)
		}
		return nil, err
	}
	return leased, nil
}

// ackStatus reads an ack script's answer.
func ackStatus(c *goredis.Cmd) (string, error) {
	v, err := c.Result()
	if err != nil {
		return "", err
	}
	list, _ := v.([]any)
	if len(list) == 0 {
		return "", errors.New("redis: ack: unexpected reply")
	}
	status, _ := list[0].(string)
	return status, nil
}
