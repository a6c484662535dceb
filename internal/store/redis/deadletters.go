package redis

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

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

// DeadLetters lists dead jobs of every queue, most recently dead first,
// limit per page (default 50, at most 500). Each queue keeps its own dead
// set (so Bury stays one script in one slot); a page reads limit+1 from
// each and merges them. The cursor is the position of the last job
// returned, so pages stay stable while jobs die or are replayed.
func (s *Store) DeadLetters(ctx context.Context, cursor string, limit int) ([]store.Job, string, error) {
	if err := s.usable(ctx); err != nil {
		return nil, "", err
	}
	limit = pageSize(limit)
	upper := "+"
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || len(b) <= 16 {
			return nil, "", fmt.Errorf("redis: dead letters: bad cursor %q", cursor)
		}
		upper = "(" + string(b)
	}
	names, err := s.queueNames(ctx)
	if err != nil {
		return nil, "", err
	}
	cmds := make([]*goredis.StringSliceCmd, len(names))
	_, err = s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, name := range names {
			cmds[i] = p.ZRangeArgs(ctx, goredis.ZRangeArgs{
				Key: s.keys.queue(name).dead, Start: upper, Stop: "-", ByLex: true, Rev: true, Count: int64(limit + 1),
			})
		}
		return nil
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return nil, "", s.fail(ctx, "dead letters", err)
	}
	type entry struct{ member, queue string }
	var all []entry
	for i, c := range cmds {
		for _, m := range c.Val() {
			all = append(all, entry{m, names[i]})
		}
	}
	slices.SortFunc(all, func(a, b entry) int { return cmp.Compare(b.member, a.member) })
	next := ""
	if len(all) > limit {
		all = all[:limit]
		next = base64.RawURLEncoding.EncodeToString([]byte(all[limit-1].member))
	}
	jobs := make([]*goredis.MapStringStringCmd, len(all))
	_, err = s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, e := range all {
			jobs[i] = p.HGetAll(ctx, s.keys.queue(e.queue).job(e.member[16:]))
		}
		return nil
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return nil, "", s.fail(ctx, "dead letters", err)
	}
	out := make([]store.Job, 0, len(all))
	for i, c := range jobs {
		j, err := decodeJob(all[i].queue, flatten(c.Val()))
		if err != nil {
			continue // replayed or discarded since the listing
		}
		out = append(out, *j)
	}
	return out, next, nil
}

// DeadLetter returns one dead job; ErrNotFound when id is not dead.
func (s *Store) DeadLetter(ctx context.Context, id string) (*store.Job, error) {
	q, err := s.findDead(ctx, id)
	if err != nil {
		return nil, err
	}
	flat, err := s.rdb.HGetAll(ctx, q.job(id)).Result()
	if err != nil {
		return nil, s.fail(ctx, "dead letter", err)
	}
	j, err := decodeJob(q.name, flatten(flat))
	if err != nil || j.DeadAt.IsZero() {
		return nil, fmt.Errorf("redis: dead letter %s: %w", id, store.ErrNotFound)
	}
	return j, nil
}

// Replay moves dead job id back to its queue as a new arrival: attempts
// reset (errors kept as history), at the tail of its group.
func (s *Store) Replay(ctx context.Context, id string) error {
	q, err := s.findDead(ctx, id)
	if err != nil {
		return err
	}
	group := ""
	for range maxRefresh {
		status, rest, err := s.evalList(ctx, scriptReplay,
			[]string{q.job(id), q.dead, q.ready, q.sched, q.meta, q.cnt, q.group(group)},
			id, micros(s.clock.Now()), group, s.keys.channel(), q.name)
		if err != nil {
			return err
		}
		switch status {
		case "notfound":
			return fmt.Errorf("redis: replay %s: %w", id, store.ErrNotFound)
		case "refresh":
			group, _, _ = refreshed(rest, 3)
		case "scheduled":
			s.note.pokeReaper()
			return nil
		default:
			return nil
		}
	}
	return fmt.Errorf("redis: replay %s: kept changing; try again", id)
}

// Discard deletes dead job id; ErrNotFound when id is not dead.
func (s *Store) Discard(ctx context.Context, id string) error {
	q, err := s.findDead(ctx, id)
	if err != nil {
		return err
	}
	ukey := ""
	for range maxRefresh {
		status, rest, err := s.evalList(ctx, scriptDiscard, []string{q.job(id), q.dead, q.uniq(ukey)}, id, ukey)
		if err != nil {
			return err
		}
		switch status {
		case "notfound":
			return fmt.Errorf("redis: discard %s: %w", id, store.ErrNotFound)
		case "refresh":
			ukey, _, _ = refreshed(rest, 3)
		default:
			return nil
		}
	}
	return fmt.Errorf("redis: discard %s: kept changing; try again", id)
}

// findDead finds the queue whose dead letters hold id. Dead-letter calls
// name only the id, so every registered queue is asked (one pipeline).
func (s *Store) findDead(ctx context.Context, id string) (queueKeys, error) {
	if err := s.usable(ctx); err != nil {
		return queueKeys{}, err
	}
	names, err := s.queueNames(ctx)
	if err != nil {
		return queueKeys{}, err
	}
	cmds := make([]*goredis.StringCmd, len(names))
	_, err = s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, name := range names {
			cmds[i] = p.HGet(ctx, s.keys.queue(name).job(id), "state")
		}
		return nil
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return queueKeys{}, s.fail(ctx, "dead letter", err)
	}
	for i, c := range cmds {
		if c.Val() == "dead" {
			return s.keys.queue(names[i]), nil
		}
	}
	return queueKeys{}, fmt.Errorf("redis: dead letter %s: %w", id, store.ErrNotFound)
}

// Stats reports every registered queue, by name: O(1) reads per queue
// (sorted-set cardinalities, two small hashes), each queue's in one
// MULTI/EXEC so its figures are one snapshot. Nothing scans, so an
// operator's dashboard cannot stall Redis.
func (s *Store) Stats(ctx context.Context) ([]store.QueueStats, error) {
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	names, err := s.queueNames(ctx)
	if err != nil {
		return nil, err
	}
	type reads struct {
		ready, sched, lease, dead *goredis.IntCmd
		waiting                   *goredis.StringCmd
		oldest                    *goredis.ZSliceCmd
		keys                      *goredis.MapStringStringCmd
	}
	// One MULTI/EXEC per queue (a transaction may not span slots), all
	// at once.
	rs := make([]reads, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			q := s.keys.queue(name)
			_, errs[i] = s.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
				rs[i] = reads{
					ready:   p.ZCard(ctx, q.ready),
					sched:   p.ZCard(ctx, q.sched),
					lease:   p.ZCard(ctx, q.lease),
					dead:    p.ZCard(ctx, q.dead),
					waiting: p.HGet(ctx, q.meta, "waiting"),
					oldest:  p.ZRangeWithScores(ctx, q.ready, 0, 0),
					keys:    p.HGetAll(ctx, q.cnt),
				}
				return nil
			})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, goredis.Nil) {
			return nil, s.fail(ctx, "stats", err)
		}
	}
	now := s.clock.Now()
	out := make([]store.QueueStats, 0, len(names))
	for i, name := range names {
		r := rs[i]
		st := store.QueueStats{
			Queue:     name,
			Ready:     r.ready.Val(),
			Scheduled: r.sched.Val(),
			InFlight:  r.lease.Val(),
			Dead:      r.dead.Val(),
			Waiting:   atoi(r.waiting.Val()),
		}
		if z := r.oldest.Val(); len(z) > 0 {
			if age := now.Sub(time.UnixMicro(int64(z[0].Score))); age > 0 {
				st.OldestAge = age
			}
		}
		for k, v := range r.keys.Val() {
			if n := atoi(v); n > 0 {
				if st.Keys == nil {
					st.Keys = make(map[string]int64)
				}
				st.Keys[k] = n
			}
		}
		out = append(out, st)
	}
	return mergeStats(out), nil
}

// flatten turns an HGETALL map back into the field, value list the
// scripts return.
func flatten(m map[string]string) []any {
	out := make([]any, 0, 2*len(m))
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}
