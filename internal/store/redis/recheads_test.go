package redis

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// TestRememberedHeadIsChecked: a record head this process remembers is
// only a guess, checked by the put script as a read head would be. When
// another process has written the record since, a write at the old
// version is a conflict, as after a read; when the record was deleted and
// made again at the same version, the write is redone on a fresh read, and
// no index entry of the old record is left behind.
func TestRememberedHeadIsChecked(t *testing.T) {
	o := standaloneOptions(t)
	s := openTest(t, o)
	defer s.Close()
	other := openPrefixed(t, o, s.Prefix()) // another process, same data
	defer other.Close()
	ctx := context.Background()
	put := func(st *Store, id string, version int64, status string) (int64, error) {
		return st.PutRecord(ctx, store.Record{Kind: "order", ID: id, Version: version, Data: []byte(status), Index: map[string]string{"s": status}})
	}
	listed := func(status string) int {
		t.Helper()
		got, _, err := s.ListRecords(ctx, "order", store.Query{Field: "s", Value: status})
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}

	// Written since by another process: a conflict, then fine at the
	// version read again.
	if _, err := put(s, "o1", 0, "new"); err != nil {
		t.Fatal(err)
	}
	if _, err := put(other, "o1", 1, "other"); err != nil {
		t.Fatal(err)
	}
	if _, err := put(s, "o1", 1, "mine"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("write at a version another process moved past: %v; want ErrConflict", err)
	}
	cur, err := s.GetRecord(ctx, "order", "o1")
	if err != nil || cur.Version != 2 {
		t.Fatalf("o1: %+v, %v", cur, err)
	}
	if v, err := put(s, "o1", 2, "mine"); err != nil || v != 3 {
		t.Fatalf("write at the version read again: %d, %v", v, err)
	}
	if listed("other") != 0 || listed("mine") != 1 {
		t.Errorf("index after the writes: other %d, mine %d; want 0, 1", listed("other"), listed("mine"))
	}

	// Deleted and made again at the same version by another process, with
	// another index and Created, after the job read it: what s remembers
	// has the right version and the wrong rest. The held write is redone
	// on a fresh read.
	if _, err := put(s, "o2", 0, "first"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enqueue(ctx, store.Job{Queue: "q"}); err != nil {
		t.Fatal(err)
	}
	j := dequeue(t, s)
	fx := &store.Effects{}
	if _, err := store.Deferring(s).PutRecord(store.WithEffects(ctx, fx), store.Record{Kind: "order", ID: "o2", Version: 1, Data: []byte("held"), Index: map[string]string{"s": "held"}}); err != nil {
		t.Fatal(err)
	}
	fx.Close()
	if err := other.DeleteRecord(ctx, "order", "o2"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.PutRecord(ctx, store.Record{Kind: "order", ID: "o2", Data: []byte("again"), Index: map[string]string{"s": "again"},
		Created: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Complete(ctx, j, fx); err != nil {
		t.Fatalf("Complete over a record made again: %v", err)
	}
	got, err := s.GetRecord(ctx, "order", "o2")
	if err != nil || string(got.Data) != "held" || got.Version != 2 {
		t.Fatalf("o2 after the held write: %+v, %v", got, err)
	}
	if listed("first") != 0 || listed("again") != 0 || listed("held") != 1 {
		t.Errorf("index: first %d, again %d, held %d; want 0, 0, 1", listed("first"), listed("again"), listed("held"))
	}
}
