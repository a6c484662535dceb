// Package engine is dropgate's application layer: the queue job handlers
// that take a verified webhook through decoding, validation, routing and
// purchase orders, and supplier documents back through the order's
// lifecycle. Domain rules live in core (routing, lifecycle); connectors do
// the talking; the engine loads, decides, saves and enqueues the next step.
//
// Every handler is idempotent: ids are deterministic, state is checked
// before acting, and follow-up jobs carry unique keys.
package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/catalog"
	"github.com/dropgate/dropgate/internal/worker"
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
// a burst. The worker still gives the last queue a share (see worker).
var Queues = []string{QueueOutbound, QueueInbound, QueueIngest}

// Job kinds.
const (
	KindWebhook = "webhook"
	KindPOSend  = "po.send"
)

// Record kinds.
const (
	RecOrder     = "order"
	RecPO        = "po"
	RecException = "exception"
)

// Engine holds what the handlers need. Build it once at start-up.
type Engine struct {
	Store     store.Store
	Clock     clock.Clock
	Log       *slog.Logger
	Catalog   *catalog.Catalog
	Router    *routing.Router
	Channels  map[string]connector.Connector
	Suppliers map[string]connector.Connector
	Profiles  map[string]routing.SupplierProfile
	// Retry is each connector's retry policy; outbound jobs carry its
	// MaxAttempts so the queue gives up where the connector says.
	Retry map[string]connector.RetryPolicy
	// Sync configures the inventory and price sync to channels (sync.go).
	Sync SyncSettings
	// Feeds configures supplier feed imports (feeds.go); nil: none.
	Feeds *Feeds
}

// attempts returns the MaxAttempts for jobs talking to connector name.
func (e *Engine) attempts(name string) int {
	if p, ok := e.Retry[name]; ok && p.MaxAttempts > 0 {
		return p.MaxAttempts
	}
	return connector.DefaultRetry.MaxAttempts
}

// Register installs the handlers on a runner.
func (e *Engine) Register(r *worker.Runner) {
	r.Handle(KindWebhook, e.handleWebhook)
	r.Handle(KindPOSend, e.handlePOSend)
	r.Handle(KindPOCancel, e.handlePOCancel)
	r.Handle(KindDocApply, e.handleDocApply)
	r.Handle(KindSLAAck, e.handleSLA)
	r.Handle(KindSLAShip, e.handleSLA)
	r.Handle(KindFulfillment, e.handleFulfillment)
	r.Handle(KindInboxPoll, e.handleInboxPoll)
	r.Handle(KindInboundFetch, e.handleInboundFetch)
	r.Handle(KindInboundParse, e.handleInboundParse)
	r.Handle(KindAckDue, e.handleAckDue)
	r.Handle(KindSupplierPoll, e.handleSupplierPoll)
	r.Handle(KindFeedImport, e.handleFeedImport)
	r.Handle(KindSync, e.handleSync)
	r.Handle(KindInventoryPush, e.handleInventoryPush)
	r.Handle(KindPricePush, e.handlePricePush)
}

func (e *Engine) now() time.Time { return e.Clock.Now().UTC() }

// maxUpdateTries bounds optimistic-concurrency retries; jobs of one order
// run in order, so conflicts are rare (an operator action, a timer).
const maxUpdateTries = 8

// load reads an order aggregate.
func (e *Engine) load(ctx context.Context, orderID string) (*model.Aggregate, int64, error) {
	rec, err := e.Store.GetRecord(ctx, RecOrder, orderID)
	if err != nil {
		return nil, 0, err
	}
	var a model.Aggregate
	if err := json.Unmarshal(rec.Data, &a); err != nil {
		return nil, 0, fmt.Errorf("order %s: stored record is corrupt: %w", orderID, err)
	}
	return &a, rec.Version, nil
}

// Load returns an order aggregate (admin API, CLI).
func (e *Engine) Load(ctx context.Context, orderID string) (*model.Aggregate, error) {
	a, _, err := e.load(ctx, orderID)
	return a, err
}

// save writes an aggregate at the expected version (0: create).
func (e *Engine) save(ctx context.Context, a *model.Aggregate, version int64) error {
	a.Recompute()
	a.Updated = e.now()
	data, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encode order %s: %w", a.Order.ID, err)
	}
	idx := map[string]string{"status": string(a.Order.Status), "channel": a.Order.Channel}
	for _, s := range a.Suppliers() {
		idx["supplier."+s] = "1"
	}
	_, err = e.Store.PutRecord(ctx, store.Record{
		Kind: RecOrder, ID: a.Order.ID, Data: data, Index: idx, Version: version,
		Created: a.Created,
	})
	return err
}

// errNoChange tells update that fn decided nothing needs saving.
var errNoChange = errors.New("no change")

// update applies fn to the stored aggregate and saves, retrying on
// conflicts. fn returns errNoChange to skip the write.
func (e *Engine) update(ctx context.Context, orderID string, fn func(a *model.Aggregate) error) (*model.Aggregate, error) {
	for try := 0; try < maxUpdateTries; try++ {
		a, v, err := e.load(ctx, orderID)
		if err != nil {
			return nil, err
		}
		if err := fn(a); err != nil {
			if errors.Is(err, errNoChange) {
				return a, nil
			}
			return nil, err
		}
		err = e.save(ctx, a, v)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		return a, err
	}
	return nil, fmt.Errorf("order %s: too many concurrent updates", orderID)
}

// enqueue adds a follow-up job; a duplicate (same unique key) is success.
func (e *Engine) enqueue(ctx context.Context, j store.Job) error {
	_, err := e.Store.Enqueue(ctx, j)
	if errors.Is(err, store.ErrDuplicate) {
		return nil
	}
	return err
}
