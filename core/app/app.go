// Package app is dropgate's application layer: what the services under it
// (orders, purchasing, fulfilment, sync, feeds, operations) share, and the
// ports the outside world reaches them by (Intake for webhooks, Operator
// for the admin API). It does I/O only through interfaces declared in
// core: the store's queue and records, the connectors, and the ports
// below that drivers in internal/ implement (the offer catalog, feed
// imports).
package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/event"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/margin"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
)

// Queue names.
const (
	QueueIngest   = "ingest"   // verified webhooks, raw
	QueueOutbound = "outbound" // calls to suppliers and channels
	QueueInbound  = "inbound"  // supplier documents
)

// Queues lists every queue a full worker consumes, in priority order:
// later pipeline stages first, so an order already in flight reaches its
// supplier before new webhooks are taken on, and latency stays bounded in
// a burst. The worker still gives the last queue a share.
var Queues = []string{QueueOutbound, QueueInbound, QueueIngest}

// Catalog is the offer index routing and the channel sync read, and that
// supplier stock reports update (internal/catalog implements it).
type Catalog interface {
	routing.Catalog
	// SKUs lists every merchant SKU with an offer, sorted.
	SKUs() []string
	// SetStock records a supplier's reported stock of one item; false
	// when the catalog has no such item.
	SetStock(supplier, supplierSKU string, stock int64) bool
	// Describe says what the catalog holds (files, feed snapshots).
	Describe() string
}

// Deps is what the services share. Built once by the wiring
// (internal/app).
type Deps struct {
	Queue   store.Queue
	Claims  store.Claims
	Blobs   store.Blobs
	Records store.Records // small state of its own: last pushed values, health

	Orders       *repo.Orders
	Exceptions   *repo.Exceptions
	Interchanges *repo.Interchanges
	Events       *event.Table

	Clock clock.Clock
	Log   *slog.Logger

	Channels  map[string]connector.Connector
	Suppliers map[string]connector.Connector
	// Others are the carriers, payment providers and notifiers.
	Others map[string]connector.Connector
	// Webhooks routes verified deliveries to the service that processes
	// them (channels: orders; payments; carriers).
	Webhooks *WebhookRouter
	// Profiles are the suppliers' routing profiles (SLA, priority, …).
	Profiles map[string]routing.SupplierProfile
	// Retry is each connector's retry policy; jobs that talk to one carry
	// its MaxAttempts so the queue gives up where the connector says.
	Retry   map[string]connector.RetryPolicy
	Router  *routing.Router
	Catalog Catalog
	// PaymentFees are the payment providers' fee schedules (payments[].fees),
	// by provider name: margins subtract them.
	PaymentFees map[string]margin.PaymentFee
	// Release is the release policy (orders.release) of each channel that
	// has its own, and "" for every other.
	Release map[string]lifecycle.ReleasePolicy
}

// ReleasePolicy is the release policy of channel's orders.
func (d *Deps) ReleasePolicy(channel string) lifecycle.ReleasePolicy {
	if p, ok := d.Release[channel]; ok {
		return p
	}
	return d.Release[""]
}

// Now is the current time, UTC.
func (d *Deps) Now() time.Time { return d.Clock.Now().UTC() }

// Attempts is the MaxAttempts of jobs talking to connector name.
func (d *Deps) Attempts(name string) int {
	if p, ok := d.Retry[name]; ok && p.MaxAttempts > 0 {
		return p.MaxAttempts
	}
	return connector.DefaultRetry.MaxAttempts
}

// Channel returns a channel's connector with capability T; a channel not
// configured or without the capability is a permanent error (what).
func Channel[T any](d *Deps, name, what string) (T, error) {
	return capability[T](d.Channels, "channel", name, what)
}

// Supplier returns a supplier's connector with capability T.
func Supplier[T any](d *Deps, name, what string) (T, error) {
	return capability[T](d.Suppliers, "supplier", name, what)
}

func capability[T any](m map[string]connector.Connector, kind, name, what string) (T, error) {
	var zero T
	c, ok := m[name]
	if !ok {
		return zero, fault.Permanentf("%s: %s %q is not configured", what, kind, name)
	}
	t, ok := connector.As[T](c)
	if !ok {
		return zero, fault.Permanentf("%s: %s %q (%s) cannot do this", what, kind, name, c.Type())
	}
	return t, nil
}

// Background is ctx for work that must finish what it started even when
// the job's context ended (recording what a call already did).
func Background(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// AfterSend is the context to record a send by sender with: a sender
// whose repeats are not harmless (connector.Unrepeatable) gets its record
// stored at once (store.Durable), so that a job whose commit meets a
// concurrent write does not run again and send the document twice; any
// other keeps it with the job's commit.
func AfterSend(ctx context.Context, sender any) context.Context {
	if u, ok := sender.(connector.Unrepeatable); ok && u.SendsUnrepeatable() {
		return store.Durable(ctx)
	}
	return ctx
}

// Connector returns any configured connector by name.
func (d *Deps) Connector(name string) (connector.Connector, bool) {
	for _, m := range []map[string]connector.Connector{d.Channels, d.Suppliers, d.Others} {
		if c, ok := m[name]; ok {
			return c, true
		}
	}
	return nil, false
}
