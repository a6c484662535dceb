package embedded

import (
	"context"
	"errors"
	"testing"

	"github.com/dropgate/dropgate/core/store"
)

// A marker written with store.Durable inside a job is stored when the
// call returns, after what the job held before it, and outlives a commit
// the job then loses: the job, run again, finds it.
func TestDurableWriteOutlivesALostCommit(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	d := store.Deferring(s)
	if _, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: "o1", Data: []byte("v1")}); err != nil {
		t.Fatal(err)
	}

	fx := &store.Effects{}
	hctx := store.WithEffects(ctx, fx)
	if _, err := d.PutRecord(hctx, store.Record{Kind: "note", ID: "before", Data: []byte("held")}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.PutRecord(store.Durable(hctx), store.Record{Kind: "mark", ID: "m1", Data: []byte("sending")}); err != nil {
		t.Fatal(err)
	}
	for _, k := range [][2]string{{"mark", "m1"}, {"note", "before"}} {
		if _, err := s.GetRecord(ctx, k[0], k[1]); err != nil {
			t.Fatalf("%s/%s not stored when the durable write returned: %v", k[0], k[1], err)
		}
	}

	// The job then changes the order while another writer does too.
	o, err := d.GetRecord(hctx, "order", "o1")
	if err != nil {
		t.Fatal(err)
	}
	o.Data = []byte("v2 by the job")
	if _, err := d.PutRecord(hctx, o); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: "o1", Data: []byte("v2 by another"), Version: 1}); err != nil {
		t.Fatal(err)
	}
	if err := s.Complete(ctx, nil, fx); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("commit over a concurrent write: %v, want a conflict", err)
	}
	if m, err := s.GetRecord(ctx, "mark", "m1"); err != nil || string(m.Data) != "sending" {
		t.Fatalf("the marker after the lost commit: %q, %v", m.Data, err)
	}

	// Without Durable the marker is held, and lost with the commit.
	fx = &store.Effects{}
	hctx = store.WithEffects(ctx, fx)
	if _, err := d.PutRecord(hctx, store.Record{Kind: "mark", ID: "m2", Data: []byte("sending")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetRecord(ctx, "mark", "m2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a held marker is stored before the commit: %v", err)
	}
}
