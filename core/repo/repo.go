// Package repo keeps aggregates in the store's records: one repository
// per aggregate (orders, exceptions, interchanges), with optimistic
// concurrency and one paging rule. Services, the admin API and the
// operator commands read and change aggregates only through it, so the
// encoding and the index of each lives in one place.
package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// ErrNoChange, returned by an Update function, skips the write: the
// aggregate is as it should be.
var ErrNoChange = errors.New("no change")

// maxUpdateTries bounds optimistic-concurrency retries. Jobs of one order
// run in order, so conflicts are rare (an operator action, a timer).
const maxUpdateTries = 8

// Repo stores aggregates of type T as records of one kind.
type Repo[T any] struct {
	Records store.Records
	Kind    string
	// ID, Created and Index describe an aggregate for its record; Index
	// values are what List filters on.
	ID      func(*T) string
	Created func(*T) time.Time
	Index   func(*T) map[string]string
	// BeforeSave runs before every write (derive state, stamp times).
	BeforeSave func(*T)
	// AfterLoad runs after every read (fill what older records lack).
	AfterLoad func(*T, store.Record)
}

// Get returns the aggregate and its version; store.ErrNotFound when absent.
func (r *Repo[T]) Get(ctx context.Context, id string) (*T, int64, error) {
	rec, err := r.Records.GetRecord(ctx, r.Kind, id)
	if err != nil {
		return nil, 0, err
	}
	v, err := r.decode(rec)
	if err != nil {
		return nil, 0, err
	}
	return v, rec.Version, nil
}

// recordCodec is an aggregate with a codec of its own, faster than
// encoding/json's reflection and writing the same JSON
// (model.Aggregate's: the order is read and written by every job of it).
type recordCodec interface {
	AppendRecord(dst []byte) ([]byte, error)
	DecodeRecord(data []byte) error
}

func (r *Repo[T]) decode(rec store.Record) (*T, error) {
	var v T
	var err error
	if c, ok := any(&v).(recordCodec); ok {
		err = c.DecodeRecord(rec.Data)
	} else {
		err = json.Unmarshal(rec.Data, &v)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: stored record is corrupt: %w", r.Kind, rec.ID, err)
	}
	if r.AfterLoad != nil {
		r.AfterLoad(&v, rec)
	}
	return &v, nil
}

// Put writes v at the expected version (0: it must not exist yet) and
// returns the new version; store.ErrConflict when another write won.
func (r *Repo[T]) Put(ctx context.Context, v *T, version int64) (int64, error) {
	if r.BeforeSave != nil {
		r.BeforeSave(v)
	}
	var data []byte
	var err error
	if c, ok := any(v).(recordCodec); ok {
		data, err = c.AppendRecord(nil)
	} else {
		data, err = json.Marshal(v)
	}
	if err != nil {
		return 0, fmt.Errorf("encode %s %s: %w", r.Kind, r.ID(v), err)
	}
	rec := store.Record{Kind: r.Kind, ID: r.ID(v), Data: data, Version: version}
	if r.Created != nil {
		rec.Created = r.Created(v)
	}
	if r.Index != nil {
		rec.Index = r.Index(v)
	}
	return r.Records.PutRecord(ctx, rec)
}

// Create writes a new aggregate; store.ErrConflict when it exists.
func (r *Repo[T]) Create(ctx context.Context, v *T) error {
	_, err := r.Put(ctx, v, 0)
	return err
}

// Update applies fn to the stored aggregate and saves it, trying again
// with a fresh copy when another write got there first. fn returns
// ErrNoChange to skip the write; Update then returns the aggregate as
// read. Any other error from fn is returned as is.
func (r *Repo[T]) Update(ctx context.Context, id string, fn func(*T) error) (*T, error) {
	for try := 0; try < maxUpdateTries; try++ {
		v, version, err := r.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := fn(v); err != nil {
			if errors.Is(err, ErrNoChange) {
				return v, nil
			}
			return nil, err
		}
		_, err = r.Put(ctx, v, version)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return v, nil
	}
	return nil, fmt.Errorf("%s %s: too many concurrent updates: %w", r.Kind, id, store.ErrConflict)
}

// UpdateFrom is Update starting from v, a copy the caller read at version
// and owns (nobody else holds it): the first try applies fn to v and
// writes it without reading the record again, saving a decode. When
// another write came in between, it goes on as Update does, from a fresh
// copy. v is not used after a conflict.
func (r *Repo[T]) UpdateFrom(ctx context.Context, v *T, version int64, fn func(*T) error) (*T, error) {
	if err := fn(v); err != nil {
		if errors.Is(err, ErrNoChange) {
			return v, nil
		}
		return nil, err
	}
	_, err := r.Put(ctx, v, version)
	if errors.Is(err, store.ErrConflict) {
		return r.Update(ctx, r.ID(v), fn)
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

// Page is a request for one page of a list.
type Page struct {
	Cursor string
	Limit  int       // default 50, at most 500
	Since  time.Time // created at or after, when set
	Until  time.Time // created before, when set
}

// List returns aggregates whose index equals every entry of where,
// newest first, and the cursor of the next page ("" at the end). A page
// may hold fewer than Limit: follow the cursor until it is empty.
func (r *Repo[T]) List(ctx context.Context, where map[string]string, p Page, prefer ...string) ([]T, string, error) {
	recs, next, err := store.ListWhere(ctx, r.Records, r.Kind, where, prefer,
		store.Query{Cursor: p.Cursor, Limit: p.Limit, Since: p.Since, Until: p.Until})
	if err != nil {
		return nil, "", err
	}
	out := make([]T, 0, len(recs))
	for _, rec := range recs {
		v, err := r.decode(rec)
		if err != nil {
			return nil, "", err
		}
		out = append(out, *v)
	}
	return out, next, nil
}

// Each calls fn for every aggregate matching where, page by page, until
// fn returns false or an error.
func (r *Repo[T]) Each(ctx context.Context, where map[string]string, fn func(*T) (bool, error)) error {
	return r.EachBetween(ctx, where, time.Time{}, time.Time{}, fn)
}

// EachBetween is Each over the aggregates created in [since, until) (zero
// times: unbounded). Only one page is in memory at a time, so reports over
// many orders (route replay, margins) stay small.
func (r *Repo[T]) EachBetween(ctx context.Context, where map[string]string, since, until time.Time, fn func(*T) (bool, error)) error {
	p := Page{Limit: 500, Since: since, Until: until}
	for {
		page, next, err := r.List(ctx, where, p)
		if err != nil {
			return err
		}
		for i := range page {
			more, err := fn(&page[i])
			if err != nil || !more {
				return err
			}
		}
		if next == "" {
			return nil
		}
		p.Cursor = next
	}
}
