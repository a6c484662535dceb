package embedded

import (
	"context"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/store"
)

// waitPending returns once the committer holds n queued writes.
func waitPending(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.w.mu.Lock()
		got := len(s.w.pending)
		s.w.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("committer never held %d writes (has %d)", n, got)
		}
		time.Sleep(time.Millisecond)
	}
}

// A Complete changes memory when the committer runs it, not when it was
// submitted. A job enqueued in between (here the next job of the acked
// job's group) is in memory but its row is written after the Complete.
// Releasing the group must not hand that job to a waiting worker inside
// the Complete's commit: the lease would read a row not yet written, fail
// a write that memory already reflects, and stop the store.
func TestCompleteDoesNotHandOffAJobWrittenAfterIt(t *testing.T) {
	// A still clock: "b" is due at the Complete's time, as when its
	// Enqueue read the clock just before the Complete did.
	s := openTemp(t, WithClock(clock.NewFake(t0)))
	defer s.Close()
	ctx := context.Background()

	if _, err := s.Enqueue(ctx, store.Job{ID: "a", Queue: "q", Group: "order-1", Payload: []byte("a")}); err != nil {
		t.Fatal(err)
	}
	a, err := s.Dequeue(ctx, []string{"q"}, time.Minute)
	if err != nil || a.ID != "a" {
		t.Fatalf("Dequeue = %v, %v", a, err)
	}
	// A worker waits: "b" will sit behind "a" in its group.
	got := dequeueAsync(t, s, "q")

	// Hold the committer in a transaction so the next writes queue up in
	// a known order: the Complete of "a" first, then the Enqueue of "b".
	running, release := make(chan struct{}), make(chan struct{})
	if _, err := s.w.submit(func(*wtx) error { close(running); <-release; return nil }, false, false); err != nil {
		t.Fatal(err)
	}
	<-running
	completed := make(chan error, 1)
	go func() { completed <- s.Complete(ctx, a, &store.Effects{}) }()
	waitPending(t, s, 1)
	enqueued := make(chan error, 1)
	go func() {
		_, err := s.Enqueue(ctx, store.Job{ID: "b", Queue: "q", Group: "order-1", Payload: []byte("b")})
		enqueued <- err
	}()
	waitPending(t, s, 2)
	close(release)

	if err := <-completed; err != nil {
		t.Fatalf("Complete(a): %v", err)
	}
	if err := <-enqueued; err != nil {
		t.Fatalf("Enqueue(b): %v", err)
	}
	b := <-got
	if b == nil || b.ID != "b" || b.Attempt != 1 || string(b.Payload) != "b" {
		t.Fatalf("waiting worker got %+v, want b at attempt 1 with its payload", b)
	}
	if err := s.w.failed(); err != nil {
		t.Fatalf("store stopped: %v", err)
	}
	if err := s.Ack(ctx, b); err != nil {
		t.Fatalf("Ack(b): %v", err)
	}
}
