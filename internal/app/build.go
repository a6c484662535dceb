package app

import (
	"context"
	"fmt"

	coreapp "github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/model"

	"github.com/dropgate/dropgate/core/app/channelsync"
	"github.com/dropgate/dropgate/core/app/reconcile"
	"github.com/dropgate/dropgate/core/app/services"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/internal/connenv"
	"github.com/dropgate/dropgate/internal/feed"
	"github.com/dropgate/dropgate/internal/feedimport"
)

// buildServices builds the application on the store, the connectors and
// the catalog, with the feed driver when a supplier has a feed.
func (a *App) buildServices() error {
	cfg := a.Config
	profiles := Profiles(cfg)
	retry := map[string]connector.RetryPolicy{}
	for _, c := range cfg.All() {
		retry[c.Name] = c.EffectiveRetry()
	}
	release := map[string]lifecycle.ReleasePolicy{"": cfg.Orders.Policy()}
	for _, c := range cfg.Channels {
		if c.Orders != nil {
			release[c.Name] = c.Orders.Policy()
		}
	}
	d := &coreapp.Deps{
		Queue: a.Store, Claims: a.Store, Blobs: a.Store, Records: a.Store,
		Orders: repo.NewOrders(a.Store, a.Clock), Exceptions: repo.NewExceptions(a.Store), Interchanges: repo.NewInterchanges(a.Store),
		Clock: a.Clock, Log: a.Log, Channels: a.Channels, Suppliers: a.Suppliers, Others: a.Others, Profiles: profiles, Retry: retry,
		Router:  &routing.Router{Config: cfg.Routing, Suppliers: profiles, Catalog: a.Catalog},
		Catalog: a.Catalog,
		Release: release,
	}
	d.PaymentFees = cfg.PaymentFees()
	opts := services.Options{Sync: channelsync.Settings{Inventory: cfg.Inventory, Pricing: cfg.Pricing},
		Reconcile: map[string]reconcile.Settings{}, Detector: carrierDetector{}}
	for _, c := range cfg.Channels {
		if r := c.Reconcile; r != nil {
			opts.Reconcile[c.Name] = reconcile.Settings{Every: r.Every, Lookback: r.Lookback, DeepEvery: r.DeepEvery, Disabled: r.Enabled != nil && !*r.Enabled}
		}
	}
	if HasFeeds(cfg) {
		a.Feeds = &feedimport.Driver{Configs: map[string]*feed.Config{}, Currencies: map[string]string{},
			Store: a.Store, Catalog: a.Catalog, Clock: a.Clock, Log: a.Log, Calls: a.Metrics}
		for _, s := range cfg.Suppliers {
			a.Feeds.Currencies[s.Name] = s.Supplier.Currency
			if s.Feed != nil {
				a.Feeds.Configs[s.Name] = s.Feed
			}
		}
		opts.Feeds = a.Feeds
	}
	var err error
	if opts.Notify, err = a.notifySettings(cfg); err != nil {
		return err
	}
	svc, err := services.New(d, opts)
	if err != nil {
		return err
	}
	a.Services = svc
	d.Events.On(model.EvWebhooksMissed, "metrics.missed", func(_ context.Context, _ *model.Aggregate, ev model.Event) error {
		a.Metrics.Missed.WithLabelValues(ev.Data["channel"]).Add(float64(ev.Quantity))
		return nil
	})
	if a.Feeds != nil {
		a.Feeds.Changed = svc.Sync.ScheduleSync
	}
	return nil
}

func (a *App) buildConnectors() error {
	for _, c := range a.Config.All() {
		env := connenv.New(a.driver, connenv.Options{
			Name: c.Name, Namespace: c.Spec.Namespace, Logger: a.Log.With("connector", c.Name), Clock: a.Clock,
			RateLimit: c.EffectiveLimit(), Retry: c.EffectiveRetry(), ConfigDir: a.Config.Dir, Calls: a.Metrics,
		})
		inst, err := c.Spec.Build(env, c.Settings)
		if err != nil {
			return fmt.Errorf("connector %s (%s): %w", c.Name, c.Type, err)
		}
		switch c.Kind {
		case connector.KindChannel:
			a.Channels[c.Name] = inst
		case connector.KindSupplier:
			a.Suppliers[c.Name] = inst
		default:
			a.Others[c.Name] = inst
		}
	}
	return nil
}

// startConnectors runs each connector's one-time start-up (connector.Starter).
func (a *App) startConnectors(ctx context.Context) error {
	for _, c := range a.connectors() {
		if st, ok := c.(connector.Starter); ok {
			if err := st.Start(ctx); err != nil {
				return fmt.Errorf("start connector %s (%s): %w", c.Name(), c.Type(), err)
			}
		}
	}
	return nil
}

// closeConnectors releases what connectors hold (SFTP sessions), after
// the workers stopped.
func (a *App) closeConnectors() {
	for _, c := range a.connectors() {
		if cl, ok := c.(connector.Closer); ok {
			if err := cl.Close(); err != nil {
				a.Log.Warn("closing connector", "connector", c.Name(), "err", err)
			}
		}
	}
}

func (a *App) connectors() []connector.Connector {
	var out []connector.Connector
	for _, m := range []map[string]connector.Connector{a.Channels, a.Suppliers, a.Others} {
		for _, c := range m {
			out = append(out, c)
		}
	}
	return out
}
