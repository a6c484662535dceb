package config

import (
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/inventory"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/margin"
	"github.com/dropgate/dropgate/core/pricing"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/feed"
	"github.com/dropgate/dropgate/internal/notify"
)

// Config is a loaded, validated dropgate configuration.
type Config struct {
	Server  Server         `yaml:"server"`
	Store   Store          `yaml:"store"`
	Workers Workers        `yaml:"workers"`
	Routing routing.Config `yaml:"routing"`
	// Orders is the release policy: when an order may become POs.
	Orders    Orders       `yaml:"orders"`
	Channels  []*Connector `yaml:"-"`
	Suppliers []*Connector `yaml:"-"`
	Carriers  []*Connector `yaml:"-"`
	Payments  []*Connector `yaml:"-"`

	// Inventory and Pricing turn on the sync of quantities and prices to
	// channels; nil (the block is absent) leaves the channels alone.
	Inventory *inventory.Config `yaml:"inventory"`
	Pricing   *pricing.Config   `yaml:"pricing"`

	// Notifications are customer e-mails and events to the merchant's
	// systems; nil sends none.
	Notifications *notify.Config `yaml:"notifications"`

	File string `yaml:"-"` // the file it was loaded from
	Dir  string `yaml:"-"` // its directory: relative paths resolve here
}

// DemoAdminToken is the admin token configs/demo.yaml falls back to. It is
// public, so dropgate refuses to serve the admin API beyond loopback with
// it unless told otherwise (app.CheckExposure).
const DemoAdminToken = "demo-admin-token"

// Server is the `server:` block.
type Server struct {
	Listen       string           `yaml:"listen"`
	AdminToken   connector.Secret `yaml:"admin_token"`
	MaxBodyBytes int64            `yaml:"max_body_bytes"`
	// ShutdownTimeout bounds how long in-flight requests and jobs get to
	// finish on SIGTERM.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	ReadTimeout     time.Duration `yaml:"read_timeout"`
}

// Store is the `store:` block.
type Store struct {
	Driver string `yaml:"driver"` // embedded (default) or redis
	Path   string `yaml:"path"`   // embedded: the database file
	// Redis: a redis:// or rediss:// URL, or a list of cluster addresses.
	URL      string           `yaml:"url"`
	Addrs    []string         `yaml:"addrs"`
	Password connector.Secret `yaml:"password"`
	Prefix   string           `yaml:"prefix"` // key prefix, default "dg"
	// Partitions (redis): queue → how many physical queues it is split
	// into, each in its own Cluster slot; "*" for every queue not listed.
	Partitions map[string]int `yaml:"partitions"`
	// PoolSize (redis): connections per server (per Cluster node); 0 is
	// go-redis's default, 10 per CPU.
	PoolSize int `yaml:"pool_size"`
	// EnqueuePipelines (redis): how many pipelines of concurrent
	// enqueues (webhooks answered at once) may be in flight, and as many
	// of the other concurrent calls (a worker's handlers); 0 is 2.
	EnqueuePipelines int `yaml:"enqueue_pipelines"`
}

// Workers is the `workers:` block.
type Workers struct {
	Concurrency int           `yaml:"concurrency"` // job handlers per process
	Lease       time.Duration `yaml:"lease"`       // how long a job is owned before reclaim
	// InboxPoll is how often suppliers' inboxes (directories, SFTP
	// folders) are listed; one replica does each listing.
	InboxPoll time.Duration `yaml:"inbox_poll"`
}

// Connector is one entry of channels, suppliers, carriers or payments.
type Connector struct {
	Name      string                 `yaml:"name" required:"true"`
	Type      string                 `yaml:"type" required:"true"`
	RateLimit *store.Limit           `yaml:"rate_limit"`
	Retry     *connector.RetryPolicy `yaml:"retry"`
	// Reconcile is a channel's sweep (channels only): how often its
	// orders are listed to catch what webhooks missed, and how far back.
	Reconcile *Reconcile `yaml:"reconcile"`
	// Orders is a channel's own release policy (channels only); nil: the
	// top-level orders: block.
	Orders *Orders `yaml:"orders"`
	// Supplier holds the keys every supplier shares (catalog, sla, …);
	// nil for other kinds.
	Supplier *routing.SupplierProfile `yaml:"-"`
	// Feed is a supplier's `feed:` block (inventory and price feed); nil
	// without one or for other kinds.
	Feed *feed.Config `yaml:"-"`
	// Portal is a supplier's `portal:` block (its logins to /portal/);
	// nil without one or for other kinds.
	Portal *Portal `yaml:"-"`
	// PaymentFees is a payment provider's `fees:` block (its fee schedule,
	// subtracted in margins); nil without one or for other kinds.
	PaymentFees *margin.PaymentFee `yaml:"-"`
	// Settings is the connector's own config struct (Spec.NewConfig()).
	Settings any                    `yaml:"-"`
	Spec     connector.Registration `yaml:"-"`
	Kind     connector.Kind         `yaml:"-"`
	Line     int                    `yaml:"-"`
}

// EffectiveLimit is the YAML override or the connector's default.
func (c *Connector) EffectiveLimit() store.Limit {
	if c.RateLimit != nil {
		return *c.RateLimit
	}
	return c.Spec.RateLimit
}

// EffectiveRetry is the YAML override (field by field) or the default.
func (c *Connector) EffectiveRetry() connector.RetryPolicy {
	p := c.Spec.Retry
	if p.MaxAttempts == 0 {
		p = connector.DefaultRetry
	}
	if c.Retry != nil {
		if c.Retry.MaxAttempts > 0 {
			p.MaxAttempts = c.Retry.MaxAttempts
		}
		if c.Retry.BaseDelay > 0 {
			p.BaseDelay = c.Retry.BaseDelay
		}
		if c.Retry.MaxDelay > 0 {
			p.MaxDelay = c.Retry.MaxDelay
		}
	}
	return p
}

// All returns every connector, channels first.
func (c *Config) All() []*Connector {
	var out []*Connector
	out = append(out, c.Channels...)
	out = append(out, c.Suppliers...)
	out = append(out, c.Carriers...)
	out = append(out, c.Payments...)
	return out
}

// Find returns the connector named name, or nil.
func (c *Config) Find(name string) *Connector {
	for _, x := range c.All() {
		if x.Name == name {
			return x
		}
	}
	return nil
}

func (c *Config) applyDefaults() {
	if c.Server.Listen == "" {
		c.Server.Listen = "127.0.0.1:8080"
	}
	if c.Server.MaxBodyBytes == 0 {
		c.Server.MaxBodyBytes = 1 << 20
	}
	if c.Server.ShutdownTimeout == 0 {
		c.Server.ShutdownTimeout = 15 * time.Second
	}
	if c.Server.ReadTimeout == 0 {
		c.Server.ReadTimeout = 30 * time.Second
	}
	if c.Store.Driver == "" {
		c.Store.Driver = "embedded"
	}
	if c.Store.Path == "" {
		c.Store.Path = "./var/dropgate.db"
	}
	if c.Store.Prefix == "" {
		c.Store.Prefix = "dg"
	}
	if c.Workers.Concurrency == 0 {
		// Handlers mostly wait (fsync, a platform's answer, a supplier
		// batch filling up); on 2 cores 64 of them carried 1.9x the
		// orders of 8 and shared commits 7x better (docs/BENCHMARKS.md).
		c.Workers.Concurrency = 64
	}
	if c.Workers.Lease == 0 {
		c.Workers.Lease = 2 * time.Minute
	}
	if c.Workers.InboxPoll == 0 {
		c.Workers.InboxPoll = 15 * time.Second
	}
	if c.Routing.Strategy == "" {
		c.Routing.Strategy = routing.StrategyCheapest
	}
}

// Orders is the `orders:` block, top level or a channel's own: when an
// order may become purchase orders.
type Orders struct {
	// Release: on_payment (default: no PO before the channel shows the
	// order paid or authorised), immediately, or manual.
	Release string `yaml:"release"`
	// HoldRisk: the channel's fraud verdicts held for an operator
	// (default [high]; [] holds none).
	HoldRisk []string `yaml:"hold_risk"`
	// HoldAfter keeps each order on a review hold this long after it is
	// received (default 0: none).
	HoldAfter time.Duration `yaml:"hold_after"`
	// RequireCapture: under on_payment an authorised-only payment waits
	// until it is captured (default false: an authorisation releases).
	RequireCapture bool `yaml:"require_capture"`
}

// Policy is the release policy the block describes.
func (o Orders) Policy() lifecycle.ReleasePolicy {
	risk := o.HoldRisk
	if risk == nil {
		risk = []string{"high"}
	}
	return lifecycle.ReleasePolicy{Mode: o.Release, HoldRisk: risk, HoldAfter: o.HoldAfter, RequireCapture: o.RequireCapture}
}

// Reconcile is a channel's `reconcile:` block. Zero durations take the
// connector's defaults (a marketplace polls more often), then 15m and 2h.
type Reconcile struct {
	Every    time.Duration `yaml:"every"`
	Lookback time.Duration `yaml:"lookback"`
	// DeepEvery, when set, is how often a sweep lists the whole lookback;
	// the others list from where the last one ended (default: the
	// connector's, Amazon 2h; else every sweep lists the lookback).
	DeepEvery time.Duration `yaml:"deep_every"`
	// Enabled false turns the sweep off (default true).
	Enabled *bool `yaml:"enabled"`
}
