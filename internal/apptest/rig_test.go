package apptest_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/app/purchasing"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/apptest"
)

// The application's flow tests: orders taken in, sent to suppliers whose
// documents come back, exceptions raised and resolved, feeds imported.
// The suppliers and the channel are fakes defined here.

// channel records fulfillments pushed to it.
type channel struct {
	mu     sync.Mutex
	pushed map[string]int
}

func (c *channel) Name() string { return "shop" }
func (c *channel) Type() string { return "fake" }
func (c *channel) PushFulfillment(_ context.Context, _ *model.Order, sh *model.Shipment) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pushed[sh.ID]++
	return "F-" + sh.ID, nil
}

// rig is the application with suppliers a (MUG 4.00, TEE 9.00; an
// acknowledgement due within 4 hours) and b (TEE 7.00), and the channel
// "shop"; backupRig adds c.
type rig struct {
	*apptest.Rig
	a, b, c *apptest.Supplier
	channel *channel
}

// rigOption adjusts the options of a rig before it is built.
type rigOption func(*apptest.Options, *rig)

func newRig(t *testing.T, opts ...rigOption) *rig {
	t.Helper()
	r := &rig{a: apptest.NewSupplier("a"), b: apptest.NewSupplier("b"), channel: &channel{pushed: map[string]int{}}}
	o := apptest.Options{
		Channels:  map[string]connector.Connector{"shop": r.channel},
		Suppliers: map[string]connector.Connector{"a": r.a, "b": r.b},
		Profiles:  map[string]routing.SupplierProfile{"a": {Name: "a", SLA: routing.SLA{AcknowledgeWithin: 4 * time.Hour}}, "b": {Name: "b"}},
	}
	for _, opt := range opts {
		opt(&o, r)
	}
	r.Rig = apptest.New(t, o)
	r.Catalog.Replace("a", []routing.Offer{{SKU: "MUG", SupplierSKU: "A-MUG", Cost: usd("4.00"), Stock: 10}, {SKU: "TEE", SupplierSKU: "A-TEE", Cost: usd("9.00"), Stock: 10}})
	r.Catalog.Replace("b", []routing.Offer{{SKU: "TEE", SupplierSKU: "B-TEE", Cost: usd("7.00"), Stock: 10}})
	if r.c != nil {
		r.Catalog.Replace("c", []routing.Offer{{SKU: "TEE", SupplierSKU: "C-TEE", Cost: usd("8.50"), Stock: 10}, {SKU: "MUG", SupplierSKU: "C-MUG", Cost: usd("6.00"), Stock: 10}})
	}
	return r
}

// withBackup adds supplier "c" carrying TEE as a more expensive backup,
// and gives b an acknowledgement SLA of an hour with onBreach.
func withBackup(onBreach string) rigOption {
	return func(o *apptest.Options, r *rig) {
		r.c = apptest.NewSupplier("c")
		o.Suppliers["c"] = r.c
		o.Profiles["c"] = routing.SupplierProfile{Name: "c"}
		o.Profiles["b"] = routing.SupplierProfile{Name: "b", SLA: routing.SLA{AcknowledgeWithin: time.Hour, OnBreach: onBreach}}
	}
}

func backupRig(t *testing.T, onBreach string) *rig { return newRig(t, withBackup(onBreach)) }

// intake takes an order in; an error fails the test.
func (r *rig) intake(o *model.Order) {
	r.T.Helper()
	if err := r.S.Orders.Intake(context.Background(), o, cause); err != nil {
		r.T.Fatal(err)
	}
}

// cancel applies a channel's cancellation of o; an error fails the test.
func (r *rig) cancel(ev connector.ChannelEvent) {
	r.T.Helper()
	if err := r.S.Orders.Cancel(context.Background(), "shop", ev, cause); err != nil {
		r.T.Fatal(err)
	}
}

// order returns the stored order of the shop's order id.
func (r *rig) order(id string) *model.Aggregate {
	r.T.Helper()
	return r.Order(model.OrderID("shop", id))
}

// doc queues a supplier document and runs what it queued.
func (r *rig) doc(supplier string, d connector.InboundDoc) {
	r.T.Helper()
	if err := r.S.Purchasing.QueueDocument(context.Background(), supplier, "test-file", d); err != nil {
		r.T.Fatal(err)
	}
	r.Drain()
}

// raise records an exception as the services do; an error fails the test.
func (r *rig) raise(x model.Exception) {
	r.T.Helper()
	if err := r.S.Operations.Raise(context.Background(), x); err != nil {
		r.T.Fatal(err)
	}
}

// exception returns one exception; an error fails the test.
func (r *rig) exception(id string) *model.Exception {
	r.T.Helper()
	x, err := r.S.Operations.Exception(context.Background(), id)
	if err != nil {
		r.T.Fatal(err)
	}
	return x
}

func testOrder(id string, lines ...model.OrderLine) *model.Order {
	return apptest.NewOrder("shop", id, lines...)
}

func line(id, sku string, qty int64) model.OrderLine { return apptest.Line(id, sku, qty) }

func usd(s string) money.Money { return money.MustParse(s, "USD") }

var cause = apptest.Cause

func cancelEvent(o *model.Order, reason string) connector.ChannelEvent {
	return apptest.Cancellation(o, reason)
}

// timeline lists an order's timeline events, in order.
func timeline(a *model.Aggregate) string {
	var ev []string
	for _, e := range a.Timeline {
		ev = append(ev, e.Event)
	}
	return strings.Join(ev, " ")
}

// sendJob is the send job of one PO, as onDrafted queues it.
func sendJob(t *testing.T, po *model.PurchaseOrder) *store.Job {
	t.Helper()
	j, err := purchasing.KindSend.New(purchasing.PO{Order: po.OrderID, PO: po.Number, Supplier: po.Supplier})
	if err != nil {
		t.Fatal(err)
	}
	return &j
}
