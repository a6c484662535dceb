// Package app wires a loaded config into a running dropgate: the store,
// the connectors, the catalog, the engine, the workers and the gateway.
// cmd/dropgate stays a thin layer of flags on top of it.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	coreapp "github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/app/purchasing"
	"github.com/dropgate/dropgate/core/app/services"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/gateway"
	"github.com/dropgate/dropgate/internal/catalog"
	"github.com/dropgate/dropgate/internal/config"
	"github.com/dropgate/dropgate/internal/feedimport"
	"github.com/dropgate/dropgate/internal/metrics"
	"github.com/dropgate/dropgate/internal/worker"
)

// Roles a process can play (`serve --role`).
const (
	RoleAll     = "all"
	RoleGateway = "gateway"
	RoleWorker  = "worker"
)

// Options for Build.
type Options struct {
	Config *config.Config
	Role   string // all (default), gateway, worker
	Listen string // overrides server.listen
	Logger *slog.Logger
	Clock  clock.Clock
	// Registry of connector types (default: connector.Default()).
	Registry *connector.Registry
	// Store, when set, is used instead of opening one from the config
	// (tests that share a store between processes-in-a-process).
	Store store.Store
	// AllowDemoToken serves the admin API beyond loopback even with the
	// published demo token (see CheckExposure).
	AllowDemoToken bool
	// Listener, when set, is where the gateway serves (the caller already
	// holds the port: the demo's free-port fallback); Listen is then its
	// address.
	Listener net.Listener
}

// App is a built, not yet running, dropgate.
type App struct {
	Config    *config.Config
	Role      string
	Listen    string
	Log       *slog.Logger
	Clock     clock.Clock
	Store     store.Store
	Catalog   *catalog.Catalog
	Services  *services.Services
	Feeds     *feedimport.Driver // nil when no supplier has a feed
	Runner    *worker.Runner
	Gateway   *gateway.Server
	Metrics   *metrics.Metrics
	Channels  map[string]connector.Connector
	Suppliers map[string]connector.Connector
	Others    map[string]connector.Connector // carriers, payments

	ownStore bool
	driver   store.Store // a.Store without held writes, for connectors
	addr     chan net.Addr
	ln       net.Listener // set by Options.Listener
}

// Build opens the store and constructs everything. It does no network I/O
// besides opening the store.
func Build(ctx context.Context, o Options) (*App, error) {
	if o.Role == "" {
		o.Role = RoleAll
	}
	switch o.Role {
	case RoleAll, RoleGateway, RoleWorker:
	default:
		return nil, fmt.Errorf("unknown role %q (known: all, gateway, worker)", o.Role)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	cfg := o.Config
	a := &App{
		Config: cfg, Role: o.Role, Log: o.Logger, Clock: o.Clock, Listen: cfg.Server.Listen,
		Channels: map[string]connector.Connector{}, Suppliers: map[string]connector.Connector{}, Others: map[string]connector.Connector{},
		addr: make(chan net.Addr, 1),
	}
	if o.Listen != "" {
		a.Listen = o.Listen
	}
	if o.Listener != nil {
		a.ln, a.Listen = o.Listener, o.Listener.Addr().String()
	}
	if o.Role != RoleWorker {
		if err := CheckExposure(a.Listen, cfg.Server.AdminToken.Reveal(), o.AllowDemoToken); err != nil {
			return nil, err
		}
	}
	a.Store = o.Store
	if a.Store == nil {
		st, err := OpenStore(ctx, cfg, o.Clock, o.Logger)
		if err != nil {
			return nil, err
		}
		a.Store, a.ownStore = st, true
	}
	a.Metrics = metrics.New(a.Store)
	// Inside a job, the services' writes are held and committed with the
	// job's ack. Connectors keep the driver: their state is shared between
	// jobs at once (an access token one job mints, the next one uses).
	a.driver = a.Store
	a.Store = store.Deferring(a.Store)
	if err := a.buildConnectors(); err != nil {
		a.Close()
		return nil, err
	}
	cat, err := LoadCatalog(cfg, a.Clock, a.Log)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Catalog = cat
	if err := a.buildServices(); err != nil {
		a.Close()
		return nil, err
	}
	a.Runner = &worker.Runner{
		Queue: a.Store, Queues: coreapp.Queues, Concurrency: cfg.Workers.Concurrency, Lease: cfg.Workers.Lease,
		Clock: a.Clock, Logger: a.Log, Policy: a.retryPolicy,
	}
	for _, k := range a.Services.Mux.Kinds() {
		a.Runner.Handle(k, worker.Handler(a.Services.Mux.Handler(k)))
	}
	ops := a.Services.Operations
	a.Runner.Hooks = worker.Hooks{
		Done: func(j *store.Job, outcome string, took time.Duration, err error) {
			a.Metrics.JobDone(j.Kind, outcome, took)
			a.Metrics.ConnectorJob(job.SubjectOf(j).Connector, outcome)
			ops.Health().Observe(j, outcome, a.Clock.Now(), err)
		},
		Dead: ops.DeadLettered,
	}
	var infos []gateway.ConnectorInfo
	for _, c := range cfg.All() {
		infos = append(infos, gateway.ConnectorInfo{Name: c.Name, Type: c.Type, Kind: string(c.Kind)})
	}
	a.Gateway = &gateway.Server{
		Intake: a.Services.Intake(), Ping: a.Store.Ping, Channels: a.webhookConnectors(), MaxBodyBytes: cfg.Server.MaxBodyBytes,
		AdminToken: cfg.Server.AdminToken, Clock: a.Clock, Log: a.Log, Metrics: a.Metrics,
		Admin: (&gateway.Admin{Ops: a.Services.Operator(), Log: a.Log, Connectors: infos, Replay: a.replayPosted}).Handler(),
		UI:    a.dashboard(infos),
	}
	if a.Gateway.Portal, err = a.supplierPortal(); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// retryPolicy finds the policy of the connector a job talks to.
func (a *App) retryPolicy(j *store.Job) connector.RetryPolicy {
	if name := job.SubjectOf(j).Connector; name != "" {
		if c := a.Config.Find(name); c != nil {
			return c.EffectiveRetry()
		}
	}
	return connector.DefaultRetry
}

// Addr returns the listening address once the gateway is up (tests use
// port 0).
func (a *App) Addr(ctx context.Context) (net.Addr, error) {
	select {
	case ad := <-a.addr:
		a.addr <- ad
		return ad, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Run serves until ctx ends, then shuts down gracefully: the HTTP server
// stops accepting and finishes in-flight requests, workers finish their
// current jobs, within server.shutdown_timeout. A job handler that ignores
// its context is abandoned after that (worker.Runner.Run logs it; its
// lease expires and it is delivered again), so Run always returns.
func (a *App) Run(ctx context.Context) error {
	grace := a.Config.Server.ShutdownTimeout
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, 2)
	// Feed snapshots applied by any replica are loaded before the first
	// job is routed, then followed; workers also fire the feed schedules.
	if err := a.startConnectors(ctx); err != nil {
		return err
	}
	defer a.closeConnectors()
	a.startScores(ctx, &wg)
	if a.Feeds != nil {
		if err := a.Feeds.Load(ctx); err != nil {
			a.Log.Warn("loading feed snapshots", "err", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.Feeds.Run(ctx, a.Role == RoleAll || a.Role == RoleWorker)
		}()
	}
	switch a.Role {
	case RoleAll, RoleGateway:
		ln := a.ln
		if ln == nil {
			var err error
			if ln, err = net.Listen("tcp", a.Listen); err != nil {
				return fmt.Errorf("listen on %s: %w", a.Listen, err)
			}
		}
		a.addr <- ln.Addr()
		a.Log.Info("gateway listening", "addr", ln.Addr().String(), "role", a.Role)
		a.Log.Info("dashboard", "url", uiURL(ln.Addr()))
		if a.Gateway.Portal != nil {
			a.Log.Info("supplier portal", "url", portalURL(uiURL(ln.Addr())))
		}
		a.serveHTTP(ctx, &wg, errc, ln, a.Gateway.Handler())
	case RoleWorker:
		a.serveOps(ctx, &wg, errc)
	}
	if a.Role == RoleAll || a.Role == RoleWorker {
		a.Log.Info("workers started", "concurrency", a.Runner.Concurrency, "queues", a.Runner.Queues)
		wg.Add(2)
		go func() {
			defer wg.Done()
			_ = a.Runner.Run(ctx, grace)
		}()
		go func() {
			defer wg.Done()
			a.every(ctx, 5*time.Second, func(ctx context.Context) {
				if err := a.Services.Operations.Health().Flush(ctx, a.Store); err != nil {
					a.Log.Warn("flushing connector health", "err", err)
				}
			})
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.schedule(ctx)
		}()
	}
	var err error
	select {
	case err = <-errc:
		cancel()
	case <-ctx.Done():
	}
	a.waitStopped(&wg, grace+stopMargin)
	a.Log.Info("stopped")
	return err
}

// stopMargin is what Run allows its parts beyond server.shutdown_timeout:
// the runner's wait for handlers to notice their context, the last flush
// of connector health (5s).
const stopMargin = 10 * time.Second

// waitStopped waits for wg, but no longer than d: every part bounds its
// own shutdown, and this makes sure a part that does not cannot keep the
// process alive.
func (a *App) waitStopped(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		a.Log.Warn("shutdown: parts still running after the shutdown timeout; stopping without them", "waited", d)
	}
}

// schedule fires the periodic jobs: inbox polls, API status polls and
// the full channel sync. Each tick's job has a unique key, so however many
// worker replicas run this, one job runs per tick.
func (a *App) schedule(ctx context.Context) {
	every := a.Config.Workers.InboxPoll
	var jobs []func(ctx context.Context, now time.Time) error
	for name, s := range a.Suppliers {
		if _, ok := connector.As[connector.Inbox](s); ok {
			jobs = append(jobs, func(ctx context.Context, now time.Time) error {
				return job.Enqueue(ctx, a.Store, purchasing.KindInboxPoll, purchasing.NewTick(name, now, every))
			})
		}
		if _, ok := connector.As[connector.StatusPoller](s); ok {
			pe := every
			if caps := connector.CapsOf(s); caps.PollEvery > 0 {
				pe = caps.PollEvery // the supplier's status.every
			}
			jobs = append(jobs, func(ctx context.Context, now time.Time) error {
				return job.Enqueue(ctx, a.Store, purchasing.KindStatusPoll, purchasing.NewTick(name, now, pe))
			})
		}
	}
	if len(a.Services.Reconcile.Channels()) > 0 {
		// Channel sweeps (and marketplace polls), one job per channel
		// and slot of its reconcile.every.
		jobs = append(jobs, a.Services.Reconcile.Schedule)
	}
	if a.Services.Sync.SyncEvery() > 0 {
		// The full channel sync (inventory.sync_every): fired every tick,
		// its unique key makes it one job per period.
		jobs = append(jobs, a.Services.Sync.PeriodicSync)
	}
	if len(jobs) == 0 {
		return
	}
	tick := func(ctx context.Context) {
		if ctx.Err() != nil {
			return
		}
		for _, fire := range jobs {
			if err := fire(ctx, a.Clock.Now()); err != nil {
				a.Log.Warn("scheduling a periodic job", "err", err)
			}
		}
	}
	tick(ctx)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			tick(ctx)
		}
	}
}

// every runs fn every d until ctx ends, and once more after, so what
// was collected before a shutdown is not lost.
func (a *App) every(ctx context.Context, d time.Duration, fn func(context.Context)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			fn(fctx)
			cancel()
			return
		case <-t.C:
			fn(ctx)
		}
	}
}

// Close releases the store if Build opened it.
func (a *App) Close() error {
	if a.ownStore && a.Store != nil {
		return a.Store.Close()
	}
	return nil
}

// webhookConnectors are the connectors the gateway takes webhooks for:
// every one that verifies them (channels, payment providers, carrier
// aggregators), by name.
func (a *App) webhookConnectors() map[string]connector.Connector {
	out := map[string]connector.Connector{}
	for _, c := range a.connectors() {
		if _, ok := connector.As[connector.WebhookVerifier](c); ok {
			out[c.Name()] = c
		}
	}
	return out
}
