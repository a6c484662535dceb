package redis

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// TestCompleteAndNext: settling a job leases the next one of the first
// queue that has one, in order, with a lease that holds; the settled job
// is gone; a queue seen empty is passed over until a job of it is
// announced, then nil (Dequeue's turn); a lost lease is an error with no
// job.
func TestCompleteAndNext(t *testing.T) {
	s := openTest(t, standaloneOptions(t))
	defer s.Close()
	ctx := context.Background()
	for _, j := range []store.Job{{ID: "a1", Queue: "a"}, {ID: "a2", Queue: "a"}, {ID: "b1", Queue: "b"}} {
		if _, err := s.Enqueue(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	both := []string{"a", "b"}
	j, err := s.Dequeue(ctx, both, time.Minute)
	if err != nil || j.ID != "a1" {
		t.Fatalf("Dequeue = %+v, %v; want a1", j, err)
	}
	// Priority: a before b, and a's written follow-up is enqueued first.
	fx := &store.Effects{}
	if _, err := store.Deferring(s).Enqueue(store.WithEffects(ctx, fx), store.Job{ID: "b2", Queue: "b"}); err != nil {
		t.Fatal(err)
	}
	next, err := s.CompleteAndNext(ctx, j, fx, both, time.Minute)
	if err != nil || next == nil || next.ID != "a2" || next.Attempt != 1 || next.Lease == "" {
		t.Fatalf("CompleteAndNext = %+v, %v; want a2 leased, attempt 1", next, err)
	}
	if st := queueStats(t, s, "a"); st.Ready != 0 || st.InFlight != 1 {
		t.Fatalf("queue a: %+v; want a1 acked and a2 in flight", st)
	}
	if err := s.Extend(ctx, next, time.Minute); err != nil {
		t.Fatalf("Extend of the chained lease: %v", err)
	}
	if st := queueStats(t, s, "b"); st.Ready != 2 {
		t.Fatalf("queue b: %+v; want b1 and the follow-up b2 ready", st)
	}
	// The other order: b's oldest first.
	next2, err := s.CompleteAndNext(ctx, next, &store.Effects{}, []string{"b", "a"}, time.Minute)
	if err != nil || next2 == nil || next2.ID != "b1" {
		t.Fatalf("CompleteAndNext = %+v, %v; want b1", next2, err)
	}
	// a was seen empty by the lease that took a2: b's turn. On a loaded
	// machine the wake-up subscription may be confirmed only now (which
	// forgets what was known empty: announcements may have been missed),
	// or a second may pass, and then a is no longer known empty and
	// nothing is leased (Dequeue's turn, which takes b2).
	// Nothing leases in between, so the cache looked at after the call
	// still says which case it was.
	next3, err := s.CompleteAndNext(ctx, next2, &store.Effects{}, both, time.Minute)
	if err != nil {
		t.Fatalf("CompleteAndNext past an empty queue: %v", err)
	}
	if next3 == nil {
		_, aEmpty := s.heads.state("a", time.Now())
		if bHeads, _ := s.heads.state("b", time.Now()); aEmpty && len(bHeads) > 0 {
			t.Fatalf("CompleteAndNext leased nothing while a was known empty and b's heads %v were known", bHeads)
		}
		if next3, err = s.Dequeue(ctx, both, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if next3 == nil || next3.ID != "b2" {
		t.Fatalf("past an empty queue: %+v; want b2", next3)
	}
	// A job announced in a: this process no longer knows what a holds,
	// so it leases nothing (Dequeue looks) rather than pass a over.
	if _, err := s.Enqueue(ctx, store.Job{ID: "a3", Queue: "a"}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, empty := s.heads.state("a", time.Now()); !empty {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the announcement of a3 did not reach the head cache")
		}
	}
	next4, err := s.CompleteAndNext(ctx, next3, &store.Effects{}, both, time.Minute)
	if err != nil || next4 != nil {
		t.Fatalf("CompleteAndNext with a announced = %+v, %v; want nil, nil", next4, err)
	}
	if st := queueStats(t, s, "b"); st.InFlight != 0 || st.Ready != 0 {
		t.Fatalf("queue b: %+v; want b1 and b2 acked", st)
	}
	if _, err := s.Enqueue(ctx, store.Job{ID: "b4", Queue: "b"}); err != nil {
		t.Fatal(err)
	}
	// A lease lost meanwhile: an error, and nothing leased for it.
	j4, err := s.Dequeue(ctx, []string{"b"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	stale := *j4
	stale.Lease = "someone-else"
	if _, err := s.Enqueue(ctx, store.Job{ID: "b3", Queue: "b"}); err != nil {
		t.Fatal(err)
	}
	s.heads.set("b", []string{"x"}, s.heads.since("b"), time.Now()) // a guess, so the lease is sent
	n, err := s.CompleteAndNext(ctx, &stale, &store.Effects{}, []string{"b"}, time.Minute)
	if !errors.Is(err, store.ErrLeaseLost) || n != nil {
		t.Fatalf("CompleteAndNext with a lost lease = %+v, %v; want nil, ErrLeaseLost", n, err)
	}
	if st := queueStats(t, s, "b"); st.Ready != 1 || st.InFlight != 1 {
		t.Fatalf("queue b: %+v; want b3 ready and only b4 in flight", st)
	}
}

// TestChainedLeaseOfDeadProcessComesBack: a job leased by CompleteAndNext
// in a process that then dies is delivered again once its lease expires.
func TestChainedLeaseOfDeadProcessComesBack(t *testing.T) {
	o := standaloneOptions(t)
	prefix := testPrefix()
	t.Cleanup(func() { wipe(t, o, prefix) })
	ctx := context.Background()
	dying := openPrefixed(t, o, prefix)
	for _, id := range []string{"j1", "j2"} {
		if _, err := dying.Enqueue(ctx, store.Job{ID: id, Queue: "q"}); err != nil {
			t.Fatal(err)
		}
	}
	j, err := dying.Dequeue(ctx, []string{"q"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	next, err := dying.CompleteAndNext(ctx, j, &store.Effects{}, []string{"q"}, 300*time.Millisecond)
	if err != nil || next == nil || next.ID != "j2" {
		t.Fatalf("CompleteAndNext = %+v, %v; want j2", next, err)
	}
	dying.Close()

	other := openPrefixed(t, o, prefix)
	defer other.Close()
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	again, err := other.Dequeue(dctx, []string{"q"}, time.Minute)
	if err != nil || again.ID != "j2" || again.Attempt != 2 {
		t.Fatalf("Dequeue = %+v, %v; want j2 again, attempt 2", again, err)
	}
}
