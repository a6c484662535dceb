package embedded

import (
	"bytes"
	"context"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/dropgate/dropgate/core/store"
)

// jobStorageKey is job id's key in the jobs and payloads buckets.
func jobStorageKey(t *testing.T, s *Store, id string) uint64 {
	t.Helper()
	s.mu.Lock()
	e := s.jobs[id]
	s.mu.Unlock()
	if e == nil {
		t.Fatalf("no job %s", id)
	}
	return e.key
}

// storedPayloadIn is job id's row in a payloads bucket, as stored.
func storedPayloadIn(t *testing.T, s *Store, bucket []byte, id string) []byte {
	t.Helper()
	k := jobKey(jobStorageKey(t, s, id))
	var v []byte
	_ = s.db.View(func(tx *bolt.Tx) error {
		v = append(v, tx.Bucket(bucket).Get(k)...)
		return nil
	})
	return v
}

// putPayloadRow stores v as job id's payload row in bucket, bypassing
// Enqueue.
func putPayloadRow(t *testing.T, s *Store, bucket []byte, id string, v []byte) {
	t.Helper()
	k := jobKey(jobStorageKey(t, s, id))
	if err := s.w.do(func(tx *wtx) error { return tx.Bucket(bucket).Put(k, v) }); err != nil {
		t.Fatal(err)
	}
}

// A large payload is stored compressed and comes back whole with its
// lease; a small one is stored as it is; both go when the job is acked.
func TestPayloadsStoredCompressed(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	defer s.Close()
	big, small := bigJSON(4000), []byte(`{"id":1}`)
	for _, j := range []store.Job{{ID: "big", Queue: "q", Payload: big}, {ID: "small", Queue: "q", Payload: small}} {
		if _, err := s.Enqueue(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	if v := storedPayloadIn(t, s, bucketPayload2, "big"); len(v) == 0 || v[0] != blobS2 || len(v) > len(big)/2 {
		t.Errorf("big payload stored as %d bytes, format %#x; want s2, under half of %d", len(v), v[:min(len(v), 1)], len(big))
	}
	if v := storedPayloadIn(t, s, bucketPayload2, "small"); !bytes.Equal(v, append([]byte{blobRaw}, small...)) {
		t.Errorf("small payload stored as %q", v)
	}
	for range 2 {
		j, err := s.Dequeue(ctx, []string{"q"}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]byte{"big": big, "small": small}[j.ID]
		if !bytes.Equal(j.Payload, want) {
			t.Fatalf("%s leased with %d bytes; want %d", j.ID, len(j.Payload), len(want))
		}
		if err := s.Ack(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.db.View(func(tx *bolt.Tx) error {
		if n := tx.Bucket(bucketPayload2).Stats().KeyN; n != 0 {
			t.Errorf("%d payloads left after the acks", n)
		}
		return nil
	})
}

// A payload stored before payloads2 (the bytes alone) is leased as it is
// and deleted with its job.
func TestPayloadOfOlderFileStillRead(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	if _, err := s.Enqueue(ctx, store.Job{ID: "old", Queue: "q"}); err != nil {
		t.Fatal(err)
	}
	old := []byte{blobS2, 0xff, 'x'} // any first byte: not a format byte there
	putPayloadRow(t, s, bucketPayloads, "old", old)
	s = reopen(t, s)
	defer s.Close()
	j, err := s.Dequeue(ctx, []string{"q"}, time.Minute)
	if err != nil || !bytes.Equal(j.Payload, old) {
		t.Fatalf("leased %v with payload %q; want %q", err, j.Payload, old)
	}
	if err := s.Ack(ctx, j); err != nil {
		t.Fatal(err)
	}
	_ = s.db.View(func(tx *bolt.Tx) error {
		if n := tx.Bucket(bucketPayloads).Stats().KeyN; n != 0 {
			t.Errorf("the old payload is left after the ack")
		}
		return nil
	})
}
