package redis

import (
	"context"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dropgate/dropgate/core/store"
)

// EnqueueBatch enqueues jobs in one round trip (one pipeline; go-redis
// splits it per node in Cluster): for a handler that emits several
// follow-up jobs, or a producer with a burst. Each job is its own atomic
// script, exactly as Enqueue runs it, so the batch is not atomic: ids[i]
// and errs[i] say what became of jobs[i] (errs[i] wraps ErrDuplicate for
// a held id or unique key). The returned error is for the batch as a whole
// (the store closed, ctx ended before anything was sent).
func (s *Store) EnqueueBatch(ctx context.Context, jobs []store.Job) (ids []string, errs []error, err error) {
	if err := s.usable(ctx); err != nil {
		return nil, nil, err
	}
	ids, errs = make([]string, len(jobs)), make([]error, len(jobs))
	calls := make([]*enqueueCall, len(jobs))
	for i, j := range jobs {
		calls[i], errs[i] = s.prepareEnqueue(ctx, j)
	}
	cmds := make([]*goredis.Cmd, len(jobs))
	sets := make([][]*goredis.StatusCmd, len(jobs))
	run := func(which []int) error {
		return s.shared.share(context.WithoutCancel(ctx), func(p goredis.Pipeliner) {
			for _, i := range which {
				sets[i] = s.setBlobs(ctx, p, calls[i])
				cmds[i] = scriptEnqueue.EvalSha(ctx, p, calls[i].keys, calls[i].args...)
			}
		})
	}
	for i, err := range s.putBlobsFirst(ctx, calls) {
		if err != nil {
			calls[i], errs[i] = nil, s.fail(ctx, "enqueue: put blob", err)
		}
	}
	var todo []int
	for i, c := range calls {
		if c != nil {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return ids, errs, nil
	}
	if err := run(todo); err != nil {
		return nil, nil, err
	}
	// A server that has not seen the script yet (a restart, a new node)
	// refuses it unrun: load it and send those again.
	var again []int
	for _, i := range todo {
		if isNoScript(cmds[i].Err()) {
			again = append(again, i)
		}
	}
	if len(again) > 0 {
		if lerr := scriptEnqueue.Load(ctx, s.rdb).Err(); lerr != nil {
			return nil, nil, s.fail(ctx, "enqueue batch", lerr)
		}
		if err := run(again); err != nil {
			for _, i := range again {
				calls[i], errs[i] = nil, err // the store closed: not sent again
			}
		}
	}
	for _, i := range todo {
		if calls[i] != nil {
			ids[i], errs[i] = s.enqueueAnswer(ctx, calls[i], cmds[i])
			if err := blobsErr(sets[i]); err != nil && errs[i] == nil {
				ids[i], errs[i] = "", s.fail(ctx, "enqueue: put blob", err)
			}
			s.dropDuplicateBlobs(ctx, calls[i], errs[i])
		}
	}
	return ids, errs, nil
}
