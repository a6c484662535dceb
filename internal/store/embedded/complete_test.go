package embedded

import (
	"context"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// waitForWaiter returns once a Dequeue is blocked on s.
func waitForWaiter(t *testing.T, s *Store) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mu.Lock()
		n := len(s.waiters)
		s.mu.Unlock()
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no Dequeue ever waited")
		}
		time.Sleep(time.Millisecond)
	}
}

// dequeueAsync starts a Dequeue of queue and returns where its job lands.
func dequeueAsync(t *testing.T, s *Store, queue string) <-chan *store.Job {
	got := make(chan *store.Job, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		j, err := s.Dequeue(ctx, []string{queue}, time.Minute)
		if err != nil {
			t.Errorf("Dequeue(%s): %v", queue, err)
		}
		got <- j
	}()
	waitForWaiter(t, s)
	return got
}

// On an idle store one job's whole path costs one commit per step: the
// enqueue carries the waiting worker's lease, and the handler's writes,
// its follow-up (leased to the next waiting worker) and its ack are one.
func TestIdleJobPathCommits(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	d := store.Deferring(s)

	got := dequeueAsync(t, s, "ingest")
	c0 := s.Commits()
	if _, err := s.Enqueue(ctx, store.Job{Queue: "ingest", Payload: []byte("webhook")}); err != nil {
		t.Fatal(err)
	}
	j := <-got
	if j == nil || j.Attempt != 1 {
		t.Fatalf("waiting worker got %+v", j)
	}
	if n := s.Commits() - c0; n != 1 {
		t.Fatalf("enqueue + lease of a waiting worker took %d commits; want 1", n)
	}

	next := dequeueAsync(t, s, "outbound")
	c0 = s.Commits()
	fx := &store.Effects{}
	hctx := store.WithEffects(ctx, fx)
	if _, err := d.PutRecord(hctx, store.Record{Kind: "order", ID: "o1", Data: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	if err := d.PutBlob(hctx, "raw/o1", []byte("webhook")); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Enqueue(hctx, store.Job{Queue: "outbound", Payload: []byte("po.send")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Complete(ctx, j, fx); err != nil {
		t.Fatal(err)
	}
	f := <-next
	if f == nil || string(f.Payload) != "po.send" || f.Attempt != 1 {
		t.Fatalf("follow-up delivered as %+v", f)
	}
	if n := s.Commits() - c0; n != 1 {
		t.Fatalf("record + blob + follow-up + its lease + ack took %d commits; want 1", n)
	}
}

// A job handed over inside a commit is durable as leased: after a restart
// it is ready again with its attempt counted, like any leased job.
func TestHandedOffLeaseIsDurable(t *testing.T) {
	s := openTemp(t)
	got := dequeueAsync(t, s, "q")
	id, err := s.Enqueue(context.Background(), store.Job{Queue: "q", Payload: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	if j := <-got; j == nil || j.ID != id {
		t.Fatalf("waiting worker got %+v; want %s", j, id)
	}
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	j, err := s.Dequeue(ctx, []string{"q"}, time.Minute)
	if err != nil || j.ID != id || j.Attempt != 2 {
		t.Fatalf("after restart got %+v, %v; want %s at attempt 2", j, err, id)
	}
}
