package engine

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
)

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

	// A restart: a new engine and connector on the same store.
	r.e = r.engine()
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
	r := newSyncRig(t, 3)
	r.e.Sync.Pricing = nil
	r.sync()
	if got := r.level(skuN(0)); got != 18 {
		t.Fatalf("SKU-0000 at %d, want 18", got)
	}
	ctx := context.Background()
	o := testOrder("5001", line("1", skuN(0), 3), line("2", skuN(1), 1))
	if err := r.e.Intake(ctx, o, cause); err != nil {
		t.Fatal(err)
	}
	r.drain() // the PO goes out, and the sync Intake scheduled runs
	if a, b := r.level(skuN(0)), r.level(skuN(1)); a != 15 || b != 17 {
		t.Errorf("with 3 and 1 units committed: %d and %d, want 15 and 17", a, b)
	}
	if len(r.sup.sent) != 1 {
		t.Fatalf("PO sends: %v", r.sup.sent)
	}

	if err := r.e.CancelOrder(ctx, "shop", cancelEvent(o, "customer"), cause); err != nil {
		t.Fatal(err)
	}
	r.drain()
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
	r := newSyncRig(t, 3)
	r.cost[skuN(3)] = money.MustParse("10.00", "USD") // offered, but not in the shop
	r.setOffers(func(sku string, o *routing.Offer) {
		o.Stock = 20
		if sku == skuN(2) {
			o.MSRP = &money.Money{Amount: 1050, Currency: "USD"} // below cost + margin with the ceiling on
		}
	})
	r.cat.Replace("b", []routing.Offer{{SKU: skuN(0), SupplierSKU: "B-0", Cost: money.MustParse("9.00", "USD"), Stock: 5}})
	r.e.Sync.Pricing.MSRPCeiling = true
	r.sync()

	if got := r.level(skuN(0)); got != 23 { // 20 + 5 − 2
		t.Errorf("two suppliers, sum: %d, want 23", got)
	}
	xs := exceptions(t, r.st)
	var rejected, refused []string
	for _, x := range xs {
		switch x.Kind {
		case ExSyncRejected:
			rejected = append(rejected, x.Reason)
		case ExPriceRefused:
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
	if n := len(exceptions(t, r.st)); n != len(xs) {
		t.Errorf("second sync raised %d more exceptions", n-len(xs))
	}
}

// Calls within one window make one job; the periodic job is one per tick.
func TestScheduleSyncCoalesces(t *testing.T) {
	r := newSyncRig(t, 1)
	ctx := context.Background()
	for range 20 {
		if err := r.e.ScheduleSync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	j1, _ := r.e.PeriodicSyncJob(r.clk.Now())
	j2, _ := r.e.PeriodicSyncJob(r.clk.Now().Add(DefaultSyncWindow))
	if j1.UniqueKey != j2.UniqueKey || j1.Kind != KindSync {
		t.Errorf("periodic jobs within one period differ: %q %q", j1.UniqueKey, j2.UniqueKey)
	}
	stats, err := r.st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var pending int64
	for _, s := range stats {
		pending += s.Ready + s.Scheduled + s.Waiting
	}
	if pending != 1 {
		t.Errorf("20 calls queued %d jobs, want 1", pending)
	}
	off := &Engine{}
	if err := off.ScheduleSync(ctx); err != nil {
		t.Errorf("sync off: %v", err)
	}
	if _, ok := off.PeriodicSyncJob(r.clk.Now()); ok {
		t.Error("sync off: a periodic job")
	}
}

func exceptions(t *testing.T, st store.Store) []model.Exception {
	t.Helper()
	recs, _, err := st.ListRecords(context.Background(), RecException, store.Query{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]model.Exception, len(recs))
	for i, rec := range recs {
		if err := json.Unmarshal(rec.Data, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
