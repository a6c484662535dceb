package redis

import (
	"context"
	"errors"
	"fmt"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dropgate/dropgate/core/store"
)

var _ store.Completer = (*Store)(nil)

// Complete applies a handler's held writes, then acknowledges j (when
// set), in at most four round trips whatever their number: the records'
// current versions read in one pipeline; the record writes and blobs in a
// second; the follow-up jobs in a third (EnqueueBatch), so that a job
// that reads a record finds it written even when they live on different
// Cluster nodes; the ack alone last, so j is settled only once all of
// that is in. This is not one atomic step: a crash or a conflict
// part-way leaves the writes that went through applied and j leased, so
// j runs again on fresh data, which is what happened before writes were
// held (each was made at once). Checking the job's ownership first keeps
// a worker whose lease is gone from writing at all.
func (s *Store) Complete(ctx context.Context, j *store.Job, fx *store.Effects) error {
	if j != nil {
		if err := s.owned(ctx, j); err != nil {
			return err
		}
	}
	if err := s.applyEffects(ctx, fx); err != nil {
		return err
	}
	if j == nil {
		return nil
	}
	return s.Ack(ctx, j)
}

// applyEffects writes fx's records and blobs, then enqueues its jobs.
func (s *Store) applyEffects(ctx context.Context, fx *store.Effects) error {
	recs, blobs, jobs := fx.Take()
	if err := s.applyWrites(ctx, recs, blobs); err != nil {
		return err
	}
	if len(jobs) == 0 {
		return nil
	}
	_, errs, err := s.EnqueueBatch(ctx, jobs)
	if err != nil {
		return err
	}
	for _, e := range errs {
		if e != nil && !errors.Is(e, store.ErrDuplicate) {
			return e
		}
	}
	return nil
}

// recordWrite is one held record's script call, built over what was read.
type recordWrite struct {
	r    store.EffectRecord
	sc   *script
	keys []string
	args []any
	cmd  *goredis.Cmd
	// index and created are the head a put writes (JSON, micros), which
	// this process remembers once it is stored (recheads.go).
	index, created string
}

// applyWrites writes recs and blobs: one pipeline reads the records, one
// writes them all with the blobs. A record whose script answers "refresh"
// (deleted and made again between the read and the write) or that the
// server did not know the script for is redone alone.
func (s *Store) applyWrites(ctx context.Context, recs []store.EffectRecord, blobs map[string][]byte) error {
	if len(recs) == 0 && len(blobs) == 0 {
		return nil
	}
	if err := s.usable(ctx); err != nil {
		return err
	}
	// The heads each write checks: remembered at the version the job read
	// (recheads.go), else read in one round trip.
	heads := make([]map[string]string, len(recs))
	reads := make([]*goredis.SliceCmd, len(recs))
	unread := false
	for i, r := range recs {
		if !needsRead(r) {
			continue
		}
		if r.Expect > 0 && !r.Deleted {
			if m, ok := s.recHeads.at(r.Record.Kind, r.Record.ID, r.Expect); ok {
				heads[i] = m
				continue
			}
		}
		unread = true
	}
	if unread {
		err := s.shared.share(ctx, func(p goredis.Pipeliner) {
			for i, r := range recs {
				if needsRead(r) && heads[i] == nil {
					reads[i] = readHead(ctx, p, s.keys.records(r.Record.Kind).data(r.Record.ID))
				}
			}
		})
		if err != nil {
			return err
		}
		for i, c := range reads {
			if c == nil {
				continue
			}
			if c.Err() != nil && !errors.Is(c.Err(), goredis.Nil) {
				return s.fail(ctx, "complete: read records", c.Err())
			}
			heads[i] = headOf(c)
		}
	}
	var writes []*recordWrite
	for i, r := range recs {
		w, err := s.recordWriteOf(r, heads[i])
		if err != nil {
			return fmt.Errorf("redis: complete %s/%s: %w", r.Record.Kind, r.Record.ID, err)
		}
		if w != nil {
			writes = append(writes, w)
		}
	}
	blobCmds := make(map[string]*goredis.StatusCmd, len(blobs))
	if err := s.shared.share(context.WithoutCancel(ctx), func(p goredis.Pipeliner) {
		for _, w := range writes {
			w.cmd = w.sc.EvalSha(ctx, p, w.keys, w.args...)
		}
		for k, v := range blobs {
			if v == nil {
				v = []byte{}
			}
			blobCmds[k] = p.Set(ctx, s.keys.blob(k), v, 0)
		}
	}); err != nil {
		return err
	}
	for _, w := range writes {
		if err := s.recordWritten(ctx, w); err != nil {
			return fmt.Errorf("redis: complete %s/%s: %w", w.r.Record.Kind, w.r.Record.ID, err)
		}
	}
	for _, c := range blobCmds {
		if err := c.Err(); err != nil {
			return s.fail(ctx, "put blob", err)
		}
	}
	return nil
}

// needsRead reports whether r's write needs the stored record first. A
// creation (Expect 0) does not: there is no old index to drop, and the
// put script refuses it ("conflict") if the record exists after all.
func needsRead(r store.EffectRecord) bool { return r.Expect != 0 || r.Deleted }

// recordWriteOf checks r against the record as read (m) and builds its
// write; nil when there is nothing to do (deleting an absent record).
func (s *Store) recordWriteOf(r store.EffectRecord, m map[string]string) (*recordWrite, error) {
	rk := s.keys.records(r.Record.Kind)
	old, err := parseRecord(m, r.Record.Kind, r.Record.ID)
	if err != nil {
		return nil, err
	}
	var stored int64
	if old != nil {
		stored = old.rec.Version
	}
	expect := r.Expect
	if expect < 0 {
		expect = stored // whatever is stored
	}
	if stored != expect {
		return nil, fmt.Errorf("at version %d, the job read %d: %w", stored, expect, store.ErrConflict)
	}
	w := &recordWrite{r: r}
	if r.Deleted {
		if old == nil {
			return nil, nil
		}
		w.sc = scriptDeleteRecord
		w.keys, w.args = deleteRecordCall(rk, r.Record.ID, old)
		return w, nil
	}
	rec := r.Record
	rec.Version = expect
	newIndex, err := encodeMap(rec.Index)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	var oldIdx map[string]string
	oldRaw, created := "", rec.Created
	if old != nil {
		oldIdx, oldRaw, created = indexed(old.rec.Index), old.rawIndex, old.rec.Created
	} else if created.IsZero() {
		created = s.clock.Now()
	}
	w.sc, w.index, w.created = scriptPutRecord, newIndex, micros(created)
	w.keys, w.args = s.putRecordCall(rk, rec, newIndex, oldIdx, oldRaw, created)
	return w, nil
}

// recordWritten reads w's answer, redoing it alone when it did not apply
// for a reason a fresh read resolves.
func (s *Store) recordWritten(ctx context.Context, w *recordWrite) error {
	v, err := w.cmd.Result()
	if err != nil {
		if strings.HasPrefix(err.Error(), "NOSCRIPT") {
			return s.applyRecord(ctx, w.r)
		}
		return s.fail(ctx, w.sc.name, err)
	}
	status, _ := v.(string)
	if list, ok := v.([]any); ok && len(list) > 0 {
		status, _ = list[0].(string)
	}
	kind, id := w.r.Record.Kind, w.r.Record.ID
	if status == "ok" || status == "absent" {
		s.rememberWritten(w, v)
		return nil
	}
	// Whatever this process remembered of the record is in doubt.
	s.recHeads.forget(kind, id)
	switch status {
	case "conflict":
		return store.ErrConflict
	case "refresh":
		return s.applyRecord(ctx, w.r)
	}
	return fmt.Errorf("%s: unexpected reply %v", w.sc.name, v)
}

// rememberWritten notes the head w's put script stored (reply v: "ok" and
// the new version), or forgets the record w deleted.
func (s *Store) rememberWritten(w *recordWrite, v any) {
	kind, id := w.r.Record.Kind, w.r.Record.ID
	list, _ := v.([]any)
	if version, ok := listInt(list, 1); ok && w.sc == scriptPutRecord {
		s.recHeads.written(kind, id, version, w.index, w.created)
		return
	}
	s.recHeads.forget(kind, id)
}

// listInt returns list[i] when it is an integer.
func listInt(list []any, i int) (int64, bool) {
	if i >= len(list) {
		return 0, false
	}
	n, ok := list[i].(int64)
	return n, ok
}

// applyRecord writes one held record at the version the handler read
// (Expect -1: whatever is stored), reading it again first.
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
