package embedded

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/store"
)

// A record's value is stored under its creation time, its id entry only
// says where: records created together sit together whatever their ids.
func TestRecordValuesStoredByCreation(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	clk := clock.NewFake(t0)
	s := openTemp(t, WithClock(clk))
	defer s.Close()
	// Ids in the reverse of creation order.
	ids := []string{"ord_z", "ord_m", "ord_a"}
	for i, id := range ids {
		clk.Advance(time.Millisecond)
		data := []byte(`{"n":` + string(rune('0'+i)) + `}`)
		if _, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: id, Data: data, Index: map[string]string{"status": "new"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: "ord_m", Data: []byte(`{"n":9}`), Version: 1, Index: map[string]string{"status": "sent"}}); err != nil {
		t.Fatal(err)
	}
	var inCreated []string
	err := s.db.View(func(tx *bolt.Tx) error {
		kb := tx.Bucket(bucketRecords).Bucket([]byte("order"))
		for _, id := range ids {
			loc := kb.Bucket(bucketData).Get([]byte(id))
			if !isLocator(loc) {
				t.Errorf("%s's id entry is %q, not where its value is", id, loc)
			}
		}
		return kb.Bucket(bucketCreated).ForEach(func(k, v []byte) error {
			if len(v) == 0 {
				t.Errorf("created entry %q holds no value", k)
			}
			inCreated = append(inCreated, string(k[8:]))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"ord_z", "ord_m", "ord_a"}; !slices.Equal(inCreated, want) {
		t.Fatalf("values stored in order %v; want creation order %v", inCreated, want)
	}
	rec, err := s.GetRecord(ctx, "order", "ord_m")
	if err != nil || !bytes.Equal(rec.Data, []byte(`{"n":9}`)) || rec.Version != 2 || !rec.Created.Equal(t0.Add(2*time.Millisecond)) {
		t.Fatalf("ord_m read back as %+v, %v", rec, err)
	}
	all, _, err := s.ListRecords(ctx, "order", store.Query{})
	if err != nil || len(all) != 3 || all[0].ID != "ord_a" || !bytes.Equal(all[1].Data, []byte(`{"n":9}`)) {
		t.Fatalf("list: %+v, %v", all, err)
	}
	sent, _, err := s.ListRecords(ctx, "order", store.Query{Field: "status", Value: "sent"})
	if err != nil || len(sent) != 1 || sent[0].ID != "ord_m" || sent[0].Version != 2 {
		t.Fatalf("list by index: %+v, %v", sent, err)
	}
	if err := s.DeleteRecord(ctx, "order", "ord_m"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetRecord(ctx, "order", "ord_m"); err == nil {
		t.Fatal("deleted record still read")
	}
	_ = s.db.View(func(tx *bolt.Tx) error {
		kb := tx.Bucket(bucketRecords).Bucket([]byte("order"))
		if n := kb.Bucket(bucketCreated).Stats().KeyN; n != 2 {
			t.Errorf("%d values left after a delete; want 2", n)
		}
		if v := kb.Bucket(bucketData).Get([]byte("ord_m")); v != nil {
			t.Errorf("deleted record's id entry left: %q", v)
		}
		return nil
	})
}

// A record written before values moved to the created bucket is read
// where it is, and its next write moves it: one value, under its
// creation time, and an id entry that points there.
func TestRecordOldLayoutMovesOnWrite(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	defer s.Close()
	created := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	old := encodeRecordValue(&recordValue{Data: []byte(`{"v":1}`), Index: map[string]string{"status": "new"}, Version: 1, Created: created.UnixNano(), Updated: created.UnixNano()})
	err := s.db.Update(func(tx *bolt.Tx) error {
		return putOldLayoutRecord(tx, "order", "ord_1", created, map[string]string{"status": "new"}, old)
	})
	if err != nil {
		t.Fatal(err)
	}
	if recs, _, err := s.ListRecords(ctx, "order", store.Query{Field: "status", Value: "new"}); err != nil || len(recs) != 1 || recs[0].Version != 1 {
		t.Fatalf("old record listed as %+v, %v", recs, err)
	}
	if _, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: "ord_1", Data: []byte(`{"v":2}`), Version: 1}); err != nil {
		t.Fatal(err)
	}
	_ = s.db.View(func(tx *bolt.Tx) error {
		kb := tx.Bucket(bucketRecords).Bucket([]byte("order"))
		if loc := kb.Bucket(bucketData).Get([]byte("ord_1")); !isLocator(loc) || !bytes.Equal(loc[1:], timeKey(created)) {
			t.Errorf("after the write the id entry is %q; want a locator to its creation time", loc)
		}
		v, err := decodeRecordValue(kb.Bucket(bucketCreated).Get(append(timeKey(created), "ord_1"...)), true)
		if err != nil || v.Version != 2 || !bytes.Equal(v.Data, []byte(`{"v":2}`)) {
			t.Errorf("moved value: %+v, %v", v, err)
		}
		return nil
	})
	if rec, err := s.GetRecord(ctx, "order", "ord_1"); err != nil || rec.Version != 2 || !rec.Created.Equal(created) {
		t.Fatalf("after the move: %+v, %v", rec, err)
	}
}
