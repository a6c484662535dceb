package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/store"
)

// uniqueRows counts the rows of both uniques buckets.
func uniqueRows(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	if err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketUniques).Stats().KeyN + tx.Bucket(bucketUniques2).Stats().KeyN
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
	if err := s.w.do(func(tx *wtx) error {
		s.mu.Lock()
		e := s.jobs[s.uniques.byKey["old"].job]
		s.mu.Unlock()
		h, err := getHeader(tx.Tx, e.key)
		if err != nil {
			return err
		}
		hold := uniqueHold{job: h.ID, expires: fromNanos(h.UniqueExp)}
		h.UniqueExp = 0
		if err := putHeader(tx, e.key, h); err != nil {
			return err
		}
		// A row as files before uniques2 have it: under the key alone.
		v, err := json.Marshal(uniqueRecord{Job: hold.job, Expires: toNanos(hold.expires)})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketUniques).Put([]byte("old"), v)
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

// ackWithKey enqueues a job holding key for ttl and acks it, so its hold
// outlives it in a row.
func ackWithKey(t *testing.T, s *Store, key string, ttl time.Duration) {
	t.Helper()
	ctx := context.Background()
	if err := enqueueErr(s, key, ttl); err != nil {
		t.Fatal(err)
	}
	j, err := s.Dequeue(ctx, []string{"ingest"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ack(ctx, j); err != nil {
		t.Fatal(err)
	}
}

// sweepNow runs the sweep and waits for its deletes to commit (the
// committer applies writes in the order they were submitted).
func sweepNow(t *testing.T, s *Store) {
	t.Helper()
	s.sweep()
	if err := s.w.do(func(*wtx) error { return nil }); err != nil {
		t.Fatal(err)
	}
}

// uniqueRowKeys lists the uniques2 rows as key@minutes after base, in
// stored order.
func uniqueRowKeys(t *testing.T, s *Store, base time.Time) []string {
	t.Helper()
	var out []string
	if err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketUniques2).ForEach(func(k, v []byte) error {
			exp := timeFromKey(k)
			out = append(out, fmt.Sprintf("%s@%v", k[8:], exp.Sub(base)))
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// Rows of holds that outlive their job are stored in expiry order, not
// key order, so one commit's rows share a page; a key held again after
// its hold ended has two rows, and each goes when its own hold ends, with
// or without a restart in between.
func TestUniqueRowsByExpiry(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := clock.NewFake(t0)
	s := openTemp(t, WithClock(clk))
	ackWithKey(t, s, "webhook:z", time.Hour)
	clk.Advance(time.Minute)
	ackWithKey(t, s, "webhook:a", time.Hour)
	if got, want := uniqueRowKeys(t, s, t0), []string{"webhook:z@1h0m0s", "webhook:a@1h1m0s"}; !slices.Equal(got, want) {
		t.Fatalf("rows %v; want expiry order %v", got, want)
	}

	// k: held for a minute, free again, held again.
	ackWithKey(t, s, "k", time.Minute) // expires at 2m
	clk.Advance(time.Minute)
	ackWithKey(t, s, "k", time.Minute) // expires at 3m
	if err := enqueueErr(s, "k", time.Minute); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("the key held again: %v; want ErrDuplicate", err)
	}
	if got := uniqueRowKeys(t, s, t0); !slices.Contains(got, "k@2m0s") || !slices.Contains(got, "k@3m0s") {
		t.Fatalf("rows %v; want both of k's", got)
	}
	// The first hold's row goes at the sweep, the second still holds.
	sweepNow(t, s)
	if got := uniqueRowKeys(t, s, t0); slices.Contains(got, "k@2m0s") || !slices.Contains(got, "k@3m0s") {
		t.Fatalf("after the sweep: rows %v; want only k's second", got)
	}
	if err := enqueueErr(s, "k", time.Minute); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("after the sweep of the first hold: %v; want ErrDuplicate", err)
	}

	// After a restart the second hold is restored from its row, and ends.
	s = reopenWith(t, s, WithClock(clk))
	defer s.Close()
	if err := enqueueErr(s, "k", time.Minute); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("after a restart: %v; want ErrDuplicate", err)
	}
	clk.Advance(time.Minute)
	sweepNow(t, s)
	if got := uniqueRowKeys(t, s, t0); slices.Contains(got, "k@3m0s") || len(got) != 2 {
		t.Fatalf("after k's second hold ended: rows %v; want the two webhook rows", got)
	}
	if err := enqueueErr(s, "k", time.Minute); err != nil {
		t.Fatalf("k after both holds ended: %v", err)
	}
}
