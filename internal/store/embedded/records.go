package embedded

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/dropgate/dropgate/core/store"
)

// Each record kind is a bucket under "records" holding three buckets:
//
//	data:    id → 0x03|timeKey(Created), where the value is
//	created: timeKey(Created)|id → the record's value, listed newest first
//	index:   lp(field)|lp(value)|timeKey(Created)|id → nothing
//
// Values are stored by creation time, not by id: ids are hashes (an
// order's is derived from its channel's id), so values keyed by id landed
// on a random leaf each, and every write rewrote a whole leaf of 2–4
// orders for one of them. Orders in flight were created moments apart, so
// by time their values share a few leaves at the tree's right edge and
// the writes of one commit share pages (measured on orders → 850: pages
// per commit in docs/BENCHMARKS.md). The id entry is written once, when
// the record is created.
//
// Records written before this layout have their value in data and nothing
// in created; they are read where they are and move on their next write.
//
// An index query is a backward range scan over one field/value prefix, so
// its cost is the page size, not the number of records of the kind.
var (
	bucketData    = []byte("data")
	bucketCreated = []byte("created")
	bucketIndex   = []byte("index")
)

type recordValue struct {
	Data    []byte            `json:"d,omitempty"`
	Index   map[string]string `json:"i,omitempty"`
	Version int64             `json:"v"`
	Created int64             `json:"c"`
	Updated int64             `json:"u"`

	packed *packedData // Data as encodeRecordValue writes it, when packed ahead
}

func (v *recordValue) record(kind, id string) store.Record {
	return store.Record{
		Kind: kind, ID: id, Data: v.Data, Index: v.Index, Version: v.Version,
		Created: fromNanos(v.Created), Updated: fromNanos(v.Updated),
	}
}

// GetRecord returns record kind/id, or ErrNotFound.
func (s *Store) GetRecord(ctx context.Context, kind, id string) (store.Record, error) {
	if err := ctx.Err(); err != nil {
		return store.Record{}, err
	}
	var rec store.Record
	err := s.view(func(tx *bolt.Tx) (err error) {
		rec, err = readRecord(tx, kind, id)
		return err
	})
	if err != nil {
		return store.Record{}, fmt.Errorf("embedded: get record %s/%s: %w", kind, id, err)
	}
	return rec, nil
}

// readRecord reads record kind/id in tx, or returns ErrNotFound.
func readRecord(tx *bolt.Tx, kind, id string) (store.Record, error) {
	kb := tx.Bucket(bucketRecords).Bucket([]byte(kind))
	if kb == nil {
		return store.Record{}, store.ErrNotFound
	}
	v, err := getRecordValue(kb, id)
	if err != nil {
		return store.Record{}, err
	}
	return v.record(kind, id), nil
}

// PutRecord writes rec when the stored version equals rec.Version (0: must
// not exist) and returns the new version; otherwise ErrConflict. On
// creation rec.Created is kept when set (imports of past orders), else it
// is now; on update Created never changes. Index entries with an empty
// value are kept on the record but not indexed.
func (s *Store) PutRecord(ctx context.Context, rec store.Record) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if rec.Kind == "" || rec.ID == "" {
		return 0, errors.New("embedded: put record: kind and id are required")
	}
	now := s.clock.Now()
	packed := packData(rec.Data)
	var version int64
	var conflict bool
	err := s.w.do(func(tx *wtx) error {
		version, conflict = 0, false
		kb, err := kindBucket(tx, rec.Kind)
		if err != nil {
			return err
		}
		var old *recordValue
		if v := storedValue(kb.b, rec.ID); v != nil {
			if old, err = decodeRecordValue(v, false); err != nil {
				return err
			}
		}
		var stored int64
		if old != nil {
			stored = old.Version
		}
		if rec.Version != stored {
			conflict = true
			return nil
		}
		nv := &recordValue{Data: rec.Data, Index: rec.Index, Version: stored + 1, Updated: now.UnixNano(), packed: &packed}
		switch {
		case old != nil:
			nv.Created = old.Created
		case !rec.Created.IsZero():
			nv.Created = rec.Created.UnixNano()
		default:
			nv.Created = now.UnixNano()
		}
		if err := writeRecord(kb, rec.ID, old, nv); err != nil {
			return err
		}
		version = nv.Version
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("embedded: put record %s/%s: %w", rec.Kind, rec.ID, err)
	}
	if conflict {
		return 0, fmt.Errorf("embedded: put record %s/%s version %d: %w", rec.Kind, rec.ID, rec.Version, store.ErrConflict)
	}
	return version, nil
}

// DeleteRecord removes record kind/id and its index entries; absent is
// not an error.
func (s *Store) DeleteRecord(ctx context.Context, kind, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.w.do(func(tx *wtx) error {
		kb := tx.Bucket(bucketRecords).Bucket([]byte(kind))
		if kb == nil {
			return nil
		}
		return deleteRecord(kb, id)
	})
	if err != nil {
		return fmt.Errorf("embedded: delete record %s/%s: %w", kind, id, err)
	}
	return nil
}

// deleteRecord removes id and its index entries from kb; absent is fine.
func deleteRecord(kb *wb, id string) error {
	old, err := getRecordValue(kb.b, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	created := fromNanos(old.Created)
	for f, v := range indexed(old.Index) {
		if err := kb.Bucket(bucketIndex).Delete(indexKey(f, v, created, id)); err != nil {
			return err
		}
	}
	if err := kb.Bucket(bucketCreated).Delete(append(timeKey(created), id...)); err != nil {
		return err
	}
	return kb.Bucket(bucketData).Delete([]byte(id))
}

// writeRecord stores nv over old (nil when new), moving only the index
// entries whose value changed, so no stale entry points at the record.
func writeRecord(kb *wb, id string, old, nv *recordValue) error {
	created := fromNanos(nv.Created)
	idx := kb.Bucket(bucketIndex)
	oldIdx, newIdx := map[string]string(nil), indexed(nv.Index)
	if old != nil {
		oldIdx = indexed(old.Index)
		for f, v := range oldIdx {
			if newIdx[f] != v {
				if err := idx.Delete(indexKey(f, v, created, id)); err != nil {
					return err
				}
			}
		}
	}
	for f, v := range newIdx {
		if oldIdx[f] != v {
			if err := idx.Put(indexKey(f, v, created, id), nil); err != nil {
				return err
			}
		}
	}
	ck := append(timeKey(created), id...)
	if err := kb.Bucket(bucketCreated).Put(ck, encodeRecordValue(nv)); err != nil {
		return err
	}
	if old != nil && isLocator(kb.Bucket(bucketData).Get([]byte(id))) {
		return nil
	}
	// New, or written before values moved to created: the id entry
	// becomes the locator, written this once.
	return kb.Bucket(bucketData).Put([]byte(id), append([]byte{recordLocator}, ck[:8]...))
}

// fillRecords leaves a tenth of each created leaf spare: values are
// appended in time order, so leaves behind the edge would otherwise be
// split at half full, and an order grows a little with each write.
const fillRecords = 0.9

// recordLocator marks a data entry that holds where the value is (its
// created key's time) rather than the value: 0x03 is neither a JSON
// value's '{' nor a binary value's 0x01/0x02.
const recordLocator = 0x03

func isLocator(v []byte) bool { return len(v) == 9 && v[0] == recordLocator }

// storedValue returns record id's stored bytes, wherever its layout keeps
// them, or nil. The bytes belong to the transaction.
func storedValue(kb *bolt.Bucket, id string) []byte {
	v := kb.Bucket(bucketData).Get([]byte(id))
	if !isLocator(v) {
		return v
	}
	return kb.Bucket(bucketCreated).Get(append(v[1:9:9], id...))
}

// ListRecords pages through records of kind, newest Created first,
// optionally those whose Index[q.Field] is q.Value, within [Since, Until).
// The cursor is the position of the last record returned, so records
// created meanwhile never shift later pages.
func (s *Store) ListRecords(ctx context.Context, kind string, q store.Query) ([]store.Record, string, error) {
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
	err := s.view(func(tx *bolt.Tx) error {
		kb := tx.Bucket(bucketRecords).Bucket([]byte(kind))
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

// listRange walks one range of the created or index bucket backwards.
func listRange(kb *bolt.Bucket, kind string, q store.Query, after []byte, limit int) ([]store.Record, string, error) {
	b := kb.Bucket(bucketCreated)
	var prefix []byte
	if q.Field != "" {
		b = kb.Bucket(bucketIndex)
		prefix = lp(lp(nil, q.Field), q.Value)
	}
	// upper is exclusive: the cursor's position or Until, whichever is lower.
	var upper []byte
	if after != nil {
		upper = append(append([]byte(nil), prefix...), after...)
	}
	if !q.Until.IsZero() {
		if u := appendTimeKey(append([]byte(nil), prefix...), q.Until); upper == nil || bytes.Compare(u, upper) < 0 {
			upper = u
		}
	}
	var lower []byte
	if !q.Since.IsZero() {
		lower = appendTimeKey(append([]byte(nil), prefix...), q.Since)
	}
	if upper == nil {
		upper = prefixEnd(prefix)
	}

	c := b.Cursor()
	var k, cv []byte
	if upper == nil {
		k, cv = c.Last()
	} else if k, cv = c.Seek(upper); k == nil {
		k, cv = c.Last()
	} else {
		k, cv = c.Prev()
	}
	var out []store.Record
	var last []byte
	for ; k != nil && bytes.HasPrefix(k, prefix) && (lower == nil || bytes.Compare(k, lower) >= 0); k, cv = c.Prev() {
		if len(out) == limit {
			return out, base64.RawURLEncoding.EncodeToString(last), nil
		}
		pos := k[len(prefix):]
		if len(pos) < 8 {
			continue
		}
		id := string(pos[8:])
		if q.Field != "" {
			cv = nil // an index entry's value is nothing: the record is in created
		}
		v, err := listedValue(kb, pos, id, cv)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("record %s/%s: %w", kind, id, err)
		}
		out = append(out, v.record(kind, id))
		last = append(last[:0], pos...)
	}
	return out, "", nil
}

// listedValue reads the record at pos (timeKey|id, as the created and
// index keys end): v when the walk is over created and has it at hand,
// else from created, where its value is unless it was written before
// values moved there.
func listedValue(kb *bolt.Bucket, pos []byte, id string, v []byte) (*recordValue, error) {
	if v == nil {
		v = kb.Bucket(bucketCreated).Get(pos)
	}
	if len(v) > 0 {
		return decodeRecordValue(v, true)
	}
	return getRecordValue(kb, id)
}

// prefixEnd returns the smallest key greater than every key starting with
// prefix, or nil when there is none (empty or all-0xff prefix).
func prefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

func indexKey(field, value string, created time.Time, id string) []byte {
	k := lp(lp(nil, field), value)
	k = appendTimeKey(k, created)
	return append(k, id...)
}

func kindBucket(tx *wtx, kind string) (*wb, error) {
	kb, err := tx.Bucket(bucketRecords).CreateBucketIfNotExists([]byte(kind))
	if err != nil {
		return nil, err
	}
	for _, name := range [][]byte{bucketData, bucketCreated, bucketIndex} {
		if _, err := kb.CreateBucketIfNotExists(name); err != nil {
			return nil, err
		}
	}
	return kb, nil
}

func getRecordValue(kb *bolt.Bucket, id string) (*recordValue, error) {
	v := storedValue(kb, id)
	if v == nil {
		return nil, store.ErrNotFound
	}
	return decodeRecordValue(v, true)
}

// indexed returns the index values that get index entries: the non-empty ones.
func indexed(m map[string]string) map[string]string {
	var out map[string]string
	for k, v := range m {
		if v == "" {
			continue
		}
		if out == nil {
			out = make(map[string]string, len(m))
		}
		out[k] = v
	}
	return out
}
