package shopify_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/dropgate/dropgate/connectors/channel/shopify"
	"github.com/dropgate/dropgate/core/app/channelsync"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/inventory"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/pricing"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/apptest"
	"github.com/dropgate/dropgate/internal/catalog"
	"github.com/dropgate/dropgate/internal/connenv"
	"github.com/dropgate/dropgate/internal/fakes/shopifyfake"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// syncRig is the application whose channel "shop" is this connector
// talking HTTP to a shopifyfake, on an embedded store; fake, store,
// connector and limiter share one fake clock, so nothing sleeps. The
// embedded Rig is the current process; restart builds another on the
// same store.
type syncRig struct {
	*apptest.Rig
	t        testing.TB
	clk      *clock.Fake
	st       *embedded.Store
	f        *shopifyfake.Fake
	url      string
	cat      *catalog.Catalog
	settings channelsync.Settings
	items    map[uint64]string // inventory item id → SKU
	vars     map[uint64]string // variant id → SKU
	loc      uint64
	cost     map[string]money.Money // supplier a's cost by SKU
	sup      *apptest.Supplier
}

func skuN(i int) string { return fmt.Sprintf("SKU-%04d", i) }

// withoutPricing turns the price sync off.
func withoutPricing(s *channelsync.Settings) { s.Pricing = nil }

// newSyncRig seeds n SKUs in the shop (one product each, priced 5.00) and
// in supplier a's catalog (cost 10.00, stock 20). The sync sums the
// suppliers' stock less a buffer of 2, and prices at cost × 1.8 + 1.00
// ending in .99; edits change that before the application is built.
func newSyncRig(t testing.TB, n int, edits ...func(*channelsync.Settings)) *syncRig {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	f := shopifyfake.New(shopifyfake.WithClock(clk))
	t.Cleanup(f.Close)
	buffer := int64(2)
	r := &syncRig{t: t, clk: clk, st: apptest.NewStore(t, clk), f: f, url: f.Start(), cat: catalog.New(),
		items: map[uint64]string{}, vars: map[uint64]string{}, cost: map[string]money.Money{}, sup: apptest.NewSupplier("a"),
		settings: channelsync.Settings{
			Inventory: &inventory.Config{Aggregate: inventory.AggregateSum, SafetyBuffer: &buffer},
			Pricing:   &pricing.Config{Markup: decimal.MustParse("1.8"), Fixed: decimal.MustParse("1.00"), Endings: []string{".99"}},
		}}
	for _, edit := range edits {
		edit(&r.settings)
	}
	r.loc = f.Locations()[0].ID
	for i := range n {
		r.addProduct(skuN(i))
		r.cost[skuN(i)] = money.MustParse("10.00", "USD")
	}
	r.setOffers(func(sku string, o *routing.Offer) { o.Stock = 20 })
	r.restart()
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

// restart builds a process on the rig's store and catalog, with its own
// Shopify connector instance: the first call starts it, another is a
// restart.
func (r *syncRig) restart() {
	r.t.Helper()
	log := slog.New(slog.DiscardHandler)
	env := connenv.New(r.st, connenv.Options{Name: "shop", Namespace: "shopify", Logger: log, Clock: r.clk, RateLimit: store.Limit{Rate: 2, Burst: 40}})
	conn, err := shopify.New(env, &shopify.Config{ShopDomain: shopifyfake.DefaultShop, AccessToken: connector.Secret(shopifyfake.DefaultToken),
		WebhookSecret: "secret", APIVersion: shopify.DefaultAPIVersion, BaseURL: r.url, Currency: "USD"})
	if err != nil {
		r.t.Fatal(err)
	}
	r.Rig = apptest.New(r.t, apptest.Options{Store: r.st, Clock: r.clk, Catalog: r.cat, Log: log,
		Channels: map[string]connector.Connector{"shop": conn}, Suppliers: map[string]connector.Connector{"a": r.sup},
		Profiles: map[string]routing.SupplierProfile{"a": {Name: "a", Priority: 1}, "b": {Name: "b", Priority: 2}},
		Sync:     r.settings})
}

// sync schedules a sync and runs every job until the queue has been idle
// for a minute of fake time. It returns the shop's requests meanwhile.
func (r *syncRig) sync() int {
	r.t.Helper()
	before := r.f.Requests("")
	if err := r.S.Sync.ScheduleSync(context.Background()); err != nil {
		r.t.Fatal(err)
	}
	r.DrainIdle()
	return r.f.Requests("") - before
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
