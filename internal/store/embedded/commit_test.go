package embedded

import (
	"context"
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/dropgate/dropgate/core/store"
)

// A write that fails alone fails alone: the others of its batch commit.
func TestCommitIsolatesFailingWrite(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	boom := errors.New("boom")
	put := func(k string) *write {
		return &write{done: make(chan error, 1), fn: func(tx *bolt.Tx) error {
			return tx.Bucket(bucketBlobs).Put([]byte(k), []byte(k))
		}}
	}
	bad := &write{done: make(chan error, 1), fn: func(*bolt.Tx) error { return boom }}
	batch := []*write{put("a"), bad, put("b")}
	s.w.commit(batch)
	for i, w := range batch {
		err := <-w.done
		if (w == bad) != errors.Is(err, boom) {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	for _, k := range []string{"a", "b"} {
		if !hasKey(t, s, bucketBlobs, k) {
			t.Fatalf("blob %s lost with its failing neighbour", k)
		}
	}
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("a failing write the queue does not depend on stopped the store: %v", err)
	}
}

// A write mirroring the in-memory queue that fails stops the store: memory
// and file no longer agree, and the next Open recovers from the file.
func TestCoupledWriteFailureStopsStore(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	done, err := s.w.submit(func(*bolt.Tx) error { return errors.New("disk on fire") }, true, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil {
		t.Fatal("failing write reported success")
	}
	for name, err := range map[string]error{
		"Ping":    s.Ping(ctx),
		"Enqueue": func() error { _, err := s.Enqueue(ctx, store.Job{Queue: "q"}); return err }(),
		"Dequeue": func() error { _, err := s.Dequeue(ctx, []string{"q"}, time.Second); return err }(),
		"Claim":   func() error { _, err := s.Claim(ctx, "k", 0); return err }(),
	} {
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("%s after a failed queue write: %v; want ErrUnavailable", name, err)
		}
	}
}
