package embedded

import "time"

// groupFIFO holds the jobs of one group in enqueue order. Only the head
// (jobs[0]) is ever ready, scheduled or in flight; the others wait. The
// head leaves the group when it is acknowledged or dead-lettered, not when
// it is retried or its lease expires, which is what keeps an order's
// cancellation behind its creation even while the creation is failing.
type groupFIFO struct {
	jobs []*entry
}

// placeLocked puts a new (or replayed) entry into its queue: behind its
// group's head when the group is busy, otherwise ready or scheduled.
func (s *Store) placeLocked(e *entry, now time.Time) {
	q := s.queueLocked(e.queue)
	q.countPending(e, +1)
	if e.group != "" {
		g := q.groups[e.group]
		if g == nil {
			g = &groupFIFO{}
			q.groups[e.group] = g
		}
		g.jobs = append(g.jobs, e)
		if len(g.jobs) > 1 {
			e.state = stateWaiting
			q.waiting++
			return
		}
	}
	s.activateLocked(q, e, now)
}

// activateLocked makes e runnable: ready now, or scheduled for its runAt.
func (s *Store) activateLocked(q *queueState, e *entry, now time.Time) {
	if e.runAt.After(now) {
		e.state = stateScheduled
		q.scheduled.add(e)
		s.armLocked(e.runAt)
		return
	}
	e.state = stateReady
	q.ready.add(e)
	s.wakeLocked(e.queue)
}

// releaseGroupLocked removes e, the head of its group, and activates the
// next member. Called when e is acknowledged or dead-lettered.
func (s *Store) releaseGroupLocked(q *queueState, e *entry, now time.Time) {
	if e.group == "" {
		return
	}
	g := q.groups[e.group]
	if g == nil || len(g.jobs) == 0 || g.jobs[0] != e {
		return
	}
	g.jobs[0] = nil
	g.jobs = g.jobs[1:]
	if len(g.jobs) == 0 {
		delete(q.groups, e.group)
		return
	}
	next := g.jobs[0]
	q.waiting--
	s.activateLocked(q, next, now)
}

// queueLocked returns the state of queue name, creating it.
func (s *Store) queueLocked(name string) *queueState {
	q := s.queues[name]
	if q == nil {
		q = newQueueState()
		s.queues[name] = q
	}
	return q
}
