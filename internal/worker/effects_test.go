package worker

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// A handler's writes and follow-up jobs land with its ack.
func TestHandlerWritesCommitWithAck(t *testing.T) {
	st, r, start := setup(t)
	d := store.Deferring(st)
	r.Queues = []string{"q", "next"}
	var followed atomic.Int32
	r.Handle("first", func(ctx context.Context, j *store.Job) error {
		if _, err := d.PutRecord(ctx, store.Record{Kind: "order", ID: "o1", Data: []byte("done")}); err != nil {
			return err
		}
		_, err := d.Enqueue(ctx, store.Job{Queue: "next", Kind: "second"})
		return err
	})
	r.Handle("second", func(ctx context.Context, j *store.Job) error {
		rec, err := d.GetRecord(ctx, "order", "o1")
		if err != nil || string(rec.Data) != "done" {
			t.Errorf("follow-up read %q, %v; want the first job's record", rec.Data, err)
		}
		followed.Add(1)
		return nil
	})
	if _, err := st.Enqueue(context.Background(), store.Job{Queue: "q", Kind: "first"}); err != nil {
		t.Fatal(err)
	}
	start()
	waitFor(t, "the follow-up job", func() bool { return followed.Load() == 1 })
}

// A failed attempt keeps what it wrote, as when writes were made at once.
func TestFailedAttemptKeepsWrites(t *testing.T) {
	st, r, start := setup(t)
	d := store.Deferring(st)
	var runs atomic.Int32
	r.Handle("k", func(ctx context.Context, j *store.Job) error {
		n := runs.Add(1)
		if n == 1 {
			if _, err := d.PutRecord(ctx, store.Record{Kind: "progress", ID: "p", Data: []byte("half")}); err != nil {
				return err
			}
			return errors.New("transient")
		}
		if _, err := st.GetRecord(ctx, "progress", "p"); err != nil {
			t.Errorf("second attempt: the first one's write is gone: %v", err)
		}
		return nil
	})
	if _, err := st.Enqueue(context.Background(), store.Job{Queue: "q", Kind: "k"}); err != nil {
		t.Fatal(err)
	}
	start()
	waitFor(t, "the retry", func() bool { return runs.Load() == 2 })
}

// A record changed under the handler fails its commit; the job runs
// again on fresh data with its attempt given back, and only that run's
// write lands.
func TestConflictingWritesRunJobAgain(t *testing.T) {
	st, r, start := setup(t)
	d := store.Deferring(st)
	ctx0 := context.Background()
	if _, err := st.PutRecord(ctx0, store.Record{Kind: "order", ID: "o1", Data: []byte("v1")}); err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int32
	attempts := make(chan int, 2)
	r.Handle("k", func(ctx context.Context, j *store.Job) error {
		attempts <- j.Attempt
		rec, err := d.GetRecord(ctx, "order", "o1")
		if err != nil {
			return err
		}
		mine := rec
		mine.Data = append(append([]byte(nil), rec.Data...), "+mine"...)
		if _, err := d.PutRecord(ctx, mine); err != nil {
			return err
		}
		if runs.Add(1) == 1 { // another writer gets in before the commit
			if _, err := st.PutRecord(ctx0, store.Record{Kind: "order", ID: "o1", Data: []byte("theirs"), Version: rec.Version}); err != nil {
				t.Error(err)
			}
		}
		return nil
	})
	if _, err := st.Enqueue(ctx0, store.Job{Queue: "q", Kind: "k"}); err != nil {
		t.Fatal(err)
	}
	start()
	waitFor(t, "the second run", func() bool { return runs.Load() == 2 })
	waitFor(t, "its write", func() bool {
		rec, err := st.GetRecord(ctx0, "order", "o1")
		return err == nil && string(rec.Data) == "theirs+mine"
	})
	if a, b := <-attempts, <-attempts; a != 1 || b != 1 {
		t.Fatalf("attempts %d then %d; want 1 and 1 (a conflict is not the handler's failure)", a, b)
	}
}

// A flush that fails mid-handler (a claim released in a defer, whose
// error the handler drops) loses the writes held until then: the job is
// not acked with the rest, it runs again and its write lands; the claim
// is released all the same, so the next holder is not kept out.
func TestLostFlushRunsJobAgainAndReleasesClaim(t *testing.T) {
	st, r, start := setup(t)
	d := store.Deferring(st)
	ctx0 := context.Background()
	if _, err := st.PutRecord(ctx0, store.Record{Kind: "order", ID: "o1", Data: []byte("v1")}); err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int32
	r.Handle("k", func(ctx context.Context, j *store.Job) error {
		if ok, err := d.Claim(ctx, "sweep", time.Hour); err != nil || !ok {
			return fmt.Errorf("claim: %v %v", ok, err)
		}
		defer func() { _ = d.Release(ctx, "sweep") }()
		rec, err := d.GetRecord(ctx, "order", "o1")
		if err != nil {
			return err
		}
		mine := rec
		mine.Data = append(append([]byte(nil), rec.Data...), "+mine"...)
		if _, err := d.PutRecord(ctx, mine); err != nil {
			return err
		}
		if runs.Add(1) == 1 { // another writer gets in before the release's flush
			if _, err := st.PutRecord(ctx0, store.Record{Kind: "order", ID: "o1", Data: []byte("theirs"), Version: rec.Version}); err != nil {
				t.Error(err)
			}
		}
		return nil
	})
	if _, err := st.Enqueue(ctx0, store.Job{Queue: "q", Kind: "k"}); err != nil {
		t.Fatal(err)
	}
	start()
	waitFor(t, "the second run", func() bool { return runs.Load() == 2 })
	waitFor(t, "its write", func() bool {
		rec, err := st.GetRecord(ctx0, "order", "o1")
		return err == nil && string(rec.Data) == "theirs+mine"
	})
	waitFor(t, "the claim free", func() bool {
		ok, err := st.Claim(ctx0, "sweep", time.Minute)
		return err == nil && ok
	})
}
