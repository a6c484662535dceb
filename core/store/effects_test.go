package store

import (
	"context"
	"errors"
	"testing"
)

// readCounter is a driver holding one record that counts its reads; the
// methods a test does not use are the nil embedded Store's.
type readCounter struct {
	Store
	rec   Record
	reads int
}

func (c *readCounter) GetRecord(ctx context.Context, kind, id string) (Record, error) {
	c.reads++
	if kind != c.rec.Kind || id != c.rec.ID {
		return Record{}, ErrNotFound
	}
	return c.rec, nil
}

func (c *readCounter) Complete(ctx context.Context, j *Job, fx *Effects) error { return nil }

// TestHeldWriteUsesTheHandlersRead: a record the handler read is not read
// again at its first held write, which is checked against the version the
// handler read (a newer one stored meanwhile is the commit's conflict);
// an absent one read as absent is created at version 1.
func TestHeldWriteUsesTheHandlersRead(t *testing.T) {
	drv := &readCounter{rec: Record{Kind: "order", ID: "o1", Version: 3}}
	d := Deferring(drv)
	fx := &Effects{}
	ctx := WithEffects(context.Background(), fx)
	r, err := d.GetRecord(ctx, "order", "o1")
	if err != nil || r.Version != 3 {
		t.Fatalf("GetRecord = %+v, %v", r, err)
	}
	drv.rec.Version = 4 // another writer, after the handler's read
	if v, err := d.PutRecord(ctx, Record{Kind: "order", ID: "o1", Version: 3}); err != nil || v != 4 {
		t.Fatalf("PutRecord = %d, %v; want 4 (based on the read of v3)", v, err)
	}
	if _, err := d.GetRecord(ctx, "order", "o2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetRecord o2: %v", err)
	}
	if v, err := d.PutRecord(ctx, Record{Kind: "order", ID: "o2"}); err != nil || v != 1 {
		t.Fatalf("PutRecord o2 = %d, %v; want 1", v, err)
	}
	if drv.reads != 2 {
		t.Fatalf("driver read %d times; want 2 (the handler's reads only)", drv.reads)
	}
	recs, _, _ := fx.Take()
	if len(recs) != 2 || recs[0].Expect != 3 || recs[1].Expect != 0 {
		t.Fatalf("held %+v; want o1 expecting v3, o2 expecting absence", recs)
	}
	// Written and committed: the next write reads afresh.
	if _, err := d.PutRecord(ctx, Record{Kind: "order", ID: "o1", Version: 4}); err != nil || drv.reads != 3 {
		t.Fatalf("PutRecord after a commit: %v, %d reads; want a fresh read", err, drv.reads)
	}
}

// TestHeldJobIDIsFresh: a held job given no id gets a random one marked
// FreshID, which lets a store skip looking for a stored job with that id;
// an id the handler gave stays unmarked.
func TestHeldJobIDIsFresh(t *testing.T) {
	fx := &Effects{}
	ctx := WithEffects(context.Background(), fx)
	d := Deferring(&readCounter{})
	id, err := d.Enqueue(ctx, Job{Queue: "q", UniqueKey: "k1"})
	if err != nil || id == "" {
		t.Fatalf("Enqueue: %q, %v", id, err)
	}
	if _, err := d.Enqueue(ctx, Job{ID: "given", Queue: "q"}); err != nil {
		t.Fatal(err)
	}
	fx.Close()
	_, _, jobs := fx.Take()
	if len(jobs) != 2 {
		t.Fatalf("held %d jobs; want 2", len(jobs))
	}
	if jobs[0].ID != id || !jobs[0].FreshID {
		t.Errorf("generated id: %+v; want %s, FreshID", jobs[0], id)
	}
	if jobs[1].ID != "given" || jobs[1].FreshID {
		t.Errorf("given id: %+v; want it unmarked", jobs[1])
	}
}
