package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/s2block"
)

// bigJSON is compressible record data of about n bytes, like an order.
func bigJSON(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"timeline":[`)
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `{"at":"2026-12-07T04:%02d:00Z","event":"order.routed","supplier":"acme","line":%d},`, i%60, i)
	}
	b.WriteString(`{}]}`)
	return b.Bytes()
}

// randomBytes does not compress.
func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func storedRecord(t *testing.T, s *Store, kind, id string) []byte {
	t.Helper()
	var raw []byte
	if err := s.db.View(func(tx *bolt.Tx) error {
		raw = append(raw, storedValue(tx.Bucket(bucketRecords).Bucket([]byte(kind)), id)...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return raw
}

func storedBlob(t *testing.T, s *Store, bucket []byte, key string) []byte {
	t.Helper()
	var raw []byte
	if err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucket).Get([]byte(key)); v != nil {
			raw = append([]byte{}, v...)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return raw
}

// Large data is stored compressed, through PutRecord and through
// Complete, and reads back as written; small or incompressible data is
// stored as is.
func TestRecordDataCompressed(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	defer s.Close()
	big, small, noise := bigJSON(6000), []byte(`{"id":"ord_2"}`), randomBytes(3000)
	for _, r := range []struct {
		id     string
		data   []byte
		format byte
	}{{"big", big, recordFormatS2}, {"small", small, recordFormatBinary}, {"noise", noise, recordFormatBinary}} {
		if _, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: r.id, Data: r.data, Index: map[string]string{"status": "new"}}); err != nil {
			t.Fatal(err)
		}
		raw := storedRecord(t, s, "order", r.id)
		if raw[0] != r.format {
			t.Errorf("%s stored with format %#x; want %#x", r.id, raw[0], r.format)
		}
		if r.format == recordFormatS2 && len(raw) > len(r.data)/2 {
			t.Errorf("%s: %d bytes stored for %d of data", r.id, len(raw), len(r.data))
		}
		got, err := s.GetRecord(ctx, "order", r.id)
		if err != nil || !bytes.Equal(got.Data, r.data) || got.Version != 1 || got.Index["status"] != "new" {
			t.Fatalf("%s read back as %d bytes, version %d, %v", r.id, len(got.Data), got.Version, err)
		}
	}
	recs, _, err := s.ListRecords(ctx, "order", store.Query{Field: "status", Value: "new"})
	if err != nil || len(recs) != 3 {
		t.Fatalf("list: %d records, %v", len(recs), err)
	}
	for _, r := range recs {
		if r.ID == "big" && !bytes.Equal(r.Data, big) {
			t.Errorf("listed big record has %d bytes", len(r.Data))
		}
	}

	// The same through a handler's held writes.
	fx := &store.Effects{}
	d := store.Deferring(s)
	hctx := store.WithEffects(ctx, fx)
	big2 := bigJSON(9000)
	if _, err := d.PutRecord(hctx, store.Record{Kind: "order", ID: "big", Data: big2, Version: 1, Index: map[string]string{"status": "sent"}}); err != nil {
		t.Fatal(err)
	}
	if err := d.PutBlob(hctx, "raw/1", big); err != nil {
		t.Fatal(err)
	}
	if err := s.Complete(ctx, nil, fx); err != nil {
		t.Fatal(err)
	}
	if raw := storedRecord(t, s, "order", "big"); raw[0] != recordFormatS2 {
		t.Errorf("completed record stored with format %#x", raw[0])
	}
	got, err := s.GetRecord(ctx, "order", "big")
	if err != nil || !bytes.Equal(got.Data, big2) || got.Version != 2 {
		t.Fatalf("completed record read back as %d bytes, version %d, %v", len(got.Data), got.Version, err)
	}
	if raw := storedBlob(t, s, bucketBlobs2, "raw/1"); len(raw) == 0 || raw[0] != blobS2 || len(raw) > len(big)/2 {
		t.Errorf("completed blob stored as %d bytes, format %v", len(raw), raw[:min(len(raw), 1)])
	}
	if b, err := s.GetBlob(ctx, "raw/1"); err != nil || !bytes.Equal(b, big) {
		t.Fatalf("completed blob read back as %d bytes, %v", len(b), err)
	}
}

func TestBlobsCompressed(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	for _, b := range []struct {
		key    string
		data   []byte
		format byte
	}{{"big", bigJSON(2200), blobS2}, {"small", []byte("x"), blobRaw}, {"empty", []byte{}, blobRaw}, {"noise", randomBytes(2000), blobRaw}} {
		if err := s.PutBlob(ctx, b.key, b.data); err != nil {
			t.Fatal(err)
		}
		if raw := storedBlob(t, s, bucketBlobs2, b.key); len(raw) == 0 || raw[0] != b.format {
			t.Errorf("%s stored as %d bytes, format %v; want %#x", b.key, len(raw), raw[:min(len(raw), 1)], b.format)
		}
		got, err := s.GetBlob(ctx, b.key)
		if err != nil || !bytes.Equal(got, b.data) {
			t.Errorf("%s read back as %d bytes, %v", b.key, len(got), err)
		}
	}
	path := s.db.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := OpenReader(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, err := r.GetBlob(ctx, "big"); err != nil || !bytes.Equal(got, bigJSON(2200)) {
		t.Errorf("read-only: %d bytes, %v", len(got), err)
	}
}

// A file written by the code before compression (records in the binary
// layout with raw data, blobs as bare bytes in the "blobs" bucket) still
// reads, read-write and read-only; rewriting moves values to the
// compressed forms.
func TestUncompressedValuesStillRead(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	data := bigJSON(5700)
	body := bigJSON(2200)
	created := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	// The value as the binary layout wrote it: header, then the raw data.
	old := []byte{recordFormatBinary, 7}
	old = binary.AppendVarint(old, created.UnixNano())
	old = binary.AppendVarint(old, created.Add(time.Minute).UnixNano())
	old = append(old, 1, 6)
	old = append(old, "status"...)
	old = append(old, 4)
	old = append(old, "sent"...)
	old = append(old, data...)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketJobs, bucketPayloads, bucketDead, bucketUniques, bucketRecords, bucketCounters, bucketOnce, bucketBlobs, bucketClaims} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		if err := putOldLayoutRecord(tx, "order", "ord_1", created, map[string]string{"status": "sent"}, old); err != nil {
			return err
		}
		// Any first byte, including the new formats' markers.
		for k, v := range map[string][]byte{"raw/1": body, "raw/2": {blobS2, 0xff, 0xff}, "raw/3": {}} {
			if err := tx.Bucket(bucketBlobs).Put([]byte(k), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// The layout the test wrote is the one encodeRecordValue writes for
	// data it does not compress.
	want := &recordValue{Data: data, Index: map[string]string{"status": "sent"}, Version: 7,
		Created: created.UnixNano(), Updated: created.Add(time.Minute).UnixNano(), packed: &packedData{b: data}}
	if !bytes.Equal(encodeRecordValue(want), old) {
		t.Fatal("the test's old value is not the binary layout")
	}

	checkOld := func(get func(context.Context, string, string) (store.Record, error), getBlob func(context.Context, string) ([]byte, error)) {
		t.Helper()
		rec, err := get(ctx, "order", "ord_1")
		if err != nil || !bytes.Equal(rec.Data, data) || rec.Version != 7 || !rec.Created.Equal(created) || rec.Index["status"] != "sent" {
			t.Fatalf("old record read as version %d, %d bytes, %v", rec.Version, len(rec.Data), err)
		}
		for k, v := range map[string][]byte{"raw/1": body, "raw/2": {blobS2, 0xff, 0xff}, "raw/3": {}} {
			if got, err := getBlob(ctx, k); err != nil || !bytes.Equal(got, v) {
				t.Fatalf("old blob %s read as %q, %v", k, got, err)
			}
		}
	}
	r, err := OpenReader(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	checkOld(r.GetRecord, r.GetBlob)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkOld(s.GetRecord, s.GetBlob)
	if recs, _, err := s.ListRecords(ctx, "order", store.Query{Field: "status", Value: "sent"}); err != nil || len(recs) != 1 || !bytes.Equal(recs[0].Data, data) {
		t.Fatalf("list of the old record: %d records, %v", len(recs), err)
	}
	if v, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: "ord_1", Data: data, Version: 7, Index: map[string]string{"status": "done"}}); err != nil || v != 8 {
		t.Fatalf("update of the old record: %d, %v", v, err)
	}
	if raw := storedRecord(t, s, "order", "ord_1"); raw[0] != recordFormatS2 || len(raw) >= len(old)/2 {
		t.Errorf("rewritten record: format %#x, %d bytes (was %d)", raw[0], len(raw), len(old))
	}
	if rec, err := s.GetRecord(ctx, "order", "ord_1"); err != nil || !bytes.Equal(rec.Data, data) || rec.Version != 8 || !rec.Created.Equal(created) {
		t.Fatalf("rewritten record read as version %d, %v", rec.Version, err)
	}
	if recs, _, _ := s.ListRecords(ctx, "order", store.Query{Field: "status", Value: "sent"}); len(recs) != 0 {
		t.Errorf("the old index entry still lists the record")
	}
	if err := s.PutBlob(ctx, "raw/1", body); err != nil {
		t.Fatal(err)
	}
	if raw := storedBlob(t, s, bucketBlobs, "raw/1"); raw != nil {
		t.Errorf("the old blob is still in the old bucket")
	}
	if got, err := s.GetBlob(ctx, "raw/1"); err != nil || !bytes.Equal(got, body) {
		t.Errorf("rewritten blob: %d bytes, %v", len(got), err)
	}
}

// A corrupt compressed value is an error naming the record or blob, for
// a read and for a list.
func TestCorruptCompressedValue(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	defer s.Close()
	if _, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: "ord_9", Data: bigJSON(4000)}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutBlob(ctx, "raw/9", bigJSON(4000)); err != nil {
		t.Fatal(err)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		kb := tx.Bucket(bucketRecords).Bucket([]byte("order"))
		loc := kb.Bucket(bucketData).Get([]byte("ord_9"))
		if !isLocator(loc) {
			return fmt.Errorf("ord_9's data entry is %d bytes, not a locator", len(loc))
		}
		ck := append(append([]byte(nil), loc[1:]...), "ord_9"...)
		v := append([]byte(nil), kb.Bucket(bucketCreated).Get(ck)...)
		for i := len(v) - 200; i < len(v); i++ {
			v[i] = 0xff
		}
		if err := kb.Bucket(bucketCreated).Put(ck, v); err != nil {
			return err
		}
		return tx.Bucket(bucketBlobs2).Put([]byte("raw/9"), []byte{blobS2, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetRecord(ctx, "order", "ord_9"); err == nil || !strings.Contains(err.Error(), "order/ord_9") || !strings.Contains(err.Error(), "s2") {
		t.Errorf("get of a corrupt record: %v", err)
	}
	if _, _, err := s.ListRecords(ctx, "order", store.Query{}); err == nil || !strings.Contains(err.Error(), "order/ord_9") {
		t.Errorf("list over a corrupt record: %v", err)
	}
	if _, err := s.GetBlob(ctx, "raw/9"); err == nil || !strings.Contains(err.Error(), "raw/9") {
		t.Errorf("get of a corrupt blob: %v", err)
	}
	// The header is intact, so the record can still be replaced.
	if _, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: "ord_9", Data: []byte("{}"), Version: 1}); err != nil {
		t.Errorf("replacing the corrupt record: %v", err)
	}

	// A job's payload that does not decode does not stop the store: the
	// lease runs inside the commit, so it hands the job its bytes as
	// stored (the handler fails on them), and so does its dead letter.
	if _, err := s.Enqueue(ctx, store.Job{ID: "bad", Queue: "q", Payload: bigJSON(4000)}); err != nil {
		t.Fatal(err)
	}
	bad := []byte{blobS2, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2}
	putPayloadRow(t, s, bucketPayload2, "bad", bad)
	j, err := s.Dequeue(ctx, []string{"q"}, time.Minute)
	if err != nil || !bytes.Equal(j.Payload, bad) {
		t.Fatalf("leased %v with payload %x; want the stored bytes %x", err, j.Payload, bad)
	}
	if err := s.Bury(ctx, j, errors.New("payload unreadable")); err != nil {
		t.Fatal(err)
	}
	if dl, err := s.DeadLetter(ctx, "bad"); err != nil || !bytes.Equal(dl.Payload, bad) {
		t.Fatalf("dead letter: %v, payload %x", err, dl.Payload)
	}
	if _, err := s.Enqueue(ctx, store.Job{Queue: "q", Payload: []byte("next")}); err != nil {
		t.Fatalf("the store after a damaged payload: %v", err)
	}
}

func TestPackedRoundTrip(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("{}"), bigJSON(s2block.Min - 1), bigJSON(s2block.Min), bigJSON(100000), randomBytes(5000)} {
		v := &recordValue{Data: data, Version: 3, Created: 1, Updated: 2, Index: map[string]string{"a": "b"}}
		got, err := decodeRecordValue(encodeRecordValue(v), true)
		if err != nil || !reflect.DeepEqual(got, v) {
			t.Errorf("record of %d bytes: %v", len(data), err)
		}
		b, err := decodeBlob(encodeBlob(data))
		if err != nil || !bytes.Equal(b, data) {
			t.Errorf("blob of %d bytes: %v", len(data), err)
		}
	}
}

// FuzzDecodeStored feeds any bytes to the record and blob decoders: an
// error or a value, never a panic; a value that decodes re-encodes to
// one that decodes the same.
func FuzzDecodeStored(f *testing.F) {
	f.Add(encodeRecordValue(&recordValue{Data: bigJSON(2000), Version: 2, Index: map[string]string{"s": "x"}}))
	f.Add(encodeRecordValue(&recordValue{Data: []byte("{}"), Version: 1}))
	f.Add(encodeBlob(bigJSON(1500)))
	f.Add(encodeBlob([]byte("raw")))
	f.Add([]byte{recordFormatS2, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		if v, err := decodeRecordValue(b, true); err == nil {
			again, err := decodeRecordValue(encodeRecordValue(v), true)
			if err != nil || !bytes.Equal(again.Data, v.Data) || again.Version != v.Version {
				t.Fatalf("re-encoded value: %v", err)
			}
		}
		_, _ = decodeRecordValue(b, false)
		if data, err := decodeBlob(b); err == nil {
			again, err := decodeBlob(encodeBlob(data))
			if err != nil || !bytes.Equal(again, data) {
				t.Fatalf("re-encoded blob: %v", err)
			}
		}
	})
}
