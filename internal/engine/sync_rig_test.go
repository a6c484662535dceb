package engine

import (
	"context"
	"fmt"
	"github.com/dropgate/dropgate/internal/connenv"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/dropgate/dropgate/connectors/channel/shopify"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/inventory"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/pricing"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/catalog"
	"github.com/dropgate/dropgate/internal/fakes/shopifyfake"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// syncRig is an engine whose channel "shop" is the real Shopify connector
// talking HTTP to a shopifyfake, on an embedded store; fake, store,
// connector and limiter share one fake clock, so nothing sleeps.
type syncRig struct {
	t     testing.TB
	clk   *clock.Fake
	st    *embedded.Store
	f     *shopifyfake.Fake
	url   string
	cat   *catalog.Catalog
	e     *Engine
	items map[uint64]string // inventory item id → SKU
	vars  map[uint64]string // variant id → SKU
	loc   uint64
	cost  map[string]money.Money // supplier a's cost by SKU
	sup   *recorder
}

func skuN(i int) string { return fmt.Sprintf("SKU-%04d", i) }

// newSyncRig seeds n SKUs in the shop (one product each, priced 5.00) and
// in supplier a's catalog (cost 10.00, stock 20).
func newSyncRig(t testing.TB, n int) *syncRig {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	st, err := embedded.Open(filepath.Join(t.TempDir(), "db"), embedded.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := shopifyfake.New(shopifyfake.WithClock(clk))
	t.Cleanup(f.Close)
	r := &syncRig{t: t, clk: clk, st: st, f: f, url: f.Start(), cat: catalog.New(), items: map[uint64]string{}, vars: map[uint64]string{},
		cost: map[string]money.Money{}, sup: &recorder{name: "a"}}
	r.loc = f.Locations()[0].ID
	for i := range n {
		r.addProduct(skuN(i))
		r.cost[skuN(i)] = money.MustParse("10.00", "USD")
	}
	r.setOffers(func(sku string, o *routing.Offer) { o.Stock = 20 })
	r.e = r.engine()
	return r
}

func (r *syncRig) addProduct(sku string) {
	p, err := r.f.AddProduct(shopifyfake.NewProduct{Title: sku, Variants: []shopifyfake.NewVariant{{SKU: sku, Price: money.MustParse("5.00", "USD")}}})
	if err != nil {
		r.t.Fatal(err)
	}
	r.items[p.Variants[0].InventoryItemID] = sku
	r.vars[p.Variants[0].ID] = sku
}

// setOffers replaces supplier a's offers, one per SKU of r.cost, after
// edit; stocks not set by edit keep their current value.
func (r *syncRig) setOffers(edit func(sku string, o *routing.Offer)) {
	var offers []routing.Offer
	for i := range len(r.cost) {
		sku := skuN(i)
		o := routing.Offer{SKU: sku, SupplierSKU: "A-" + sku, Cost: r.cost[sku]}
		if cur, ok := r.cat.BySupplierSKU("a", "A-"+sku); ok {
			o.Stock, o.Stale, o.MAP, o.MSRP = cur.Stock, cur.Stale, cur.MAP, cur.MSRP
		}
		edit(sku, &o)
		offers = append(offers, o)
	}
	r.cat.Replace("a", offers)
}

// engine builds an Engine (a process) on the rig's store, with its own
// Shopify connector instance, so a second call is a restart.
func (r *syncRig) engine() *Engine {
	r.t.Helper()
	log := slog.New(slog.DiscardHandler)
	env := connenv.New(r.st, connenv.Options{Name: "shop", Namespace: "shopify", Logger: log, Clock: r.clk, RateLimit: store.Limit{Rate: 2, Burst: 40}})
	conn, err := shopify.New(env, &shopify.Config{ShopDomain: shopifyfake.DefaultShop, AccessToken: connector.Secret(shopifyfake.DefaultToken),
		WebhookSecret: "secret", APIVersion: shopify.DefaultAPIVersion, BaseURL: r.url, Currency: "USD"})
	if err != nil {
		r.t.Fatal(err)
	}
	buffer := int64(2)
	profiles := map[string]routing.SupplierProfile{"a": {Name: "a", Priority: 1}, "b": {Name: "b", Priority: 2}}
	return &Engine{
		Store: r.st, Clock: r.clk, Log: log, Catalog: r.cat,
		Router:   &routing.Router{Suppliers: profiles, Catalog: r.cat},
		Channels: map[string]connector.Connector{"shop": conn}, Suppliers: map[string]connector.Connector{"a": r.sup},
		Profiles: profiles,
		Sync: SyncSettings{
			Inventory: &inventory.Config{Aggregate: inventory.AggregateSum, SafetyBuffer: &buffer},
			Pricing:   &pricing.Config{Markup: decimal.MustParse("1.8"), Fixed: decimal.MustParse("1.00"), Endings: []string{".99"}},
		},
	}
}

// sync schedules a sync and runs every job until the queue has been idle
// for a minute of fake time. It returns the shop's requests meanwhile.
func (r *syncRig) sync() int {
	r.t.Helper()
	before := r.f.Requests("")
	if err := r.e.ScheduleSync(context.Background()); err != nil {
		r.t.Fatal(err)
	}
	r.drain()
	return r.f.Requests("") - before
}

// drain plays the worker: handlers by kind, throttled jobs rescheduled
// without spending an attempt, the fake clock advanced when nothing is
// ready (to the throttle's end, else by a second).
func (r *syncRig) drain() {
	r.t.Helper()
	ctx := context.Background()
	handlers := map[string]func(context.Context, *store.Job) error{
		KindSync: r.e.handleSync, KindInventoryPush: r.e.handleInventoryPush, KindPricePush: r.e.handlePricePush,
		KindPOSend: r.e.handlePOSend, KindPOCancel: r.e.handlePOCancel,
	}
	var wake time.Time
	for idle := time.Duration(0); idle < time.Minute; {
		j := nextReady(r.t, r.st, time.Hour)
		if j == nil {
			step := time.Second
			if d := wake.Sub(r.clk.Now()); d > 0 {
				step = d
			}
			r.clk.Advance(step)
			idle += step
			continue
		}
		idle = 0
		h := handlers[j.Kind]
		if h == nil {
			r.t.Fatalf("unexpected job %s", j.Kind)
		}
		herr := h(ctx, j)
		var err error
		switch class, notBefore := fault.Classify(herr); class {
		case fault.ClassNone, fault.ClassPartial:
			err = r.st.Ack(ctx, j)
		case fault.ClassThrottled:
			wake = notBefore
			err = r.st.Retry(ctx, j, notBefore, herr, false)
		default:
			r.t.Fatalf("%s: %v", j.Kind, herr)
		}
		if err != nil {
			r.t.Fatal(err)
		}
	}
}

// level is the shop's available quantity of a SKU (-1: not stocked).
func (r *syncRig) level(sku string) int {
	for item, s := range r.items {
		if s == sku {
			if l, ok := r.f.InventoryLevel(item, r.loc); ok {
				return l.Available
			}
			return -1
		}
	}
	r.t.Fatalf("no product for %s", sku)
	return 0
}
