package embedded

import (
	"context"
	"testing"

	"github.com/dropgate/dropgate/core/store"
)

// A job's held write of a record that already exists (stored in the
// binary record layout) commits with its ack: the old value's header is
// read with the record codec, keeping its creation time and counting the
// version on.
func TestCompleteUpdatesAnExistingRecord(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	if _, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: "o1", Data: []byte(`{"v":1}`)}); err != nil {
		t.Fatal(err)
	}
	first, err := s.GetRecord(ctx, "order", "o1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enqueue(ctx, store.Job{Queue: "inbound", Payload: []byte("doc.apply")}); err != nil {
		t.Fatal(err)
	}
	j, err := s.Dequeue(ctx, []string{"inbound"}, 0)
	if err != nil || j == nil {
		t.Fatalf("dequeue: %+v %v", j, err)
	}
	fx := &store.Effects{}
	hctx := store.WithEffects(ctx, fx)
	if _, err := store.Deferring(s).PutRecord(hctx, store.Record{Kind: "order", ID: "o1", Data: []byte(`{"v":2}`), Version: first.Version}); err != nil {
		t.Fatal(err)
	}
	if err := s.Complete(ctx, j, fx); err != nil {
		t.Fatalf("complete with an update of an existing record: %v", err)
	}
	r, err := s.GetRecord(ctx, "order", "o1")
	if err != nil || string(r.Data) != `{"v":2}` || r.Version != first.Version+1 || !r.Created.Equal(first.Created) {
		t.Fatalf("record after the job: %+v %v (first %+v)", r, err, first)
	}
}
