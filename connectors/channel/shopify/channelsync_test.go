package shopify_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/app/channelsync"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/internal/apptest"
)

// The connector under the channel sync (core/app/channelsync): quantities
// and prices pushed in batches, only what changed, never a 429.

// 100 SKUs go out once; a change to 10 of them pushes exactly those 10,
// quantities and prices; a restart with nothing changed pushes nothing;
// the shop never answers 429.
func TestSyncPushesOnlyChanges(t *testing.T) {
	r := newSyncRig(t, 100)

	calls := r.sync()
	inv, prices := r.f.InventoryHistory(), r.f.PriceHistory()
	if len(inv) != 100 || len(prices) != 100 {
		t.Fatalf("first sync: %d inventory sets and %d price updates, want 100 each", len(inv), len(prices))
	}
	for _, c := range inv {
		if c.Kind != "set" || c.Available != 18 { // 20 in stock − buffer 2
			t.Fatalf("first sync set %+v, want 18 available", c)
		}
	}
	for _, p := range prices {
		// 10.00 × 1.8 + 1.00 = 19.00, rounded up to the .99 ending.
		if got := p.Price.Decimal().String(); got != "19.99" || p.Price.Currency != "USD" {
			t.Fatalf("first sync priced %s %s, want 19.99 USD", got, p.Price.Currency)
		}
	}
	t.Logf("first sync of 100 SKUs: %d calls", calls)

	// Supplier stock changes for 10 SKUs; costs for 10 others.
	stockChanged := map[string]bool{}
	for i := 0; i < 100; i += 10 {
		stockChanged[skuN(i)] = true
	}
	r.setOffers(func(sku string, o *routing.Offer) {
		if stockChanged[sku] {
			o.Stock = 7
		}
	})
	costChanged := map[string]string{} // SKU → expected price
	for i := 5; i < 100; i += 10 {
		r.cost[skuN(i)] = money.MustParse("12.34", "USD")
		costChanged[skuN(i)] = "23.99" // 12.34 × 1.8 + 1.00 = 23.212 → 23.22 → 23.99
	}
	r.setOffers(func(string, *routing.Offer) {})
	calls = r.sync()

	newInv := r.f.InventoryHistory()[len(inv):]
	if len(newInv) != 10 {
		t.Fatalf("10%% change: %d inventory sets, want 10: %+v", len(newInv), newInv)
	}
	for _, c := range newInv {
		if sku := r.items[c.InventoryItemID]; !stockChanged[sku] || c.Available != 5 || c.Previous != 18 {
			t.Errorf("set %s %d→%d, want one of the changed SKUs 18→5", sku, c.Previous, c.Available)
		}
	}
	newPrices := r.f.PriceHistory()[len(prices):]
	if len(newPrices) != 10 {
		t.Fatalf("10%% change: %d price updates, want 10", len(newPrices))
	}
	for _, p := range newPrices {
		sku := r.vars[p.VariantID]
		if want, ok := costChanged[sku]; !ok || p.Price.Decimal().String() != want || p.PreviousPrice.Decimal().String() != "19.99" {
			t.Errorf("price of %s %s → %s, want 19.99 → %s", sku, p.PreviousPrice.Decimal(), p.Price.Decimal(), want)
		}
		if v, _ := r.f.Variant(p.VariantID); v.Price.Decimal().String() != "23.99" {
			t.Errorf("variant of %s is at %s on the shop", sku, v.Price.Decimal())
		}
	}
	t.Logf("10%% change on 100 SKUs (10 quantities, 10 prices): %d calls", calls)

	// A restart: new services and connector on the same store.
	r.restart()
	if calls := r.sync(); calls != 0 {
		t.Errorf("restart with nothing changed: %d calls to the shop, want 0", calls)
	}
	if n, m := len(r.f.InventoryHistory()), len(r.f.PriceHistory()); n != 110 || m != 110 {
		t.Errorf("restart pushed: history %d/%d, want 110/110", n, m)
	}
	if n := r.f.Throttled(""); n != 0 {
		t.Errorf("the shop answered %d 429s", n)
	}
}

// Units of open orders are held back until the order is cancelled; a
// stale feed counts as no stock.
func TestSyncCommittedAndStale(t *testing.T) {
	r := newSyncRig(t, 3, withoutPricing)
	r.sync()
	if got := r.level(skuN(0)); got != 18 {
		t.Fatalf("SKU-0000 at %d, want 18", got)
	}
	ctx := context.Background()
	o := apptest.NewOrder("shop", "5001", apptest.Line("1", skuN(0), 3), apptest.Line("2", skuN(1), 1))
	if err := r.S.Orders.Intake(ctx, o, apptest.Cause); err != nil {
		t.Fatal(err)
	}
	r.DrainIdle() // the PO goes out, and the sync the intake asked for runs
	if a, b := r.level(skuN(0)), r.level(skuN(1)); a != 15 || b != 17 {
		t.Errorf("with 3 and 1 units committed: %d and %d, want 15 and 17", a, b)
	}
	if sent := r.sup.Sent(); len(sent) != 1 {
		t.Fatalf("PO sends: %v", sent)
	}

	if err := r.S.Orders.Cancel(ctx, "shop", apptest.Cancellation(o, "customer"), apptest.Cause); err != nil {
		t.Fatal(err)
	}
	r.DrainIdle()
	if a, b := r.level(skuN(0)), r.level(skuN(1)); a != 18 || b != 18 {
		t.Errorf("after the cancellation: %d and %d, want 18 and 18", a, b)
	}

	r.setOffers(func(sku string, o *routing.Offer) { o.Stale = sku == skuN(2) })
	r.sync()
	if got := r.level(skuN(2)); got != 0 {
		t.Errorf("stale offer: SKU-0002 at %d, want 0", got)
	}
	if got := r.level(skuN(1)); got != 18 {
		t.Errorf("fresh offer: SKU-0001 at %d, want 18", got)
	}
}

// A second supplier adds up (sum), a SKU the shop does not list raises one
// exception and is not pushed again while its value holds, and a price the
// margin guard refuses raises an exception and leaves the shop's price.
func TestSyncRejectionsAndRefusals(t *testing.T) {
	r := newSyncRig(t, 3, func(s *channelsync.Settings) { s.Pricing.MSRPCeiling = true })
	r.cost[skuN(3)] = money.MustParse("10.00", "USD") // offered, but not in the shop
	r.setOffers(func(sku string, o *routing.Offer) {
		o.Stock = 20
		if sku == skuN(2) {
			o.MSRP = &money.Money{Amount: 1050, Currency: "USD"} // below cost + margin with the ceiling on
		}
	})
	r.cat.Replace("b", []routing.Offer{{SKU: skuN(0), SupplierSKU: "B-0", Cost: money.MustParse("9.00", "USD"), Stock: 5}})
	r.sync()

	if got := r.level(skuN(0)); got != 23 { // 20 + 5 − 2
		t.Errorf("two suppliers, sum: %d, want 23", got)
	}
	xs := r.Exceptions(nil)
	var rejected, refused []string
	for _, x := range xs {
		switch x.Kind {
		case model.ExSyncRejected:
			rejected = append(rejected, x.Reason)
		case model.ExPriceRefused:
			refused = append(refused, x.Ref+": "+x.Reason)
		}
	}
	slices.Sort(rejected)
	if len(rejected) != 2 || !strings.Contains(rejected[0], "shop refused the inventory of 1 SKU(s): SKU-0003: no variant") ||
		!strings.Contains(rejected[1], "shop refused the prices of 1 SKU(s): SKU-0003") {
		t.Errorf("rejections: %q", rejected)
	}
	if len(refused) != 1 || !strings.HasPrefix(refused[0], "SKU-0002: ") || !strings.Contains(refused[0], "min_margin") {
		t.Errorf("refusals: %q", refused)
	}
	for _, p := range r.f.PriceHistory() {
		if r.vars[p.VariantID] == skuN(2) {
			t.Errorf("a refused price was pushed: %+v", p)
		}
	}
	// Nothing changed: the refused SKU is not tried again, no calls.
	if calls := r.sync(); calls != 0 {
		t.Errorf("second sync made %d calls, want 0", calls)
	}
	if n := len(r.Exceptions(nil)); n != len(xs) {
		t.Errorf("second sync raised %d more exceptions", n-len(xs))
	}
}

// Calls within one window make one job; the periodic job is one per tick.
func TestScheduleSyncCoalesces(t *testing.T) {
	r := newSyncRig(t, 1)
	ctx := context.Background()
	for range 20 {
		if err := r.S.Sync.ScheduleSync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := pending(t, r.Rig); n != 1 {
		t.Errorf("20 calls queued %d jobs, want 1", n)
	}
	// Two replicas' ticks within one period: one more job, a recompute.
	for _, at := range []int{0, 1} {
		if err := r.S.Sync.PeriodicSync(ctx, r.clk.Now().Add(time.Duration(at)*channelsync.DefaultSyncWindow)); err != nil {
			t.Fatal(err)
		}
	}
	if n := pending(t, r.Rig); n != 2 {
		t.Errorf("periodic jobs within one period: %d jobs queued, want 2 (the coalesced one and one tick)", n)
	}
	// Both are recomputes (the tick waits behind the coalesced one in
	// their group).
	r.clk.Advance(channelsync.DefaultSyncWindow)
	var kinds []string
	for j := r.NextReady(time.Minute); j != nil; j = r.NextReady(time.Minute) {
		kinds = append(kinds, j.Kind)
		if err := r.Store.Ack(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{channelsync.KindSync.Name, channelsync.KindSync.Name}; !slices.Equal(kinds, want) {
		t.Errorf("queued jobs %v, want %v", kinds, want)
	}

	off := apptest.New(t, apptest.Options{})
	if err := off.S.Sync.ScheduleSync(ctx); err != nil {
		t.Errorf("sync off: %v", err)
	}
	if err := off.S.Sync.PeriodicSync(ctx, off.Clock.Now()); err != nil || off.S.Sync.SyncEvery() != 0 {
		t.Errorf("sync off: periodic sync %v, every %s", err, off.S.Sync.SyncEvery())
	}
	if n := pending(t, off); n != 0 {
		t.Errorf("sync off: %d jobs queued", n)
	}
}

// pending counts the jobs waiting in the rig's queues.
func pending(t *testing.T, r *apptest.Rig) int64 {
	t.Helper()
	stats, err := r.Store.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, s := range stats {
		n += s.Ready + s.Scheduled + s.Waiting
	}
	return n
}
