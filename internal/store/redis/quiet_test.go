package redis

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/store"
)

// TestFarTimerIsQuietButRuns: a job due ReapInterval or more ahead is not
// announced (a timer days away would wake every reaper for nothing), one
// due sooner that is the earliest is, and the far one still runs once its
// time comes.
func TestFarTimerIsQuietButRuns(t *testing.T) {
	o := standaloneOptions(t)
	fake := clock.NewFake(time.Now())
	o.Clock, o.ReapInterval = fake, 20*time.Millisecond
	s := openTest(t, o)
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	sub := s.rdb.Subscribe(ctx, s.keys.channel())
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil { // the subscription's confirmation
		t.Fatal(err)
	}
	if _, err := s.Enqueue(ctx, store.Job{ID: "far", Queue: "far", RunAt: fake.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enqueue(ctx, store.Job{ID: "near", Queue: "near", RunAt: fake.Now().Add(o.ReapInterval / 2)}); err != nil {
		t.Fatal(err)
	}
	// Messages arrive in the order the scripts ran: had the far timer
	// been announced, its message would come first.
	msg, err := sub.ReceiveMessage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Payload != "s1:near" {
		t.Fatalf("first announcement %q; want s1:near (the far timer is not announced)", msg.Payload)
	}

	fake.Advance(time.Hour + time.Second)
	j, err := s.Dequeue(ctx, []string{"far"}, time.Minute)
	if err != nil {
		t.Fatalf("Dequeue of the far timer once due: %v", err)
	}
	if j.ID != "far" || j.Attempt != 1 {
		t.Fatalf("dequeued %s attempt %d; want far, attempt 1", j.ID, j.Attempt)
	}
}

// TestCompleteCreationConflicts: a held creation (the handler saw no
// record) is written without reading the record first, so when a record
// was made meanwhile the put script itself must refuse it: Complete is
// ErrConflict, the other record and its index stay as they were, and the
// job is still leased.
func TestCompleteCreationConflicts(t *testing.T) {
	s := openTest(t, standaloneOptions(t))
	defer s.Close()
	ctx := context.Background()
	if _, err := s.Enqueue(ctx, store.Job{ID: "j", Queue: "q"}); err != nil {
		t.Fatal(err)
	}
	j := dequeue(t, s)
	fx := &store.Effects{}
	d := store.Deferring(s)
	if _, err := d.PutRecord(store.WithEffects(ctx, fx), store.Record{Kind: "order", ID: "o9", Data: []byte("mine"),
		Index: map[string]string{"s": "mine"}}); err != nil {
		t.Fatalf("held PutRecord: %v", err)
	}
	if _, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: "o9", Data: []byte("theirs"),
		Index: map[string]string{"s": "theirs"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Complete(ctx, j, fx); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Complete over a record made meanwhile: %v; want ErrConflict", err)
	}
	r, err := s.GetRecord(ctx, "order", "o9")
	if err != nil || string(r.Data) != "theirs" || r.Version != 1 {
		t.Fatalf("record after the refused creation: %q v%d, %v; want theirs v1", r.Data, r.Version, err)
	}
	for v, want := range map[string]int{"mine": 0, "theirs": 1} {
		got, _, err := s.ListRecords(ctx, "order", store.Query{Field: "s", Value: v})
		if err != nil || len(got) != want {
			t.Fatalf("index s=%s lists %d records, %v; want %d", v, len(got), err, want)
		}
	}
	if _, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: "o9", Data: []byte("again")}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("PutRecord version 0 over an existing record: %v; want ErrConflict", err)
	}
	if err := s.Ack(ctx, j); err != nil {
		t.Fatalf("Ack after the refused Complete: %v; the job should still be leased", err)
	}
}
