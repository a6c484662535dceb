// Package store defines what dropgate needs from its storage: a durable
// job queue, a small document store, counters, blobs, claims and rate
// limits (DESIGN §2.4). Two drivers implement it (internal/store/embedded
// and internal/store/redis) and one conformance suite
// (internal/store/storetest) holds both to the same promise.
package store

import (
	"context"
	"errors"
	"time"
)

// Errors every driver returns (wrapped is fine; test with errors.Is).
var (
	ErrNotFound    = errors.New("store: not found")
	ErrConflict    = errors.New("store: version conflict")
	ErrDuplicate   = errors.New("store: duplicate")
	ErrLeaseLost   = errors.New("store: lease lost")
	ErrUnavailable = errors.New("store: unavailable")
	ErrClosed      = errors.New("store: closed")
)

// Store is everything a driver provides.
type Store interface {
	Queue
	Records
	Counters
	Blobs
	Claims
	Limiter
	// Ping reports whether the backend is reachable (readiness).
	Ping(ctx context.Context) error
	// Close releases the backend. Jobs in flight keep their leases and
	// are reclaimed by the next process.
	Close() error
}

// Record is one stored document: an order aggregate, a PO index entry, an
// exception. Data is opaque (JSON by convention).
type Record struct {
	Kind    string
	ID      string
	Data    []byte
	Index   map[string]string // secondary index values: "status" → "on_hold"
	Version int64             // 1 on first write, +1 on each update
	Created time.Time
	Updated time.Time
}

// Query lists records of one kind, newest first, optionally restricted to
// those whose Index[Field] equals Value.
type Query struct {
	Field  string
	Value  string
	Since  time.Time // created at or after, when set
	Until  time.Time // created before, when set
	Cursor string    // from a previous page
	Limit  int       // default 50, max 500
}

// Records is a small document store with optimistic concurrency.
type Records interface {
	// GetRecord returns ErrNotFound when absent.
	GetRecord(ctx context.Context, kind, id string) (Record, error)
	// PutRecord writes rec if the stored version equals rec.Version (0 for
	// "must not exist"), returning the new version; ErrConflict otherwise.
	PutRecord(ctx context.Context, rec Record) (int64, error)
	// DeleteRecord removes a record; absent is not an error.
	DeleteRecord(ctx context.Context, kind, id string) error
	// ListRecords pages through records, newest first.
	ListRecords(ctx context.Context, kind string, q Query) (recs []Record, next string, err error)
}

// Counters are persistent, monotonically increasing sequences: EDI control
// numbers per partner, never reused after a restart.
type Counters interface {
	// NextCounter returns the next value of counter name (first value 1).
	// With a non-empty once key the value is allocated once: calling again
	// with the same key returns the same value, so a retried send reuses
	// its control number instead of burning a new one.
	NextCounter(ctx context.Context, name, once string) (int64, error)
}

// Blobs keeps raw payloads (webhook bodies, inbound files) for replay.
type Blobs interface {
	PutBlob(ctx context.Context, key string, data []byte) error
	GetBlob(ctx context.Context, key string) ([]byte, error)
}

// Claims are expiring exclusive markers: a scheduled import fires once
// across replicas, an inbound file is processed once.
type Claims interface {
	// Claim returns true if key was not claimed (or its claim expired) and
	// is now claimed by the caller for ttl. ttl 0 claims forever.
	Claim(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// Release drops a claim.
	Release(ctx context.Context, key string) error
}
