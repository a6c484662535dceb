package embedded

import (
	"context"
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/store"
)

// These tests move a fake clock instead of sleeping. A Dequeue already
// blocked does not see Advance (its timer is on the wall clock), so each
// check starts a new call.

func dequeueNow(t *testing.T, s *Store, lease time.Duration) (*store.Job, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	return s.Dequeue(ctx, []string{"q"}, lease)
}

func TestScheduledAndLeasesFakeClock(t *testing.T) {
	clk := clock.NewFake(t0)
	s := openTemp(t, WithClock(clk))
	defer s.Close()
	ctx := context.Background()

	id, err := s.Enqueue(ctx, store.Job{Queue: "q", RunAt: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if j, err := dequeueNow(t, s, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("delivered %v before RunAt", j)
	}
	clk.Advance(time.Hour)
	first, err := dequeueNow(t, s, time.Minute)
	if err != nil || first.ID != id || !first.LeaseUntil.Equal(t0.Add(time.Hour+time.Minute)) {
		t.Fatalf("at RunAt: %+v, %v", first, err)
	}
	clk.Advance(59 * time.Second)
	if err := s.Extend(ctx, first, time.Minute); err != nil {
		t.Fatalf("Extend: %v", err)
	}
	clk.Advance(59 * time.Second)
	if _, err := dequeueNow(t, s, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("reclaimed an extended lease: %v", err)
	}
	clk.Advance(time.Second)
	second, err := dequeueNow(t, s, time.Minute)
	if err != nil || second.ID != id || second.Attempt != 2 {
		t.Fatalf("after the lease expired: %+v, %v", second, err)
	}
	if err := s.Ack(ctx, first); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("Ack with the reclaimed lease: %v", err)
	}
	st, err := s.Stats(ctx)
	if err != nil || len(st) != 1 || st[0].InFlight != 1 {
		t.Fatalf("Stats = %+v, %v", st, err)
	}
}

func TestOldestAgeFakeClock(t *testing.T) {
	clk := clock.NewFake(t0)
	s := openTemp(t, WithClock(clk))
	defer s.Close()
	ctx := context.Background()
	s.Enqueue(ctx, store.Job{Queue: "q"})
	clk.Advance(90 * time.Second)
	s.Enqueue(ctx, store.Job{Queue: "q"})
	st, _ := s.Stats(ctx)
	if len(st) != 1 || st[0].OldestAge != 90*time.Second || st[0].Ready != 2 {
		t.Fatalf("Stats = %+v; want 2 ready, oldest 90s", st)
	}
}

func TestUniqueTTLAndSweepFakeClock(t *testing.T) {
	clk := clock.NewFake(t0)
	s := openTemp(t, WithClock(clk), WithSweepInterval(10*time.Millisecond))
	defer s.Close()
	ctx := context.Background()
	job := store.Job{Queue: "q", UniqueKey: "webhook:1", UniqueTTL: time.Hour}
	if _, err := s.Enqueue(ctx, job); err != nil {
		t.Fatal(err)
	}
	j, _ := dequeueNow(t, s, time.Minute)
	if err := s.Ack(ctx, j); err != nil {
		t.Fatal(err)
	}
	clk.Advance(59 * time.Minute)
	if _, err := s.Enqueue(ctx, job); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("within the TTL: %v", err)
	}
	clk.Advance(time.Minute)
	waitFor(t, "expired unique key swept from the file", func() bool {
		return uniqueRows(t, s) == 0
	})
	s.mu.Lock()
	n := len(s.uniques.byKey)
	s.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d unique keys still in memory", n)
	}
	if _, err := s.Enqueue(ctx, job); err != nil {
		t.Fatalf("after the TTL: %v", err)
	}
}

func TestClaimsFakeClock(t *testing.T) {
	clk := clock.NewFake(t0)
	s := openTemp(t, WithClock(clk), WithSweepInterval(10*time.Millisecond))
	defer s.Close()
	ctx := context.Background()
	if ok, _ := s.Claim(ctx, "import", time.Minute); !ok {
		t.Fatal("first claim lost")
	}
	clk.Advance(59 * time.Second)
	if ok, _ := s.Claim(ctx, "import", time.Minute); ok {
		t.Fatal("claim won before expiry")
	}
	s.Claim(ctx, "forever", 0)
	clk.Advance(time.Second)
	waitFor(t, "expired claim swept", func() bool { return !hasKey(t, s, bucketClaims, "import") })
	if !hasKey(t, s, bucketClaims, "forever") {
		t.Fatal("sweep removed a claim without expiry")
	}
	if ok, _ := s.Claim(ctx, "import", time.Minute); !ok {
		t.Fatal("claim lost after expiry")
	}
}

func TestRecordTimesFakeClock(t *testing.T) {
	clk := clock.NewFake(t0)
	s := openTemp(t, WithClock(clk))
	defer s.Close()
	ctx := context.Background()
	s.PutRecord(ctx, store.Record{Kind: "order", ID: "1"})
	clk.Advance(time.Hour)
	s.PutRecord(ctx, store.Record{Kind: "order", ID: "1", Version: 1})
	r, err := s.GetRecord(ctx, "order", "1")
	if err != nil || !r.Created.Equal(t0) || !r.Updated.Equal(t0.Add(time.Hour)) {
		t.Fatalf("record %+v, %v; want created %s, updated an hour later", r, err, t0)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute) // a hang guard
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: timed out", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func hasKey(t *testing.T, s *Store, bucket []byte, key string) bool {
	t.Helper()
	var ok bool
	if err := s.db.View(func(tx *bolt.Tx) error {
		ok = tx.Bucket(bucket).Get([]byte(key)) != nil
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ok
}
