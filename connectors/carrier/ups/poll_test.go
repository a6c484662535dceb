package ups

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/apptest"
	"github.com/dropgate/dropgate/internal/connenv"
	"github.com/dropgate/dropgate/internal/fakes/upsfake"
)

type shop struct{}

func (shop) Name() string { return "shop" }
func (shop) Type() string { return "fake" }
func (shop) PushFulfillment(_ context.Context, _ *model.Order, sh *model.Shipment) (string, error) {
	return "F-" + sh.ID, nil
}

// The application polls a shipped UPS parcel through this connector on
// the tracking service's schedule (fake clock, no sleeps): first 2h after
// the ship notice, again 2h after a poll that brought news, backing off
// (4h, 8h…) while UPS has nothing new, and never again once delivered,
// which makes the order delivered.
func TestAppPollsUntilDelivered(t *testing.T) {
	clk := clock.NewFake(apptest.Start)
	st := apptest.NewStore(t, clk)
	env := connenv.New(st, connenv.Options{Name: "ups", Namespace: "ups", Clock: clk, Logger: slog.New(slog.DiscardHandler),
		RateLimit: store.Limit{Rate: 100, Burst: 1000}, Retry: connector.DefaultRetry})
	f := upsfake.New(upsfake.WithClock(clk))
	c, err := newConnector(env, &Config{ClientID: upsfake.ClientID, ClientSecret: connector.Secret(upsfake.ClientSecret),
		BaseURL: "https://onlinetools.ups.test"}, f.Transport())
	if err != nil {
		t.Fatal(err)
	}
	sup := apptest.NewSupplier("a")
	r := apptest.New(t, apptest.Options{Store: st, Clock: clk,
		Channels: map[string]connector.Connector{"shop": shop{}}, Suppliers: map[string]connector.Connector{"a": sup},
		Others: map[string]connector.Connector{"ups": c}})
	r.Catalog.Replace("a", []routing.Offer{{SKU: "MUG", SupplierSKU: "A-MUG", Cost: money.MustParse("4.00", "USD"), Stock: 10}})
	ctx := context.Background()
	if err := r.S.Orders.Intake(ctx, apptest.NewOrder("shop", "1", apptest.Line("1", "MUG", 1)), apptest.Cause); err != nil {
		t.Fatal(err)
	}
	r.Drain()
	id := model.OrderID("shop", "1")
	po := r.Order(id).POs[0]
	sn := connector.InboundDoc{ID: "856-1", PONumber: po.Number, ShipNotice: &model.ShipNotice{PONumber: po.Number, Carrier: "ups",
		Packages: []model.Package{{TrackingNumber: number, Lines: []model.ShipmentLine{{SKU: "A-MUG", Quantity: 1}}}}}}
	if err := r.S.Purchasing.QueueDocument(ctx, "a", "test-file", sn); err != nil {
		t.Fatal(err)
	}
	r.Drain()
	if s := r.Order(id).Order.Status; s != model.OrderShipped {
		t.Fatalf("order %s, want shipped", s)
	}
	t0 := clk.Now()
	f.AddScan(number, upsfake.Scan(t0.Add(time.Hour), "I", "OR", "Origin Scan"))
	step := func(d time.Duration, wantTracked int) {
		t.Helper()
		clk.Advance(d)
		r.Drain()
		if got := f.Tracked(number); got != wantTracked {
			t.Fatalf("after %s more: UPS asked %d times, want %d", d, got, wantTracked)
		}
	}
	step(2*time.Hour-time.Minute, 0)
	step(time.Minute, 1) // the first poll: in transit
	if s := r.Order(id).Shipments[0].Packages[0].Status; s != model.TrackInTransit {
		t.Fatalf("package %s, want in_transit", s)
	}
	step(2*time.Hour, 2) // news last time: 2h again; nothing new now
	step(2*time.Hour, 2) // quiet once: 4h
	step(2*time.Hour, 3)
	step(4*time.Hour, 3) // quiet twice: 8h
	f.AddScan(number, upsfake.Scan(clk.Now(), "D", "KB", "DELIVERED"))
	step(4*time.Hour, 4)
	a := r.Order(id)
	if a.Order.Status != model.OrderDelivered || a.Shipments[0].Status != model.TrackDelivered {
		t.Fatalf("order %s shipment %s, want delivered", a.Order.Status, a.Shipments[0].Status)
	}
	if ev := a.Shipments[0].Packages[0].Events; len(ev) != 2 || ev[1].Code != "D:KB" || ev[1].Provider != "ups" {
		t.Fatalf("events %+v", ev)
	}
	step(72*time.Hour, 4) // final: no more polls
	// Polls at +2h, +4h (the same 4h token), +8h and +16h (each past
	// the previous token's life): three tokens.
	if f.Minted() != 3 {
		t.Errorf("minted %d tokens for 4 polls over 16h, want 3", f.Minted())
	}
}
