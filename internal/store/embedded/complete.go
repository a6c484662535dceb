package embedded

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

var _ store.Completer = (*Store)(nil)

// Complete applies a handler's held writes, enqueues its follow-up jobs
// (handing them to waiting workers, see inline.go) and acknowledges j, in
// one transaction. With j nil it only applies fx.
//
// The record versions are checked inside the transaction, before the
// in-memory queue changes: a conflict fails this write alone and changes
// nothing. Only once the check passed does the write change memory (under
// s.mu, from the committer), and from then on it is coupled: a failure
// stops the store, as for any write mirroring memory.
func (s *Store) Complete(ctx context.Context, j *store.Job, fx *store.Effects) error {
	recs, blobs, jobs := fx.Take()
	now := s.clock.Now()
	// Compressed here, not in the committer's transaction.
	packed := make([]packedData, len(recs))
	for i, r := range recs {
		if !r.Deleted {
			packed[i] = packData(r.Record.Data)
		}
	}
	var blobValues map[string][]byte
	for i := range jobs {
		// A follow-up's blobs commit with the effects' own. store.Effects
		// has moved them there already; a caller that built the jobs
		// itself gets the same.
		for _, b := range jobs[i].Blobs {
			if blobs == nil {
				blobs = map[string][]byte{}
			}
			blobs[b.Key] = b.Data
		}
		jobs[i].Blobs = nil
	}
	if len(blobs) > 0 {
		blobValues = make(map[string][]byte, len(blobs))
		for k, v := range blobs {
			blobValues[k] = encodeBlob(v)
		}
	}
	hvs, pvs := make([][]byte, len(jobs)), make([][]byte, len(jobs))
	for i := range jobs {
		if jobs[i].Queue == "" {
			return errors.New("embedded: complete: follow-up job has no queue")
		}
		hv, err := s.prepare(&jobs[i], now)
		if err != nil {
			return err
		}
		hvs[i], pvs[i] = hv, encodePayload(jobs[i].Payload)
	}
	var (
		applied bool
		queueFn func(*wtx) error
		il      *inlineLeases
	)
	w := &write{mirrored: func() bool { return applied }}
	w.fn = func(tx *wtx) error {
		if !applied {
			if err := checkVersions(tx, recs); err != nil {
				return err
			}
			s.mu.Lock()
			var err error
			queueFn, il, err = s.completeLocked(j, jobs, hvs, pvs, now)
			s.mu.Unlock()
			if err != nil {
				return err
			}
			applied = true
		}
		if err := writeEffects(tx, recs, packed, blobValues, now); err != nil {
			return err
		}
		return queueFn(tx)
	}
	done, err := s.w.enqueue(w, true)
	if err == nil {
		err = <-done
	}
	if il != nil { // set by the committer before done was sent
		il.finish(err)
	}
	if err != nil {
		id := ""
		if j != nil {
			id = j.ID
		}
		return fmt.Errorf("embedded: complete %s: %w", id, err)
	}
	return nil
}

// completeLocked acknowledges j (when set) and admits jobs in memory, and
// returns the write that does the same in the file. A follow-up whose
// unique key is held is dropped.
func (s *Store) completeLocked(j *store.Job, jobs []store.Job, hvs, pvs [][]byte, now time.Time) (func(*wtx) error, *inlineLeases, error) {
	if err := s.usableLocked(); err != nil {
		return nil, nil, err
	}
	var acked *entry
	if j != nil {
		e, err := s.leasedLocked(j, now)
		if err != nil {
			return nil, nil, err
		}
		acked = e
	}
	il := s.beginInlineLocked(now)
	defer func() { s.inline = nil }()
	var dropUnique uniqueRelease
	if acked != nil {
		q := s.queueLocked(acked.queue)
		s.leases.remove(acked)
		q.inFlight--
		delete(s.jobs, acked.id)
		s.releaseGroupLocked(q, acked, now)
		dropUnique = s.uniques.releaseJob(acked.uniqueKey, acked.id)
	}
	type admitted struct {
		e *entry
		i int
	}
	var in []admitted
	for i := range jobs {
		e, err := s.admitLocked(&jobs[i], now)
		if errors.Is(err, store.ErrDuplicate) {
			continue
		}
		if err != nil {
			return nil, nil, err // unreachable: usability was checked above
		}
		in = append(in, admitted{e, i})
	}
	return func(tx *wtx) error {
		for _, a := range in {
			if err := putJobRow(tx, a.e.key, hvs[a.i], pvs[a.i]); err != nil {
				return err
			}
		}
		if acked != nil {
			if err := deleteJob(tx, acked.key, acked.uniqueKey, dropUnique); err != nil {
				return err
			}
		}
		return il.apply(tx)
	}, il, nil
}

// checkVersions fails with ErrConflict when a record is no longer at the
// version the handler read (Expect -1: unconditional).
func checkVersions(tx *wtx, recs []store.EffectRecord) error {
	for _, r := range recs {
		if r.Expect < 0 {
			continue
		}
		var stored int64
		if kb := tx.Tx.Bucket(bucketRecords).Bucket([]byte(r.Record.Kind)); kb != nil {
			// The header is enough: decoding the data would cost a copy
			// of every record the job wrote, on each job's commit.
			if b := storedValue(kb, r.Record.ID); b != nil {
				v, err := decodeRecordValue(b, false)
				if err != nil {
					return fmt.Errorf("decode %s/%s: %w", r.Record.Kind, r.Record.ID, err)
				}
				stored = v.Version
			}
		}
		if stored != r.Expect {
			return fmt.Errorf("record %s/%s is at version %d, the job read %d: %w",
				r.Record.Kind, r.Record.ID, stored, r.Expect, store.ErrConflict)
		}
	}
	return nil
}

// writeEffects stores the held records, their data packed by packData,
// and the blobs, encoded by encodeBlob.
func writeEffects(tx *wtx, recs []store.EffectRecord, packed []packedData, blobs map[string][]byte, now time.Time) error {
	for i, r := range recs {
		rec := r.Record
		kb, err := kindBucket(tx, rec.Kind)
		if err != nil {
			return err
		}
		if r.Deleted {
			if err := deleteRecord(kb, rec.ID); err != nil {
				return err
			}
			continue
		}
		var old *recordValue
		if v := storedValue(kb.b, rec.ID); v != nil {
			// The header only: writeRecord needs the old index and times.
			if old, err = decodeRecordValue(v, false); err != nil {
				return fmt.Errorf("decode %s/%s: %w", rec.Kind, rec.ID, err)
			}
		}
		nv := &recordValue{Data: rec.Data, Index: rec.Index, Version: rec.Version, Updated: now.UnixNano(), packed: &packed[i]}
		if r.Expect < 0 { // written after an unconditional delete
			nv.Version = 1
			if old != nil {
				nv.Version = old.Version + 1
			}
		}
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
	}
	for k, v := range blobs {
		if err := putBlob(tx, k, v); err != nil {
			return err
		}
	}
	return nil
}
