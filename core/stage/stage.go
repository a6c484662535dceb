// Package stage labels the CPU an order's path spends with the stage it
// belongs to (ingest, decode, route, draft, render, write) and the job
// kind it runs in, as runtime/pprof labels: a CPU profile then tells how
// much each stage costs (docs/BENCHMARKS.md, "CPU per order by stage").
//
// Labels are set only once Enable has been called, which the binary does
// when it writes a CPU profile: otherwise Do is a call of f and nothing
// else (the closures at the call sites stay on the stack, as pprof.Do
// only calls them).
package stage

import (
	"context"
	"net/http"
	"runtime/pprof"
	"sync/atomic"
)

// The label keys a profile is read by.
const (
	Key    = "stage"
	JobKey = "job"
)

// Stage is one step of an order's way from webhook to supplier.
type Stage struct {
	name   string
	labels pprof.LabelSet
}

func newStage(name string) Stage { return Stage{name: name, labels: pprof.Labels(Key, name)} }

// The stages, in the order an order meets them.
var (
	Ingest = newStage("ingest") // the gateway's webhook handler: read, verify, queue
	Decode = newStage("decode") // the platform's payload into orders
	Route  = newStage("route")  // validate, route lines to suppliers, draft the POs
	Draft  = newStage("draft")  // save the order with its draft POs, queue their sends
	Render = newStage("render") // a PO into the supplier's document
	Write  = newStage("write")  // the document into the supplier's transport
)

// Names lists the stages in order.
func Names() []string {
	return []string{Ingest.name, Decode.name, Route.name, Draft.name, Render.name, Write.name}
}

func (s Stage) String() string { return s.name }

var enabled atomic.Bool

// Enable turns labelling on for the rest of the process.
func Enable() { enabled.Store(true) }

// Enabled reports whether Enable was called.
func Enabled() bool { return enabled.Load() }

// Do runs f labelled with s on top of ctx's labels (the job's).
func (s Stage) Do(ctx context.Context, f func(context.Context)) {
	if !enabled.Load() {
		f(ctx)
		return
	}
	pprof.Do(ctx, s.labels, f)
}

// Err runs f as Do does and returns its error.
func (s Stage) Err(ctx context.Context, f func(context.Context) error) error {
	var err error
	s.Do(ctx, func(ctx context.Context) { err = f(ctx) })
	return err
}

// Call runs f as Do does and returns its results.
func Call[T any](ctx context.Context, s Stage, f func(context.Context) (T, error)) (T, error) {
	var v T
	var err error
	s.Do(ctx, func(ctx context.Context) { v, err = f(ctx) })
	return v, err
}

// Handler is h labelled with s.
func (s Stage) Handler(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.Do(r.Context(), func(context.Context) { h(w, r) })
	}
}

// Job runs f labelled with the job kind; stages inside it keep that
// label, so a profile tells a job's own work from its stages'.
func Job(ctx context.Context, kind string, f func(context.Context)) {
	if !enabled.Load() {
		f(ctx)
		return
	}
	pprof.Do(ctx, pprof.Labels(JobKey, kind), f)
}
