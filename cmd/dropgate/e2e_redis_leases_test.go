package main

import (
	"context"
	"fmt"
	"syscall"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// leasedJob is a job in flight as the Redis driver keeps it (see
// internal/store/redis/keys.go): a member of its queue's lease set, scored
// by the lease's expiry, and a hash whose lease field is the holder's
// token.
type leasedJob struct {
	queue, id, token string
	until            time.Time
}

func (j leasedJob) key() string { return "dg:{q:" + j.queue + "}:job:" + j.id }

// leases lists every job in flight.
func leases(ctx context.Context, rdb *goredis.Client) ([]leasedJob, error) {
	queues, err := rdb.SMembers(ctx, "dg:queues").Result()
	if err != nil {
		return nil, err
	}
	var out []leasedJob
	for _, q := range queues {
		zs, err := rdb.ZRangeWithScores(ctx, "dg:{q:"+q+"}:lease", 0, -1).Result()
		if err != nil {
			return nil, err
		}
		for _, z := range zs {
			j := leasedJob{queue: q, id: z.Member.(string), until: time.UnixMicro(int64(z.Score))}
			j.token, err = rdb.HGet(ctx, j.key(), "lease").Result()
			switch {
			case err == goredis.Nil:
				continue // settled meanwhile
			case err != nil:
				return nil, fmt.Errorf("job %s: %w", j.key(), err)
			}
			if j.token != "" {
				out = append(out, j)
			}
		}
	}
	return out, nil
}

// killHoldingLeases SIGKILLs a worker, the only one running, at a moment
// it holds leases, and returns them: the jobs it leaves behind. It
// freezes the worker (SIGSTOP) and looks; if the worker holds nothing at
// that instant it lets it run again and looks once more a moment later,
// so the kill lands on work in flight however fast or slow the machine
// is. Every lease is the worker's, since no other worker runs.
func killHoldingLeases(ctx context.Context, rdb *goredis.Client, victim *server) ([]leasedJob, error) {
	for {
		if err := victim.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			return nil, err
		}
		// Redis handles what the worker sent before it froze no later
		// than in the event-loop pass that answers this PING, so the
		// reads after it see the frozen worker's final state.
		if err := rdb.Ping(ctx).Err(); err != nil {
			return nil, err
		}
		held, err := leases(ctx, rdb)
		if err != nil {
			return nil, err
		}
		if len(held) > 0 {
			victim.kill9()
			return held, nil
		}
		if err := victim.cmd.Process.Signal(syscall.SIGCONT); err != nil {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("the worker never held a lease when frozen: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// jobFate is what became of a leased job: when its lease was taken back
// (the job ready again, for any worker), when another worker leased it,
// and when it was acknowledged (its hash deleted). Steps within one 20 ms
// poll show as the same instant; each is observed after it happened.
type jobFate struct{ reclaimed, released, acked time.Time }

// follow polls the jobs every 20 ms until each is acknowledged.
func follow(ctx context.Context, rdb *goredis.Client, jobs []leasedJob) ([]jobFate, error) {
	fate := make([]jobFate, len(jobs))
	left := len(jobs)
	mark := func(at *time.Time, now time.Time) {
		if at.IsZero() {
			*at = now
		}
	}
	for left > 0 {
		for i, j := range jobs {
			f := &fate[i]
			if !f.acked.IsZero() {
				continue
			}
			tok, err := rdb.HGet(ctx, j.key(), "lease").Result()
			now := time.Now()
			switch {
			case err == goredis.Nil:
				mark(&f.reclaimed, now)
				mark(&f.released, now)
				f.acked = now
				left--
			case err != nil:
				return nil, err
			case tok == "": // expired, ready again (scriptExpire)
				mark(&f.reclaimed, now)
			case tok != j.token:
				mark(&f.reclaimed, now)
				mark(&f.released, now)
			}
		}
		select {
		case <-ctx.Done():
			return fate, fmt.Errorf("%d of %d jobs still not acknowledged: %w", left, len(jobs), ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fate, nil
}
