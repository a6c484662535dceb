// Package memstore is an in-memory store.Records, for the core's own
// tests: the core may import nothing outside core, so its packages test
// against this rather than a real driver. It keeps the drivers' contract
// (optimistic versions, newest-first lists with a cursor, index filters);
// the drivers themselves are held to it by internal/store/storetest.
package memstore

import (
	"context"
	"maps"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// Records is an in-memory store.Records.
type Records struct {
	mu   sync.Mutex
	recs map[string]map[string]store.Record // kind → id → record
	now  func() time.Time
}

var _ store.Records = (*Records)(nil)

// New returns an empty store whose write times come from now (nil: real
// time).
func New(now func() time.Time) *Records {
	if now == nil {
		now = time.Now
	}
	return &Records{recs: map[string]map[string]store.Record{}, now: now}
}

// GetRecord implements store.Records.
func (m *Records) GetRecord(_ context.Context, kind, id string) (store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs[kind][id]
	if !ok {
		return store.Record{}, store.ErrNotFound
	}
	return clone(r), nil
}

// PutRecord implements store.Records.
func (m *Records) PutRecord(_ context.Context, rec store.Record) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	byID := m.recs[rec.Kind]
	if byID == nil {
		byID = map[string]store.Record{}
		m.recs[rec.Kind] = byID
	}
	old, exists := byID[rec.ID]
	if (exists && old.Version != rec.Version) || (!exists && rec.Version != 0) {
		return 0, store.ErrConflict
	}
	now := m.now()
	rec = clone(rec)
	rec.Version++
	rec.Updated = now
	switch {
	case exists:
		rec.Created = old.Created
	case rec.Created.IsZero():
		rec.Created = now
	}
	byID[rec.ID] = rec
	return rec.Version, nil
}

// DeleteRecord implements store.Records.
func (m *Records) DeleteRecord(_ context.Context, kind, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.recs[kind], id)
	return nil
}

// ListRecords implements store.Records: newest first (ties by id), the
// cursor being the offset of the next record.
func (m *Records) ListRecords(_ context.Context, kind string, q store.Query) ([]store.Record, string, error) {
	m.mu.Lock()
	var all []store.Record
	for _, r := range m.recs[kind] {
		if q.Field != "" && r.Index[q.Field] != q.Value {
			continue
		}
		if (!q.Since.IsZero() && r.Created.Before(q.Since)) || (!q.Until.IsZero() && !r.Created.Before(q.Until)) {
			continue
		}
		all = append(all, clone(r))
	}
	m.mu.Unlock()
	sort.Slice(all, func(i, j int) bool {
		if !all[i].Created.Equal(all[j].Created) {
			return all[i].Created.After(all[j].Created)
		}
		return all[i].ID > all[j].ID
	})
	limit := q.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	from, _ := strconv.Atoi(q.Cursor)
	if from > len(all) {
		from = len(all)
	}
	to := min(from+limit, len(all))
	next := ""
	if to < len(all) {
		next = strconv.Itoa(to)
	}
	return all[from:to], next, nil
}

func clone(r store.Record) store.Record {
	r.Data = append([]byte(nil), r.Data...)
	r.Index = maps.Clone(r.Index)
	return r
}
