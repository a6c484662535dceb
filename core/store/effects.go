package store

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/ids"
)

// Effects are the writes a job's handler makes (records, blobs, follow-up
// jobs), held back so that the driver applies them in one transaction
// with the job's acknowledgement (Completer). On an idle server that turns
// a handler's several commits and its ack into one.
//
// The worker attaches Effects to the handler's context (WithEffects); a
// store wrapped by Deferring then adds writes made with that context to
// them instead of writing, and its reads see them. Writes that must be
// durable before the handler goes on (counters, claims) flush the held
// writes first, so nothing becomes durable out of order.
type Effects struct {
	mu sync.Mutex
	// closed: the handler returned (Close); later writes (a goroutine
	// it left behind) go straight to the store.
	closed bool
	// lost is the first error of a flush made while the handler ran: the
	// writes held until then are gone, so the attempt must not be acked.
	lost error
	ops  []effect
	recs map[recKey]*heldRecord
	blob map[string][]byte
	// read is what the handler last read of a record it has not written
	// yet (nil: absent): its first write is checked against that version
	// instead of reading the record once more.
	read map[recKey]*Record
}

type recKey struct{ kind, id string }

// heldRecord is the latest held state of one record: Expect is the
// version stored when the handler first wrote it, which the driver checks
// at commit (a concurrent writer makes the whole commit ErrConflict).
type heldRecord struct {
	rec     Record // Version: the version the record will have
	expect  int64
	deleted bool
}

// effect is one held write, in the order the handler made it.
type effect struct {
	rec  *recKey // a record put or delete (its final state is in recs)
	blob string
	job  *Job
}

// EffectRecord is a record write as the driver applies it.
type EffectRecord struct {
	Record  Record // Version is the version to store
	Expect  int64  // the version that must be stored now (0: absent; -1: any)
	Deleted bool
}

// Empty reports whether nothing is held.
func (fx *Effects) Empty() bool {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	return len(fx.ops) == 0
}

// Take returns the held writes, each record and blob once (in its final
// state), jobs in the order they were enqueued, and empties fx.
func (fx *Effects) Take() (recs []EffectRecord, blobs map[string][]byte, jobs []Job) {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	seen := map[recKey]bool{}
	for _, op := range fx.ops {
		switch {
		case op.rec != nil:
			if !seen[*op.rec] {
				seen[*op.rec] = true
				h := fx.recs[*op.rec]
				recs = append(recs, EffectRecord{Record: h.rec, Expect: h.expect, Deleted: h.deleted})
			}
		case op.job != nil:
			jobs = append(jobs, *op.job)
		}
	}
	blobs = fx.blob
	fx.ops, fx.recs, fx.blob = nil, nil, nil
	return recs, blobs, jobs
}

// Lost returns the error of a flush that failed while the handler ran
// (nil when none did): the handler's writes before it were not kept.
func (fx *Effects) Lost() error {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	return fx.lost
}

// Close makes later writes with fx's context go straight to the store.
func (fx *Effects) Close() {
	fx.mu.Lock()
	fx.closed = true
	fx.mu.Unlock()
}

// Completer is implemented by drivers that apply Effects atomically.
type Completer interface {
	// Complete applies fx and, when j is not nil, acknowledges j, as one
	// durable step: all of it or none. A record whose stored version is no
	// longer the one fx expects makes it ErrConflict (j stays leased);
	// a follow-up job whose UniqueKey is held is dropped, as Enqueue
	// would have refused it. fx is emptied.
	Complete(ctx context.Context, j *Job, fx *Effects) error
}

// Chainer is implemented by drivers that settle a finished job and lease
// the worker's next one in one round trip (a busy worker's commonest
// pair of calls).
type Chainer interface {
	// CompleteAndNext is Complete(ctx, j, fx) followed, when that
	// succeeded, by a Dequeue of queues that does not wait: the job it
	// leases is the one Dequeue would have leased (priority order,
	// leases and crash recovery as for any lease). It returns nil when no
	// job is ready or the driver could not tell cheaply; the caller then
	// calls Dequeue. A next job comes only with a nil error.
	CompleteAndNext(ctx context.Context, j *Job, fx *Effects, queues []string, lease time.Duration) (*Job, error)
}

type effectsKey struct{}

// WithEffects returns ctx whose writes through a Deferring store are held
// in fx.
func WithEffects(ctx context.Context, fx *Effects) context.Context {
	if fx == nil {
		return ctx
	}
	return context.WithValue(ctx, effectsKey{}, fx)
}

type durableKey struct{}

// Durable returns ctx whose writes through a Deferring store are durable
// when they return: what the job holds is flushed first (nothing becomes
// durable out of order), then the write goes to the driver. It is for a
// marker that must be stored before the outside effect it guards, such
// as an e-mail handed to an SMTP server: a held marker would be lost with
// a commit that meets a concurrent write, and the job, run again, would
// send a second copy.
func Durable(ctx context.Context) context.Context {
	return context.WithValue(ctx, durableKey{}, true)
}

// EffectsFrom returns the open Effects ctx carries, or nil.
func EffectsFrom(ctx context.Context) *Effects {
	fx, _ := ctx.Value(effectsKey{}).(*Effects)
	if fx == nil {
		return nil
	}
	fx.mu.Lock()
	defer fx.mu.Unlock()
	if fx.closed {
		return nil
	}
	return fx
}

// Deferring wraps a store whose driver is a Completer: writes made with a
// context carrying Effects are held in them. Without one, or when the
// driver is no Completer, calls go straight to s.
func Deferring(s Store) Store {
	c, ok := s.(Completer)
	if !ok {
		return s
	}
	d := &deferring{Store: s, c: c}
	if n, ok := s.(Chainer); ok {
		return &deferringChain{deferring: d, n: n}
	}
	return d
}

// deferringChain is a deferring whose driver is also a Chainer, so the
// worker finds CompleteAndNext through the wrapper.
type deferringChain struct {
	*deferring
	n Chainer
}

func (d *deferringChain) CompleteAndNext(ctx context.Context, j *Job, fx *Effects, queues []string, lease time.Duration) (*Job, error) {
	return d.n.CompleteAndNext(ctx, j, fx, queues, lease)
}

type deferring struct {
	Store
	c Completer
}

// held returns the Effects a write with ctx joins, or nil when it goes to
// the driver at once: none is open, or ctx is Durable (what is held is
// flushed first then).
func (d *deferring) held(ctx context.Context) (*Effects, error) {
	fx := EffectsFrom(ctx)
	if fx == nil {
		return nil, nil
	}
	if durable, _ := ctx.Value(durableKey{}).(bool); durable {
		return nil, d.flush(ctx, fx)
	}
	return fx, nil
}

// Complete is the driver's, so the worker finds it through the wrapper.
func (d *deferring) Complete(ctx context.Context, j *Job, fx *Effects) error {
	return d.c.Complete(ctx, j, fx)
}

// flush makes the held writes durable now (before a write that cannot be
// held, or a read the held writes cannot answer).
func (d *deferring) flush(ctx context.Context, fx *Effects) error {
	if fx == nil || fx.Empty() {
		return nil
	}
	err := d.c.Complete(ctx, nil, fx)
	if err != nil {
		// The caller may not pass the error on (a deferred release): fx
		// remembers it, so the worker runs the job again.
		fx.mu.Lock()
		if fx.lost == nil {
			fx.lost = err
		}
		fx.mu.Unlock()
	}
	return err
}

func (d *deferring) GetRecord(ctx context.Context, kind, id string) (Record, error) {
	if fx := EffectsFrom(ctx); fx != nil {
		fx.mu.Lock()
		h := fx.recs[recKey{kind, id}]
		fx.mu.Unlock()
		if h != nil {
			if h.deleted {
				return Record{}, ErrNotFound
			}
			return h.rec, nil
		}
		rec, err := d.Store.GetRecord(ctx, kind, id)
		if err == nil || errors.Is(err, ErrNotFound) {
			fx.noteRead(recKey{kind, id}, rec, err == nil)
		}
		return rec, err
	}
	return d.Store.GetRecord(ctx, kind, id)
}

// noteRead remembers the handler's latest read of a record.
func (fx *Effects) noteRead(k recKey, rec Record, found bool) {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	if fx.read == nil {
		fx.read = map[recKey]*Record{}
	}
	if !found {
		fx.read[k] = nil
		return
	}
	fx.read[k] = &rec
}

// lastRead returns the handler's latest read of a record, if it made one.
func (fx *Effects) lastRead(k recKey) (rec *Record, ok bool) {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	rec, ok = fx.read[k]
	return rec, ok
}

func (d *deferring) PutRecord(ctx context.Context, rec Record) (int64, error) {
	fx, err := d.held(ctx)
	if err != nil {
		return 0, err
	}
	if fx == nil || rec.Kind == "" || rec.ID == "" {
		return d.Store.PutRecord(ctx, rec)
	}
	k := recKey{rec.Kind, rec.ID}
	fx.mu.Lock()
	h := fx.recs[k]
	fx.mu.Unlock()
	if h == nil {
		// The version the handler last read is the one its write is
		// based on: the commit checks that it is still stored.
		if old, ok := fx.lastRead(k); ok {
			if old == nil {
				h = &heldRecord{deleted: true}
			} else {
				h = &heldRecord{rec: *old, expect: old.Version}
			}
		} else if old, err := d.Store.GetRecord(ctx, rec.Kind, rec.ID); err == nil {
			h = &heldRecord{rec: old, expect: old.Version}
		} else if errors.Is(err, ErrNotFound) {
			h = &heldRecord{deleted: true}
		} else {
			return 0, err
		}
	}
	stored := h.rec.Version
	if h.deleted {
		stored = 0
	}
	if rec.Version != stored {
		return 0, ErrConflict
	}
	// Created and Updated read back as the caller set them (an update
	// keeps Created); the driver stamps both at commit.
	nh := &heldRecord{rec: rec, expect: h.expect}
	nh.rec.Version = stored + 1
	if stored > 0 {
		nh.rec.Created = h.rec.Created
	}
	fx.mu.Lock()
	if fx.recs == nil {
		fx.recs = map[recKey]*heldRecord{}
	}
	fx.recs[k] = nh
	fx.ops = append(fx.ops, effect{rec: &k})
	delete(fx.read, k) // held from now on; after a flush, read afresh
	fx.mu.Unlock()
	return nh.rec.Version, nil
}

func (d *deferring) DeleteRecord(ctx context.Context, kind, id string) error {
	fx, err := d.held(ctx)
	if err != nil {
		return err
	}
	if fx == nil {
		return d.Store.DeleteRecord(ctx, kind, id)
	}
	k := recKey{kind, id}
	fx.mu.Lock()
	h := fx.recs[k]
	fx.mu.Unlock()
	expect := int64(-1) // unconditional
	if h != nil {
		expect = h.expect
	}
	fx.mu.Lock()
	if fx.recs == nil {
		fx.recs = map[recKey]*heldRecord{}
	}
	fx.recs[k] = &heldRecord{rec: Record{Kind: kind, ID: id}, expect: expect, deleted: true}
	fx.ops = append(fx.ops, effect{rec: &k})
	delete(fx.read, k)
	fx.mu.Unlock()
	return nil
}

// ListRecords cannot see held records: those of kind are flushed first.
func (d *deferring) ListRecords(ctx context.Context, kind string, q Query) ([]Record, string, error) {
	if fx := EffectsFrom(ctx); fx != nil {
		fx.mu.Lock()
		held := false
		for k := range fx.recs {
			held = held || k.kind == kind
		}
		fx.mu.Unlock()
		if held {
			if err := d.flush(ctx, fx); err != nil {
				return nil, "", err
			}
		}
	}
	return d.Store.ListRecords(ctx, kind, q)
}

func (d *deferring) PutBlob(ctx context.Context, key string, data []byte) error {
	fx, err := d.held(ctx)
	if err != nil {
		return err
	}
	if fx == nil || key == "" {
		return d.Store.PutBlob(ctx, key, data)
	}
	fx.holdBlob(key, data)
	return nil
}

// holdBlob keeps a copy of data under key until the handler's commit.
func (fx *Effects) holdBlob(key string, data []byte) {
	v := append(make([]byte, 0, len(data)), data...)
	fx.mu.Lock()
	if fx.blob == nil {
		fx.blob = map[string][]byte{}
	}
	fx.blob[key] = v
	fx.ops = append(fx.ops, effect{blob: key})
	fx.mu.Unlock()
}

func (d *deferring) GetBlob(ctx context.Context, key string) ([]byte, error) {
	if fx := EffectsFrom(ctx); fx != nil {
		fx.mu.Lock()
		v, ok := fx.blob[key]
		fx.mu.Unlock()
		if ok {
			return append([]byte(nil), v...), nil
		}
	}
	return d.Store.GetBlob(ctx, key)
}

// Enqueue holds the job: it becomes visible with the handler's commit. A
// held UniqueKey is found then and the job dropped, so a caller inside a
// job must treat ErrDuplicate as done (job.Enqueue does).
func (d *deferring) Enqueue(ctx context.Context, j Job) (string, error) {
	fx, err := d.held(ctx)
	if err != nil {
		return "", err
	}
	if fx == nil || j.Queue == "" {
		return d.Store.Enqueue(ctx, j)
	}
	if j.ID == "" {
		j.ID, j.FreshID = ids.New("job"), true
	}
	// The job's blobs become held blobs: the commit writes them with it.
	for _, b := range j.Blobs {
		fx.holdBlob(b.Key, b.Data)
	}
	j.Blobs = nil
	fx.mu.Lock()
	fx.ops = append(fx.ops, effect{job: &j})
	fx.mu.Unlock()
	return j.ID, nil
}

func (d *deferring) NextCounter(ctx context.Context, name, once string) (int64, error) {
	if err := d.flush(ctx, EffectsFrom(ctx)); err != nil {
		return 0, err
	}
	return d.Store.NextCounter(ctx, name, once)
}

func (d *deferring) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := d.flush(ctx, EffectsFrom(ctx)); err != nil {
		return false, err
	}
	return d.Store.Claim(ctx, key, ttl)
}

// Release releases the claim even when the held writes could not be
// flushed: a claim kept for its whole TTL would block the next holder
// (a sweep) for minutes; the lost writes make the job run again.
func (d *deferring) Release(ctx context.Context, key string) error {
	ferr := d.flush(ctx, EffectsFrom(ctx))
	if err := d.Store.Release(ctx, key); err != nil {
		return err
	}
	return ferr
}
