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

// uniqueRows counts the rows of the uniques bucket.
func uniqueRows(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	if err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketUniques).Stats().KeyN
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func reopenWith(t *testing.T, s *Store, opts ...Option) *Store {
	t.Helper()
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func enqueueErr(s *Store, key string, ttl time.Duration) error {
	_, err := s.Enqueue(context.Background(), store.Job{Queue: "ingest", UniqueKey: key, UniqueTTL: ttl})
	return err
}

// A dedupe key lives in its job's header while the job is in the file:
// Enqueue writes no uniques row (one page less per commit), and the key
// is still refused after a restart, before and after the job is acked,
// until its TTL ends.
func TestUniqueTTLHoldLivesInHeaderThenRow(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s := openTemp(t, WithClock(clk))
	if err := enqueueErr(s, "webhook:shop:d1", time.Hour); err != nil {
		t.Fatal(err)
	}
	if n := uniqueRows(t, s); n != 0 {
		t.Fatalf("Enqueue wrote %d uniques rows; the header holds the key", n)
	}
	s = reopenWith(t, s, WithClock(clk))
	if err := enqueueErr(s, "webhook:shop:d1", time.Hour); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("after a restart, the key of a queued job: %v; want ErrDuplicate", err)
	}

	// Acked before its TTL ends, the job leaves the hold to a row.
	ctx := context.Background()
	j, err := s.Dequeue(ctx, []string{"ingest"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ack(ctx, j); err != nil {
		t.Fatal(err)
	}
	if n := uniqueRows(t, s); n != 1 {
		t.Fatalf("after the ack: %d uniques rows, want the hold's row", n)
	}
	s = reopenWith(t, s, WithClock(clk))
	if err := enqueueErr(s, "webhook:shop:d1", time.Hour); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("after a restart, the key of an acked job within its TTL: %v; want ErrDuplicate", err)
	}

	// Past the TTL the key is free, after a restart too.
	clk.Advance(time.Hour)
	s = reopenWith(t, s, WithClock(clk))
	defer s.Close()
	if err := enqueueErr(s, "webhook:shop:d1", time.Hour); err != nil {
		t.Fatalf("the key after its TTL: %v", err)
	}
	if n := uniqueRows(t, s); n != 0 {
		t.Fatalf("the expired row was kept: %d rows", n)
	}
}

// A TTL hold carried by a header expires with it across a restart, even
// while its job is still queued.
func TestUniqueTTLHoldInHeaderExpires(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s := openTemp(t, WithClock(clk))
	if err := enqueueErr(s, "k", time.Minute); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	s = reopenWith(t, s, WithClock(clk))
	defer s.Close()
	if err := enqueueErr(s, "k", time.Minute); err != nil {
		t.Fatalf("a queued job's expired key after a restart: %v", err)
	}
	// The newer job holds it now, across a restart as well.
	s = reopenWith(t, s, WithClock(clk))
	if err := enqueueErr(s, "k", time.Minute); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("the newer job's key after a restart: %v; want ErrDuplicate", err)
	}
}

// A lifetime key (no TTL) is held by its job's header until the job is
// acked, restarts included, and then freed without a row ever written.
func TestUniqueLifetimeHoldFromHeader(t *testing.T) {
	s := openTemp(t)
	if err := enqueueErr(s, "life", 0); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	if err := enqueueErr(s, "life", 0); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("lifetime key of a queued job after a restart: %v; want ErrDuplicate", err)
	}
	ctx := context.Background()
	j, err := s.Dequeue(ctx, []string{"ingest"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ack(ctx, j); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	defer s.Close()
	if err := enqueueErr(s, "life", 0); err != nil {
		t.Fatalf("lifetime key after its job was acked and a restart: %v", err)
	}
	if n := uniqueRows(t, s); n != 0 {
		t.Fatalf("%d uniques rows for lifetime keys", n)
	}
}

// A file written before holds lived in headers has a row per key and
// headers without an expiry: its keys are held as before.
func TestUniqueRowsOfOlderFilesStillHold(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s := openTemp(t, WithClock(clk))
	if err := enqueueErr(s, "old", time.Hour); err != nil {
		t.Fatal(err)
	}
	// Make the file look like the older layout: no expiry in the header,
	// the hold in a row.
	if err := s.w.do(func(tx *bolt.Tx) error {
		s.mu.Lock()
		e := s.jobs[s.uniques.byKey["old"].job]
		s.mu.Unlock()
		h, err := getHeader(tx, e.key)
		if err != nil {
			return err
		}
		hold := uniqueHold{job: h.ID, expires: fromNanos(h.UniqueExp)}
		h.UniqueExp = 0
		if err := putHeader(tx, e.key, h); err != nil {
			return err
		}
		return putUnique(tx, "old", hold)
	}); err != nil {
		t.Fatal(err)
	}
	s = reopenWith(t, s, WithClock(clk))
	if err := enqueueErr(s, "old", time.Hour); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("an older file's key: %v; want ErrDuplicate", err)
	}
	clk.Advance(time.Hour)
	s = reopenWith(t, s, WithClock(clk))
	defer s.Close()
	if err := enqueueErr(s, "old", time.Hour); err != nil {
		t.Fatalf("an older file's key past its TTL: %v", err)
	}
}

// The expiry heap pops in expiry order whatever order keys were held in.
func TestExpiryHeapOrder(t *testing.T) {
	var h expiryHeap
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, m := range []int{5, 1, 9, 3, 3, 7, 0, 8, 2, 6, 4} {
		h.push(expiring{key: "k", at: base.Add(time.Duration(m) * time.Minute)})
	}
	var last time.Time
	for n := 0; h.Len() > 0; n++ {
		x := h.pop()
		if x.at.Before(last) {
			t.Fatalf("pop %d: %v after %v", n, x.at, last)
		}
		last = x.at
	}
	if !last.Equal(base.Add(9 * time.Minute)) {
		t.Fatalf("last popped %v", last)
	}
}
