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
	b := t.Tx.Bucket(name)
	if b == nil {
		return nil
	}
	return &wb{b: b, path: appendPath(nil, name), rec: t.rec}
}

// Bucket returns the nested bucket name, or nil.
func (w *wb) Bucket(name []byte) *wb {
	b := w.b.Bucket(name)
	if b == nil {
		return nil
	}
	return &wb{b: b, path: appendPath(w.path, name), rec: w.rec}
}

// CreateBucketIfNotExists returns the nested bucket name, creating it.
func (w *wb) CreateBucketIfNotExists(name []byte) (*wb, error) {
	b, err := w.b.CreateBucketIfNotExists(name)
	if err != nil {
		return nil, err
	}
	p := appendPath(w.path, name)
	w.rec.add(opBucket, p, nil, nil)
	return &wb{b: b, path: p, rec: w.rec}, nil
}

// Get returns the value of key, valid for the transaction.
func (w *wb) Get(key []byte) []byte { return w.b.Get(key) }

// Cursor iterates the bucket; it must not change it (cursor.Delete would
// bypass the log).
func (w *wb) Cursor() *bolt.Cursor { return w.b.Cursor() }

// setFill sets how full bbolt packs the bucket's split pages in this
// transaction. Replay sets the same per bucket name (fillFor).
func (w *wb) setFill(f float64) { w.b.FillPercent = f }

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

// fillFor is the fill percent replay uses for a bucket, the one the
// store's writes set for it (or bbolt's default).
func fillFor(name []byte) float64 {
	switch string(name) {
	case string(bucketJobs):
		return fillHeaders
	case string(bucketCreated):
		return fillRecords
	case string(bucketPayload2), string(bucketUniques2):
		return 1
	}
	return bolt.DefaultFillPercent
}
