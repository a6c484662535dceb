package embedded

import (
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// redo is one commit's changes as the log keeps them: a list of ops, each
// a kind byte, the bucket path (appendPath), then for a put its key and
// value and for a delete its key, all length-prefixed. Replaying the ops
// in order on the state before the commit gives the state after it.
type redo struct {
	buf []byte
}

const (
	opPut    byte = 1
	opDelete byte = 2
	opBucket byte = 3 // create the bucket at path if it is not there
)

// add appends one op; on a nil redo (no log) it does nothing.
func (r *redo) add(op byte, path, key, value []byte) {
	if r == nil {
		return
	}
	r.buf = append(r.buf, op)
	r.buf = binary.AppendUvarint(r.buf, uint64(len(path)))
	r.buf = append(r.buf, path...)
	if op == opBucket {
		return
	}
	r.buf = binary.AppendUvarint(r.buf, uint64(len(key)))
	r.buf = append(r.buf, key...)
	if op == opPut {
		r.buf = binary.AppendUvarint(r.buf, uint64(len(value)))
		r.buf = append(r.buf, value...)
	}
}

func (r *redo) reset() { r.buf = r.buf[:0] }

// errRedo reports a record that does not decode; the log's checksum
// passed, so this is a bug or a foreign file, never a torn write.
var errRedo = errors.New("malformed redo record")

// applyRedo replays ops (a redo's bytes) in tx.
func applyRedo(tx *bolt.Tx, ops []byte) error {
	for off := 0; off < len(ops); {
		at := off
		op := ops[off]
		off++
		path, n := field(ops[off:])
		if n <= 0 {
			return fmt.Errorf("%w: op at byte %d: bucket path", errRedo, at)
		}
		off += n
		if op == opBucket {
			if _, err := bucketAt(tx, path, true); err != nil {
				return fmt.Errorf("op at byte %d: %w", at, err)
			}
			continue
		}
		key, n := field(ops[off:])
		if n <= 0 {
			return fmt.Errorf("%w: op at byte %d: key", errRedo, at)
		}
		off += n
		b, err := bucketAt(tx, path, false)
		if err != nil {
			return fmt.Errorf("op at byte %d: %w", at, err)
		}
		switch op {
		case opPut:
			value, n := field(ops[off:])
			if n <= 0 {
				return fmt.Errorf("%w: op at byte %d: value", errRedo, at)
			}
			off += n
			if err := b.Put(key, value); err != nil {
				return fmt.Errorf("op at byte %d: put: %w", at, err)
			}
		case opDelete:
			if err := b.Delete(key); err != nil {
				return fmt.Errorf("op at byte %d: delete: %w", at, err)
			}
		default:
			return fmt.Errorf("%w: op at byte %d: kind %d", errRedo, at, op)
		}
	}
	return nil
}

// field decodes one length-prefixed field; n is the bytes it took, ≤ 0
// if it does not fit.
func field(b []byte) ([]byte, int) {
	l, n := binary.Uvarint(b)
	if n <= 0 || l > uint64(len(b)-n) {
		return nil, -1
	}
	return b[n : n+int(l)], n + int(l)
}

// bucketAt walks path (appendPath) from tx's root, creating the missing
// buckets when create is set, and sets each bucket's fill as the store's
// writes do.
func bucketAt(tx *bolt.Tx, path []byte, create bool) (*bolt.Bucket, error) {
	var b *bolt.Bucket
	for len(path) > 0 {
		name, n := field(path)
		if n <= 0 {
			return nil, fmt.Errorf("%w: bucket path", errRedo)
		}
		path = path[n:]
		var next *bolt.Bucket
		var err error
		switch {
		case b == nil && create:
			next, err = tx.CreateBucketIfNotExists(name)
		case b == nil:
			next = tx.Bucket(name)
		case create:
			next, err = b.CreateBucketIfNotExists(name)
		default:
			next = b.Bucket(name)
		}
		if err != nil {
			return nil, fmt.Errorf("bucket %q: %w", name, err)
		}
		if next == nil {
			return nil, fmt.Errorf("%w: no bucket %q", errRedo, name)
		}
		next.FillPercent = fillFor(name)
		b = next
	}
	if b == nil {
		return nil, fmt.Errorf("%w: empty bucket path", errRedo)
	}
	return b, nil
}
