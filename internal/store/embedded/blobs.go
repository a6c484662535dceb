package embedded

import (
	"context"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/s2block"
)

// Blobs are written to bucketBlobs2 with a format byte first: blobRaw and
// the bytes, or blobS2 and an s2 block of them (s2block.Min bytes or
// more, when that is smaller: a webhook's raw body is about 2.2 KB of
// JSON and 1.1 KB compressed). A blob written before (bucketBlobs, the
// bytes alone, any first byte) still reads; putting it again moves it.
const (
	blobRaw = 0x00
	blobS2  = 0x01
)

// PutBlob stores data under key, replacing what was there.
func (s *Store) PutBlob(ctx context.Context, key string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if key == "" {
		return errors.New("embedded: put blob: empty key")
	}
	// The caller may reuse data once we return: encodeBlob copies it.
	v := encodeBlob(data)
	err := s.w.do(func(tx *wtx) error {
		return putBlob(tx, key, v)
	})
	if err != nil {
		return fmt.Errorf("embedded: put blob %s: %w", key, err)
	}
	return nil
}

// putBlob stores v (from encodeBlob) under key, dropping any copy in the
// old bucket. Deleting a key that is not there writes nothing.
func putBlob(tx *wtx, key string, v []byte) error {
	if old := tx.Bucket(bucketBlobs); old != nil {
		if err := old.Delete([]byte(key)); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketBlobs2).Put([]byte(key), v)
}

// encodeJobBlobs is a job's blobs as stored (encodeBlob), before the
// commit, so its transaction does not compress.
func encodeJobBlobs(bs []store.Blob) []store.Blob {
	if len(bs) == 0 {
		return nil
	}
	out := make([]store.Blob, len(bs))
	for i, b := range bs {
		out[i] = store.Blob{Key: b.Key, Data: encodeBlob(b.Data)}
	}
	return out
}

// encodeBlob is the stored value of data, in a new slice.
func encodeBlob(data []byte) []byte {
	p := packData(data)
	b := make([]byte, 1+len(p.b))
	b[0] = blobRaw
	if p.s2 {
		b[0] = blobS2
	}
	copy(b[1:], p.b)
	return b
}

// decodeBlob returns the blob stored as v (from encodeBlob) in a new slice.
func decodeBlob(v []byte) ([]byte, error) {
	if len(v) == 0 {
		return nil, errors.New("decode: empty blob value, no format byte")
	}
	switch v[0] {
	case blobRaw:
		return append(make([]byte, 0, len(v)-1), v[1:]...), nil
	case blobS2:
		out, err := s2block.Unpack(v[1:])
		if err != nil {
			return nil, fmt.Errorf("decode: %w", err)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("decode: unknown blob format %#x", v[0])
	}
}

// GetBlob returns the blob under key, or ErrNotFound.
func (s *Store) GetBlob(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []byte
	err := s.view(func(tx *bolt.Tx) (err error) {
		out, err = readBlob(tx, key)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: get blob %s: %w", key, err)
	}
	return out, nil
}

// readBlob copies the blob under key out of tx, or returns ErrNotFound.
// Either bucket may be missing in a file opened read-only.
func readBlob(tx *bolt.Tx, key string) ([]byte, error) {
	if b := tx.Bucket(bucketBlobs2); b != nil {
		if v := b.Get([]byte(key)); v != nil {
			return decodeBlob(v)
		}
	}
	if b := tx.Bucket(bucketBlobs); b != nil {
		if v := b.Get([]byte(key)); v != nil {
			return append(make([]byte, 0, len(v)), v...), nil
		}
	}
	return nil, store.ErrNotFound
}
