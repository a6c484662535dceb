package embedded

import (
	"encoding/binary"

	bolt "go.etcd.io/bbolt"
)

// wtx is a write transaction as the store's writes see it: bbolt's, with
// every change also written to a redo record (wal.go). Reads go to the
// embedded *bolt.Tx; changes go through Bucket, whose Put and Delete
// record what they did. A wtx without a record (rec nil: recovery, or a
// store without a log) changes bbolt alone.
type wtx struct {
	*bolt.Tx
	rec *redo
}

// wb is a bucket of a wtx. Reads may use b directly; changes must go
// through wb's methods, or the log misses them.
type wb struct {
	b    *bolt.Bucket
	path []byte // encoded bucket path (appendPath), the record's address
	rec  *redo
}

// Bucket returns the top-level bucket name, or nil.
func (t *wtx) Bucket(name []byte) *wb {
	return newWB(t.Tx.Bucket(name), name, nil, t.rec)
}

// CreateBucketIfNotExists returns the top-level bucket name, creating it
// (recorded, unlike the embedded *bolt.Tx's method it hides).
func (t *wtx) CreateBucketIfNotExists(name []byte) (*wb, error) {
	b, err := t.Tx.CreateBucketIfNotExists(name)
	if err != nil {
		return nil, err
	}
	nb := newWB(b, name, nil, t.rec)
	t.rec.add(opBucket, nb.path, nil, nil)
	return nb, nil
}

// Bucket returns the nested bucket name, or nil.
func (w *wb) Bucket(name []byte) *wb {
	return newWB(w.b.Bucket(name), name, w.path, w.rec)
}

// CreateBucketIfNotExists returns the nested bucket name, creating it.
func (w *wb) CreateBucketIfNotExists(name []byte) (*wb, error) {
	b, err := w.b.CreateBucketIfNotExists(name)
	if err != nil {
		return nil, err
	}
	nb := newWB(b, name, w.path, w.rec)
	w.rec.add(opBucket, nb.path, nil, nil)
	return nb, nil
}

// newWB wraps bucket name (nil if b is), under parent's path, with the
// fill its writes need (fillFor), so replay packs pages as they were.
func newWB(b *bolt.Bucket, name, parent []byte, rec *redo) *wb {
	if b == nil {
		return nil
	}
	b.FillPercent = fillFor(name)
	return &wb{b: b, path: appendPath(parent, name), rec: rec}
}

// Get returns the value of key, valid for the transaction.
func (w *wb) Get(key []byte) []byte { return w.b.Get(key) }

// Cursor iterates the bucket; it must not change it (cursor.Delete would
// bypass the log).
func (w *wb) Cursor() *bolt.Cursor { return w.b.Cursor() }

// Put stores key → value.
func (w *wb) Put(key, value []byte) error {
	if err := w.b.Put(key, value); err != nil {
		return err
	}
	w.rec.add(opPut, w.path, key, value)
	return nil
}

// Delete removes key; absent is not an error.
func (w *wb) Delete(key []byte) error {
	if err := w.b.Delete(key); err != nil {
		return err
	}
	w.rec.add(opDelete, w.path, key, nil)
	return nil
}

// appendPath appends one bucket name to an encoded path: a path is its
// names, each length-prefixed, so nested paths share their parent's bytes.
func appendPath(p, name []byte) []byte {
	out := make([]byte, 0, len(p)+binary.MaxVarintLen32+len(name))
	out = append(out, p...)
	out = binary.AppendUvarint(out, uint64(len(name)))
	return append(out, name...)
}

// fillFor is how full bbolt packs the split pages of bucket name, for
// the store's writes and replay alike: full where keys only ever append
// (payloads by storage key, unique holds in expiry order), a tenth spare
// where they append and then grow a little (headers, record values by
// creation time), and bbolt's half elsewhere (random keys).
func fillFor(name []byte) float64 {
	switch string(name) {
	case string(bucketJobs):
		return fillHeaders
	case string(bucketCreated):
		return fillRecords
	case string(bucketPayload2):
		return fillPayloads
	case string(bucketUniques2):
		return 1
	}
	return bolt.DefaultFillPercent
}
