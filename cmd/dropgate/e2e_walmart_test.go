package main

import (
	"fmt"
	"testing"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/fakes/kit"
	"github.com/dropgate/dropgate/internal/fakes/walmartfake"
)

// walmartLoop is the end-to-end world of a Walmart seller: the real
// binary polling walmartfake, and two simulated X12 suppliers (acme ships
// at once, slow after an hour).
func walmartLoop(t *testing.T) (*loop, *walmartfake.Fake) {
	t.Helper()
	fake := walmartfake.New(walmartfake.WithLimit(kit.Walmart(5, 20)))
	fakeURL := fake.Start()
	t.Cleanup(fake.Close)
	cfg := fmt.Sprintf(`server: { listen: "127.0.0.1:0", admin_token: "%s" }
store: { driver: embedded, path: ./var/dropgate.db }
workers: { inbox_poll: 200ms, concurrency: 8 }
channels:
  - name: walmart
    type: walmart
    base_url: %q
    client_id: %s
    client_secret: "${E2E_WALMART_SECRET:-%s}"
    poll_every: 1s
    rate_limit: { per_second: 5, burst: 20 }
    reconcile: { every: 1s, lookback: 2h }
routing: { strategy: cheapest }
inventory: { safety_buffer: 0, sync_every: 1h, channels: [walmart] }
pricing: { channels: [walmart], currency: USD, markup: "2" }
`, loopAdmin, fakeURL, walmartfake.ClientID, walmartfake.ClientSecret)
	l := twoSupplierLoop(t, cfg)
	return l, fake
}

// TestWalmartEndToEnd: an order released on Walmart is polled in once and
// acknowledged, becomes a PO at acme, the 856 comes back and Walmart shows
// its lines Shipped by UPS with the tracking; an order at the slow
// supplier whose line Walmart cancels cancels its PO; stock and prices
// reach Walmart with no quota violation.
func TestWalmartEndToEnd(t *testing.T) {
	t.Parallel()
	l, fake := walmartLoop(t)

	magentoWait(t, "stock and prices on Walmart", func() bool {
		for _, sku := range []string{"MUG", "TEE", "LAMP"} {
			if _, ok := fake.Inventory(sku); !ok {
				return false
			}
			if _, ok := fake.Price(sku); !ok {
				return false
			}
		}
		return true
	})
	if p, _ := fake.Price("MUG"); walmartfake.Cents(p.Amount) != 600 {
		t.Errorf("MUG price %s; want 6.00 (cost 3.00 × 2)", p.Amount)
	}
	if n, _ := fake.Inventory("MUG"); n != 50 {
		t.Errorf("MUG stock %d; want 50", n)
	}

	wo := fake.AddOrder(walmartfake.NewLine{SKU: "TEE", Name: "Tee", Qty: 2, Price: "20.00"},
		walmartfake.NewLine{SKU: "MUG", Name: "Mug", Qty: 1, Price: "6.00"})
	id := model.OrderID("walmart", wo.PurchaseOrderID)
	a := l.wait(id, "the order shipped", func(a *model.Aggregate) bool { return a.Order.Status == model.OrderShipped })
	if len(a.POs) != 1 || a.POs[0].Supplier != "acme" || len(a.Order.Lines) != 2 {
		t.Fatalf("order %s: %d POs, %d lines", id, len(a.POs), len(a.Order.Lines))
	}
	magentoWait(t, "the shipment on Walmart", func() bool {
		n := 0
		for _, s := range fake.Shipments(wo.PurchaseOrderID) {
			n += len(s.Lines)
		}
		return n >= 2
	})
	qty := map[string]int64{}
	for _, s := range fake.Shipments(wo.PurchaseOrderID) {
		for _, sl := range s.Lines {
			qty[sl.LineNumber] += sl.Qty
			if sl.Tracking.CarrierName.Carrier != "UPS" || sl.Tracking.TrackingNumber != a.Shipments[0].Packages[0].TrackingNumber {
				t.Errorf("line %s shipped with %+v; want UPS and %s", sl.LineNumber, sl.Tracking, a.Shipments[0].Packages[0].TrackingNumber)
			}
		}
	}
	if qty["1"] != 2 || qty["2"] != 1 || len(qty) != 2 {
		t.Errorf("shipped %v; want line 1 (tee) 2, line 2 (mug) 1", qty)
	}
	magentoWait(t, "the order acknowledged", func() bool { return fake.Acks(wo.PurchaseOrderID) > 0 })

	// Walmart cancels the lamp order's only line: the PO is cancelled.
	lamp := fake.AddOrder(walmartfake.NewLine{SKU: "LAMP", Name: "Lamp", Qty: 1, Price: "14.00"})
	lampID := model.OrderID("walmart", lamp.PurchaseOrderID)
	l.wait(lampID, "the lamp's PO sent", func(a *model.Aggregate) bool {
		return len(a.POs) == 1 && a.POs[0].Status != model.PODraft
	})
	fake.CancelLine(lamp.PurchaseOrderID, "1")
	l.wait(lampID, "the lamp order cancelled", func(a *model.Aggregate) bool {
		return a.Order.Status == model.OrderCancelled && len(a.POs) == 1 && a.POs[0].Status == model.POCancelled
	})

	var list struct{ Orders []model.Order }
	l.admin("/orders?channel=walmart", &list)
	if len(list.Orders) != 2 {
		t.Errorf("%d orders for 2 released on Walmart", len(list.Orders))
	}
	for _, po := range []string{wo.PurchaseOrderID, lamp.PurchaseOrderID} {
		if n := fake.Acks(po); n != 1 {
			t.Errorf("order %s acknowledged %d times; want once", po, n)
		}
	}
	if v := fake.Server().QuotaViolations(); v != 0 {
		t.Errorf("%d quota violations on Walmart", v)
	}
	if n := fake.TokensIssued(); n != 1 {
		t.Errorf("%d tokens minted in a run shorter than 15 minutes; want 1", n)
	}
}
