package redis

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// orderLike is record data the size and shape of an order aggregate.
func orderLike(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"lines":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"sku":"MUG-BLK-11","title":"Ceramic Mug - Black / 11oz","unit_price":{"amount":1495,"currency":"USD"}}`)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// TestRecordDataPacked: data of packMin bytes or more is stored
// s2-compressed and marked z=s2, smaller data as it is with z empty, and
// every path that reads records (GetRecord, ListRecords, Complete's held
// writes) gives back the data as written. A write of small data over
// packed data clears the mark.
func TestRecordDataPacked(t *testing.T) {
	s := openTest(t, standaloneOptions(t))
	defer s.Close()
	ctx := context.Background()
	rk := s.keys.records("order")
	big := orderLike(60)
	stored := func(id string) (d, z string) {
		t.Helper()
		m, err := s.rdb.HGetAll(ctx, rk.data(id)).Result()
		if err != nil {
			t.Fatal(err)
		}
		return m["d"], m["z"]
	}

	if _, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: "big", Data: big, Index: map[string]string{"s": "new"}}); err != nil {
		t.Fatal(err)
	}
	if d, z := stored("big"); z != packedS2 || len(d) >= len(big)/2 {
		t.Errorf("a %d-byte order stored as %d bytes, z=%q; want s2, under half", len(big), len(d), z)
	}
	if _, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: "small", Data: []byte(`{"id":"o2"}`)}); err != nil {
		t.Fatal(err)
	}
	if d, z := stored("small"); z != "" || d != `{"id":"o2"}` {
		t.Errorf("small data stored as %q, z=%q; want as given", d, z)
	}
	got, err := s.GetRecord(ctx, "order", "big")
	if err != nil || !bytes.Equal(got.Data, big) {
		t.Fatalf("GetRecord: %d bytes, %v; want the %d written", len(got.Data), err, len(big))
	}
	list, _, err := s.ListRecords(ctx, "order", store.Query{Field: "s", Value: "new"})
	if err != nil || len(list) != 1 || !bytes.Equal(list[0].Data, big) {
		t.Fatalf("ListRecords: %d records, %v; want the big one as written", len(list), err)
	}

	// Complete's held write packs too, and small over packed clears z.
	bigger := orderLike(90)
	for _, step := range []struct {
		data  []byte
		z     string
		alone bool
	}{{bigger, packedS2, false}, {[]byte(`{"id":"o1"}`), "", true}} {
		if _, err := s.Enqueue(ctx, store.Job{Queue: "q"}); err != nil {
			t.Fatal(err)
		}
		j := dequeue(t, s)
		fx := &store.Effects{}
		cur, err := s.GetRecord(ctx, "order", "big")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.Deferring(s).PutRecord(store.WithEffects(ctx, fx), store.Record{Kind: "order", ID: "big", Version: cur.Version, Data: step.data}); err != nil {
			t.Fatal(err)
		}
		fx.Close()
		if err := s.Complete(ctx, j, fx); err != nil {
			t.Fatalf("Complete: %v", err)
		}
		if _, z := stored("big"); z != step.z {
			t.Errorf("after a held write of %d bytes z=%q; want %q", len(step.data), z, step.z)
		}
		got, err := s.GetRecord(ctx, "order", "big")
		if err != nil || !bytes.Equal(got.Data, step.data) {
			t.Errorf("read after a held write of %d bytes: %d bytes, %v", len(step.data), len(got.Data), err)
		}
	}
}

// TestRecordDataOfEarlierVersions: a record hash written before packing
// (no z field, the data as it is, however large) reads as it is, and a
// mark this version does not know is an error naming the record, not
// data passed on as if it were plain.
func TestRecordDataOfEarlierVersions(t *testing.T) {
	s := openTest(t, standaloneOptions(t))
	defer s.Close()
	ctx := context.Background()
	rk := s.keys.records("order")
	big := string(orderLike(60))
	now := micros(time.Now())
	if err := s.rdb.HSet(ctx, rk.data("old"), "d", big, "i", "", "v", "2", "c", now, "u", now).Err(); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetRecord(ctx, "order", "old")
	if err != nil || string(got.Data) != big || got.Version != 2 {
		t.Fatalf("a record of an earlier version: %d bytes, v%d, %v", len(got.Data), got.Version, err)
	}
	if err := s.rdb.HSet(ctx, rk.data("future"), "d", "x", "z", "zstd", "v", "1", "c", now, "u", now).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetRecord(ctx, "order", "future"); err == nil || !strings.Contains(err.Error(), "order/future") || !strings.Contains(err.Error(), "zstd") {
		t.Errorf("unknown packing: %v; want an error naming the record and the packing", err)
	}
	if err := s.rdb.HSet(ctx, rk.data("torn"), "d", "\xff\xff\xff", "z", packedS2, "v", "1", "c", now, "u", now).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetRecord(ctx, "order", "torn"); err == nil || !strings.Contains(err.Error(), "order/torn") {
		t.Errorf("a corrupt s2 block: %v; want an error naming the record", err)
	}
}

// FuzzUnpackData: whatever a hash holds, unpacking returns data or an
// error, never a panic, and what packData wrote comes back as it was.
func FuzzUnpackData(f *testing.F) {
	f.Add([]byte(`{"id":"o1"}`), "")
	f.Add(orderLike(40), packedS2)
	f.Add([]byte("\x80\x80\x80\x80\x08"), packedS2)
	f.Fuzz(func(t *testing.T, data []byte, z string) {
		_, _ = unpackData(string(data), z)
		d, packing := packData(data)
		got, err := unpackData(string(d), packing)
		if err != nil || !bytes.Equal(got, data) && len(data) > 0 {
			t.Fatalf("round trip of %d bytes (%q): %d bytes, %v", len(data), packing, len(got), err)
		}
	})
}
