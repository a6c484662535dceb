package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

var queueCases = []testCase{
	{"EnqueueDequeueAck", testEnqueueDequeueAck},
	{"EnqueueKeepsGivenID", testEnqueueGivenID},
	{"DequeueOnlyListedQueues", testOnlyListedQueues},
	{"ReadyJobsOldestFirst", testOldestFirst},
	{"QueuesInPriorityOrder", testQueuePriority},
	{"IdleDequeueWakesOnEnqueue", testWakeOnEnqueue},
	{"ContextCancelUnblocksDequeue", testCancelUnblocks},
	{"DelayedRunAt", testDelayedRunAt},
	{"AckTwice", testAckTwice},
}

func testEnqueueDequeueAck(h *harness) {
	in := store.Job{
		Queue: "orders", Kind: "order.create", Payload: []byte{0, 1, 2, 0xff, '{', '}'},
		Meta: map[string]string{"shop": "acme.myshopify.com", "topic": "orders/create"},
		Key:  "shopify:acme",
	}
	before := time.Now()
	id := h.enqueue(in)
	got := h.dequeue(longLease, "orders")
	after := time.Now()

	if got.ID != id {
		h.t.Fatalf("ID = %q; want %q", got.ID, id)
	}
	if got.Queue != in.Queue || got.Kind != in.Kind || got.Key != in.Key {
		h.t.Fatalf("queue/kind/key = %q/%q/%q; want %q/%q/%q", got.Queue, got.Kind, got.Key, in.Queue, in.Kind, in.Key)
	}
	if !bytes.Equal(got.Payload, in.Payload) {
		h.t.Fatalf("Payload = %v; want %v", got.Payload, in.Payload)
	}
	if !maps.Equal(got.Meta, in.Meta) {
		h.t.Fatalf("Meta = %v; want %v", got.Meta, in.Meta)
	}
	if got.Attempt != 1 {
		h.t.Fatalf("Attempt = %d on first delivery; want 1", got.Attempt)
	}
	if got.Lease == "" {
		h.t.Fatal("Lease is empty")
	}
	h.near("LeaseUntil", got.LeaseUntil, before.Add(longLease), after.Sub(before)+skew)
	h.near("CreatedAt", got.CreatedAt, before, after.Sub(before)+skew)
	if len(got.Errors) != 0 || !got.DeadAt.IsZero() {
		h.t.Fatalf("fresh job has Errors %v, DeadAt %v", got.Errors, got.DeadAt)
	}
	h.ack(got)
	h.expectNone(quiet, "orders")
}

func testEnqueueGivenID(h *harness) {
	j := newJob("q", "first")
	j.ID = "job-fixed-1"
	if id := h.enqueue(j); id != j.ID {
		h.t.Fatalf("Enqueue returned %q; want the given %q", id, j.ID)
	}
	dup := newJob("q", "second")
	dup.ID = j.ID
	_, err := h.s.Enqueue(h.ctx, dup)
	h.wantErr("Enqueue with a stored job's ID", err, store.ErrDuplicate)

	got := h.dequeue(longLease, "q")
	if got.ID != j.ID || string(got.Payload) != "first" {
		h.t.Fatalf("got %s %q; want %s \"first\"", got.ID, got.Payload, j.ID)
	}
	h.expectNone(quiet, "q")
}

func testOnlyListedQueues(h *harness) {
	h.enqueue(newJob("a", "for a"))
	h.expectNone(quiet, "b")
	got := h.dequeue(longLease, "b", "a")
	if got.Queue != "a" {
		h.t.Fatalf("Queue = %q; want a", got.Queue)
	}
}

// testQueuePriority: Dequeue serves the first listed queue that has a
// ready job, whatever the age of the others' jobs.
func testQueuePriority(h *harness) {
	old := h.enqueue(newJob("low", "old"))
	time.Sleep(10 * time.Millisecond)
	young := h.enqueue(newJob("high", "young"))
	got := h.dequeue(longLease, "high", "low")
	if got.ID != young {
		h.t.Fatalf("got %q; the first listed queue with a ready job comes first", got.Payload)
	}
	h.ack(got)
	got = h.dequeue(longLease, "low", "high")
	if got.ID != old {
		h.t.Fatalf("got %q; want the low queue's job", got.Payload)
	}
	h.ack(got)
}

func testOldestFirst(h *harness) {
	var want []string
	for _, p := range []string{"1", "2", "3", "4", "5"} {
		want = append(want, h.enqueue(newJob("q", p)))
	}
	for i, id := range want {
		got := h.dequeue(longLease, "q")
		if got.ID != id {
			h.t.Fatalf("delivery %d = %s (%q); want %s", i, got.ID, got.Payload, id)
		}
		h.ack(got)
	}
}

// testWakeOnEnqueue: an idle Dequeue returns the job another goroutine
// enqueues. A driver that polls sets its interval above patience (see the
// package comment), so a Dequeue that only polls fails here, whatever the
// speed of the machine. The latencies are logged, not judged (the
// drivers' benchmarks measure them).
func testWakeOnEnqueue(h *harness) {
	const trials = 5
	var latencies []time.Duration
	for i := range trials {
		type result struct {
			j   *store.Job
			err error
			at  time.Time
		}
		out := make(chan result, 1)
		go func() {
			j, err := h.dequeueWithin([]string{"q"}, longLease, patience)
			out <- result{j, err, time.Now()}
		}()
		// Most likely idle by then; a trial where it is not yet idle
		// still passes (it finds the job at once), so this pause is not
		// what the test's verdict rests on.
		time.Sleep(50 * time.Millisecond)
		start := time.Now()
		want := h.enqueue(newJob("q", fmt.Sprintf("wake up %d", i)))
		r := <-out
		if r.err != nil {
			h.t.Fatalf("idle Dequeue, trial %d: %v; it was not woken by the Enqueue", i, r.err)
		}
		if r.j.ID != want {
			h.t.Fatalf("idle Dequeue returned %s; want %s", r.j.ID, want)
		}
		h.ack(r.j)
		latencies = append(latencies, r.at.Sub(start))
	}
	slices.Sort(latencies)
	h.t.Logf("enqueue → idle dequeue: %v", latencies)
}

func testCancelUnblocks(h *harness) {
	for _, tc := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"cancel", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(h.ctx)
			time.AfterFunc(100*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(h.ctx, 100*time.Millisecond)
		}, context.DeadlineExceeded},
	} {
		ctx, cancel := tc.ctx()
		type result struct {
			j   *store.Job
			err error
		}
		out := make(chan result, 1)
		go func() {
			j, err := h.s.Dequeue(ctx, []string{"q"}, longLease)
			out <- result{j, err}
		}()
		var r result
		select {
		case r = <-out:
		case <-time.After(patience):
			h.t.Fatalf("%s: Dequeue still blocked %s after its context ended", tc.name, patience)
		}
		cancel()
		if !errors.Is(r.err, tc.want) || r.j != nil {
			h.t.Fatalf("%s: Dequeue = %v, %v; want nil, %v", tc.name, r.j, r.err, tc.want)
		}
	}
	// A job enqueued afterwards is not lost to the abandoned calls.
	h.enqueue(newJob("q", "after"))
	if got := h.dequeue(longLease, "q"); string(got.Payload) != "after" {
		h.t.Fatalf("got %q", got.Payload)
	}
}

func testDelayedRunAt(h *harness) {
	const delay = 500 * time.Millisecond
	j := newJob("q", "later")
	j.RunAt = time.Now().Add(delay)
	h.enqueue(j)
	got := h.dueAt(j.RunAt, "q")
	if got.Attempt != 1 {
		h.t.Fatalf("Attempt = %d; want 1", got.Attempt)
	}
}

func testAckTwice(h *harness) {
	h.enqueue(newJob("q", "x"))
	j := h.dequeue(longLease, "q")
	h.ack(j)
	err := h.s.Ack(h.ctx, j)
	h.wantErr("second Ack", err, store.ErrLeaseLost, store.ErrNotFound)
}
