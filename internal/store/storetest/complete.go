package storetest

import (
	"bytes"
	"errors"

	"github.com/dropgate/dropgate/core/store"
)

var completeCases = []testCase{
	{"CompleteAppliesWritesAndAcks", testCompleteApplies},
	{"CompleteConflictKeepsJobLeased", testCompleteConflict},
	{"CompleteHandsFollowUpToWaitingWorker", testCompleteHandsOff},
	{"CompleteDropsDuplicateFollowUp", testCompleteDuplicate},
	{"HeldWritesFlushBeforeCounterAndList", testHeldFlush},
}

// completer returns the driver's Completer and a store that holds writes
// made with a context carrying Effects.
func (h *harness) completer() (store.Completer, store.Store) {
	h.t.Helper()
	c, ok := h.s.(store.Completer)
	if !ok {
		h.t.Fatalf("%T does not implement store.Completer", h.s)
	}
	return c, store.Deferring(h.s)
}

func testCompleteApplies(h *harness) {
	c, d := h.completer()
	old := h.put(store.Record{Kind: "order", ID: "o1", Data: []byte("v1")})
	h.enqueue(newJob("q", "handler"))
	j := h.dequeue(longLease, "q")

	fx := &store.Effects{}
	ctx := store.WithEffects(h.ctx, fx)
	v, err := d.PutRecord(ctx, store.Record{Kind: "order", ID: "o1", Data: []byte("v2"), Version: old})
	if err != nil || v != old+1 {
		h.t.Fatalf("held PutRecord = %d, %v; want %d", v, err, old+1)
	}
	if _, err := d.PutRecord(ctx, store.Record{Kind: "order", ID: "o2", Data: []byte("new"), Index: map[string]string{"s": "x"}}); err != nil {
		h.t.Fatalf("held PutRecord of a new record: %v", err)
	}
	if err := d.PutBlob(ctx, "raw", []byte("body")); err != nil {
		h.t.Fatalf("held PutBlob: %v", err)
	}
	next, err := d.Enqueue(ctx, newJob("q2", "follow-up"))
	if err != nil || next == "" {
		h.t.Fatalf("held Enqueue = %q, %v", next, err)
	}
	// The handler reads its own writes; nobody else sees them yet.
	if r, err := d.GetRecord(ctx, "order", "o1"); err != nil || string(r.Data) != "v2" || r.Version != old+1 {
		h.t.Fatalf("held GetRecord = %+v, %v", r, err)
	}
	if b, err := d.GetBlob(ctx, "raw"); err != nil || string(b) != "body" {
		h.t.Fatalf("held GetBlob = %q, %v", b, err)
	}
	if r := h.get("order", "o1"); string(r.Data) != "v1" {
		h.t.Fatalf("a held write is visible before Complete: %q", r.Data)
	}
	if _, err := h.s.GetRecord(h.ctx, "order", "o2"); !errors.Is(err, store.ErrNotFound) {
		h.t.Fatalf("held new record visible before Complete: %v", err)
	}
	h.expectNone(quiet, "q2")

	if err := c.Complete(h.ctx, j, fx); err != nil {
		h.t.Fatalf("Complete: %v", err)
	}
	if r := h.get("order", "o1"); string(r.Data) != "v2" || r.Version <= old {
		h.t.Fatalf("after Complete o1 = %q v%d", r.Data, r.Version)
	}
	if got := h.listAll("order", store.Query{Field: "s", Value: "x"}); len(got) != 1 || got[0] != "o2" {
		h.t.Fatalf("after Complete index s=x lists %v", got)
	}
	if b, err := h.s.GetBlob(h.ctx, "raw"); err != nil || !bytes.Equal(b, []byte("body")) {
		h.t.Fatalf("after Complete blob = %q, %v", b, err)
	}
	if f := h.dequeue(longLease, "q2"); f.ID != next || string(f.Payload) != "follow-up" || f.Attempt != 1 {
		h.t.Fatalf("follow-up = %s %q attempt %d; want %s", f.ID, f.Payload, f.Attempt, next)
	}
	// j is acknowledged: its lease is gone and it does not come back.
	h.wantErr("Ack after Complete", h.s.Ack(h.ctx, j), store.ErrLeaseLost)
	h.expectNone(quiet, "q")
}

func testCompleteConflict(h *harness) {
	c, d := h.completer()
	v := h.put(store.Record{Kind: "order", ID: "o1", Data: []byte("v1")})
	h.enqueue(newJob("q", "handler"))
	j := h.dequeue(longLease, "q")
	fx := &store.Effects{}
	ctx := store.WithEffects(h.ctx, fx)
	if _, err := d.PutRecord(ctx, store.Record{Kind: "order", ID: "o1", Data: []byte("mine"), Version: v}); err != nil {
		h.t.Fatalf("held PutRecord: %v", err)
	}
	if _, err := d.Enqueue(ctx, newJob("q2", "follow-up")); err != nil {
		h.t.Fatalf("held Enqueue: %v", err)
	}
	h.put(store.Record{Kind: "order", ID: "o1", Data: []byte("theirs"), Version: v}) // meanwhile
	h.wantErr("Complete after a concurrent write", c.Complete(h.ctx, j, fx), store.ErrConflict)
	if r := h.get("order", "o1"); string(r.Data) != "theirs" {
		h.t.Fatalf("record after a conflicting Complete = %q", r.Data)
	}
	h.expectNone(quiet, "q2")
	h.ack(j) // still leased by this worker
}

func testCompleteHandsOff(h *harness) {
	c, d := h.completer()
	h.enqueue(newJob("q", "first"))
	j := h.dequeue(longLease, "q")
	got := make(chan *store.Job, 1)
	go func() {
		f, err := h.dequeueWithin([]string{"q2"}, longLease, patience)
		if err != nil {
			h.t.Errorf("waiting Dequeue: %v", err)
		}
		got <- f
	}()
	// Whether the worker is already blocked or comes a moment later, it
	// gets the job once, leased, with its first attempt.
	fx := &store.Effects{}
	id, err := d.Enqueue(store.WithEffects(h.ctx, fx), newJob("q2", "next"))
	if err != nil {
		h.t.Fatalf("held Enqueue: %v", err)
	}
	if err := c.Complete(h.ctx, j, fx); err != nil {
		h.t.Fatalf("Complete: %v", err)
	}
	f := <-got
	if f == nil || f.ID != id || string(f.Payload) != "next" || f.Attempt != 1 || f.Lease == "" {
		h.t.Fatalf("waiting worker got %+v; want %s attempt 1", f, id)
	}
	h.ack(f)
	h.expectNone(quiet, "q", "q2")
}

func testCompleteDuplicate(h *harness) {
	c, d := h.completer()
	first, dup := uniqueJob("first", "k", 0), uniqueJob("dup", "k", 0)
	first.Queue, dup.Queue = "q2", "q2"
	h.enqueue(first)
	h.enqueue(newJob("q", "handler"))
	j := h.dequeue(longLease, "q")
	fx := &store.Effects{}
	if _, err := d.Enqueue(store.WithEffects(h.ctx, fx), dup); err != nil {
		h.t.Fatalf("held Enqueue: %v", err)
	}
	if err := c.Complete(h.ctx, j, fx); err != nil {
		h.t.Fatalf("Complete with a duplicate follow-up: %v", err)
	}
	if f := h.dequeue(longLease, "q2"); string(f.Payload) != "first" {
		h.t.Fatalf("q2 delivered %q; want the first job only", f.Payload)
	} else {
		h.ack(f)
	}
	h.expectNone(quiet, "q", "q2")
}

// A counter (which a file or a message will carry) and a list (which
// cannot see held writes) make what the handler wrote durable first.
func testHeldFlush(h *harness) {
	_, d := h.completer()
	fx := &store.Effects{}
	ctx := store.WithEffects(h.ctx, fx)
	if _, err := d.PutRecord(ctx, store.Record{Kind: "po", ID: "p1", Index: map[string]string{"s": "sent"}}); err != nil {
		h.t.Fatalf("held PutRecord: %v", err)
	}
	if _, err := d.NextCounter(ctx, "isa", "p1"); err != nil {
		h.t.Fatalf("NextCounter: %v", err)
	}
	if r := h.get("po", "p1"); r.Version != 1 {
		h.t.Fatalf("record held across NextCounter: %+v", r)
	}
	if _, err := d.PutRecord(ctx, store.Record{Kind: "po", ID: "p2", Index: map[string]string{"s": "sent"}}); err != nil {
		h.t.Fatalf("held PutRecord: %v", err)
	}
	recs, _, err := d.ListRecords(ctx, "po", store.Query{Field: "s", Value: "sent"})
	if err != nil || len(recs) != 2 {
		h.t.Fatalf("ListRecords after a held write = %d records, %v; want 2", len(recs), err)
	}
	if !fx.Empty() {
		h.t.Fatal("effects still hold writes after the flush")
	}
}
