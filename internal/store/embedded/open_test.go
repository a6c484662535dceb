package embedded

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

func TestOpenCreatesParentDirs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "c", "dropgate.db")
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("file not created: %v", err)
	}
}

func TestOpenLockedFails(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	// The lock timeout is honoured: the second Open gives up rather than
	// wait for the lock forever (a guard of a minute tells the two apart).
	var err error
	opened := make(chan struct{})
	go func() {
		defer close(opened)
		_, err = Open(s.Path(), WithLockTimeout(100*time.Millisecond))
	}()
	select {
	case <-opened:
	case <-time.After(time.Minute):
		t.Fatal("a second Open of a locked file still waits after a minute; its lock timeout was 100ms")
	}
	if err == nil {
		t.Fatal("second Open of a locked file succeeded")
	}
	if !strings.Contains(err.Error(), "database is locked by another dropgate process") {
		t.Fatalf("error %q does not say the file is locked", err)
	}
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("error %v is not ErrUnavailable", err)
	}
}

func TestClose(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	errc := make(chan error, 1)
	go func() {
		_, err := s.Dequeue(ctx, []string{"q"}, time.Minute)
		errc <- err
	}()
	waitFor(t, "the Dequeue to block", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.waiters) > 0
	})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, store.ErrClosed) {
			t.Fatalf("blocked Dequeue after Close: %v; want ErrClosed", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Close did not wake a blocked Dequeue")
	}
	if _, err := s.Enqueue(ctx, store.Job{Queue: "q"}); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Enqueue after Close: %v; want ErrClosed", err)
	}
	if _, err := s.PutRecord(ctx, store.Record{Kind: "k", ID: "1"}); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("PutRecord after Close: %v; want ErrClosed", err)
	}
	if err := s.Ping(ctx); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Ping after Close: %v; want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestReopenBuriesExhaustedLease: a job whose last attempt was running when
// the process died is a dead letter on the next Open, not a fresh delivery.
func TestReopenBuriesExhaustedLease(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	id, err := s.Enqueue(ctx, store.Job{Queue: "q", MaxAttempts: 1, Payload: []byte("poison")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Dequeue(ctx, []string{"q"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	defer s.Close()
	d, err := s.DeadLetter(ctx, id)
	if err != nil {
		t.Fatalf("DeadLetter: %v", err)
	}
	if len(d.Errors) != 1 || !strings.Contains(d.Errors[0].Error, "process ended") {
		t.Fatalf("Errors = %+v", d.Errors)
	}
	if st, _ := s.Stats(ctx); len(st) != 1 || st[0].Dead != 1 || st[0].Ready != 0 {
		t.Fatalf("Stats = %+v", st)
	}
}

func TestDefaultMaxAttempts(t *testing.T) {
	s := openTemp(t, WithMaxAttempts(3))
	defer s.Close()
	ctx := context.Background()
	if _, err := s.Enqueue(ctx, store.Job{Queue: "q"}); err != nil {
		t.Fatal(err)
	}
	j, err := s.Dequeue(ctx, []string{"q"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if j.MaxAttempts != 3 {
		t.Fatalf("MaxAttempts = %d; want the default 3", j.MaxAttempts)
	}
}

func TestReadsAfterClose(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	s.Close()
	if _, err := s.GetRecord(ctx, "k", "1"); !errors.Is(err, store.ErrClosed) {
		t.Errorf("GetRecord: %v", err)
	}
	if _, _, err := s.ListRecords(ctx, "k", store.Query{}); !errors.Is(err, store.ErrClosed) {
		t.Errorf("ListRecords: %v", err)
	}
	if _, err := s.GetBlob(ctx, "k"); !errors.Is(err, store.ErrClosed) {
		t.Errorf("GetBlob: %v", err)
	}
	if _, _, err := s.DeadLetters(ctx, "", 0); !errors.Is(err, store.ErrClosed) {
		t.Errorf("DeadLetters: %v", err)
	}
	if _, err := s.Take(ctx, "k", 1, store.Limit{Rate: 1, Burst: 1}); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Take: %v", err)
	}
	if _, err := s.Stats(ctx); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Stats: %v", err)
	}
}

// Per-key pending counts are rebuilt on Open, leased jobs counted again.
func TestStatsKeysAfterReopen(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	for range 3 {
		if _, err := s.Enqueue(ctx, store.Job{Queue: "q", Key: "supplier:acme"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Dequeue(ctx, []string{"q"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Stats(ctx); st[0].Keys["supplier:acme"] != 2 {
		t.Fatalf("before reopen: %+v", st)
	}
	path := s.Path()
	s.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if st, _ := s.Stats(ctx); st[0].Keys["supplier:acme"] != 3 || st[0].Ready != 3 {
		t.Fatalf("after reopen: %+v", st)
	}
}
