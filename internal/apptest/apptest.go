// Package apptest runs the application (core/app/services) on a real
// embedded store with a fake clock, for tests: the application's own flow
// tests live here, and connectors' tests use it to drive their connector
// through the services (a real X12 file through the inbound pipeline, a
// real Shopify connector through the channel sync). It imports no
// connector: callers bring theirs.
package apptest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/app/channelsync"
	"github.com/dropgate/dropgate/core/app/feeds"
	"github.com/dropgate/dropgate/core/app/notify"
	"github.com/dropgate/dropgate/core/app/services"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/catalog"
	"github.com/dropgate/dropgate/internal/store/embedded"
	"github.com/dropgate/dropgate/internal/worker"
)

// Options describe the application under test.
type Options struct {
	Channels  map[string]connector.Connector
	Suppliers map[string]connector.Connector
	Others    map[string]connector.Connector // carriers, payments
	Profiles  map[string]routing.SupplierProfile
	Routing   routing.Config
	Sync      channelsync.Settings
	Feeds     feeds.Importer
	Retry     map[string]connector.RetryPolicy
	// Release is the release policy per channel ("" for the default).
	Release map[string]lifecycle.ReleasePolicy
	// Notify are the customer e-mails and outbound events.
	Notify notify.Settings
	// Store and Clock, when set, are used instead of new ones (a second
	// process on the same store: a restart).
	Store   *embedded.Store
	Clock   *clock.Fake
	Catalog *catalog.Catalog
	Log     *slog.Logger
	// Deferring holds a job's writes and commits them with its ack, as
	// the server does (store.Deferring); run jobs with DrainHeld then.
	Deferring bool
}

// Rig is a built application and its store, catalog and clock.
type Rig struct {
	T       testing.TB
	Store   *embedded.Store
	Clock   *clock.Fake
	Catalog *catalog.Catalog
	Deps    *app.Deps
	S       *services.Services
}

// Start is the rigs' default time.
var Start = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

// NewStore opens an embedded store on clk in a test directory, closed when
// the test ends: for a connector that needs the store before the rig is
// built (its Env), passed on as Options.Store.
func NewStore(t testing.TB, clk *clock.Fake) *embedded.Store {
	t.Helper()
	st, err := embedded.Open(filepath.Join(t.TempDir(), "db"), embedded.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// New builds the application on o.
func New(t testing.TB, o Options) *Rig {
	t.Helper()
	if o.Clock == nil {
		o.Clock = clock.NewFake(Start)
	}
	if o.Store == nil {
		o.Store = NewStore(t, o.Clock)
	}
	if o.Catalog == nil {
		o.Catalog = catalog.New(catalog.WithClock(o.Clock))
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Profiles == nil {
		o.Profiles = map[string]routing.SupplierProfile{}
	}
	for name := range o.Suppliers {
		if _, ok := o.Profiles[name]; !ok {
			o.Profiles[name] = routing.SupplierProfile{Name: name}
		}
	}
	var st store.Store = o.Store
	if o.Deferring {
		st = store.Deferring(st)
	}
	d := &app.Deps{
		Queue: st, Claims: st, Blobs: st, Records: st,
		Orders: repo.NewOrders(st, o.Clock), Exceptions: repo.NewExceptions(st), Interchanges: repo.NewInterchanges(st),
		Clock: o.Clock, Log: o.Log, Channels: o.Channels, Suppliers: o.Suppliers, Others: o.Others, Profiles: o.Profiles, Retry: o.Retry,
		Router:  &routing.Router{Config: o.Routing, Suppliers: o.Profiles, Catalog: o.Catalog},
		Catalog: o.Catalog,
		Release: o.Release,
	}
	s, err := services.New(d, services.Options{Sync: o.Sync, Feeds: o.Feeds, Notify: o.Notify})
	if err != nil {
		t.Fatal(err)
	}
	return &Rig{T: t, Store: o.Store, Clock: o.Clock, Catalog: o.Catalog, Deps: d, S: s}
}

// Order returns a stored order.
func (r *Rig) Order(id string) *model.Aggregate {
	r.T.Helper()
	a, _, err := r.Deps.Orders.Get(context.Background(), id)
	if err != nil {
		r.T.Fatalf("order %s: %v", id, err)
	}
	return a
}

// Exceptions lists exceptions matching every filter.
func (r *Rig) Exceptions(where map[string]string) []model.Exception {
	r.T.Helper()
	xs, _, err := r.Deps.Exceptions.Where(context.Background(), where, repo.Page{Limit: 500})
	if err != nil {
		r.T.Fatal(err)
	}
	return xs
}

// NextReady leases the next ready job of the application's queues, or
// returns nil when none is ready. The rigs run on a fake clock, so nothing
// becomes ready on its own while they look: the store's count decides,
// never a Dequeue timeout that a loaded machine could run into with work
// still queued.
func (r *Rig) NextReady(lease time.Duration) *store.Job {
	r.T.Helper()
	ctx := context.Background()
	stats, err := r.Store.Stats(ctx)
	if err != nil {
		r.T.Fatal(err)
	}
	var ready int64
	for _, q := range stats {
		if slices.Contains(app.Queues, q.Queue) {
			ready += q.Ready
		}
	}
	if ready == 0 {
		return nil
	}
	dctx, cancel := context.WithTimeout(ctx, time.Minute) // a hang guard
	defer cancel()
	j, err := r.Store.Dequeue(dctx, app.Queues, lease)
	if err != nil {
		r.T.Fatalf("Dequeue with %d jobs ready: %v", ready, err)
	}
	return j
}

// Drain runs every ready job through its handler, as a worker would, until
// none is ready; a handler's error fails the test. It returns how many ran.
func (r *Rig) Drain() int {
	r.T.Helper()
	n := 0
	for {
		j := r.NextReady(time.Minute)
		if j == nil {
			return n
		}
		if err := r.S.Mux.Serve(context.Background(), j); err != nil {
			r.T.Fatalf("%s: %v", j.Kind, err)
		}
		if err := r.Store.Ack(context.Background(), j); err != nil {
			r.T.Fatal(err)
		}
		n++
	}
}

// DrainHeld runs every ready job as the worker does on a store that holds
// a job's writes (Options.Deferring): the handler's writes are committed
// with its ack, and a commit lost to a concurrent write runs the job
// again. A handler's error fails the test. It returns how many runs there
// were, the runs again included.
func (r *Rig) DrainHeld() int {
	r.T.Helper()
	ctx := context.Background()
	n := 0
	for j := r.NextReady(time.Minute); j != nil; j = r.NextReady(time.Minute) {
		for attempt := 0; ; attempt++ {
			if attempt == 5 {
				r.T.Fatalf("%s: its commit kept meeting concurrent writes", j.Kind)
			}
			fx := &store.Effects{}
			err := r.S.Mux.Serve(store.WithEffects(ctx, fx), j)
			fx.Close()
			n++
			if err != nil {
				r.T.Fatalf("%s: %v", j.Kind, err)
			}
			err = r.Store.Complete(ctx, j, fx)
			if errors.Is(err, store.ErrConflict) {
				continue // as the worker: the job runs again on fresh data
			}
			if err != nil {
				r.T.Fatal(err)
			}
			break
		}
	}
	return n
}

// DrainBury runs every ready job as Drain does, except that a job whose
// handler fails is buried (a dead letter with its error), as the worker
// buries a permanent failure, and the others still run. It returns how
// many were buried.
func (r *Rig) DrainBury() int {
	r.T.Helper()
	ctx := context.Background()
	buried := 0
	for {
		j := r.NextReady(time.Minute)
		if j == nil {
			return buried
		}
		var err error
		if herr := r.S.Mux.Serve(ctx, j); herr != nil {
			err = r.Store.Bury(ctx, j, herr)
			buried++
		} else {
			err = r.Store.Ack(ctx, j)
		}
		if err != nil {
			r.T.Fatal(err)
		}
	}
}

// Settle runs one job and settles it as the worker does: a throttled job
// is rescheduled without spending an attempt (it returns when it may run
// again), a failing one retried or buried.
func (r *Rig) Settle(j *store.Job) (wake time.Time) {
	r.T.Helper()
	ctx := context.Background()
	herr := r.S.Mux.Serve(ctx, j)
	var err error
	switch class, notBefore := fault.Classify(herr); class {
	case fault.ClassNone, fault.ClassPartial:
		err = r.Store.Ack(ctx, j)
	case fault.ClassThrottled:
		wake = notBefore
		err = r.Store.Retry(ctx, j, notBefore, herr, false)
	default:
		r.T.Fatalf("%s: %v", j.Kind, herr)
	}
	if err != nil {
		r.T.Fatal(err)
	}
	return wake
}

// DrainIdle runs jobs until the queues were idle for a minute of fake
// time, advancing the clock when nothing is ready (to a throttled job's
// time, else by a second).
func (r *Rig) DrainIdle() {
	r.T.Helper()
	var wake time.Time
	for idle := time.Duration(0); idle < time.Minute; {
		j := r.NextReady(time.Hour)
		if j == nil {
			step := time.Second
			if d := wake.Sub(r.Clock.Now()); d > 0 {
				step = d
			}
			r.Clock.Advance(step)
			idle += step
			continue
		}
		idle = 0
		if w := r.Settle(j); !w.IsZero() {
			wake = w
		}
	}
}

// Runner returns a worker on the rig's store running every job kind of
// the application, as a server's workers do: for tests where replicas
// race for the same jobs in real goroutines. The caller runs it.
func (r *Rig) Runner(concurrency int, hooks worker.Hooks) *worker.Runner {
	w := &worker.Runner{Queue: r.Store, Queues: app.Queues, Concurrency: concurrency, Lease: time.Minute, Clock: r.Clock,
		Logger: r.Deps.Log, Hooks: hooks}
	for _, k := range r.S.Mux.Kinds() {
		w.Handle(k, worker.Handler(r.S.Mux.Handler(k)))
	}
	return w
}
