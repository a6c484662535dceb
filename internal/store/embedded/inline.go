package embedded

import (
	"fmt"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// inlineLeases hands jobs to workers blocked in Dequeue inside the commit
// that makes those jobs ready (an Enqueue, a Complete). The lease write
// joins that commit instead of costing one of its own, and the worker
// still gets its job only once the attempt is durable: on an idle server
// a job's enqueue and its lease are one fsync.
type inlineLeases struct {
	now    time.Time
	writes []func(*wtx) error
	out    *handoffOutcome
}

// handoffOutcome is the fate of the commit that carries the leases.
type handoffOutcome struct {
	done chan struct{}
	err  error
}

// handoff is a job leased to one waiter, valid once its commit is.
type handoff struct {
	id  string
	job *store.Job
	out *handoffOutcome
}

func (h *handoff) result() (*store.Job, error) {
	<-h.out.done
	if h.out.err != nil {
		return nil, fmt.Errorf("embedded: dequeue %s: %w", h.id, h.out.err)
	}
	return h.job, nil
}

// beginInlineLocked makes wake-ups lease inline until s.inline is reset.
// With no worker waiting there is nobody to hand a job to, and it returns
// nil (which apply and finish accept) instead of allocating per write.
func (s *Store) beginInlineLocked(now time.Time) *inlineLeases {
	if len(s.waiters) == 0 {
		return nil
	}
	il := &inlineLeases{now: now, out: &handoffOutcome{done: make(chan struct{})}}
	s.inline = il
	return il
}

// handOffLocked leases the job w would pick to w, if any.
//
// A Complete changes memory when the committer runs it, so the job it
// would hand over may have been enqueued (or retried, or replayed) after
// the Complete was queued: that job's own write comes later, and a lease
// written now would find no row, or be overwritten. Such a job is left to
// the woken worker, whose own lease write is queued after it.
func (il *inlineLeases) handOffLocked(s *Store, w *waiter) {
	q, e := s.peekLocked(w.queues)
	if e == nil || e.queued.Load() != 0 {
		return
	}
	q.ready.take()
	fn, job := s.takeLeaseLocked(q, e, il.now, w.lease)
	il.writes = append(il.writes, fn)
	w.handed = &handoff{id: e.id, job: job, out: il.out}
}

// apply runs the lease writes in tx, after the writes that created or
// released their jobs.
func (il *inlineLeases) apply(tx *wtx) error {
	if il == nil {
		return nil
	}
	for _, fn := range il.writes {
		if err := fn(tx); err != nil {
			return err
		}
	}
	return nil
}

// finish releases the waiters with the commit's outcome.
func (il *inlineLeases) finish(err error) {
	if il == nil {
		return
	}
	il.out.err = err
	close(il.out.done)
}
