package storetest

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

var recordCases = []testCase{
	{"CreateGetUpdate", testRecordCRUD},
	{"GetMissing", testRecordMissing},
	{"ConcurrentOptimisticUpdates", testRecordConcurrent},
	{"ListNewestFirstPaged", testRecordList},
	{"ListByIndexAndTime", testRecordFilter},
	{"ListCursorStable", testRecordCursorStable},
	{"ListDefaultLimit", testRecordDefaultLimit},
	{"IndexFollowsUpdates", testRecordIndexUpdate},
	{"Delete", testRecordDelete},
	{"KindsIndependent", testRecordKinds},
}

var base = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func (h *harness) put(rec store.Record) int64 {
	h.t.Helper()
	v, err := h.s.PutRecord(h.ctx, rec)
	if err != nil {
		h.t.Fatalf("PutRecord(%s/%s v%d): %v", rec.Kind, rec.ID, rec.Version, err)
	}
	return v
}

func (h *harness) get(kind, id string) store.Record {
	h.t.Helper()
	r, err := h.s.GetRecord(h.ctx, kind, id)
	if err != nil {
		h.t.Fatalf("GetRecord(%s/%s): %v", kind, id, err)
	}
	return r
}

// listAll pages through a query and returns the ids in order.
func (h *harness) listAll(kind string, q store.Query) []string {
	h.t.Helper()
	var ids []string
	for range 1000 {
		recs, next, err := h.s.ListRecords(h.ctx, kind, q)
		if err != nil {
			h.t.Fatalf("ListRecords(%s, %+v): %v", kind, q, err)
		}
		if q.Limit > 0 && len(recs) > q.Limit {
			h.t.Fatalf("ListRecords returned %d; limit %d", len(recs), q.Limit)
		}
		for _, r := range recs {
			ids = append(ids, r.ID)
		}
		if next == "" {
			return ids
		}
		q.Cursor = next
	}
	h.t.Fatal("ListRecords: cursor never ends")
	return nil
}

// seed creates n orders created one minute apart (order-00 oldest), odd
// ones on hold, and returns their ids newest first.
func (h *harness) seed(n int) []string {
	var ids []string
	for i := range n {
		status := "open"
		if i%2 == 1 {
			status = "on_hold"
		}
		id := fmt.Sprintf("order-%02d", i)
		h.put(store.Record{
			Kind: "order", ID: id, Data: []byte(`{}`),
			Index:   map[string]string{"status": status, "channel": "shopify"},
			Created: base.Add(time.Duration(i) * time.Minute),
		})
		ids = append(ids, id)
	}
	slices.Reverse(ids)
	return ids
}

func testRecordCRUD(h *harness) {
	before := time.Now()
	rec := store.Record{Kind: "order", ID: "1042", Data: []byte(`{"total":"19.99"}`), Index: map[string]string{"status": "open"}}
	if v := h.put(rec); v != 1 {
		h.t.Fatalf("first PutRecord version %d; want 1", v)
	}
	got := h.get("order", "1042")
	if string(got.Data) != string(rec.Data) || !maps.Equal(got.Index, rec.Index) || got.Version != 1 {
		h.t.Fatalf("GetRecord = %+v; want %+v version 1", got, rec)
	}
	if got.Kind != "order" || got.ID != "1042" {
		h.t.Fatalf("GetRecord kind/id = %s/%s", got.Kind, got.ID)
	}
	h.near("Created", got.Created, before, skew)
	h.near("Updated", got.Updated, before, skew)

	_, err := h.s.PutRecord(h.ctx, rec)
	h.wantErr("PutRecord version 0 over an existing record", err, store.ErrConflict)

	rec.Version, rec.Data = 1, []byte(`{"total":"29.99"}`)
	time.Sleep(5 * time.Millisecond)
	if v := h.put(rec); v != 2 {
		h.t.Fatalf("update version %d; want 2", v)
	}
	for _, stale := range []int64{1, 3, 7} {
		rec.Version = stale
		_, err := h.s.PutRecord(h.ctx, rec)
		h.wantErr(fmt.Sprintf("PutRecord with version %d of 2", stale), err, store.ErrConflict)
	}
	upd := h.get("order", "1042")
	if string(upd.Data) != `{"total":"29.99"}` || upd.Version != 2 {
		h.t.Fatalf("after update: %+v", upd)
	}
	if !upd.Created.Equal(got.Created) {
		h.t.Fatalf("Created changed on update: %s → %s", got.Created, upd.Created)
	}
	if upd.Updated.Before(got.Updated) {
		h.t.Fatalf("Updated went back: %s → %s", got.Updated, upd.Updated)
	}
}

func testRecordMissing(h *harness) {
	_, err := h.s.GetRecord(h.ctx, "order", "nope")
	h.wantErr("GetRecord(unknown kind)", err, store.ErrNotFound)
	h.put(store.Record{Kind: "order", ID: "1"})
	_, err = h.s.GetRecord(h.ctx, "order", "nope")
	h.wantErr("GetRecord(unknown id)", err, store.ErrNotFound)
}

func testRecordConcurrent(h *harness) {
	const workers, each = 8, 5
	h.put(store.Record{Kind: "counter", ID: "c", Data: []byte(`{"n":0}`)})
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for range each {
				for tries := 0; ; tries++ {
					if tries > 1000 {
						errs <- fmt.Errorf("no progress after %d conflicts", tries)
						return
					}
					r, err := h.s.GetRecord(h.ctx, "counter", "c")
					if err != nil {
						errs <- err
						return
					}
					var v struct{ N int }
					if err := json.Unmarshal(r.Data, &v); err != nil {
						errs <- err
						return
					}
					v.N++
					r.Data, _ = json.Marshal(map[string]int{"n": v.N})
					if _, err := h.s.PutRecord(h.ctx, r); err == nil {
						break
					} else if !isConflict(err) {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		h.t.Fatalf("updater: %v", err)
	}
	r := h.get("counter", "c")
	if string(r.Data) != fmt.Sprintf(`{"n":%d}`, workers*each) || r.Version != workers*each+1 {
		h.t.Fatalf("after %d updates: data %s version %d", workers*each, r.Data, r.Version)
	}
}

func testRecordList(h *harness) {
	want := h.seed(12)
	recs, next, err := h.s.ListRecords(h.ctx, "order", store.Query{Limit: 5})
	if err != nil {
		h.t.Fatalf("ListRecords: %v", err)
	}
	if len(recs) != 5 || next == "" {
		h.t.Fatalf("first page: %d records, cursor %q; want 5 and a cursor", len(recs), next)
	}
	if recs[0].Version != 1 || recs[0].Index["channel"] != "shopify" || string(recs[0].Data) != "{}" {
		h.t.Fatalf("listed record %+v is not complete", recs[0])
	}
	if got := h.listAll("order", store.Query{Limit: 5}); !slices.Equal(got, want) {
		h.t.Fatalf("pages of 5: %v; want %v", got, want)
	}
	if got := h.listAll("order", store.Query{Limit: 100}); !slices.Equal(got, want) {
		h.t.Fatalf("one page: %v; want %v", got, want)
	}
}

func testRecordFilter(h *harness) {
	all := h.seed(12) // newest first: order-11 … order-00
	var onHold []string
	for _, id := range all {
		var n int
		fmt.Sscanf(id, "order-%d", &n)
		if n%2 == 1 {
			onHold = append(onHold, id)
		}
	}
	since, until := base.Add(3*time.Minute), base.Add(9*time.Minute) // order-03 … order-08
	for _, tc := range []struct {
		name string
		q    store.Query
		want []string
	}{
		{"index", store.Query{Field: "status", Value: "on_hold", Limit: 2}, onHold},
		{"index, no match", store.Query{Field: "status", Value: "shipped"}, nil},
		{"unknown field", store.Query{Field: "colour", Value: "red"}, nil},
		{"since", store.Query{Since: since, Limit: 4}, all[:9]},
		{"until", store.Query{Until: until, Limit: 4}, all[3:]},
		{"since and until", store.Query{Since: since, Until: until, Limit: 4}, all[3:9]},
		{"index and range", store.Query{Field: "status", Value: "on_hold", Since: since, Until: until, Limit: 1},
			[]string{"order-07", "order-05", "order-03"}},
	} {
		if got := h.listAll("order", tc.q); !slices.Equal(got, tc.want) {
			h.t.Fatalf("%s: listed %v; want %v", tc.name, got, tc.want)
		}
	}
}

func testRecordCursorStable(h *harness) {
	want := h.seed(12)
	recs, next, err := h.s.ListRecords(h.ctx, "order", store.Query{Limit: 5})
	if err != nil || next == "" {
		h.t.Fatalf("ListRecords: %d, %q, %v", len(recs), next, err)
	}
	// Records created after the first page do not shift the next pages.
	for i := range 3 {
		h.put(store.Record{Kind: "order", ID: fmt.Sprintf("new-%d", i), Index: map[string]string{"status": "open"}})
	}
	got := []string{}
	for _, r := range recs {
		got = append(got, r.ID)
	}
	got = append(got, h.listAll("order", store.Query{Limit: 5, Cursor: next})...)
	if !slices.Equal(got, want) {
		h.t.Fatalf("with inserts between pages: %v; want %v", got, want)
	}
}

func testRecordDefaultLimit(h *harness) {
	h.seed(55)
	recs, next, err := h.s.ListRecords(h.ctx, "order", store.Query{})
	if err != nil {
		h.t.Fatalf("ListRecords: %v", err)
	}
	if len(recs) != 50 || next == "" {
		h.t.Fatalf("default page: %d records, cursor %q; want 50 and a cursor", len(recs), next)
	}
}

func testRecordIndexUpdate(h *harness) {
	h.seed(4) // order-01, order-03 on hold
	r := h.get("order", "order-01")
	r.Index = map[string]string{"status": "shipped", "channel": "shopify"}
	h.put(r)
	if got := h.listAll("order", store.Query{Field: "status", Value: "on_hold"}); !slices.Equal(got, []string{"order-03"}) {
		h.t.Fatalf("on_hold after moving order-01 to shipped: %v; want [order-03]", got)
	}
	if got := h.listAll("order", store.Query{Field: "status", Value: "shipped"}); !slices.Equal(got, []string{"order-01"}) {
		h.t.Fatalf("shipped: %v; want [order-01]", got)
	}
	// Dropping a field drops its entry; untouched fields keep theirs.
	r = h.get("order", "order-01")
	r.Index = map[string]string{"channel": "shopify"}
	h.put(r)
	if got := h.listAll("order", store.Query{Field: "status", Value: "shipped"}); len(got) != 0 {
		h.t.Fatalf("shipped after removing the status field: %v", got)
	}
	if got := h.listAll("order", store.Query{Field: "channel", Value: "shopify"}); len(got) != 4 {
		h.t.Fatalf("channel=shopify: %v; want all 4", got)
	}
	if !h.get("order", "order-01").Created.Equal(base.Add(time.Minute)) {
		h.t.Fatal("Created changed on update")
	}
}

func testRecordDelete(h *harness) {
	h.seed(3)
	if err := h.s.DeleteRecord(h.ctx, "order", "order-01"); err != nil {
		h.t.Fatalf("DeleteRecord: %v", err)
	}
	_, err := h.s.GetRecord(h.ctx, "order", "order-01")
	h.wantErr("GetRecord after delete", err, store.ErrNotFound)
	if got := h.listAll("order", store.Query{}); !slices.Equal(got, []string{"order-02", "order-00"}) {
		h.t.Fatalf("after delete: %v", got)
	}
	if got := h.listAll("order", store.Query{Field: "status", Value: "on_hold"}); len(got) != 0 {
		h.t.Fatalf("index still lists the deleted record: %v", got)
	}
	for _, id := range []string{"order-01", "never-was"} {
		if err := h.s.DeleteRecord(h.ctx, "order", id); err != nil {
			h.t.Fatalf("DeleteRecord(absent %s): %v", id, err)
		}
	}
	if err := h.s.DeleteRecord(h.ctx, "no-such-kind", "x"); err != nil {
		h.t.Fatalf("DeleteRecord(absent kind): %v", err)
	}
	if v := h.put(store.Record{Kind: "order", ID: "order-01"}); v != 1 {
		h.t.Fatalf("re-created record has version %d; want 1", v)
	}
}

func testRecordKinds(h *harness) {
	h.put(store.Record{Kind: "order", ID: "1", Data: []byte("order"), Index: map[string]string{"status": "open"}})
	h.put(store.Record{Kind: "po", ID: "1", Data: []byte("po"), Index: map[string]string{"status": "open"}})
	if r := h.get("po", "1"); string(r.Data) != "po" {
		h.t.Fatalf("po/1 = %q", r.Data)
	}
	if got := h.listAll("order", store.Query{Field: "status", Value: "open"}); !slices.Equal(got, []string{"1"}) {
		h.t.Fatalf("orders: %v", got)
	}
	if got := h.listAll("exception", store.Query{}); len(got) != 0 {
		h.t.Fatalf("empty kind lists %v", got)
	}
}
