package apptest_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/app/reconcile"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/internal/apptest"
)

// lister is a channel whose orders a sweep lists: each order with the
// time it last changed. With webhooks set it also receives webhooks (it
// verifies nothing: only whether it has them matters here).
type lister struct {
	mu      sync.Mutex
	orders  map[string]*model.Order
	changed map[string]time.Time
	since   []time.Time // the cursor of every poll, as a time
}

type webhookLister struct{ *lister }

func (webhookLister) VerifyWebhook(http.Header, []byte) (connector.Delivery, error) {
	return connector.Delivery{}, nil
}

func newLister() *lister {
	return &lister{orders: map[string]*model.Order{}, changed: map[string]time.Time{}}
}

func (l *lister) Name() string { return "store" }
func (l *lister) Type() string { return "lister" }

func (l *lister) put(o *model.Order, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.orders[o.ChannelOrderID], l.changed[o.ChannelOrderID] = o, at
}

func (l *lister) CursorAt(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func (l *lister) PollOrders(_ context.Context, cursor string) ([]connector.ChannelEvent, string, error) {
	since, _ := time.Parse(time.RFC3339Nano, cursor)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.since = append(l.since, since)
	var evs []connector.ChannelEvent
	for id, at := range l.changed {
		if at.Before(since) {
			continue
		}
		o := *l.orders[id]
		kind := connector.EventOrderUpdated
		if o.CancelledAt != nil {
			kind = connector.EventOrderCancelled
		}
		evs = append(evs, connector.ChannelEvent{Kind: kind, ChannelOrderID: id, Order: &o, At: at})
	}
	return evs, cursor, nil
}

func sweepRig(t *testing.T, ch connector.Connector) (*apptest.Rig, *apptest.Supplier) {
	sup := apptest.NewSupplier("a")
	r := apptest.New(t, apptest.Options{Channels: map[string]connector.Connector{"store": ch},
		Suppliers: map[string]connector.Connector{"a": sup},
		Profiles:  map[string]routing.SupplierProfile{"a": {Name: "a"}}})
	r.Catalog.Replace("a", []routing.Offer{{SKU: "MUG", SupplierSKU: "A-MUG", Cost: usd("4.00"), Stock: 50}})
	return r, sup
}

// TestSweepTakesMissedOrdersInOnce: orders the webhooks never delivered
// come in through the sweep, once however often it runs, and an exception
// (and a metrics event) says the webhooks stopped; what a webhook already
// brought is left alone.
func TestSweepTakesMissedOrdersInOnce(t *testing.T) {
	l := newLister()
	r, sup := sweepRig(t, webhookLister{l})
	ctx := context.Background()
	old := r.Clock.Now().Add(-time.Hour)
	delivered := apptest.NewOrder("store", "1", apptest.Line("1", "MUG", 1))
	if err := r.S.Orders.Intake(ctx, delivered, apptest.Cause); err != nil { // its webhook came
		t.Fatal(err)
	}
	l.put(delivered, old)
	for _, id := range []string{"2", "3"} {
		l.put(apptest.NewOrder("store", id, apptest.Line("1", "MUG", 2)), old)
	}
	var missed int64
	r.Deps.Events.On(model.EvWebhooksMissed, "test", func(_ context.Context, _ *model.Aggregate, ev model.Event) error {
		missed += ev.Quantity
		return nil
	})
	rep, err := r.S.Reconcile.SweepNow(ctx, "store", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Orders != 3 || rep.New != 2 || rep.Missed != 2 || missed != 2 {
		t.Fatalf("report %+v, metrics event %d", rep, missed)
	}
	r.Drain()
	if len(sup.Sent()) != 3 {
		t.Errorf("POs sent: %v, want one per order", sup.Sent())
	}
	xs := r.Exceptions(map[string]string{"kind": string(model.ExWebhooksStopped), "status": "open"})
	if len(xs) != 1 || xs[0].Supplier != "store" {
		t.Fatalf("webhooks_stopped exceptions: %+v", xs)
	}
	// The next sweep finds the same orders and takes nothing in.
	r.Clock.Advance(time.Minute)
	rep, err = r.S.Reconcile.SweepNow(ctx, "store", time.Time{})
	if err != nil || rep.New != 0 || rep.Missed != 0 {
		t.Fatalf("second sweep: %+v %v", rep, err)
	}
	if r.Drain(); len(sup.Sent()) != 3 {
		t.Errorf("a second sweep sent POs again: %v", sup.Sent())
	}
	// It listed from the first sweep's start minus the lookback.
	if got, want := l.since[1], apptest.Start.Add(-reconcile.DefaultLookback); !got.Equal(want) {
		t.Errorf("second sweep listed since %v, want %v", got, want)
	}
}

// TestSweepWithoutWebhooksIsThePoll: a channel without webhooks (a
// marketplace) is polled by the sweep: its orders come in, and nothing
// says webhooks stopped. A cancellation it lists cancels the order.
func TestSweepWithoutWebhooksIsThePoll(t *testing.T) {
	l := newLister()
	r, sup := sweepRig(t, l)
	ctx := context.Background()
	o := apptest.NewOrder("store", "7", apptest.Line("1", "MUG", 1))
	l.put(o, r.Clock.Now().Add(-time.Hour))
	if err := r.S.Reconcile.Schedule(ctx, r.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	r.Drain()
	if len(sup.Sent()) != 1 || len(r.Exceptions(map[string]string{"kind": string(model.ExWebhooksStopped)})) != 0 {
		t.Fatalf("sent %v, exceptions %+v", sup.Sent(), r.Exceptions(nil))
	}
	c := *o
	at := r.Clock.Now()
	c.CancelledAt = &at
	l.put(&c, at)
	r.Clock.Advance(reconcile.DefaultEvery)
	if err := r.S.Reconcile.Schedule(ctx, r.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	r.Drain()
	if a := r.Order(o.ID); a.Order.Status != model.OrderCancelled || len(sup.Cancelled()) != 1 {
		t.Errorf("after the polled cancellation: %s, cancelled %v", a.Order.Status, sup.Cancelled())
	}
}

// TestShipByDeadlineIsWatched: an order with a marketplace's ship-by date
// is checked ahead of it; unshipped units then raise an exception.
func TestShipByDeadlineIsWatched(t *testing.T) {
	r, _ := sweepRig(t, newLister())
	ctx := context.Background()
	o := apptest.NewOrder("store", "9", apptest.Line("1", "MUG", 1))
	by := r.Clock.Now().Add(48 * time.Hour)
	o.ShipBy = &by
	if err := r.S.Orders.Intake(ctx, o, apptest.Cause); err != nil {
		t.Fatal(err)
	}
	r.Drain()
	if xs := r.Exceptions(map[string]string{"kind": string(model.ExShipByAtRisk)}); len(xs) != 0 {
		t.Fatalf("raised before its time: %+v", xs)
	}
	r.Clock.Advance(25 * time.Hour) // 23 hours before the deadline
	r.Drain()
	xs := r.Exceptions(map[string]string{"kind": string(model.ExShipByAtRisk), "order": o.ID})
	if len(xs) != 1 {
		t.Fatalf("ship_by_at_risk exceptions: %+v", r.Exceptions(nil))
	}
}
