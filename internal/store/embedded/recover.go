package embedded

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// errProcessEnded is recorded on a job whose last attempt was in progress
// when the process that leased it ended.
var errProcessEnded = fmt.Errorf("lease lost: the process ended during the attempt: %w", errLeaseExpired)

// recover creates the buckets and rebuilds the in-memory index from the
// file. This process holds the file lock, so any job still marked leased
// belonged to a process that is gone: it is ready again now (or dead, if
// that was its last attempt) rather than after its lease would expire.
func (s *Store) recover() error {
	now := s.clock.Now()
	return s.db.Update(func(btx *bolt.Tx) error {
		tx := &wtx{Tx: btx}
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		live, fixed, err := s.loadJobs(btx, now)
		if err != nil {
			return err
		}
		// Writes wait until the cursor is done: bbolt cursors do not
		// survive changes to their bucket.
		for key, h := range fixed {
			if err := putHeader(tx, key, h); err != nil {
				return err
			}
			if h.Status == statusDead {
				if err := tx.Bucket(bucketDead).Put(deadKey(fromNanos(h.DeadAt), key), nil); err != nil {
					return err
				}
			}
		}
		slices.SortFunc(live, func(a, b *entry) int {
			switch {
			case a.seq < b.seq:
				return -1
			case a.seq > b.seq:
				return 1
			}
			return 0
		})
		for _, e := range live {
			s.placeLocked(e, now)
		}
		if len(fixed) > 0 {
			requeued := 0
			for _, h := range fixed {
				if h.Status == statusPending {
					requeued++
				}
			}
			s.log.Info("embedded store: jobs left in flight by the previous process recovered",
				"path", s.path, "ready_again", requeued, "dead_letters", len(fixed)-requeued)
		}
		return s.loadUniques(btx, now)
	})
}

// loadJobs indexes every job. It returns the live ones (to be placed in
// seq order) and the headers it changed.
func (s *Store) loadJobs(tx *bolt.Tx, now time.Time) ([]*entry, map[uint64]*header, error) {
	var live []*entry
	fixed := make(map[uint64]*header)
	err := tx.Bucket(bucketJobs).ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			return fmt.Errorf("bad job key %x", k)
		}
		key := binary.BigEndian.Uint64(k)
		var h header
		if err := decodeHeader(v, &h); err != nil {
			return fmt.Errorf("decode job #%d: %w", key, err)
		}
		id := h.ID
		e := &entry{
			id: id, queue: h.Queue, group: h.Group, rateKey: h.Key, key: key, seq: cmp.Or(h.Seq, key),
			runAt: fromNanos(h.RunAt), attempt: h.Attempt, maxAttempts: h.MaxAttempts,
			uniqueKey: h.UniqueKey, uniqueTTL: h.UniqueTTL, idx: -1,
		}
		if e.maxAttempts <= 0 {
			e.maxAttempts = s.opts.maxAttempts
		}
		s.seq = max(s.seq, h.Seq, key)
		s.jobs[id] = e
		s.holdFromHeader(&h, now)
		if h.Status == statusLeased {
			if h.Attempt >= e.maxAttempts {
				h.Status, h.DeadAt = statusDead, now.UnixNano()
				h.addError(h.Attempt, now, errProcessEnded)
			} else {
				h.Status = statusPending
			}
			fixed[key] = &h
		}
		if h.Status == statusDead {
			e.state, e.deadAt = stateDead, fromNanos(h.DeadAt)
			s.queueLocked(e.queue).dead++
			return nil
		}
		live = append(live, e)
		return nil
	})
	return live, fixed, err
}

// holdFromHeader restores the unique key a job's header holds: for the
// job's lifetime, or until its expiry. A header written before expiries
// were kept in headers leaves a TTL hold to its row in the uniques bucket.
// Headers come in storage-key order, so if a clock set back makes two
// jobs' holds of one key look current, the newer job's wins.
func (s *Store) holdFromHeader(h *header, now time.Time) {
	switch {
	case h.UniqueKey == "":
	case h.UniqueTTL == 0:
		s.uniques.hold(h.UniqueKey, h.ID, 0, now)
	case h.UniqueExp != 0:
		if exp := fromNanos(h.UniqueExp); now.Before(exp) {
			s.uniques.hold(h.UniqueKey, h.ID, exp.Sub(now), now)
		}
	}
}

// loadUniques restores the unique keys still in force from the uniques
// bucket and deletes the rest: expired ones, and lifetime ones whose job
// is gone. A key a job's header holds (holdFromHeader) is the header's: a
// row under it is one the job's hold replaced.
func (s *Store) loadUniques(tx *bolt.Tx, now time.Time) error {
	err := pruneBucket(tx.Bucket(bucketUniques), func(k, v []byte) (bool, error) {
		var r uniqueRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return false, fmt.Errorf("decode unique key %q: %w", k, err)
		}
		key := string(k)
		if h, ok := s.uniques.byKey[key]; ok && h.job != r.Job {
			return true, nil
		}
		if r.Expires != 0 {
			exp := fromNanos(r.Expires)
			if !now.Before(exp) {
				return false, nil
			}
			s.uniques.hold(key, r.Job, exp.Sub(now), now)
			return true, nil
		}
		if _, ok := s.jobs[r.Job]; !ok {
			return false, nil
		}
		s.uniques.hold(key, r.Job, 0, now)
		return true, nil
	})
	if err != nil {
		return err
	}
	return s.loadUniqueRows(tx, now)
}

// pruneBucket calls keep with every row of b and deletes the rows it
// does not keep.
func pruneBucket(b *bolt.Bucket, keep func(k, v []byte) (bool, error)) error {
	var stale [][]byte
	err := b.ForEach(func(k, v []byte) error {
		ok, err := keep(k, v)
		if err == nil && !ok {
			stale = append(stale, append([]byte(nil), k...))
		}
		return err
	})
	if err != nil {
		return err
	}
	for _, k := range stale {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// heldByLiveJob reports whether a job still in the file holds key.
func (s *Store) heldByLiveJob(key string) bool {
	h, ok := s.uniques.byKey[key]
	if !ok {
		return false
	}
	_, live := s.jobs[h.job]
	return live
}

// loadUniqueRows restores the holds of uniques2 still in force, in expiry
// order, so a key with two rows ends with the later one (the earlier row
// goes when its hold expires, see expired), and deletes the rest: expired
// rows, and rows under a key a job's header holds (replaced by that job's
// hold: the key could not have been taken again while the row held it).
func (s *Store) loadUniqueRows(tx *bolt.Tx, now time.Time) error {
	return pruneBucket(tx.Bucket(bucketUniques2), func(k, v []byte) (bool, error) {
		if len(k) < 8 {
			return false, fmt.Errorf("unique key row %q: shorter than its expiry", k)
		}
		exp, key := timeFromKey(k), string(k[8:])
		if !now.Before(exp) || s.heldByLiveJob(key) {
			return false, nil
		}
		s.uniques.hold(key, string(v), exp.Sub(now), now)
		return true, nil
	})
}
