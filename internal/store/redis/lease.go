package redis

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// leaseHead runs the lease script on one queue with candidates, following
// its "miss" answers (the head moved) until it leases or the queue is
// empty. It returns the job and whether others stay ready (1) or not (0).
// missed: members came from a "miss" already, so even the first try
// follows one. When every candidate is held by another lease of this
// process it returns nothing: the leases holding them wake a waiter when
// they see more jobs ready.
func (s *Store) leaseHead(ctx context.Context, name string, members []string, lease time.Duration, missed bool) (*store.Job, int64, error) {
	looked := false
	for i := range 64 {
		j, remaining, again, err := s.leaseOnce(ctx, name, members, lease, i > 0 || missed)
		switch {
		case err != nil:
			return nil, 0, err
		case j != nil:
			if cerr := ctx.Err(); cerr != nil {
				// The caller left while the lease was being taken: hand
				// the job straight back, attempt uncounted, rather than
				// strand it until its lease expires.
				s.giveBack(j)
				return nil, 0, cerr
			}
			return j, remaining, nil
		case again == nil:
			return nil, 0, nil // empty, or every candidate held
		case len(again) == 0:
			// No candidate known (the last guess was a job deleted by
			// hand): look, once.
			if looked {
				return nil, 0, nil
			}
			fresh, err := s.peek(ctx, []string{name})
			if err != nil {
				return nil, 0, err
			}
			if members, looked = fresh[0], true; len(members) == 0 {
				return nil, 0, nil
			}
		default:
			members = again
		}
	}
	// Lost every race for a long time: let the caller look again.
	return nil, 0, nil
}

// leaseOnce runs one lease of queue name, offering the first of members
// that no other lease of this process holds. chasing, it follows a miss:
// one such lease of this process at a time per queue (chasers), from the
// freshest heads it knows. It returns the job leased and how many stay
// ready; or the candidates to try next (empty: none known); or neither
// when there is nothing to try (the queue is empty, or every candidate is
// held by another lease).
func (s *Store) leaseOnce(ctx context.Context, name string, members []string, lease time.Duration, chasing bool) (*store.Job, int64, []string, error) {
	if chasing {
		unlock, err := s.chase.lock(ctx, name)
		if err != nil {
			return nil, 0, nil, err
		}
		defer unlock()
		heads, empty := s.heads.state(name, s.clock.Now())
		if empty {
			return nil, 0, nil, nil
		}
		if len(heads) > 0 {
			members = heads
		}
	}
	c := s.newLeaseCall(name, members, lease)
	if c == nil {
		if len(members) == 0 {
			return nil, 0, []string{}, nil
		}
		return nil, 0, nil, nil
	}
	defer c.done(s)
	status, rest, err := s.evalList(ctx, scriptLease, c.keys, c.args...)
	if err != nil {
		return nil, 0, nil, err
	}
	return c.result(s, status, rest)
}

// leaseCall is one run of the lease script, ready to send.
type leaseCall struct {
	name, token string
	now, until  time.Time
	gen         uint64 // the head cache's state when it was built
	// held is the head it offers, held in the head cache until done.
	held string
	keys []string
	args []any
}

// newLeaseCall builds a lease of queue name offering the first of members
// no other lease of this process holds; nil when all are held. Its caller
// must call done once the answer is read (or the call failed).
func (s *Store) newLeaseCall(name string, members []string, lease time.Duration) *leaseCall {
	now := s.clock.Now()
	held := s.heads.claim(name, members, now)
	if held == "" {
		return nil
	}
	q := s.keys.queue(name)
	c := &leaseCall{name: name, token: s.token(), now: now, until: now.Add(lease), held: held, gen: s.heads.since(name)}
	c.keys = []string{q.ready, q.lease, q.cnt, q.job(idOfReady(held))}
	c.args = []any{micros(now), micros(c.until), c.token, peekSize, q.job(""), held}
	return c
}

// done releases c's hold on its head.
func (c *leaseCall) done(s *Store) { s.heads.release(c.name, c.held) }

// result reads the script's answer into the heads cache and returns the
// job leased and how many stay ready, or (nil, again) the candidates to
// try next, or nothing at all when the queue is empty.
func (c *leaseCall) result(s *Store, status string, rest []any) (j *store.Job, remaining int64, again []string, err error) {
	if status != "ok" {
		s.leaseMisses.Add(1)
	}
	switch status {
	case "empty":
		s.heads.set(c.name, nil, c.gen, s.clock.Now())
		return nil, 0, nil, nil
	case "miss":
		again = strs(rest)
		s.heads.set(c.name, again, c.gen, s.clock.Now())
		return nil, 0, again, nil
	case "gone":
		// A ready entry whose job was deleted by hand: dropped from the
		// ready set and from what this process knows; the other heads it
		// knows are still the best guess (none: leaseHead looks).
		again = slices.DeleteFunc(slices.Clone(s.heads.get(c.name)), func(m string) bool { return m == c.held })
		if len(again) > 0 {
			s.heads.set(c.name, again, c.gen, s.clock.Now())
		} else {
			again = []string{}
			s.heads.forget(c.name)
		}
		return nil, 0, again, nil
	case "ok":
		if len(rest) < 3 {
			return nil, 0, nil, fmt.Errorf("redis: lease: short reply")
		}
		after, _ := rest[0].([]any)
		next := strs(after)
		s.heads.set(c.name, next, c.gen, s.clock.Now())
		attempt, _ := rest[1].(int64)
		flat, _ := rest[2].([]any)
		j, err := decodeJob(c.name, flat)
		if err != nil {
			return nil, 0, nil, fmt.Errorf("redis: lease: %w", err)
		}
		j.Attempt, j.Lease, j.LeaseUntil = int(attempt), c.token, time.UnixMicro(c.until.UnixMicro()).UTC()
		s.hintReaper(c.until)
		return j, int64(len(next)), nil, nil
	}
	return nil, 0, nil, fmt.Errorf("redis: lease: unexpected status %q", status)
}

// giveBack returns a job leased for a caller that is gone: ready again at
// once, its attempt not counted.
func (s *Store) giveBack(j *store.Job) {
	ctx, cancel := context.WithTimeout(s.bg, ioTimeout)
	defer cancel()
	if err := s.Retry(ctx, j, time.Time{}, nil, false); err != nil {
		s.log.Warn("redis store: could not give back a job leased for a cancelled Dequeue; it returns when its lease expires",
			"job", j.ID, "err", err)
	}
}

// hintReaper pokes the reaper when a lease expires before it would next
// wake by itself.
func (s *Store) hintReaper(at time.Time) {
	if at.UnixNano() < s.reapAt.Load() {
		s.note.pokeReaper()
	}
}
