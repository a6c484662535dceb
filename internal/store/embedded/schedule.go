package embedded

import (
	"errors"
	"fmt"
	"time"
)

// errLeaseExpired is recorded on a job whose last attempt's lease ran out
// (its worker died or hung), which is why it was dead-lettered.
var errLeaseExpired = errors.New("lease expired: the worker did not finish the attempt")

// advanceLocked applies the passage of time: expired leases are reclaimed
// and scheduled jobs whose time has come become ready. It runs on every
// Dequeue and from the background timer, so neither alone is relied on.
func (s *Store) advanceLocked(now time.Time) {
	for {
		e := s.leases.peek()
		if e == nil || e.leaseUntil.After(now) {
			break
		}
		s.leases.take()
		s.reclaimLocked(e, now)
	}
	for name, q := range s.queues {
		for {
			e := q.scheduled.peek()
			if e == nil || e.runAt.After(now) {
				break
			}
			q.scheduled.take()
			e.state = stateReady
			q.ready.add(e)
			s.wakeLocked(name)
		}
	}
}

// reclaimLocked handles a job whose lease ran out: it is delivered again,
// keeping its place in its group, or dead-lettered when that was its last
// attempt. The lease itself is not in the file, so only burying writes.
func (s *Store) reclaimLocked(e *entry, now time.Time) {
	q := s.queueLocked(e.queue)
	q.inFlight--
	e.lease = ""
	if e.attempt >= e.maxAttempts {
		s.submitAsyncLocked(s.buryLocked(q, e, now, fmt.Errorf("attempt %d: %w", e.attempt, errLeaseExpired)))
		return
	}
	// Ready since its lease ended: that is how long it has been waiting.
	q.countPending(e, +1)
	e.runAt = e.leaseUntil
	e.state = stateReady
	q.ready.add(e)
	s.wakeLocked(e.queue)
}

// nextDeadlineLocked returns when time next changes something: the
// earliest lease expiry or scheduled run; zero when nothing is pending.
func (s *Store) nextDeadlineLocked() time.Time {
	var next time.Time
	consider := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	if e := s.leases.peek(); e != nil {
		consider(e.leaseUntil)
	}
	for _, q := range s.queues {
		if e := q.scheduled.peek(); e != nil {
			consider(e.runAt)
		}
	}
	return next
}

// armLocked makes sure the background timer fires by t.
func (s *Store) armLocked(t time.Time) {
	if !s.timerAt.IsZero() && !t.Before(s.timerAt) {
		return
	}
	s.timerAt = t
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// wakeLocked wakes one Dequeue blocked on queue: one job became ready, so
// one worker is enough (no thundering herd).
func (s *Store) wakeLocked(queue string) {
	for i, w := range s.waiters {
		if w.wants(queue) {
			s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
			if s.inline != nil {
				s.inline.handOffLocked(s, w)
			}
			select {
			case w.ch <- struct{}{}:
			default:
			}
			return
		}
	}
}

// removeWaiterLocked unregisters w if it is still waiting.
func (s *Store) removeWaiterLocked(w *waiter) {
	for i, x := range s.waiters {
		if x == w {
			s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
			return
		}
	}
}

// passOnLocked forwards wake-ups for ready jobs of queues to other
// waiters; called by a Dequeue that leaves (with a job or on cancel) while
// jobs remain ready, so a wake-up meant for it is not lost.
func (s *Store) passOnLocked(queues []string) {
	for _, name := range queues {
		if q := s.queues[name]; q != nil && q.ready.Len() > 0 {
			s.wakeLocked(name)
		}
	}
}

// pickLocked takes the job peekLocked shows, or returns nil.
func (s *Store) pickLocked(queues []string) (*queueState, *entry) {
	q, e := s.peekLocked(queues)
	if e != nil {
		q.ready.take()
	}
	return q, e
}

// peekLocked returns the job a Dequeue of queues would take next, without
// taking it. Queues are in priority order (store.Queue.Dequeue): the first
// one with a ready job gives its oldest.
func (s *Store) peekLocked(queues []string) (*queueState, *entry) {
	for _, name := range queues {
		q := s.queues[name]
		if q == nil {
			continue
		}
		if e := q.ready.peek(); e != nil {
			return q, e
		}
	}
	return nil, nil
}

// background runs the timer that promotes scheduled jobs and reclaims
// expired leases while every worker is blocked, and the periodic sweep.
func (s *Store) background() {
	defer close(s.bgDone)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	sweep := time.NewTicker(s.opts.sweepInterval)
	defer sweep.Stop()
	for {
		s.mu.Lock()
		now := s.clock.Now()
		if !s.closed {
			s.advanceLocked(now)
		}
		next := s.nextDeadlineLocked()
		s.timerAt = next
		s.mu.Unlock()
		if !next.IsZero() {
			timer.Reset(max(next.Sub(now), 0))
		}
		select {
		case <-timer.C:
		case <-s.kick:
		case <-sweep.C:
			s.sweep()
		case <-s.stop:
			timer.Stop()
			return
		}
		timer.Stop()
	}
}

// submitAsyncLocked queues a write that mirrors a memory change nobody
// waits for (a reclaim that buries, a sweep). A failure stops the store.
func (s *Store) submitAsyncLocked(fn func(*wtx) error) {
	if _, err := s.w.submit(fn, true, false); err != nil {
		s.log.Error("embedded store: background write refused", "err", err)
	}
}
