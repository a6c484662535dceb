package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
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
		return &write{done: make(chan error, 1), fn: func(tx *wtx) error {
			return tx.Bucket(bucketBlobs).Put([]byte(k), []byte(k))
		}}
	}
	bad := &write{done: make(chan error, 1), fn: func(*wtx) error { return boom }}
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
	done, err := s.w.submit(func(*wtx) error { return errors.New("disk on fire") }, true, true)
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

// Many concurrent enqueues share commits, and every one of them, payload
// and dedupe key included, is in the file after a reopen: batches reuse
// the pending list's array, so a write must not survive into the next
// batch nor be overwritten by it.
func TestConcurrentEnqueuesShareCommitsAndAllLand(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	const senders, each = 32, 40
	var wg sync.WaitGroup
	errs := make(chan error, senders)
	for g := 0; g < senders; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				id := fmt.Sprintf("d-%d-%d", g, i)
				if _, err := s.Enqueue(ctx, store.Job{ID: "job_" + id, Queue: "ingest", Payload: []byte(id), UniqueKey: "webhook:" + id}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if c := s.Commits(); c >= senders*each {
		t.Errorf("%d enqueues took %d commits: none were shared", senders*each, c)
	}
	s = reopen(t, s)
	defer s.Close()
	seen := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketJobs).ForEach(func(k, v []byte) error {
			var h header
			if err := json.Unmarshal(v, &h); err != nil {
				return err
			}
			p, err := decodeBlob(tx.Bucket(bucketPayload2).Get(k))
			if err != nil || "job_"+string(p) != h.ID {
				return fmt.Errorf("job %s stored with payload %q", h.ID, p)
			}
			seen++
			return nil
		})
	})
	if err != nil || seen != senders*each {
		t.Fatalf("after reopen: %d jobs, %v; want %d", seen, err, senders*each)
	}
	for g := 0; g < senders; g++ {
		id := fmt.Sprintf("d-%d-%d", g, each-1)
		if _, err := s.Enqueue(ctx, store.Job{Queue: "ingest", UniqueKey: "webhook:" + id}); !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("dedupe key of %s lost: %v", id, err)
		}
	}
}

// reopen closes s and opens its file again, as the next process would.
func reopen(t *testing.T, s *Store) *Store {
	t.Helper()
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The store counts the page bytes its commits write and the time its
// commit loop spends committing; both grow with each commit.
func TestCommitCounters(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	b0, busy0, w0, n0 := s.PageBytesWritten(), s.CommitBusy(), s.CommitWriteTime(), s.PageWrites()
	l0 := s.LogBytesWritten()
	if _, err := s.Enqueue(ctx, store.Job{Queue: "q", Payload: randomBytes(20 << 10)}); err != nil {
		t.Fatal(err)
	}
	b1, busy1, w1, n1 := s.PageBytesWritten(), s.CommitBusy(), s.CommitWriteTime(), s.PageWrites()
	// A 20 KiB payload that does not compress is at least five pages.
	if b1-b0 < 20<<10 {
		t.Errorf("a commit of a 20 KiB payload counted %d page bytes", b1-b0)
	}
	if busy1 <= busy0 {
		t.Errorf("commit loop busy %v then %v; want it to grow", busy0, busy1)
	}
	// At least the payload's node, the job header's and the meta page.
	if n1-n0 < 3 {
		t.Errorf("a commit of one job counted %d page writes", n1-n0)
	}
	// With the log, the commit's record holds at least the payload.
	if logSupported() && s.LogBytesWritten()-l0 < 20<<10 {
		t.Errorf("a commit of a 20 KiB payload logged %d bytes", s.LogBytesWritten()-l0)
	}
	// The write and fsyncs are part of the commit loop's time.
	if w1 <= w0 || w1-w0 > busy1-busy0 {
		t.Errorf("commit write time grew by %v, busy time by %v; want it to grow by no more than busy", w1-w0, busy1-busy0)
	}
}
