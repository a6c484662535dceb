package embedded

import (
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/dropgate/dropgate/core/store"
)

// Reader is a read-only view of a store file for tools that only look
// (`dropgate route --explain` reading the applied feed snapshots). It
// takes bbolt's shared lock, which the owner's exclusive lock excludes:
// while a server holds the file, OpenReader fails with ErrUnavailable and
// the tool must ask the server instead. It writes nothing, not even the
// recovery an Open does, and never creates the file.
type Reader struct {
	db   *bolt.DB
	path string
}

// OpenReader opens path read-only, waiting at most lockTimeout for a
// process that holds it. A missing file is an error matching
// os.ErrNotExist.
func OpenReader(path string, lockTimeout time.Duration) (*Reader, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: lockTimeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("embedded: open %s read-only: it is held by another dropgate process: %w", path, store.ErrUnavailable)
	}
	if err != nil {
		return nil, fmt.Errorf("embedded: open %s read-only: %w", path, err)
	}
	// Checked under bbolt's lock, so no process is writing the log; a
	// file left by a crash is read only after an Open has replayed it.
	if err := closedCleanly(path); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("embedded: open %s read-only: %w", path, err)
	}
	return &Reader{db: db, path: path}, nil
}

// GetRecord returns record kind/id, or ErrNotFound.
func (r *Reader) GetRecord(ctx context.Context, kind, id string) (store.Record, error) {
	if err := ctx.Err(); err != nil {
		return store.Record{}, err
	}
	var rec store.Record
	err := r.db.View(func(tx *bolt.Tx) (err error) {
		if tx.Bucket(bucketRecords) == nil {
			return store.ErrNotFound // a file no store ever initialised
		}
		rec, err = readRecord(tx, kind, id)
		return err
	})
	if err != nil {
		return store.Record{}, fmt.Errorf("embedded: get record %s/%s: %w", kind, id, err)
	}
	return rec, nil
}

// GetBlob returns the blob under key, or ErrNotFound.
func (r *Reader) GetBlob(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []byte
	err := r.db.View(func(tx *bolt.Tx) (err error) {
		out, err = readBlob(tx, key)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: get blob %s: %w", key, err)
	}
	return out, nil
}

// Path returns the file.
func (r *Reader) Path() string { return r.path }

// Close releases the file.
func (r *Reader) Close() error { return r.db.Close() }
