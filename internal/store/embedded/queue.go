package embedded

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/store"
)

// Enqueue stores j durably and returns its id. A job id already in the
// store (dead letters included) or a remembered UniqueKey returns
// ErrDuplicate and stores nothing. A RunAt in the past is treated as now,
// so it cannot jump ahead of jobs already waiting. Once admitted, the call
// waits for its commit whatever ctx does: the caller must learn the outcome.
func (s *Store) Enqueue(ctx context.Context, j store.Job) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if j.Queue == "" {
		return "", errors.New("embedded: enqueue: job has no queue")
	}
	now := s.clock.Now()
	hv, err := s.prepare(&j, now)
	if err != nil {
		return "", err
	}
	payload := encodePayload(j.Payload)
	blobs := encodeJobBlobs(j.Blobs)
	s.mu.Lock()
	// A worker waiting for this queue is handed the job in the same
	// commit, so an idle server pays no commit of its own for the lease.
	il := s.beginInlineLocked(now)
	e, err := s.admitLocked(&j, now)
	s.inline = nil
	if err != nil {
		s.mu.Unlock()
		il.finish(err)
		return "", err
	}
	// The write captures only what it stores, so j stays on the stack.
	key := e.key
	tok := s.markQueued(e)
	done, err := s.w.submit(func(tx *wtx) error {
		e.ranQueued(tok)
		if err := putJobRow(tx, key, hv, payload); err != nil {
			return err
		}
		for _, b := range blobs {
			if err := putBlob(tx, b.Key, b.Data); err != nil {
				return err
			}
		}
		return il.apply(tx)
	}, true, true)
	s.mu.Unlock()
	err = wait(done, err, "enqueue", j.ID)
	il.finish(err)
	if err != nil {
		return "", err
	}
	return j.ID, nil
}

// Jobs and payloads are keyed by storage key, so new rows append at the
// right edge of both B+trees. bbolt splits a page at half full by
// default, which would leave every page behind the edge half empty:
// twice the pages per commit to write and sync, and a file twice the
// size. Payloads are never rewritten, so their pages are filled; headers
// keep a tenth spare for the few bytes a lease or retry adds.
const (
	fillHeaders  = 0.9
	fillPayloads = 1.0
)

// putJobRow writes a new job's header and payload. Its unique key, if
// any, is in the header: a row in the uniques bucket, at a place of its
// own in that tree, would be one more page to write and sync per commit
// (per delivery, with random delivery ids) for what the header says.
func putJobRow(tx *wtx, key uint64, hv, payload []byte) error {
	k := jobKey(key)
	if err := tx.Bucket(bucketJobs).Put(k, hv); err != nil {
		return err
	}
	if len(payload) > 0 { // from encodePayload
		if err := tx.Bucket(bucketPayload2).Put(k, payload); err != nil {
			return err
		}
	}
	return nil
}

// prepare fills j's defaults and encodes its header, outside the lock.
func (s *Store) prepare(j *store.Job, now time.Time) ([]byte, error) {
	if j.ID == "" {
		j.ID = ids.New("job")
	}
	if j.MaxAttempts <= 0 {
		j.MaxAttempts = s.opts.maxAttempts
	}
	if j.RunAt.Before(now) {
		j.RunAt = now
	}
	if j.CreatedAt.IsZero() {
		j.CreatedAt = now
	}
	// The hold admitLocked takes with the same now ends at uniqueExp.
	var uniqueExp int64
	if j.UniqueKey != "" && j.UniqueTTL > 0 {
		uniqueExp = now.Add(j.UniqueTTL).UnixNano()
	}
	// Seq stays 0: a new job's order is its storage key (see header).
	hv, err := encodeHeader(&header{
		ID: j.ID, Queue: j.Queue, Kind: j.Kind, Meta: j.Meta, Group: j.Group, Key: j.Key,
		UniqueKey: j.UniqueKey, UniqueTTL: j.UniqueTTL, UniqueExp: uniqueExp, MaxAttempts: j.MaxAttempts,
		Status: statusPending, RunAt: j.RunAt.UnixNano(), CreatedAt: j.CreatedAt.UnixNano(),
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: enqueue %s: %w", j.ID, err)
	}
	return hv, nil
}

// admitLocked refuses duplicates, then gives j its sequence number and its
// place in memory (ready, scheduled or waiting for its group).
func (s *Store) admitLocked(j *store.Job, now time.Time) (*entry, error) {
	if err := s.usableLocked(); err != nil {
		return nil, err
	}
	if _, ok := s.jobs[j.ID]; ok {
		return nil, fmt.Errorf("embedded: enqueue %s: job id exists: %w", j.ID, store.ErrDuplicate)
	}
	if j.UniqueKey != "" && s.uniques.held(j.UniqueKey, now) {
		return nil, fmt.Errorf("embedded: enqueue unique key %q: %w", j.UniqueKey, store.ErrDuplicate)
	}
	if j.UniqueKey != "" {
		// The job's header (prepare) is the hold's durable copy.
		s.uniques.hold(j.UniqueKey, j.ID, j.UniqueTTL, now)
	}
	s.seq++
	e := &entry{
		id: j.ID, queue: j.Queue, group: j.Group, rateKey: j.Key, key: s.seq, seq: s.seq, runAt: j.RunAt,
		maxAttempts: j.MaxAttempts, uniqueKey: j.UniqueKey, uniqueTTL: j.UniqueTTL, idx: -1,
	}
	s.jobs[j.ID] = e
	s.placeLocked(e, now)
	return e, nil
}

// Dequeue leases the oldest ready job of queues, blocking until there is
// one, ctx ends or the store closes. The first delivery has Attempt 1.
// A lease of 0 or less gets the default lease.
func (s *Store) Dequeue(ctx context.Context, queues []string, lease time.Duration) (*store.Job, error) {
	if len(queues) == 0 {
		return nil, errors.New("embedded: dequeue: no queues")
	}
	if lease <= 0 {
		lease = s.opts.defaultLease
	}
	w := &waiter{queues: queues, lease: lease, ch: make(chan struct{}, 1)}
	s.mu.Lock()
	for {
		if h := w.handed; h != nil {
			// Leased by the commit that made it ready (see inline.go).
			s.passOnLocked(queues)
			s.mu.Unlock()
			return h.result()
		}
		if err := s.usableLocked(); err != nil {
			s.removeWaiterLocked(w)
			s.mu.Unlock()
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			s.removeWaiterLocked(w)
			s.passOnLocked(queues)
			s.mu.Unlock()
			return nil, err
		}
		now := s.clock.Now()
		s.advanceLocked(now)
		if q, e := s.pickLocked(queues); e != nil {
			s.removeWaiterLocked(w)
			s.passOnLocked(queues)
			result, err := s.leaseLocked(q, e, now, lease)
			s.mu.Unlock()
			if err != nil {
				return nil, err
			}
			return result()
		}
		s.removeWaiterLocked(w)
		s.waiters = append(s.waiters, w)
		s.mu.Unlock()
		select {
		case <-w.ch:
		case <-ctx.Done():
		}
		s.mu.Lock()
	}
}

// leaseLocked hands e to a worker and writes the new attempt count, so an
// attempt that kills the process still counts towards MaxAttempts. The
// returned function waits for that write and yields the leased job.
func (s *Store) leaseLocked(q *queueState, e *entry, now time.Time, lease time.Duration) (func() (*store.Job, error), error) {
	fn, job := s.takeLeaseLocked(q, e, now, lease)
	id := e.id
	done, err := s.w.submit(fn, true, true)
	if err != nil {
		return nil, err
	}
	return func() (*store.Job, error) {
		if err := <-done; err != nil {
			return nil, fmt.Errorf("embedded: dequeue %s: %w", id, err)
		}
		return job, nil // written by the committer before done was sent
	}, nil
}

// takeLeaseLocked leases e in memory and returns the write that records
// the attempt; that write fills *job with the leased job.
func (s *Store) takeLeaseLocked(q *queueState, e *entry, now time.Time, lease time.Duration) (func(*wtx) error, *store.Job) {
	s.leaseSeq++
	e.state = stateInFlight
	e.attempt++
	e.lease = s.nonce + "." + strconv.FormatUint(s.leaseSeq, 36)
	e.leaseUntil = now.Add(lease)
	q.inFlight++
	q.countPending(e, -1)
	s.leases.add(e)
	s.armLocked(e.leaseUntil)

	key, id, attempt, token, until := e.key, e.id, e.attempt, e.lease, e.leaseUntil
	job := new(store.Job)
	return func(tx *wtx) error {
		h, err := getHeader(tx.Tx, key)
		if err != nil {
			return fmt.Errorf("lease %s: %w", id, err)
		}
		h.Attempt, h.Status = attempt, statusLeased
		if err := putHeader(tx, key, h); err != nil {
			return err
		}
		*job = h.job(s.payloadAsStored(tx.Tx, key, id))
		job.Lease, job.LeaseUntil = token, until
		return nil
	}, job
}

// leasedLocked returns the entry j's lease still owns, reclaiming expired
// leases first so that an expired lease is lost, not silently honoured.
func (s *Store) leasedLocked(j *store.Job, now time.Time) (*entry, error) {
	if err := s.usableLocked(); err != nil {
		return nil, err
	}
	if j == nil {
		return nil, errors.New("embedded: nil job")
	}
	s.advanceLocked(now)
	e := s.jobs[j.ID]
	if e == nil || e.state != stateInFlight || j.Lease == "" || e.lease != j.Lease {
		return nil, fmt.Errorf("embedded: job %s: %w", j.ID, store.ErrLeaseLost)
	}
	return e, nil
}

// Extend renews j's lease for lease from now and updates j.LeaseUntil.
// Leases live only in memory (a restart frees them all), so this writes
// nothing.
func (s *Store) Extend(ctx context.Context, j *store.Job, lease time.Duration) error {
	if lease <= 0 {
		lease = s.opts.defaultLease
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	e, err := s.leasedLocked(j, now)
	if err != nil {
		return err
	}
	e.leaseUntil = now.Add(lease)
	s.leases.fix(e)
	j.LeaseUntil = e.leaseUntil
	return nil
}

// Ack completes j: it is deleted, its lifetime unique key is released and
// the next job of its group becomes ready.
func (s *Store) Ack(ctx context.Context, j *store.Job) error {
	s.mu.Lock()
	now := s.clock.Now()
	e, err := s.leasedLocked(j, now)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	q := s.queueLocked(e.queue)
	s.leases.remove(e)
	q.inFlight--
	delete(s.jobs, e.id)
	s.releaseGroupLocked(q, e, now)
	dropUnique := s.uniques.releaseJob(e.uniqueKey, e.id)
	done, err := s.w.submit(func(tx *wtx) error {
		return deleteJob(tx, e.key, e.uniqueKey, dropUnique)
	}, true, true)
	s.mu.Unlock()
	return wait(done, err, "ack", e.id)
}

// Retry gives j back to the queue to run at runAt (now if earlier),
// recording err against the attempt that failed. With countAttempt false
// the attempt is not counted: the next delivery has the same Attempt.
// A grouped job keeps the head of its group while it waits.
func (s *Store) Retry(ctx context.Context, j *store.Job, runAt time.Time, cause error, countAttempt bool) error {
	s.mu.Lock()
	now := s.clock.Now()
	e, err := s.leasedLocked(j, now)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	q := s.queueLocked(e.queue)
	s.leases.remove(e)
	q.inFlight--
	e.lease = ""
	failed := e.attempt
	if !countAttempt && e.attempt > 0 {
		e.attempt--
	}
	if runAt.Before(now) {
		runAt = now
	}
	e.runAt = runAt
	q.countPending(e, +1)
	s.activateLocked(q, e, now)
	attempt := e.attempt
	tok := s.markQueued(e)
	done, err := s.w.submit(func(tx *wtx) error {
		e.ranQueued(tok)
		h, err := getHeader(tx.Tx, e.key)
		if err != nil {
			return fmt.Errorf("retry %s: %w", e.id, err)
		}
		h.Attempt, h.Status, h.RunAt = attempt, statusPending, runAt.UnixNano()
		h.addError(failed, now, cause)
		return putHeader(tx, e.key, h)
	}, true, true)
	s.mu.Unlock()
	return wait(done, err, "retry", e.id)
}

// Bury moves j to the dead letters with err recorded, releasing its group.
func (s *Store) Bury(ctx context.Context, j *store.Job, cause error) error {
	s.mu.Lock()
	now := s.clock.Now()
	e, err := s.leasedLocked(j, now)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	q := s.queueLocked(e.queue)
	s.leases.remove(e)
	q.inFlight--
	e.lease = ""
	done, err := s.w.submit(s.buryLocked(q, e, now, cause), true, true)
	s.mu.Unlock()
	return wait(done, err, "bury", e.id)
}

// buryLocked makes e (no longer in flight) a dead letter in memory and
// returns the write that does the same in the file.
func (s *Store) buryLocked(q *queueState, e *entry, now time.Time, cause error) func(*wtx) error {
	e.state = stateDead
	e.deadAt = now
	q.dead++
	s.releaseGroupLocked(q, e, now)
	key, id, attempt := e.key, e.id, e.attempt
	return func(tx *wtx) error {
		h, err := getHeader(tx.Tx, key)
		if err != nil {
			return fmt.Errorf("bury %s: %w", id, err)
		}
		h.Status, h.Attempt, h.DeadAt = statusDead, attempt, now.UnixNano()
		h.addError(attempt, now, cause)
		if err := putHeader(tx, key, h); err != nil {
			return err
		}
		return tx.Bucket(bucketDead).Put(deadKey(now, key), nil)
	}
}

// deleteJob removes a job and does with its unique key what u says.
func deleteJob(tx *wtx, key uint64, uniqueKey string, u uniqueRelease) error {
	k := jobKey(key)
	if err := tx.Bucket(bucketJobs).Delete(k); err != nil {
		return err
	}
	if err := tx.Bucket(bucketPayload2).Delete(k); err != nil {
		return err
	}
	// A job queued before payloads2 (deleting a key that is not there
	// writes nothing).
	if err := tx.Bucket(bucketPayloads).Delete(k); err != nil {
		return err
	}
	switch {
	case u.drop:
		return tx.Bucket(bucketUniques).Delete([]byte(uniqueKey))
	case u.keep:
		// The header held it; the hold outlives the job.
		return putUnique(tx, uniqueKey, u.hold)
	}
	return nil
}

// wait returns the outcome of a submitted write: the submit error, or
// what the commit reported.
func wait(done <-chan error, err error, op, id string) error {
	if err != nil {
		return err
	}
	if err := <-done; err != nil {
		return fmt.Errorf("embedded: %s %s: %w", op, id, err)
	}
	return nil
}
