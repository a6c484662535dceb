package embedded

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"reflect"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/dropgate/dropgate/core/store"
)

// A record written by the JSON layout (before the binary one) still
// reads, lists and updates; the update rewrites it in the new layout and
// moves its index entries.
func TestRecordWrittenAsJSONStillLoads(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	defer s.Close()
	data := []byte(`{"order":{"id":"ord_1","status":"routed"},"purchase_orders":[]}`)
	created := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	// Byte for byte what json.Marshal(recordValue) wrote.
	old := `{"d":"` + base64.StdEncoding.EncodeToString(data) + `","i":{"channel":"shop","status":"routed"},"v":3,"c":` +
		strconv.FormatInt(created.UnixNano(), 10) + `,"u":` + strconv.FormatInt(created.Add(time.Minute).UnixNano(), 10) + `}`
	err := s.db.Update(func(tx *bolt.Tx) error {
		return putOldLayoutRecord(tx, "order", "ord_1", created, map[string]string{"channel": "shop", "status": "routed"}, []byte(old))
	})
	if err != nil {
		t.Fatal(err)
	}

	rec, err := s.GetRecord(ctx, "order", "ord_1")
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if !bytes.Equal(rec.Data, data) || rec.Version != 3 || !rec.Created.Equal(created) || !rec.Updated.Equal(created.Add(time.Minute)) ||
		rec.Index["status"] != "routed" || rec.Index["channel"] != "shop" {
		t.Fatalf("old record read as %+v (data %s)", rec, rec.Data)
	}
	if recs, _, err := s.ListRecords(ctx, "order", store.Query{Field: "status", Value: "routed"}); err != nil || len(recs) != 1 || !bytes.Equal(recs[0].Data, data) {
		t.Fatalf("list by index: %d records, %v", len(recs), err)
	}

	newer := []byte(`{"order":{"id":"ord_1","status":"processing"}}`)
	v, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: "ord_1", Data: newer, Version: 3, Index: map[string]string{"channel": "shop", "status": "processing"}})
	if err != nil || v != 4 {
		t.Fatalf("update of the old record: version %d, %v", v, err)
	}
	if _, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: "ord_1", Data: newer, Version: 3}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale update: %v; want a conflict", err)
	}
	var raw []byte
	_ = s.db.View(func(tx *bolt.Tx) error {
		raw = append(raw, storedValue(tx.Bucket(bucketRecords).Bucket([]byte("order")), "ord_1")...)
		return nil
	})
	if len(raw) == 0 || raw[0] != recordFormatBinary {
		t.Fatalf("rewritten value starts with %q; want the binary layout", raw[:min(len(raw), 8)])
	}
	rec, err = s.GetRecord(ctx, "order", "ord_1")
	if err != nil || !bytes.Equal(rec.Data, newer) || rec.Version != 4 || !rec.Created.Equal(created) {
		t.Fatalf("after update: %+v, %v", rec, err)
	}
	if recs, _, _ := s.ListRecords(ctx, "order", store.Query{Field: "status", Value: "routed"}); len(recs) != 0 {
		t.Fatalf("the old index entry still lists the record")
	}
	if recs, _, _ := s.ListRecords(ctx, "order", store.Query{Field: "status", Value: "processing"}); len(recs) != 1 {
		t.Fatalf("the new index entry lists %d records", len(recs))
	}
}

func TestRecordValueRoundTrip(t *testing.T) {
	for _, v := range []*recordValue{
		{Version: 1, Created: 1, Updated: 1},
		{Data: []byte(`{"a":1}`), Version: 1 << 40, Created: -5, Updated: time.Now().UnixNano(),
			Index: map[string]string{"status": "open", "supplier.acme": "1", "": "", "ünïcode": "\x00\xff"}},
	} {
		b := encodeRecordValue(v)
		got, err := decodeRecordValue(b, true)
		if err != nil || !reflect.DeepEqual(got, v) {
			t.Errorf("round trip of %+v: %+v, %v", v, got, err)
		}
		head, err := decodeRecordValue(b, false)
		if err != nil || head.Data != nil || head.Version != v.Version || !reflect.DeepEqual(head.Index, v.Index) {
			t.Errorf("header of %+v: %+v, %v", v, head, err)
		}
		if !bytes.Equal(b, encodeRecordValue(v)) {
			t.Errorf("encoding of %+v is not stable", v)
		}
		// Cut inside the header or the index: an error, never a panic.
		for n := 1; n < len(b)-len(v.Data); n++ {
			if _, err := decodeRecordValue(b[:n], true); err == nil {
				t.Errorf("value cut at %d of %d decoded without error", n, len(b))
			}
		}
	}
}

// putOldLayoutRecord writes record kind/id as files did before values
// moved to the created bucket: the value under data, an empty created
// entry, and an index entry per field.
func putOldLayoutRecord(tx *bolt.Tx, kind, id string, created time.Time, index map[string]string, value []byte) error {
	kb, err := kindBucket(&wtx{Tx: tx}, kind)
	if err != nil {
		return err
	}
	if err := kb.Bucket(bucketCreated).Put(append(timeKey(created), id...), nil); err != nil {
		return err
	}
	for f, v := range index {
		if err := kb.Bucket(bucketIndex).Put(indexKey(f, v, created, id), nil); err != nil {
			return err
		}
	}
	return kb.Bucket(bucketData).Put([]byte(id), value)
}
