package embedded

import (
	"context"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/dropgate/dropgate/core/store"
)

// PutBlob stores data under key, replacing what was there.
func (s *Store) PutBlob(ctx context.Context, key string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if key == "" {
		return errors.New("embedded: put blob: empty key")
	}
	// The caller may reuse data once we return; bbolt holds the slice until
	// the commit, which happens before that, but copy to be independent.
	v := append(make([]byte, 0, len(data)), data...)
	err := s.w.do(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBlobs).Put([]byte(key), v)
	})
	if err != nil {
		return fmt.Errorf("embedded: put blob %s: %w", key, err)
	}
	return nil
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
func readBlob(tx *bolt.Tx, key string) ([]byte, error) {
	v := tx.Bucket(bucketBlobs).Get([]byte(key))
	if v == nil {
		return nil, store.ErrNotFound
	}
	return append(make([]byte, 0, len(v)), v...), nil
}
