package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/store"
)

// peekSize is how many heads of a ready set Dequeue reads and offers the
// lease script: concurrent workers that read the same heads then take
// successive ones instead of all fighting for the first.
const peekSize = 32

// maxRefresh bounds the "your guess was stale, here is the truth" round
// trips of one call; each needs a concurrent change to the same group.
const maxRefresh = 8

// Enqueue stores j and returns its id. A job id or UniqueKey already held
// in j's queue returns ErrDuplicate and stores nothing. A RunAt in the
// past is now. The write is one script: the job, its unique key, its
// group position and its announcement happen together or not at all.
// Concurrent calls share pipelines (group.go).
func (s *Store) Enqueue(ctx context.Context, j store.Job) (string, error) {
	c, err := s.prepareEnqueue(ctx, j)
	if err != nil {
		return "", err
	}
	return s.group.enqueue(ctx, c)
}

// enqueueCall is one job's enqueue script, ready to run.
type enqueueCall struct {
	id, uniqueKey string
	generated     bool
	runAt         time.Time
	keys          []string
	args          []any
	// blobs are the job's blobs under their Redis keys, each SET in the
	// pipeline just before the script (on Cluster, in one of their own
	// first: blobsSent says they were).
	blobs     []store.Blob
	blobsSent bool
}

// setBlobs queues c's blobs on pl, unless they were sent already, and
// returns their commands.
func (s *Store) setBlobs(ctx context.Context, pl goredis.Pipeliner, c *enqueueCall) []*goredis.StatusCmd {
	if len(c.blobs) == 0 || c.blobsSent {
		return nil
	}
	cmds := make([]*goredis.StatusCmd, len(c.blobs))
	for i, b := range c.blobs {
		cmds[i] = pl.Set(ctx, b.Key, b.Data, 0)
	}
	return cmds
}

// putBlobsFirst writes the blobs of calls (nil entries skipped) in one
// pipeline of their own and waits for it, on Cluster only, and returns
// each call's error. A Cluster pipeline is split by node and the parts
// run side by side, so a blob sent beside its job's script could land
// after a worker on another connection had leased the job and looked
// for it. On one server a pipeline runs in the order it was written, and
// the blobs ride with their scripts (setBlobs).
func (s *Store) putBlobsFirst(ctx context.Context, calls []*enqueueCall) []error {
	if s.cluster == nil {
		return nil
	}
	errs := make([]error, len(calls))
	sets := make([][]*goredis.StatusCmd, len(calls))
	n := 0
	_, _ = s.rdb.Pipelined(ctx, func(pl goredis.Pipeliner) error {
		for i, c := range calls {
			if c != nil {
				sets[i] = s.setBlobs(ctx, pl, c)
				n += len(sets[i])
			}
		}
		return nil
	})
	if n == 0 {
		return errs
	}
	for i, cmds := range sets {
		if len(cmds) == 0 {
			continue
		}
		if errs[i] = blobsErr(cmds); errs[i] == nil {
			calls[i].blobsSent = true
		}
	}
	return errs
}

// dropDuplicateBlobs deletes the blobs a refused job wrote before its
// script said it was a duplicate, so a delivery sent twice does not
// leave a second body (its key, by receipt time, is its own). Best
// effort: a blob left behind is only unused space.
func (s *Store) dropDuplicateBlobs(ctx context.Context, c *enqueueCall, err error) {
	if len(c.blobs) == 0 || !errors.Is(err, store.ErrDuplicate) {
		return
	}
	keys := make([]string, len(c.blobs))
	for i, b := range c.blobs {
		keys[i] = b.Key
	}
	_ = s.rdb.Del(context.WithoutCancel(ctx), keys...).Err()
}

// blobsErr is the first failure among a job's blob writes.
func blobsErr(cmds []*goredis.StatusCmd) error {
	for _, c := range cmds {
		if err := c.Err(); err != nil {
			return err
		}
	}
	return nil
}

// prepareEnqueue fills in j's defaults, places it in its partition and
// builds its script call.
func (s *Store) prepareEnqueue(ctx context.Context, j store.Job) (*enqueueCall, error) {
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	if j.Queue == "" {
		return nil, errors.New("redis: enqueue: job has no queue")
	}
	now := s.clock.Now()
	// An id generated here or by the caller just now (FreshID) cannot be
	// anyone else's.
	generated := j.ID == "" || j.FreshID
	if j.ID == "" {
		j.ID = ids.New("job")
	}
	if j.MaxAttempts <= 0 {
		j.MaxAttempts = s.opts.MaxAttempts
	}
	if j.RunAt.Before(now) {
		j.RunAt = now
	}
	if j.CreatedAt.IsZero() {
		j.CreatedAt = now
	}
	j.Queue = s.placeJob(&j)
	meta, err := encodeMap(j.Meta)
	if err != nil {
		return nil, fmt.Errorf("redis: enqueue %s: meta: %w", j.ID, err)
	}
	var px int64
	uttl := ""
	if j.UniqueTTL > 0 {
		px = max(j.UniqueTTL.Milliseconds(), 1)
		uttl = itoa(int64(j.UniqueTTL))
	}
	q, err := s.queueKeysOf(ctx, j.Queue)
	if err != nil {
		return nil, err
	}
	args := make([]any, 0, 11+2*7)
	runat := micros(j.RunAt)
	args = append(args, j.ID, micros(now), runat, s.wakeChannel, j.Queue, j.Group, j.Key, j.UniqueKey, itoa(px),
		micros(now.Add(s.opts.ReapInterval)), checkID(generated, j.UniqueKey, px),
		fieldPacked, packJob(&j, meta), "max", itoa(int64(j.MaxAttempts)), "runat", runat)
	args = appendFields(args, "group", j.Group, "key", j.Key, "ukey", j.UniqueKey, "uttl", uttl)
	var blobs []store.Blob
	for _, b := range j.Blobs {
		data := b.Data
		if data == nil {
			data = []byte{}
		}
		blobs = append(blobs, store.Blob{Key: s.keys.blob(b.Key), Data: data})
	}
	return &enqueueCall{
		id: j.ID, uniqueKey: j.UniqueKey, generated: generated, args: args, runAt: j.RunAt, blobs: blobs,
		keys: []string{q.job(j.ID), q.ready, q.sched, q.meta, q.cnt, q.group(j.Group), q.uniq(j.UniqueKey)},
	}, nil
}

// checkID is the enqueue script's checkid: "1" unless the id was
// generated here and a unique key held for good or for at least uniqueSure
// guards against a second run of the same script (scriptEnqueue). A key
// held for less might lapse before go-redis sends the script again.
func checkID(generated bool, uniqueKey string, px int64) string {
	if generated && uniqueKey != "" && (px == 0 || px >= uniqueSure.Milliseconds()) {
		return "0"
	}
	return "1"
}

// uniqueSure is the shortest unique-key lifetime that outlasts any resend
// of an enqueue script by go-redis (its retries back off for well under a
// second; the store's I/O timeout is 3 s).
const uniqueSure = time.Minute

// result reads the script's answer: the job's id, or why it was refused.
func (c *enqueueCall) result(s *Store, status string, rest []any) (string, error) {
	switch status {
	case "dup-id":
		// An id we just generated cannot be anyone else's: go-redis retried
		// the script after its first reply was lost, and that first run
		// stored the job.
		if c.generated {
			return c.id, nil
		}
		return "", fmt.Errorf("redis: enqueue %s: job id exists: %w", c.id, store.ErrDuplicate)
	case "dup-key":
		if holder := strs(rest); c.generated && len(holder) == 1 && holder[0] == c.id {
			return c.id, nil
		}
		return "", fmt.Errorf("redis: enqueue unique key %q: %w", c.uniqueKey, store.ErrDuplicate)
	case "scheduled":
		// The reaper looks again by reapAt anyway: a poke per timer
		// enqueued would cost a pass over every queue. A reaper mid-pass
		// (reapAt behind us) may have read the schedule before this job.
		if at := s.reapAt.Load(); c.runAt.UnixNano() < at || at <= s.clock.Now().UnixNano() {
			s.note.pokeReaper()
		}
	}
	return c.id, nil
}

// register adds queue to the registry Stats and the dead-letter calls
// read, once per process and queue.
func (s *Store) register(ctx context.Context, queue string) error {
	_, err := s.queueKeysOf(ctx, queue)
	return err
}

// queueKeysOf registers queue and returns its keys, built once per
// process and queue rather than on every Enqueue.
func (s *Store) queueKeysOf(ctx context.Context, queue string) (*queueKeys, error) {
	if q, ok := s.registered.Load(queue); ok {
		return q.(*queueKeys), nil
	}
	if err := s.rdb.SAdd(ctx, s.keys.queues(), queue).Err(); err != nil {
		return nil, s.fail(ctx, "register queue", err)
	}
	q := s.keys.queue(queue)
	s.registered.Store(queue, &q)
	return &q, nil
}

// Dequeue leases the oldest ready job of the first of queues that has one,
// blocking until there is one, ctx ends or the store closes. While idle it
// waits for this process's Pub/Sub listener to announce a job of one of
// its queues (milliseconds), looking again every IdleRecheck in case an
// announcement was lost.
func (s *Store) Dequeue(ctx context.Context, queues []string, lease time.Duration) (*store.Job, error) {
	if len(queues) == 0 {
		return nil, errors.New("redis: dequeue: no queues")
	}
	if lease <= 0 {
		lease = s.opts.DefaultLease
	}
	s.subscribe()
	parts := s.expand(queues)
	var all []string
	for _, p := range parts {
		all = append(all, p...)
	}
	w := newWaiter(all)
	woken := false
	// A wake-up this call took but did not use goes to another waiter.
	leave := func() {
		s.note.unregister(w)
		select {
		case <-w.ch:
			woken = true
		default:
		}
		if woken {
			for _, q := range all {
				s.note.wake(q, 1)
			}
		}
	}
	var timer *time.Timer
	for {
		if err := s.usable(ctx); err != nil {
			leave()
			return nil, err
		}
		// Listed before looking, so an announcement that lands while we
		// look is not lost.
		s.note.register(w)
		j, busy, err := s.tryLease(ctx, parts, lease)
		if err != nil {
			leave()
			return nil, err
		}
		if j != nil {
			// Pass on what this call will not use: queues that still have
			// ready jobs, and an announcement that arrived while it looked.
			woken = false
			leave()
			for _, q := range busy {
				s.note.wake(q, 1)
			}
			return j, nil
		}
		woken = false
		if timer == nil {
			timer = time.NewTimer(s.opts.IdleRecheck)
			defer timer.Stop()
		} else {
			timer.Reset(s.opts.IdleRecheck)
		}
		select {
		case <-w.ch:
			woken = true
		case <-ctx.Done():
		case <-s.stop:
		case <-timer.C:
		}
	}
}

// tryLease reads the heads of queues and leases the first job it can, in
// queue order; each entry of queues is one queue's physical partitions
// (one name when it has none). It reads each queue's first partition in
// one round trip, and a queue's other partitions only when that one is
// empty, so a busy partitioned queue costs one read per lease like any
// other. It also returns the partitions seen still holding ready jobs, so
// the caller can wake other waiters for them.
func (s *Store) tryLease(ctx context.Context, queues [][]string, lease time.Duration) (*store.Job, []string, error) {
	firsts := make([]string, len(queues))
	for i, parts := range queues {
		firsts[i] = parts[0]
	}
	heads, err := s.headsOf(ctx, firsts)
	if err != nil {
		return nil, nil, err
	}
	for i, parts := range queues {
		j, busy, err := s.leaseFirst(ctx, parts[:1], heads[i:i+1], lease)
		if err == nil && j == nil && len(parts) > 1 {
			// The first partition had nothing (or lost it to another
			// worker): the others may.
			var rest [][]string
			if rest, err = s.peek(ctx, parts[1:]); err == nil {
				j, busy, err = s.leaseFirst(ctx, parts[1:], rest, lease)
			}
		}
		if err != nil || j == nil {
			if err != nil {
				return nil, nil, err
			}
			continue
		}
		for m := i + 1; m < len(queues); m++ {
			if len(heads[m]) > 0 {
				busy = append(busy, firsts[m])
			}
		}
		return j, busy, nil
	}
	return nil, nil, nil
}

// leaseFirst leases from the first of names whose candidates it can, and
// reports which of names still hold ready jobs.
func (s *Store) leaseFirst(ctx context.Context, names []string, cands [][]string, lease time.Duration) (*store.Job, []string, error) {
	for k, name := range names {
		if len(cands[k]) == 0 {
			continue
		}
		j, remaining, err := s.leaseHead(ctx, name, cands[k], lease, false)
		if err != nil {
			return nil, nil, err
		}
		if j == nil {
			continue // emptied since we looked: the next one's turn
		}
		var busy []string
		if remaining > 0 {
			busy = append(busy, name)
		}
		for m := k + 1; m < len(names); m++ {
			if len(cands[m]) > 0 {
				busy = append(busy, names[m])
			}
		}
		return j, busy, nil
	}
	return nil, nil, nil
}

// headsOf returns each queue's heads as this process knows them
// (headCache): the heads a recent lease returned are tried unread, a
// queue known empty is skipped, and only the others are read, in one
// round trip. A worker woken for one queue reads that one, not every
// queue it serves; a queue known empty has announced nothing since it was
// seen empty, and every step that makes a job ready announces it. Known
// heads may be stale (another process leased them): the lease script
// then answers with the fresh ones. Before, a worker serving several
// queues read every queue's heads before each lease, so that the ones
// left could wake other waiters: 3.6 ZRANGE per order in the orders
// benchmark, a twentieth of the worker's CPU. The known heads tell that
// as well.
func (s *Store) headsOf(ctx context.Context, queues []string) ([][]string, error) {
	now := s.clock.Now()
	heads := make([][]string, len(queues))
	var look []string
	var at []int
	for i, name := range queues {
		h, empty := s.heads.state(name, now)
		switch {
		case empty:
		case len(h) > 0:
			heads[i] = h
		default:
			look = append(look, name)
			at = append(at, i)
		}
	}
	if len(look) == 0 {
		return heads, nil
	}
	read, err := s.peek(ctx, look)
	if err != nil {
		return nil, err
	}
	for k, i := range at {
		heads[i] = read[k]
	}
	return heads, nil
}

// peek reads up to peekSize ready members of each queue in one pipeline
// (go-redis splits it per node in Cluster and runs the parts at once).
func (s *Store) peek(ctx context.Context, queues []string) ([][]string, error) {
	cmds := make([]*goredis.StringSliceCmd, len(queues))
	gens := make([]uint64, len(queues))
	for i, name := range queues {
		gens[i] = s.heads.since(name)
	}
	if err := s.shared.share(ctx, func(p goredis.Pipeliner) {
		for i, name := range queues {
			cmds[i] = p.ZRange(ctx, s.keys.queue(name).ready, 0, peekSize-1)
		}
	}); err != nil {
		return nil, err
	}
	for _, c := range cmds {
		if err := c.Err(); err != nil && !errors.Is(err, goredis.Nil) {
			return nil, s.fail(ctx, "dequeue", err)
		}
	}
	heads := make([][]string, len(queues))
	for i, c := range cmds {
		heads[i] = c.Val()
		s.heads.set(queues[i], heads[i], gens[i], s.clock.Now())
	}
	return heads, nil
}

// Extend renews j's lease for lease from now and updates j.LeaseUntil.
func (s *Store) Extend(ctx context.Context, j *store.Job, lease time.Duration) error {
	if err := s.owned(ctx, j); err != nil {
		return err
	}
	if lease <= 0 {
		lease = s.opts.DefaultLease
	}
	q := s.keys.queue(j.Queue)
	now := s.clock.Now()
	until := now.Add(lease)
	v, err := s.eval(ctx, scriptExtend, []string{q.job(j.ID), q.lease}, j.ID, j.Lease, micros(now), micros(until))
	if err != nil {
		return err
	}
	if n, _ := v.(int64); n != 1 {
		return fmt.Errorf("redis: extend %s: %w", j.ID, store.ErrLeaseLost)
	}
	j.LeaseUntil = until
	return nil
}

// Ack completes j: it is deleted, its lifetime unique key released and the
// next job of its group readied.
func (s *Store) Ack(ctx context.Context, j *store.Job) error {
	if err := s.owned(ctx, j); err != nil {
		return err
	}
	q := s.keys.queue(j.Queue)
	group, ukey, next := j.Group, j.UniqueKey, ""
	for range maxRefresh {
		keys := []string{q.job(j.ID), q.lease, q.ready, q.sched, q.meta, q.group(group), q.job(next), q.uniq(ukey)}
		args := []any{j.ID, j.Lease, micros(s.clock.Now()), group, next, ukey, s.keys.channel(), j.Queue}
		status, rest, err := s.evalList(ctx, scriptAck, keys, args...)
		if err != nil {
			return err
		}
		switch status {
		case "ok":
			return nil
		case "lost":
			return fmt.Errorf("redis: ack %s: %w", j.ID, store.ErrLeaseLost)
		case "refresh":
			group, ukey, next = refreshed(rest, 3)
		default:
			return fmt.Errorf("redis: ack %s: unexpected status %q", j.ID, status)
		}
	}
	return fmt.Errorf("redis: ack %s: its group kept changing; try again", j.ID)
}

// Retry gives j back to run at runAt (now if earlier), recording cause
// against the attempt that failed; countAttempt false gives the attempt
// back. A grouped job keeps the head of its group while it waits.
func (s *Store) Retry(ctx context.Context, j *store.Job, runAt time.Time, cause error, countAttempt bool) error {
	if err := s.owned(ctx, j); err != nil {
		return err
	}
	now := s.clock.Now()
	if runAt.Before(now) {
		runAt = now
	}
	entry, err := errorEntry(j.Attempt, now, cause)
	if err != nil {
		return fmt.Errorf("redis: retry %s: %w", j.ID, err)
	}
	keys, args := s.retryCall(j, now, runAt, entry, countAttempt)
	status, _, err := s.evalList(ctx, scriptRetry, keys, args...)
	if err != nil {
		return err
	}
	switch status {
	case "lost":
		return fmt.Errorf("redis: retry %s: %w", j.ID, store.ErrLeaseLost)
	case "scheduled":
		s.note.pokeReaper()
	}
	return nil
}

// retryCall builds the retry script's call.
func (s *Store) retryCall(j *store.Job, now, runAt time.Time, entry string, countAttempt bool) ([]string, []any) {
	counted := "1"
	if !countAttempt {
		counted = "0"
	}
	q := s.keys.queue(j.Queue)
	return []string{q.job(j.ID), q.lease, q.ready, q.sched, q.cnt},
		[]any{j.ID, j.Lease, micros(now), micros(runAt), counted, entry, s.keys.channel(), j.Queue}
}

// Bury moves j to the dead letters with cause recorded, releasing its group.
func (s *Store) Bury(ctx context.Context, j *store.Job, cause error) error {
	if err := s.owned(ctx, j); err != nil {
		return err
	}
	q := s.keys.queue(j.Queue)
	now := s.clock.Now()
	entry, err := errorEntry(j.Attempt, now, cause)
	if err != nil {
		return fmt.Errorf("redis: bury %s: %w", j.ID, err)
	}
	group, next := j.Group, ""
	for range maxRefresh {
		status, rest, err := s.evalList(ctx, scriptBury,
			[]string{q.job(j.ID), q.lease, q.ready, q.sched, q.dead, q.meta, q.group(group), q.job(next)},
			j.ID, j.Lease, micros(now), entry, deadMember(now, j.ID), group, next, s.keys.channel(), j.Queue)
		if err != nil {
			return err
		}
		switch status {
		case "ok":
			return nil
		case "lost":
			return fmt.Errorf("redis: bury %s: %w", j.ID, store.ErrLeaseLost)
		case "refresh":
			group, _, next = refreshed(rest, 3)
		default:
			return fmt.Errorf("redis: bury %s: unexpected status %q", j.ID, status)
		}
	}
	return fmt.Errorf("redis: bury %s: its group kept changing; try again", j.ID)
}

// owned checks what can be checked without Redis: a job this store leased.
func (s *Store) owned(ctx context.Context, j *store.Job) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	if j == nil {
		return errors.New("redis: nil job")
	}
	if j.Queue == "" || j.Lease == "" {
		return fmt.Errorf("redis: job %s: %w", j.ID, store.ErrLeaseLost)
	}
	return nil
}

// refreshed reads a script's "refresh" answer: group, unique key, next.
func refreshed(rest []any, n int) (group, ukey, next string) {
	v := strs(rest)
	for len(v) < n {
		v = append(v, "")
	}
	return v[0], v[1], v[2]
}
