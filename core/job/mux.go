package job

import (
	"context"
	"fmt"
	"runtime/debug"
	"sort"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
)

// Handler runs one job. It must be idempotent: a job may run twice.
type Handler func(ctx context.Context, j *store.Job) error

// Middleware wraps every handler of a Mux (metrics, logging, tracing).
type Middleware func(kind string, next Handler) Handler

// Mux routes job kinds to handlers.
type Mux struct {
	handlers map[string]Handler
	mw       []Middleware
}

// NewMux returns an empty mux whose handlers turn a panic into a
// permanent error: a payload that crashes its handler would crash it
// again, so it goes to the dead letters with the stack in the log.
func NewMux() *Mux {
	m := &Mux{handlers: map[string]Handler{}}
	m.Use(recoverPanics)
	return m
}

// Use adds middleware; the first added is the outermost.
func (m *Mux) Use(mw ...Middleware) { m.mw = append(m.mw, mw...) }

// Handle registers the handler of kind k. Registering a kind twice is a
// programming error and panics at start-up.
func Handle[P any](m *Mux, k Kind[P], h func(ctx context.Context, j *store.Job, p P) error) {
	m.register(k.Name, func(ctx context.Context, j *store.Job) error {
		p, err := k.Decode(j)
		if err != nil {
			return err
		}
		return h(ctx, j, p)
	})
}

// HandleRaw registers a handler that reads the job itself (a kind whose
// payload is the job's bytes as they are).
func (m *Mux) HandleRaw(kind string, h Handler) { m.register(kind, h) }

func (m *Mux) register(kind string, h Handler) {
	if kind == "" {
		panic("job: a kind needs a name")
	}
	if _, dup := m.handlers[kind]; dup {
		panic(fmt.Sprintf("job: kind %q registered twice", kind))
	}
	m.handlers[kind] = h
}

// Handler returns the handler of kind with the middleware applied, or
// nil. The job travels in its context (FromContext).
func (m *Mux) Handler(kind string) Handler {
	h := m.handlers[kind]
	if h == nil {
		return nil
	}
	for i := len(m.mw) - 1; i >= 0; i-- {
		h = m.mw[i](kind, h)
	}
	return func(ctx context.Context, j *store.Job) error { return h(WithJob(ctx, j), j) }
}

// Serve runs j through its handler; an unknown kind is a permanent error.
func (m *Mux) Serve(ctx context.Context, j *store.Job) error {
	h := m.Handler(j.Kind)
	if h == nil {
		return fault.Permanentf("no handler for job kind %q", j.Kind)
	}
	return h(ctx, j)
}

// Kinds lists the registered kinds, sorted.
func (m *Mux) Kinds() []string {
	out := make([]string, 0, len(m.handlers))
	for k := range m.handlers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// PanicError is a handler's panic, with its stack.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("handler panic: %v", e.Value) }

func recoverPanics(_ string, next Handler) Handler {
	return func(ctx context.Context, j *store.Job) (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fault.Permanent(&PanicError{Value: p, Stack: debug.Stack()})
			}
		}()
		return next(ctx, j)
	}
}
