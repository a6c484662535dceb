package redis

import (
	"context"
	"fmt"
	"testing"

	"github.com/dropgate/dropgate/core/store"
)

// TestCompleteRoundTrips: a job's writes, however many, cost four round
// trips with its ack (read the records, write them and the blobs, enqueue
// the follow-ups, ack), and all of them land.
func TestCompleteRoundTrips(t *testing.T) {
	s := openTest(t, standaloneOptions(t))
	defer s.Close()
	ctx := context.Background()
	v, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: "o0", Data: []byte("v1"), Index: map[string]string{"s": "new"}})
	if err != nil {
		t.Fatal(err)
	}
	// q2 already known to this process: its registration is not counted.
	for _, q := range []string{"q", "q2"} {
		if _, err := s.Enqueue(ctx, store.Job{Queue: q}); err != nil {
			t.Fatal(err)
		}
	}
	j := dequeue(t, s)
	fx := &store.Effects{}
	d := store.Deferring(s)
	hctx := store.WithEffects(ctx, fx)
	if _, err := d.PutRecord(hctx, store.Record{Kind: "order", ID: "o0", Data: []byte("v2"), Version: v, Index: map[string]string{"s": "sent"}}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := d.PutRecord(hctx, store.Record{Kind: "order", ID: fmt.Sprintf("o%d", i+1), Data: []byte("new")}); err != nil {
			t.Fatal(err)
		}
		if err := d.PutBlob(hctx, fmt.Sprintf("b%d", i), []byte("blob")); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Enqueue(hctx, store.Job{Queue: "q2", Payload: []byte{byte(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	fx.Close()
	h := &roundTrips{mine: true}
	s.rdb.AddHook(h)
	if err := s.Complete(counted(ctx), j, fx); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if n := h.n.Load(); n != 4 {
		t.Errorf("Complete took %d round trips; want 4:\n%s", n, h.trips())
	}
	if r, err := s.GetRecord(ctx, "order", "o0"); err != nil || string(r.Data) != "v2" || r.Version != v+1 {
		t.Fatalf("o0 after Complete: %+v, %v", r, err)
	}
	if got, _, err := s.ListRecords(ctx, "order", store.Query{Field: "s", Value: "sent"}); err != nil || len(got) != 1 {
		t.Fatalf("index s=sent after Complete: %v, %v", got, err)
	}
	for i := range 3 {
		if _, err := s.GetRecord(ctx, "order", fmt.Sprintf("o%d", i+1)); err != nil {
			t.Fatal(err)
		}
		if b, err := s.GetBlob(ctx, fmt.Sprintf("b%d", i)); err != nil || string(b) != "blob" {
			t.Fatalf("blob b%d = %q, %v", i, b, err)
		}
	}
	if st := queueStats(t, s, "q2"); st.Ready != 4 {
		t.Fatalf("follow-ups: %+v; want 3 ready beside the first", st)
	}
	if st := queueStats(t, s, "q"); st.InFlight != 0 || st.Ready != 0 {
		t.Fatalf("the job after Complete: %+v; want it gone", st)
	}
}
