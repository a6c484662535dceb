package redis

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// backlog enqueues n jobs b-000… in order on queue "q".
func backlog(t *testing.T, s *Store, n int) {
	t.Helper()
	for i := range n {
		if _, err := s.Enqueue(context.Background(), store.Job{ID: fmt.Sprintf("b-%03d", i), Queue: "q"}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAckLeasesAheadUnderBacklog: with a backlog, an Ack leases the next
// head in its round trip and the next Dequeue gets it without one, in
// queue order and with a proper lease; the held job is in flight, not
// ready, meanwhile.
func TestAckLeasesAheadUnderBacklog(t *testing.T) {
	s := openTest(t, standaloneOptions(t))
	defer s.Close()
	s.pre.hold = time.Minute
	ctx := context.Background()
	backlog(t, s, peekSize+8)
	for i := range 4 {
		j := dequeue(t, s)
		if want := fmt.Sprintf("b-%03d", i); j.ID != want || j.Attempt != 1 || j.Lease == "" {
			t.Fatalf("dequeue %d: %s attempt %d lease %q; want %s, attempt 1, a lease", i, j.ID, j.Attempt, j.Lease, want)
		}
		if err := s.Ack(ctx, j); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			continue // the first Dequeue read the heads: the cache is full from here
		}
		if st := queueStats(t, s, "q"); st.InFlight != 1 {
			t.Fatalf("after ack %d: %+v; want the next job leased ahead (1 in flight)", i, st)
		}
	}
	// The held job is the real head, and its lease holds against Redis.
	j := dequeue(t, s)
	if j.ID != "b-004" {
		t.Fatalf("got %s; want b-004", j.ID)
	}
	if err := s.Extend(ctx, j, time.Minute); err != nil {
		t.Fatalf("Extend of a job leased ahead: %v", err)
	}
	if err := s.Ack(ctx, j); err != nil {
		t.Fatal(err)
	}
}

// TestHeldJobsGoBack: a job leased ahead that no Dequeue takes returns to
// its place, attempt uncounted, after holdFor, and Close returns those it
// still holds, so another process gets them at once.
func TestHeldJobsGoBack(t *testing.T) {
	o := standaloneOptions(t)
	prefix := testPrefix()
	t.Cleanup(func() { wipe(t, o, prefix) })
	s := openPrefixed(t, o, prefix)
	// Long enough that the two acks and the look below fit in it on a
	// loaded machine; the give-back is then awaited, not timed.
	s.pre.hold = 3 * time.Second
	ctx := context.Background()
	backlog(t, s, peekSize+8)
	for range 2 {
		j := dequeue(t, s)
		if err := s.Ack(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	if st := queueStats(t, s, "q"); st.InFlight != 1 {
		t.Fatalf("after two acks: %+v; want one job leased ahead", st)
	}
	deadline := time.Now().Add(30 * time.Second)
	for queueStats(t, s, "q").InFlight != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the job leased ahead was never given back: %+v", queueStats(t, s, "q"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	j := dequeue(t, s)
	if j.ID != "b-002" || j.Attempt != 1 {
		t.Fatalf("after the give-back got %s attempt %d; want b-002 (its place kept), attempt 1", j.ID, j.Attempt)
	}
	if err := s.Ack(ctx, j); err != nil {
		t.Fatal(err)
	}
	// Held at Close: returned by Close.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	other := openPrefixed(t, o, prefix)
	defer other.Close()
	if st := queueStats(t, other, "q"); st.InFlight != 0 || st.Ready != peekSize+5 {
		t.Fatalf("after Close: %+v; want nothing in flight, %d ready", st, peekSize+5)
	}
	if j := dequeue(t, other); j.ID != "b-003" || j.Attempt != 1 {
		t.Fatalf("the other process got %s attempt %d; want b-003, attempt 1", j.ID, j.Attempt)
	}
}
