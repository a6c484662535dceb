package redis

import (
	"context"
	"errors"
	"math"
	"slices"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// reapBatch is how many due jobs or expired leases of a queue one pass
// handles before looking again.
const reapBatch = 64

// reaper promotes delayed jobs whose time has come and reclaims expired
// leases, in every queue of the registry. Every process runs one; they
// race harmlessly (the scripts re-check), and a job whose worker died is
// reclaimed as long as any process of the deployment is alive. It sleeps
// until the earliest due time it saw, at most ReapInterval, and is poked
// early by this process's own leases and retries and by "s" announcements
// of other processes' delays.
func (s *Store) reaper() {
	defer s.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	failures := 0
	for !s.closed.Load() {
		wait := s.opts.ReapInterval
		next, err := s.reap(s.bg)
		switch {
		case err != nil && !s.closed.Load():
			failures++
			if failures == 1 || failures%100 == 0 {
				s.log.Warn("redis store: reaper", "err", err, "failures", failures)
			}
			wait = min(time.Duration(failures)*100*time.Millisecond, s.opts.ReapInterval)
		case err == nil:
			failures = 0
			if !next.IsZero() {
				wait = min(wait, max(next.Sub(s.clock.Now()), 0))
			}
		}
		s.reapAt.Store(s.clock.Now().Add(wait).UnixNano())
		timer.Reset(wait)
		select {
		case <-s.stop:
			return
		case <-s.note.poke:
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// reap runs one pass over every registered queue and returns the earliest
// future due time it saw (zero when none).
func (s *Store) reap(ctx context.Context) (time.Time, error) {
	names, err := s.queueNames(ctx)
	if err != nil || len(names) == 0 {
		return time.Time{}, err
	}
	now := s.clock.Now()
	type view struct{ sched, lease *goredis.ZSliceCmd }
	views := make([]view, len(names))
	_, err = s.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, name := range names {
			q := s.keys.queue(name)
			views[i].sched = p.ZRangeWithScores(ctx, q.sched, 0, reapBatch-1)
			views[i].lease = p.ZRangeWithScores(ctx, q.lease, 0, reapBatch-1)
		}
		return nil
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return time.Time{}, s.fail(ctx, "reap", err)
	}
	nowMicros := float64(now.UnixMicro())
	next := math.Inf(1)
	for i, name := range names {
		dueIDs, later := split(views[i].sched.Val(), nowMicros)
		next = math.Min(next, later)
		if len(dueIDs) > 0 {
			if err := s.promote(ctx, name, dueIDs, now); err != nil {
				return time.Time{}, err
			}
		}
		expired, later := split(views[i].lease.Val(), nowMicros)
		next = math.Min(next, later)
		for _, id := range expired {
			if err := s.expire(ctx, name, id, now); err != nil {
				return time.Time{}, err
			}
		}
		if len(dueIDs) == reapBatch || len(expired) == reapBatch {
			next = nowMicros // more to do: come straight back
		}
	}
	if math.IsInf(next, 1) {
		return time.Time{}, nil
	}
	return time.UnixMicro(int64(next)), nil
}

// split returns the members due at now and the score of the first one
// that is not (+Inf when none).
func split(zs []goredis.Z, now float64) ([]string, float64) {
	var due []string
	for _, z := range zs {
		if z.Score > now {
			return due, z.Score
		}
		if m, ok := z.Member.(string); ok {
			due = append(due, m)
		}
	}
	return due, math.Inf(1)
}

// promote readies scheduled jobs of one queue whose time has come.
func (s *Store) promote(ctx context.Context, name string, ids []string, now time.Time) error {
	q := s.keys.queue(name)
	keys := []string{q.sched, q.ready}
	args := []any{micros(now), s.keys.channel(), name}
	for _, id := range ids {
		keys = append(keys, q.job(id))
		args = append(args, id)
	}
	_, err := s.eval(ctx, scriptPromote, keys, args...)
	return err
}

// expire reclaims one expired lease. The group and, for a last attempt,
// the group's next member are read first because the script may not build
// their keys; it re-checks both.
func (s *Store) expire(ctx context.Context, name, id string, now time.Time) error {
	q := s.keys.queue(name)
	group, next := "", ""
	if g, err := s.rdb.HGet(ctx, q.job(id), "group").Result(); err == nil {
		group = g
	} else if !errors.Is(err, goredis.Nil) {
		return s.fail(ctx, "reap", err)
	}
	at := now.UTC().Format(time.RFC3339Nano)
	for range maxRefresh {
		status, rest, err := s.evalList(ctx, scriptExpire,
			[]string{q.job(id), q.lease, q.ready, q.sched, q.dead, q.meta, q.group(group), q.job(next), q.cnt},
			id, micros(now), at, deadMember(now, id), group, next, s.keys.channel(), name)
		if err != nil {
			return err
		}
		if status != "refresh" {
			if status == "dead" {
				s.log.Info("redis store: lease expired on the last attempt; dead-lettered", "queue", name, "job", id)
			}
			return nil
		}
		group, _, next = refreshed(rest, 3)
	}
	return nil
}

// queueNames lists the registry, sorted.
func (s *Store) queueNames(ctx context.Context) ([]string, error) {
	names, err := s.rdb.SMembers(ctx, s.keys.queues()).Result()
	if err != nil && !errors.Is(err, goredis.Nil) {
		return nil, s.fail(ctx, "list queues", err)
	}
	slices.Sort(names)
	return names, nil
}
