package redis

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dropgate/dropgate/core/store"
)

// TestCompleteRoundTrips: a job's writes, however many, cost four round
// trips with its ack (read the records, write them and the blobs, enqueue
// the follow-ups, ack), three when this process remembers the heads of the
// records it updates at the versions the job read (here: it wrote them),
// and all of them land.
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
	if n := h.n.Load(); n != 3 {
		t.Errorf("Complete took %d round trips; want 3 (o0's head remembered):\n%s", n, h.trips())
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

// cmdLog records every command named in names that a client sends (not
// those scripts run), with its arguments.
type cmdLog struct {
	names []string
	mu    sync.Mutex
	reads []string
}

func (h *cmdLog) note(c goredis.Cmder) {
	if slices.Contains(h.names, c.Name()) {
		h.mu.Lock()
		args := make([]string, len(c.Args()))
		for i, a := range c.Args() {
			args[i] = fmt.Sprint(a)
		}
		h.reads = append(h.reads, strings.Join(args, " "))
		h.mu.Unlock()
	}
}

func (h *cmdLog) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (h *cmdLog) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, c goredis.Cmder) error { h.note(c); return next(ctx, c) }
}

func (h *cmdLog) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cs []goredis.Cmder) error {
		for _, c := range cs {
			h.note(c)
		}
		return next(ctx, cs)
	}
}

// TestRecordWritesReadOnlyTheHead: an update or delete (PutRecord,
// DeleteRecord, Complete's held writes) reads the stored version, index
// and Created, never the data it replaces. The record is written as main
// wrote it (the hash's five fields and its index entries, by hand), so
// this also shows the head read takes what main stored.
func TestRecordWritesReadOnlyTheHead(t *testing.T) {
	s := openTest(t, standaloneOptions(t))
	defer s.Close()
	ctx := context.Background()
	rk := s.keys.records("order")
	big := strings.Repeat("x", 6000)
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	member := timeKey(created) + "o1"
	if err := s.rdb.HSet(ctx, rk.data("o1"), "d", big, "i", `{"s":"new"}`, "v", "3", "c", micros(created), "u", micros(created)).Err(); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{rk.created, rk.index("s", "new")} {
		if err := s.rdb.ZAdd(ctx, k, goredis.Z{Member: member}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	h := &cmdLog{names: []string{"hgetall", "hmget"}}
	s.rdb.AddHook(h)
	// onlyHead checks that what step read of o1 was one HMGET of the head.
	onlyHead := func(step string) {
		t.Helper()
		h.mu.Lock()
		defer h.mu.Unlock()
		var got []string
		for _, a := range h.reads {
			if strings.Contains(a, rk.data("o1")) {
				got = append(got, a)
			}
		}
		h.reads = nil
		if want := "hmget " + rk.data("o1") + " v i c"; len(got) != 1 || got[0] != want {
			t.Errorf("%s read o1 as %q; want [%q]", step, got, want)
		}
	}
	v, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: "o1", Version: 3, Data: []byte("v4"), Index: map[string]string{"s": "sent"}})
	if err != nil || v != 4 {
		t.Fatalf("PutRecord over main's record: %d, %v", v, err)
	}
	onlyHead("PutRecord")
	// Complete's held writes of the same record, then a delete. The
	// first finds the head this process remembers at the version the job
	// read and reads nothing (recheads.go); the second, with nothing
	// remembered (another process wrote last), reads the head alone.
	held := func(version int64, data, status string, forget bool) {
		t.Helper()
		if _, err := s.Enqueue(ctx, store.Job{Queue: "q"}); err != nil {
			t.Fatal(err)
		}
		j := dequeue(t, s)
		fx := &store.Effects{}
		if _, err := store.Deferring(s).PutRecord(store.WithEffects(ctx, fx), store.Record{Kind: "order", ID: "o1", Version: version, Data: []byte(data), Index: map[string]string{"s": status}}); err != nil {
			t.Fatal(err)
		}
		fx.Close()
		h.mu.Lock()
		h.reads = nil // the deferring layer's own GetRecord
		h.mu.Unlock()
		if forget {
			s.recHeads = recordHeads{}
		}
		if err := s.Complete(ctx, j, fx); err != nil {
			t.Fatalf("Complete: %v", err)
		}
	}
	held(4, "v5", "shipped", false)
	h.mu.Lock()
	if len(h.reads) != 0 {
		t.Errorf("Complete with the head remembered read %q; want nothing", h.reads)
	}
	h.reads = nil
	h.mu.Unlock()
	held(5, "v6", "done", true)
	onlyHead("Complete")
	r, err := s.GetRecord(ctx, "order", "o1")
	if err != nil || string(r.Data) != "v6" || r.Version != 6 || !r.Created.Equal(created) {
		t.Fatalf("o1 after the writes: %+v, %v", r, err)
	}
	for _, q := range []struct {
		v    string
		want int
	}{{"new", 0}, {"sent", 0}, {"shipped", 0}, {"done", 1}} {
		if got, _, err := s.ListRecords(ctx, "order", store.Query{Field: "s", Value: q.v}); err != nil || len(got) != q.want {
			t.Fatalf("index s=%s: %d records, %v; want %d", q.v, len(got), err, q.want)
		}
	}
	h.mu.Lock()
	h.reads = nil
	h.mu.Unlock()
	if err := s.DeleteRecord(ctx, "order", "o1"); err != nil {
		t.Fatal(err)
	}
	onlyHead("DeleteRecord")
	if got, _, err := s.ListRecords(ctx, "order", store.Query{}); err != nil || len(got) != 0 {
		t.Fatalf("after delete: %v, %v", got, err)
	}
}
