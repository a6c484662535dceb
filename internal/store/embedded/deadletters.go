package embedded

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/dropgate/dropgate/core/store"
)

const (
	defaultPage = 50
	maxPage     = 500
)

func pageSize(n int) int {
	switch {
	case n <= 0:
		return defaultPage
	case n > maxPage:
		return maxPage
	}
	return n
}

// DeadLetters lists dead jobs, most recently dead first, limit per page
// (default 50, at most 500). The cursor is the position of the last job
// returned, so pages stay stable while jobs die or are replayed.
func (s *Store) DeadLetters(ctx context.Context, cursor string, limit int) ([]store.Job, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	limit = pageSize(limit)
	var before []byte
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || len(b) != 16 {
			return nil, "", fmt.Errorf("embedded: dead letters: bad cursor %q", cursor)
		}
		before = b
	}
	var out []store.Job
	var next string
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDead).Cursor()
		k, _ := c.Last()
		if before != nil {
			k, _ = c.Seek(before)
			if k == nil {
				k, _ = c.Last()
			}
			for k != nil && bytes.Compare(k, before) >= 0 {
				k, _ = c.Prev()
			}
		}
		var last []byte
		for ; k != nil; k, _ = c.Prev() {
			if len(out) == limit {
				next = base64.RawURLEncoding.EncodeToString(last)
				return nil
			}
			last = append(last[:0], k...)
			if len(k) != 16 {
				return fmt.Errorf("bad dead letter key %x", k)
			}
			key := binary.BigEndian.Uint64(k[8:])
			h, err := getHeader(tx, key)
			if err != nil {
				return err
			}
			out = append(out, h.job(s.payloadAsStored(tx, key, h.ID)))
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("embedded: dead letters: %w", err)
	}
	return out, next, nil
}

// DeadLetter returns one dead job; ErrNotFound when id is not dead.
func (s *Store) DeadLetter(ctx context.Context, id string) (*store.Job, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	e, err := s.deadLocked(id)
	var key uint64
	if e != nil {
		key = e.key
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	var j store.Job
	err = s.view(func(tx *bolt.Tx) error {
		h, err := getHeader(tx, key)
		if err != nil {
			return err
		}
		// Replayed since the look-up, or its Bury not yet committed.
		if h.Status != statusDead || h.ID != id {
			return fmt.Errorf("job %s is not dead: %w", id, store.ErrNotFound)
		}
		j = h.job(s.payloadAsStored(tx, key, id))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: dead letter: %w", err)
	}
	return &j, nil
}

// Replay moves dead job id back to its queue as a new arrival: attempts
// reset to 0 (errors are kept as history), at the tail of its group.
func (s *Store) Replay(ctx context.Context, id string) error {
	s.mu.Lock()
	e, err := s.deadLocked(id)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	now := s.clock.Now()
	q := s.queueLocked(e.queue)
	q.dead--
	oldKey := deadKey(e.deadAt, e.key)
	e.deadAt = time.Time{}
	e.attempt = 0
	s.seq++
	e.seq = s.seq
	e.runAt = now
	s.placeLocked(e, now)
	key, seq := e.key, e.seq
	tok := s.markQueued(e)
	done, err := s.w.submit(func(tx *wtx) error {
		e.ranQueued(tok)
		h, err := getHeader(tx.Tx, key)
		if err != nil {
			return err
		}
		h.Status, h.Attempt, h.DeadAt, h.Seq, h.RunAt = statusPending, 0, 0, seq, now.UnixNano()
		if err := putHeader(tx, key, h); err != nil {
			return err
		}
		return tx.Bucket(bucketDead).Delete(oldKey)
	}, true, true)
	s.mu.Unlock()
	return wait(done, err, "replay", id)
}

// Discard deletes dead job id; ErrNotFound when id is not dead.
func (s *Store) Discard(ctx context.Context, id string) error {
	s.mu.Lock()
	e, err := s.deadLocked(id)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	s.queueLocked(e.queue).dead--
	delete(s.jobs, id)
	dropUnique := s.uniques.releaseJob(e.uniqueKey, id)
	dk := deadKey(e.deadAt, e.key)
	done, err := s.w.submit(func(tx *wtx) error {
		if err := tx.Bucket(bucketDead).Delete(dk); err != nil {
			return err
		}
		return deleteJob(tx, e.key, e.uniqueKey, dropUnique)
	}, true, true)
	s.mu.Unlock()
	return wait(done, err, "discard", id)
}

func (s *Store) deadLocked(id string) (*entry, error) {
	if err := s.usableLocked(); err != nil {
		return nil, err
	}
	e := s.jobs[id]
	if e == nil || e.state != stateDead {
		return nil, fmt.Errorf("embedded: dead letter %s: %w", id, store.ErrNotFound)
	}
	return e, nil
}

// Stats reports every queue that has held a job since Open, by name,
// with pending (ready, scheduled, waiting) jobs counted per rate-limit key.
// It reads only the in-memory index, so it never blocks the file.
func (s *Store) Stats(ctx context.Context) ([]store.QueueStats, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usableLocked(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	s.advanceLocked(now)
	out := make([]store.QueueStats, 0, len(s.queues))
	for name, q := range s.queues {
		st := store.QueueStats{
			Queue:     name,
			Ready:     int64(q.ready.Len()),
			Scheduled: int64(q.scheduled.Len()),
			InFlight:  q.inFlight,
			Waiting:   q.waiting,
			Dead:      q.dead,
		}
		if e := q.ready.peek(); e != nil && now.After(e.runAt) {
			st.OldestAge = now.Sub(e.runAt)
		}
		if len(q.pending) > 0 {
			st.Keys = maps.Clone(q.pending)
		}
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b store.QueueStats) int { return strings.Compare(a.Queue, b.Queue) })
	return out, nil
}
