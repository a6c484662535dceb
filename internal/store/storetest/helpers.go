package storetest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// newJob returns a job of queue carrying payload.
func newJob(queue, payload string) store.Job {
	return store.Job{Queue: queue, Kind: "test", Payload: []byte(payload)}
}

func (h *harness) enqueue(j store.Job) string {
	h.t.Helper()
	id, err := h.s.Enqueue(h.ctx, j)
	if err != nil {
		h.t.Fatalf("Enqueue(%s %q): %v", j.Queue, j.Payload, err)
	}
	if id == "" {
		h.t.Fatalf("Enqueue(%s %q) returned an empty id", j.Queue, j.Payload)
	}
	return id
}

// dequeueWithin calls Dequeue with a deadline of d.
func (h *harness) dequeueWithin(queues []string, lease, d time.Duration) (*store.Job, error) {
	ctx, cancel := context.WithTimeout(h.ctx, d)
	defer cancel()
	return h.s.Dequeue(ctx, queues, lease)
}

// dequeue returns the next job of queues, failing the test when none
// comes within patience.
func (h *harness) dequeue(lease time.Duration, queues ...string) *store.Job {
	h.t.Helper()
	j, err := h.dequeueWithin(queues, lease, patience)
	if err != nil {
		h.t.Fatalf("Dequeue(%v): %v", queues, err)
	}
	if j == nil {
		h.t.Fatalf("Dequeue(%v) returned nil without an error", queues)
	}
	return j
}

// expectNone watches queues for d and fails if a job is delivered.
func (h *harness) expectNone(d time.Duration, queues ...string) {
	h.t.Helper()
	j, err := h.dequeueWithin(queues, longLease, d)
	if err == nil {
		h.t.Fatalf("Dequeue(%v) delivered %s (%q, attempt %d); want nothing for %s", queues, j.ID, j.Payload, j.Attempt, d)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		h.t.Fatalf("Dequeue(%v) on an idle queue: %v; want context.DeadlineExceeded", queues, err)
	}
}

// dueAt dequeues the next job of queues, failing the test when it was
// delivered before runAt: the clock is read after Dequeue returned, so
// the check never fails a driver for being slow.
func (h *harness) dueAt(runAt time.Time, queues ...string) *store.Job {
	h.t.Helper()
	j := h.dequeue(longLease, queues...)
	if early := runAt.Sub(time.Now()); early > clockTolerance {
		h.t.Fatalf("Dequeue(%v) delivered %s (%q) %s before its due time %s", queues, j.ID, j.Payload, early, runAt.Format(time.RFC3339Nano))
	}
	return j
}

func (h *harness) ack(j *store.Job) {
	h.t.Helper()
	if err := h.s.Ack(h.ctx, j); err != nil {
		h.t.Fatalf("Ack(%s): %v", j.ID, err)
	}
}

func (h *harness) retry(j *store.Job, runAt time.Time, cause error, count bool) {
	h.t.Helper()
	if err := h.s.Retry(h.ctx, j, runAt, cause, count); err != nil {
		h.t.Fatalf("Retry(%s): %v", j.ID, err)
	}
}

func (h *harness) bury(j *store.Job, cause error) {
	h.t.Helper()
	if err := h.s.Bury(h.ctx, j, cause); err != nil {
		h.t.Fatalf("Bury(%s): %v", j.ID, err)
	}
}

// eventually polls cond until it holds, failing after within.
func (h *harness) eventually(within time.Duration, what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("%s: not true after %s", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wantErr fails unless err matches one of targets.
func (h *harness) wantErr(op string, err error, targets ...error) {
	h.t.Helper()
	for _, target := range targets {
		if errors.Is(err, target) {
			return
		}
	}
	h.t.Fatalf("%s: error %v; want %v", op, err, targets)
}

// near fails unless got is within tol of want.
func (h *harness) near(what string, got, want time.Time, tol time.Duration) {
	h.t.Helper()
	if d := got.Sub(want); d < -tol || d > tol {
		h.t.Fatalf("%s = %s; want within %s of %s", what, got.Format(time.RFC3339Nano), tol, want.Format(time.RFC3339Nano))
	}
}

// stats returns the stats of queue (all zero when the driver omits it).
func (h *harness) stats(queue string) store.QueueStats {
	h.t.Helper()
	all, err := h.s.Stats(h.ctx)
	if err != nil {
		h.t.Fatalf("Stats: %v", err)
	}
	for _, st := range all {
		if st.Queue == queue {
			return st
		}
	}
	return store.QueueStats{Queue: queue}
}

// deadIDs lists every dead letter, newest first, following cursors.
func (h *harness) deadIDs(limit int) []string {
	h.t.Helper()
	var ids []string
	cursor := ""
	for range 1000 {
		page, next, err := h.s.DeadLetters(h.ctx, cursor, limit)
		if err != nil {
			h.t.Fatalf("DeadLetters(%q, %d): %v", cursor, limit, err)
		}
		if limit > 0 && len(page) > limit {
			h.t.Fatalf("DeadLetters returned %d jobs; limit %d", len(page), limit)
		}
		for _, j := range page {
			ids = append(ids, j.ID)
		}
		if next == "" {
			return ids
		}
		cursor = next
	}
	h.t.Fatal("DeadLetters: cursor never ends")
	return nil
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

func isConflict(err error) bool { return errors.Is(err, store.ErrConflict) }
