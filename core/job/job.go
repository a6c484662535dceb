// Package job makes queue jobs typed: each job kind is a Go value naming
// its queue, its payload type and how the payload is encoded, and a Mux
// routes kinds to handlers that receive the decoded payload. A payload is
// encoded and decoded in one place (its Kind's codec); no handler reads a
// job's string map.
package job

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
)

// Subject says what a job is about, for logs, metrics, the retry policy
// of the connector it talks to, and the exception a dead letter raises.
// It travels in the job's metadata, written by Kind.New and read by
// SubjectOf, never by handlers.
type Subject struct {
	Order     string // order id
	PO        string // purchase order number
	Connector string // the channel, supplier, carrier… the job talks to
}

const (
	metaOrder     = "order"
	metaPO        = "po"
	metaConnector = "connector"
)

// SubjectOf reads a job's subject.
func SubjectOf(j *store.Job) Subject {
	return Subject{Order: j.Meta[metaOrder], PO: j.Meta[metaPO], Connector: j.Meta[metaConnector]}
}

// Options are the queue attributes of one job.
type Options struct {
	Group       string // jobs of one group run one at a time, in order
	Key         string // the rate-limit key it spends from (observability)
	UniqueKey   string // deduplicates enqueues while remembered
	UniqueTTL   time.Duration
	RunAt       time.Time // zero: now
	MaxAttempts int       // 0: the queue's default
}

// Codec turns a payload into a job's bytes and metadata and back.
type Codec[P any] interface {
	Encode(p P) (payload []byte, meta map[string]string, err error)
	Decode(payload []byte, meta map[string]string) (P, error)
}

// JSON is the default codec: the payload is P as JSON.
type JSON[P any] struct{}

// Encode marshals p.
func (JSON[P]) Encode(p P) ([]byte, map[string]string, error) {
	b, err := json.Marshal(p)
	return b, nil, err
}

// Decode unmarshals the payload.
func (JSON[P]) Decode(payload []byte, _ map[string]string) (P, error) {
	var p P
	err := json.Unmarshal(payload, &p)
	return p, err
}

// Kind is one job kind with payload P.
type Kind[P any] struct {
	Name  string // the handler name stored with the job ("po.send")
	Queue string
	Codec Codec[P] // nil: JSON
	// Options gives the job's group, keys and timing for a payload.
	Options func(P) Options
	// Subject says what a payload is about (nil: nothing).
	Subject func(P) Subject
}

func (k Kind[P]) codec() Codec[P] {
	if k.Codec == nil {
		return JSON[P]{}
	}
	return k.Codec
}

// Mod adjusts a job for one enqueue (what the kind cannot know
// statically, such as its connector's retry policy).
type Mod func(*store.Job)

// Attempts sets the job's MaxAttempts.
func Attempts(n int) Mod { return func(j *store.Job) { j.MaxAttempts = n } }

// At sets when the job runs.
func At(t time.Time) Mod { return func(j *store.Job) { j.RunAt = t } }

// New builds the job for p.
func (k Kind[P]) New(p P, mods ...Mod) (store.Job, error) {
	payload, meta, err := k.codec().Encode(p)
	if err != nil {
		return store.Job{}, fmt.Errorf("encode %s job: %w", k.Name, err)
	}
	j := store.Job{Queue: k.Queue, Kind: k.Name, Payload: payload, Meta: meta}
	if k.Options != nil {
		o := k.Options(p)
		j.Group, j.Key, j.UniqueKey, j.UniqueTTL, j.RunAt, j.MaxAttempts = o.Group, o.Key, o.UniqueKey, o.UniqueTTL, o.RunAt, o.MaxAttempts
	}
	if k.Subject != nil {
		s := k.Subject(p)
		// An array, not a map literal: no map built and dropped per job.
		for _, kv := range [...][2]string{{metaOrder, s.Order}, {metaPO, s.PO}, {metaConnector, s.Connector}} {
			if kv[1] == "" {
				continue
			}
			if j.Meta == nil {
				j.Meta = map[string]string{}
			}
			j.Meta[kv[0]] = kv[1]
		}
	}
	if len(mods) > 0 {
		// Mods get a heap copy: &j passed to them would move every job
		// to the heap, and most enqueues (each webhook) have none.
		jp := new(store.Job)
		*jp = j
		for _, m := range mods {
			m(jp)
		}
		j = *jp
	}
	return j, nil
}

// Decode reads a job's payload. A payload that does not decode is a
// permanent error: retrying cannot fix it, and the dead letter keeps it.
func (k Kind[P]) Decode(j *store.Job) (P, error) {
	p, err := k.codec().Decode(j.Payload, j.Meta)
	if err != nil {
		return p, fault.Permanent(fmt.Errorf("%s job %s: bad payload: %w", k.Name, j.ID, err))
	}
	return p, nil
}

// Enqueuer is where jobs go (store.Queue).
type Enqueuer interface {
	Enqueue(ctx context.Context, j store.Job) (string, error)
}

// Enqueue builds and enqueues the job of p; a job whose unique key is
// already queued counts as done (every caller is idempotent).
func Enqueue[P any](ctx context.Context, q Enqueuer, k Kind[P], p P, mods ...Mod) error {
	j, err := k.New(p, mods...)
	if err != nil {
		return err
	}
	if _, err := q.Enqueue(ctx, j); err != nil && !errors.Is(err, store.ErrDuplicate) {
		return fmt.Errorf("enqueue %s: %w", k.Name, err)
	}
	return nil
}

type ctxKey struct{}

// WithJob returns ctx carrying the job being handled (the runner sets it),
// for the work that must know which job it serves: events record it, and
// a retry republishes what an earlier run of the same job produced.
func WithJob(ctx context.Context, j *store.Job) context.Context {
	return context.WithValue(ctx, ctxKey{}, j)
}

// FromContext returns the job being handled, or nil outside a job.
func FromContext(ctx context.Context) *store.Job {
	j, _ := ctx.Value(ctxKey{}).(*store.Job)
	return j
}

type waitingKey struct{}

// WithWaiting returns ctx through which a handler can tell its runner that
// it is about to wait for others rather than work (Waiting): park is
// called then, and the func it returns when the wait ends.
func WithWaiting(ctx context.Context, park func() (resume func())) context.Context {
	return context.WithValue(ctx, waitingKey{}, park)
}

// Waiting tells the runner of the job in ctx that its handler is about to
// wait for other jobs (a supplier batch filling up), holding no resource
// a handler count protects, so the runner may start another handler
// meanwhile. Call the returned func when the wait is over. Outside a
// runner that allows it, it does nothing.
func Waiting(ctx context.Context) (resume func()) {
	if park, ok := ctx.Value(waitingKey{}).(func() func()); ok {
		return park()
	}
	return func() {}
}
