package embedded

import (
	"context"
	"encoding/base64"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/dropgate/dropgate/core/store"
)

// ListRecords pages through records, newest first, as Store.ListRecords
// does: the what-if replay (`dropgate route --replay`) reads the stored
// orders of a period through it without taking the store's write lock.
func (r *Reader) ListRecords(ctx context.Context, kind string, q store.Query) ([]store.Record, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	limit := pageSize(q.Limit)
	var after []byte
	if q.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(q.Cursor)
		if err != nil || len(b) < 8 {
			return nil, "", fmt.Errorf("embedded: list records %s: bad cursor %q", kind, q.Cursor)
		}
		after = b
	}
	var out []store.Record
	var next string
	err := r.db.View(func(tx *bolt.Tx) error {
		recs := tx.Bucket(bucketRecords)
		if recs == nil {
			return nil // a file no store ever initialised
		}
		kb := recs.Bucket([]byte(kind))
		if kb == nil {
			return nil
		}
		var err error
		out, next, err = listRange(kb, kind, q, after, limit)
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("embedded: list records %s: %w", kind, err)
	}
	return out, next, nil
}
