package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/fakes/kit"
	"github.com/dropgate/dropgate/internal/fakes/magentofake"
)

// magentoLoop is the end-to-end world of a Magento store: the real
// binary polling magentofake, and two simulated X12 suppliers (acme ships
// at once, slow after an hour).
func magentoLoop(t *testing.T) (*loop, *magentofake.Fake) {
	t.Helper()
	fake := magentofake.New(magentofake.WithLimit(&kit.TokenBucket{Rate: 4, Burst: 20}))
	fakeURL := fake.Start()
	t.Cleanup(fake.Close)
	cfg := fmt.Sprintf(`server: { listen: "127.0.0.1:0", admin_token: "%s" }
store: { driver: embedded, path: ./var/dropgate.db }
workers: { inbox_poll: 200ms, concurrency: 8 }
channels:
  - name: magento
    type: magento2
    base_url: %q
    access_token: "${E2E_MAGENTO_TOKEN:-%s}"
    poll_every: 1s
    rate_limit: { per_second: 4, burst: 20 }
    reconcile: { every: 1s, lookback: 2h }
routing: { strategy: cheapest }
inventory: { safety_buffer: 0, sync_every: 1h, channels: [magento] }
pricing: { channels: [magento], currency: USD, markup: "2" }
`, loopAdmin, fakeURL, magentofake.Token)
	return twoSupplierLoop(t, cfg), fake
}

// magentoWait polls the fake until cond holds (a hang guard only).
func magentoWait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestMagentoEndToEnd: an order placed on the Magento store (a
// configurable tee and a mug) is polled in once, becomes a PO at acme, the
// 856 comes back and the store shows the shipment with the right items,
// quantities, carrier and tracking; an order at the slow supplier
// cancelled on the store cancels its PO; stock and prices reach the store,
// only what changed, with no quota violation.
func TestMagentoEndToEnd(t *testing.T) {
	t.Parallel()
	l, fake := magentoLoop(t)

	// Stock and prices of every SKU reach the store.
	magentoWait(t, "stock and prices on the store", func() bool {
		for _, sku := range []string{"MUG", "TEE", "LAMP"} {
			if _, ok := fake.SourceItem(sku, "default"); !ok {
				return false
			}
			if _, ok := fake.Price(sku); !ok {
				return false
			}
		}
		return true
	})
	if p, _ := fake.Price("MUG"); magentofake.Cents(p.Price) != 600 {
		t.Errorf("MUG price %s; want 6.00 (cost 3.00 × 2)", p.Price)
	}
	if s, _ := fake.SourceItem("MUG", "default"); s.Quantity.String() != "50" {
		t.Errorf("MUG stock %s; want 50", s.Quantity)
	}

	mo := fake.AddOrder(magentofake.NewOrder{Email: "ada@example.com", Shipping: "4.50", Paid: true, Lines: []magentofake.Line{
		{SKU: "TEE", Name: "Tee", Qty: 2, Price: "10.00", Configurable: true},
		{SKU: "MUG", Name: "Mug", Qty: 1, Price: "6.00"},
	}})
	id := model.OrderID("magento", strconv.FormatInt(mo.EntityID, 10))
	a := l.wait(id, "the order shipped", func(a *model.Aggregate) bool { return a.Order.Status == model.OrderShipped })
	if len(a.POs) != 1 || a.POs[0].Supplier != "acme" || len(a.Order.Lines) != 2 {
		t.Fatalf("order %s: %d POs, %d lines", id, len(a.POs), len(a.Order.Lines))
	}
	magentoWait(t, "the shipment on the store", func() bool { return len(fake.Shipments(mo.EntityID)) > 0 })
	qty := map[int64]int64{}
	var tracks []magentofake.Track
	for _, s := range fake.Shipments(mo.EntityID) {
		for _, it := range s.Items {
			qty[it.OrderItemID] += it.Qty
		}
		tracks = append(tracks, s.Tracks...)
	}
	if qty[mo.Items[0].ItemID] != 2 || qty[mo.Items[2].ItemID] != 1 || len(qty) != 2 {
		t.Errorf("shipped %v; want tee (parent item %d) 2, mug (%d) 1", qty, mo.Items[0].ItemID, mo.Items[2].ItemID)
	}
	shipped := a.Shipments
	if len(tracks) == 0 || len(shipped) == 0 || tracks[0].CarrierCode != "ups" || tracks[0].TrackNumber != shipped[0].Packages[0].TrackingNumber {
		t.Errorf("tracks %+v; want ups with %+v", tracks, shipped)
	}
	if o, _ := fake.Order(mo.EntityID); o.State != "complete" {
		t.Errorf("store order state %q; want complete", o.State)
	}

	// A cancellation on the store cancels the PO at the slow supplier.
	lamp := fake.AddOrder(magentofake.NewOrder{Email: "bob@example.com", Paid: true, Lines: []magentofake.Line{{SKU: "LAMP", Name: "Lamp", Qty: 1, Price: "14.00"}}})
	lampID := model.OrderID("magento", strconv.FormatInt(lamp.EntityID, 10))
	l.wait(lampID, "the lamp's PO sent", func(a *model.Aggregate) bool {
		return len(a.POs) == 1 && a.POs[0].Status != model.PODraft
	})
	if err := fake.Cancel(lamp.EntityID); err != nil {
		t.Fatal(err)
	}
	a = l.wait(lampID, "the lamp order cancelled", func(a *model.Aggregate) bool {
		return a.Order.Status == model.OrderCancelled && len(a.POs) == 1 && a.POs[0].Status == model.POCancelled
	})

	// Only what changed: each SKU's price was written once, and no stock
	// write repeated the quantity the store already had.
	for _, sku := range []string{"MUG", "TEE", "LAMP"} {
		if n := fake.PriceChanges(sku); n != 1 {
			t.Errorf("%s price written %d times; want once", sku, n)
		}
	}
	var writes int
	for _, w := range fake.InventoryWrites() {
		if w.SKU == "MUG" {
			writes++
		}
	}
	if writes != fake.InventoryChanges("MUG") {
		t.Errorf("MUG stock written %d times for %d changes: a write that changed nothing", writes, fake.InventoryChanges("MUG"))
	}

	// Each order was taken in once, however many polls listed it.
	var list struct{ Orders []model.Order }
	l.admin("/orders?channel=magento", &list)
	if len(list.Orders) != 2 {
		t.Errorf("%d orders for 2 placed on the store", len(list.Orders))
	}
	if v := fake.Server().QuotaViolations(); v != 0 {
		t.Errorf("%d quota violations on the store", v)
	}
	// HTTP calls per order, end to end (lists, shipments, stock, prices).
	var byRoute = map[string]int{}
	for _, r := range fake.Server().Requests() {
		route := r.Method + " " + r.Path
		if i := strings.Index(route, "/V1/"); i >= 0 {
			route = r.Method + " " + route[i:]
		}
		byRoute[route]++
	}
	t.Logf("magento calls in all, for 2 orders: %d: %v", len(fake.Server().Requests()), byRoute)
}
