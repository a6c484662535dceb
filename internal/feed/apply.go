package feed

import (
	"context"
	"errors"
	"fmt"

	"github.com/dropgate/dropgate/core/store"
)

// ErrNotPending reports an approval or discard of a snapshot that is no
// longer waiting: a later import superseded it, or it was discarded.
var ErrNotPending = errors.New("feed snapshot is no longer pending")

// unchanged records a check that found the content of the last fetch.
// When that content is the applied one, its freshness moves to the
// source's own time (Last-Modified, file time) when it has one.
func (r *Request) unchanged(ctx context.Context, res *Result, src *fetched, state *State, version int64) (*Result, error) {
	res.Unchanged = true
	if r.DryRun || r.override() {
		return res, nil
	}
	if src.v.SHA256 == "" { // the source's validators said so: not read
		src.v.SHA256 = state.Fetched.SHA256
	}
	if src.v.SHA256 == state.Fetched.SHA256 {
		src.v.Failed = state.Fetched.Failed
	}
	state.Fetched, state.Checked = src.v, r.Clock.Now().UTC()
	if state.Applied != nil && state.Applied.SHA256 == src.v.SHA256 && !src.modTime.IsZero() {
		state.AsOf = src.modTime
	}
	v, err := SaveState(ctx, r.Store, state, version)
	if errors.Is(err, store.ErrConflict) {
		return res, fmt.Errorf("feed %s: %w", r.Supplier, ErrConcurrent)
	}
	if err != nil {
		return res, fmt.Errorf("feed %s: save state: %w", r.Supplier, err)
	}
	res.State, res.Version = state, v
	return res, nil
}

// store writes the snapshot to a free slot, then the state that makes it
// the applied one, or the pending one when quarantined. Until the state
// is written nobody reads the slot, so a crash in between leaves the
// previous state intact.
func (r *Request) store(ctx context.Context, res *Result, snap *Snapshot, src *fetched, state *State, version int64) error {
	slot := state.freeSlot()
	chunks, err := WriteSnapshot(ctx, r.Store, r.Supplier, slot, snap)
	if err != nil {
		return err
	}
	now := r.Clock.Now().UTC()
	d := res.Diff
	meta := &Meta{
		ID: snap.ID, Slot: slot, Chunks: chunks, Offers: snap.Len(), Currency: snap.Currency, Places: snap.Places,
		Source: src.name, SHA256: src.v.SHA256, Created: now, Reasons: res.Reasons,
		Summary: Summary{Rows: res.Rows, Bad: res.Bad, Unmapped: res.Unmapped, Changed: d.Changed, Zeroed: d.Zeroed,
			Added: d.Added, Missing: d.Missing, Unchanged: d.Unchanged},
	}
	state.NextSlot = (slot + 1) % numSlots
	state.Checked = now
	if !r.override() {
		state.Fetched = src.v
	}
	if state.Pending != nil {
		res.Superseded, state.Pending = state.Pending, nil
	}
	if res.Quarantined {
		state.Pending = meta
	} else {
		state.Applied, state.AsOf = meta, now
		res.Applied = true
	}
	v, err := SaveState(ctx, r.Store, state, version)
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("feed %s: %w", r.Supplier, ErrConcurrent)
	}
	if err != nil {
		return fmt.Errorf("feed %s: save state: %w", r.Supplier, err)
	}
	res.Meta, res.State, res.Version = meta, state, v
	return nil
}

// Approve makes the pending snapshot id the applied one. Its data is as
// old as its import, so freshness counts from then. Approving the
// snapshot already applied is a no-op.
func Approve(ctx context.Context, st store.Records, supplier, id string) (*State, int64, error) {
	return change(ctx, st, supplier, id, func(s *State) {
		s.Applied, s.Pending = s.Pending, nil
		s.AsOf = s.Applied.Created
	})
}

// Discard drops the pending snapshot id. Its content stays the last
// fetched, so the same file is not imported again until it changes.
func Discard(ctx context.Context, st store.Records, supplier, id string) (*State, int64, error) {
	return change(ctx, st, supplier, id, func(s *State) { s.Pending = nil })
}

func change(ctx context.Context, st store.Records, supplier, id string, fn func(*State)) (*State, int64, error) {
	for range 8 {
		s, v, err := LoadState(ctx, st, supplier)
		if err != nil {
			return nil, 0, err
		}
		if s.Pending == nil || s.Pending.ID != id {
			if s.Applied != nil && s.Applied.ID == id {
				return s, v, nil
			}
			return nil, 0, fmt.Errorf("feed %s: snapshot %s: %w", supplier, id, ErrNotPending)
		}
		fn(s)
		v, err = SaveState(ctx, st, s, v)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		return s, v, nil
	}
	return nil, 0, fmt.Errorf("feed %s: %w", supplier, ErrConcurrent)
}
