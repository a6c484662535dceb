package redis

import (
	"context"
	"errors"
	"fmt"

	"github.com/dropgate/dropgate/core/store"
)

var _ store.Completer = (*Store)(nil)

// Complete applies a handler's held writes one by one, then acknowledges j
// (when set). Redis gains nothing from holding them, and this is not one
// atomic step: a crash or a conflict part-way leaves the writes before it
// applied and j leased, so j runs again, which is what happened before
// writes were held (each was made at once). Checking the job's ownership
// first keeps a worker whose lease is gone from writing at all.
func (s *Store) Complete(ctx context.Context, j *store.Job, fx *store.Effects) error {
	if j != nil {
		if err := s.owned(ctx, j); err != nil {
			return err
		}
	}
	recs, blobs, jobs := fx.Take()
	for _, r := range recs {
		if err := s.applyRecord(ctx, r); err != nil {
			return fmt.Errorf("redis: complete %s/%s: %w", r.Record.Kind, r.Record.ID, err)
		}
	}
	for k, v := range blobs {
		if err := s.PutBlob(ctx, k, v); err != nil {
			return err
		}
	}
	for _, nj := range jobs {
		if _, err := s.Enqueue(ctx, nj); err != nil && !errors.Is(err, store.ErrDuplicate) {
			return err
		}
	}
	if j == nil {
		return nil
	}
	return s.Ack(ctx, j)
}

// applyRecord writes one held record at the version the handler read
// (Expect -1: whatever is stored).
func (s *Store) applyRecord(ctx context.Context, r store.EffectRecord) error {
	expect := r.Expect
	if expect < 0 {
		cur, err := s.GetRecord(ctx, r.Record.Kind, r.Record.ID)
		switch {
		case err == nil:
			expect = cur.Version
		case errors.Is(err, store.ErrNotFound):
			expect = 0
		default:
			return err
		}
	} else if r.Deleted {
		cur, err := s.GetRecord(ctx, r.Record.Kind, r.Record.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if cur.Version != expect {
			return fmt.Errorf("at version %d, the job read %d: %w", cur.Version, expect, store.ErrConflict)
		}
	}
	if r.Deleted {
		return s.DeleteRecord(ctx, r.Record.Kind, r.Record.ID)
	}
	rec := r.Record
	rec.Version = expect
	_, err := s.PutRecord(ctx, rec)
	return err
}
