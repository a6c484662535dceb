package embedded

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/dropgate/dropgate/core/store"
)

// Top-level buckets of the file.
var (
	bucketJobs     = []byte("jobs")         // storage key → header (JSON)
	bucketPayloads = []byte("payloads")     // storage key → payload bytes, as written before payloads2 (read and deleted, never written)
	bucketPayload2 = []byte("payloads2")    // storage key → blob format byte | payload (encodeBlob)
	bucketDead     = []byte("dead")         // timeKey(DeadAt)|storage key → nothing: dead letters by age
	bucketUniques  = []byte("uniques")      // unique key → uniqueRecord (JSON), as written before uniques2 (read and deleted, never written)
	bucketUniques2 = []byte("uniques2")     // timeKey(expires)|unique key → job id, for holds that outlive their job (unique.go)
	bucketRecords  = []byte("records")      // kind → {data, created, index} buckets
	bucketCounters = []byte("counters")     // name → uint64
	bucketOnce     = []byte("counter_once") // lp(name)|once → uint64
	bucketBlobs    = []byte("blobs")        // key → bytes, as written before blobs2 (read, never written)
	bucketBlobs2   = []byte("blobs2")       // key → blob format byte | bytes (blobs.go)
	bucketClaims   = []byte("claims")       // key → expiry (timeKey; 0 = never)
)

var allBuckets = [][]byte{
	bucketJobs, bucketPayloads, bucketPayload2, bucketDead, bucketUniques, bucketUniques2, bucketRecords,
	bucketCounters, bucketOnce, bucketBlobs, bucketBlobs2, bucketClaims,
}

// Job status as stored. In-memory states are finer (ready, scheduled,
// waiting); on disk only what recovery needs is kept.
const (
	statusPending = "pending" // ready, scheduled or waiting for its group
	statusLeased  = "leased"  // handed to a worker; reset on the next Open
	statusDead    = "dead"
)

// maxErrors bounds the attempt errors a job keeps (newest win), so a job
// throttled for hours does not grow without limit.
const maxErrors = 100

// A job is stored under its storage key: the big-endian sequence number it
// got at Enqueue, not its id. Random ids would scatter each commit's
// inserts over the whole B+tree; sequential keys append at its right edge,
// so a commit of many jobs dirties few pages. The in-memory index maps ids
// to storage keys.
func jobKey(key uint64) []byte { return u64(key) }

// header is everything about a job except its payload, which lives in its
// own bucket so Dequeue and Retry rewrite a few hundred bytes, not the body.
type header struct {
	ID        string            `json:"id"`
	Queue     string            `json:"q"`
	Kind      string            `json:"k,omitempty"`
	Meta      map[string]string `json:"m,omitempty"`
	Group     string            `json:"g,omitempty"`
	Key       string            `json:"rk,omitempty"`
	UniqueKey string            `json:"u,omitempty"`
	UniqueTTL time.Duration     `json:"ut,omitempty"`
	// UniqueExp is when a UniqueTTL hold taken at Enqueue ends (Unix
	// nanoseconds). While the job is in the file its header is the
	// hold's durable copy; the uniques bucket gets one only when the job
	// leaves before then (see uniqueRelease).
	UniqueExp   int64 `json:"ux,omitempty"`
	MaxAttempts int   `json:"max"`
	// Seq is the job's place in enqueue order when it differs from its
	// storage key (after Replay); 0 means the storage key.
	Seq       uint64               `json:"seq,omitempty"`
	Status    string               `json:"st"`
	Attempt   int                  `json:"a,omitempty"`
	RunAt     int64                `json:"run"`
	CreatedAt int64                `json:"c"`
	DeadAt    int64                `json:"d,omitempty"`
	Errors    []store.AttemptError `json:"e,omitempty"`
}

func (h *header) addError(attempt int, at time.Time, err error) {
	if err == nil {
		return
	}
	h.Errors = append(h.Errors, store.AttemptError{Attempt: attempt, At: at.UTC(), Error: err.Error()})
	if n := len(h.Errors); n > maxErrors {
		h.Errors = append(h.Errors[:0:0], h.Errors[n-maxErrors:]...)
	}
}

// job assembles the public view of a stored job.
func (h *header) job(payload []byte) store.Job {
	j := store.Job{
		ID:          h.ID,
		Queue:       h.Queue,
		Kind:        h.Kind,
		Payload:     payload,
		Meta:        h.Meta,
		Group:       h.Group,
		Key:         h.Key,
		UniqueKey:   h.UniqueKey,
		UniqueTTL:   h.UniqueTTL,
		MaxAttempts: h.MaxAttempts,
		RunAt:       fromNanos(h.RunAt),
		Attempt:     h.Attempt,
		CreatedAt:   fromNanos(h.CreatedAt),
		DeadAt:      fromNanos(h.DeadAt),
	}
	if len(h.Errors) > 0 {
		j.Errors = append([]store.AttemptError(nil), h.Errors...)
	}
	return j
}

func getHeader(tx *bolt.Tx, key uint64) (*header, error) {
	v := tx.Bucket(bucketJobs).Get(jobKey(key))
	if v == nil {
		return nil, fmt.Errorf("job #%d: %w", key, store.ErrNotFound)
	}
	var h header
	if err := decodeHeader(v, &h); err != nil {
		return nil, fmt.Errorf("decode job #%d: %w", key, err)
	}
	return &h, nil
}

func putHeader(tx *wtx, key uint64, h *header) error {
	v, err := encodeHeader(h)
	if err != nil {
		return fmt.Errorf("encode job %s: %w", h.ID, err)
	}
	return tx.Bucket(bucketJobs).Put(jobKey(key), v)
}

// Payloads are stored as blobs are (encodeBlob): a webhook job's payload
// is its raw body, 2–3 KB of JSON for an order and about half that in s2,
// and each is written when the job is queued and deleted when it is acked,
// so the pages each commit writes shrink with it. A payload written before
// (bucketPayloads, the bytes alone) still reads.

// encodePayload is a job's payload as stored, nil for none. It runs before
// the write is queued, on the caller's goroutine.
func encodePayload(p []byte) []byte {
	if len(p) == 0 {
		return nil
	}
	return encodeBlob(p)
}

// payloadAsStored is getPayload for a job handed out (leased, or listed
// as a dead letter): one that does not decode is logged and handed over
// as stored.
func (s *Store) payloadAsStored(tx *bolt.Tx, key uint64, id string) []byte {
	p, err := getPayload(tx, key)
	if err != nil {
		s.log.Error("embedded store: a job's stored payload does not decode; handed over as stored", "job", id, "err", err)
	}
	return p
}

// getPayload returns a copy of job key's payload: bbolt's slices die with
// the transaction. A stored value that does not decode is returned as it
// is, with the error: a lease runs inside the commit, where a failure
// would stop the store for one damaged value, so the lease hands the job
// its bytes (its handler fails on them and it ends as a dead letter, its
// bytes kept) and logs the error.
func getPayload(tx *bolt.Tx, key uint64) ([]byte, error) {
	k := jobKey(key)
	if b := tx.Bucket(bucketPayload2); b != nil { // absent in an older file opened read-only
		if v := b.Get(k); v != nil {
			p, err := decodeBlob(v)
			if err != nil {
				return append([]byte(nil), v...), fmt.Errorf("payload of job %d: %w", key, err)
			}
			return p, nil
		}
	}
	if v := tx.Bucket(bucketPayloads).Get(k); v != nil {
		return append([]byte(nil), v...), nil
	}
	return nil, nil
}

// timeKey encodes t so that byte order is time order (the sign bit is
// flipped so instants before 1970 still sort first).
func timeKey(t time.Time) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(t.UnixNano())^(1<<63))
}

// timeFromKey is the time timeKey encoded in the first 8 bytes of k.
func timeFromKey(k []byte) time.Time {
	return fromNanos(int64(binary.BigEndian.Uint64(k[:8]) ^ (1 << 63)))
}

func appendTimeKey(b []byte, t time.Time) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(t.UnixNano())^(1<<63))
}

// deadKey orders dead letters by the time they died.
func deadKey(deadAt time.Time, key uint64) []byte {
	return binary.BigEndian.AppendUint64(timeKey(deadAt), key)
}

// lp appends s length-prefixed, so concatenated strings cannot be
// confused whatever bytes they contain.
func lp(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func toNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
