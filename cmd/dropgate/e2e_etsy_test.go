package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/fakes/edisupplier"
	"github.com/dropgate/dropgate/internal/fakes/etsyfake"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// etsyLoop is the end-to-end world of an Etsy shop: the real binary
// polling etsyfake, and two simulated X12 suppliers (acme ships at once,
// slow after an hour). The shop sells MUG and TEE as two variations of
// one listing, and LAMP on its own.
func etsyLoop(t *testing.T) (*loop, *etsyfake.Fake, int64) {
	t.Helper()
	dir := t.TempDir()
	fake := etsyfake.New(etsyfake.WithLimit(kit.Etsy(10, 10000)))
	listing := fake.AddListing(1, 100, "MUG", "TEE")
	fake.AddListing(1, 100, "LAMP")
	fakeURL := fake.Start()
	t.Cleanup(fake.Close)
	cfg := fmt.Sprintf(`server: { listen: "127.0.0.1:0", admin_token: "%s" }
store: { driver: embedded, path: ./var/dropgate.db }
workers: { inbox_poll: 200ms, concurrency: 8 }
channels:
  - name: etsy
    type: etsy
    base_url: %q
    keystring: %s
    shared_secret: "${E2E_ETSY_SECRET:-%s}"
    shop_id: "%s"
    refresh_token: "${E2E_ETSY_REFRESH:-%s}"
    poll_every: 1s
    rate_limit: { per_second: 5, burst: 5 }
    reconcile: { every: 1s, lookback: 2h }
routing: { strategy: cheapest }
inventory: { safety_buffer: 0, sync_every: 1h, channels: [etsy] }
pricing: { channels: [etsy], currency: USD, markup: "2" }
suppliers:
  - name: acme
    type: edi_x12
    catalog: { file: ./acme.csv }
    sla: { acknowledge_within: 1h, ship_within: 48h }
    partner: { sender_qualifier: ZZ, sender_id: DROPGATE, receiver_qualifier: ZZ, receiver_id: ACME, usage: T }
    transport: { type: directory, outbox: ./var/out/acme, inbox: ./var/in/acme }
  - name: slow
    type: edi_x12
    catalog: { file: ./slow.csv }
    sla: { acknowledge_within: 1h, ship_within: 48h }
    partner: { sender_qualifier: ZZ, sender_id: DROPGATE, receiver_qualifier: ZZ, receiver_id: SLOW, usage: T }
    transport: { type: directory, outbox: ./var/out/slow, inbox: ./var/in/slow }
`, loopAdmin, fakeURL, etsyfake.Keystring, etsyfake.SharedSecret, etsyfake.ShopID, etsyfake.RefreshToken)
	files := map[string]string{
		"configs/demo.yaml": cfg,
		"acme.csv":          "supplier_sku,sku,cost,stock\nA-MUG,MUG,3.00,50\nA-TEE,TEE,5.00,40\n",
		"slow.csv":          "supplier_sku,sku,cost,stock\nS-LAMP,LAMP,7.00,10\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l := &loop{t: t, dir: dir, sims: map[string]*edisupplier.Supplier{
		"acme": {Name: "acme", Outbox: filepath.Join(dir, "var", "out", "acme"), Inbox: filepath.Join(dir, "var", "in", "acme")},
		"slow": {Name: "slow", Outbox: filepath.Join(dir, "var", "out", "slow"), Inbox: filepath.Join(dir, "var", "in", "slow"), ShipAfter: time.Hour},
	}}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	for _, sim := range l.sims {
		go sim.Run(ctx, 50*time.Millisecond)
	}
	l.srv = startServer(t, dir)
	return l, fake, listing
}

// TestEtsyEndToEnd: stock and prices reach the shop's listings without
// dropping a variation; a paid receipt is polled in once, becomes a PO at
// acme, the 856 comes back and the receipt carries the UPS tracking; a
// receipt at the slow supplier canceled on Etsy cancels its PO; no quota
// violation, and the refresh token was rotated once.
func TestEtsyEndToEnd(t *testing.T) {
	t.Parallel()
	l, fake, listing := etsyLoop(t)

	magentoWait(t, "stock and prices on Etsy", func() bool {
		return fake.Quantity("MUG") == 50 && fake.Quantity("TEE") == 40 && fake.Quantity("LAMP") == 10 &&
			fake.Cents("MUG") == 600 && fake.Cents("TEE") == 1000 && fake.Cents("LAMP") == 1400
	})
	if ps := fake.Products(listing); len(ps) != 2 {
		t.Errorf("the MUG/TEE listing has %d products; want both variations kept", len(ps))
	}

	rc := fake.AddReceipt(etsyfake.NewLine{SKU: "TEE", Title: "Tee", Qty: 2, Cents: 2000},
		etsyfake.NewLine{SKU: "MUG", Title: "Mug", Qty: 1, Cents: 600})
	id := model.OrderID("etsy", strconv.FormatInt(rc.ReceiptID, 10))
	a := l.wait(id, "the order shipped", func(a *model.Aggregate) bool { return a.Order.Status == model.OrderShipped })
	if len(a.POs) != 1 || a.POs[0].Supplier != "acme" || len(a.Order.Lines) != 2 {
		t.Fatalf("order %s: %d POs, %d lines", id, len(a.POs), len(a.Order.Lines))
	}
	if a.Order.PaymentStatus != model.PaymentPaid || a.Order.Totals.Total.Amount != 4600+450 {
		t.Errorf("order %s: payment %q, total %v; want paid, 50.50", id, a.Order.PaymentStatus, a.Order.Totals.Total)
	}
	magentoWait(t, "the tracking on Etsy", func() bool { return len(fake.Shipments(rc.ReceiptID)) >= 1 })
	for _, s := range fake.Shipments(rc.ReceiptID) {
		if s.CarrierName != "ups" || s.TrackingCode != a.Shipments[0].Packages[0].TrackingNumber {
			t.Errorf("tracking %+v; want ups and %s", s, a.Shipments[0].Packages[0].TrackingNumber)
		}
	}

	// The lamp receipt is canceled on Etsy: the PO is cancelled.
	lamp := fake.AddReceipt(etsyfake.NewLine{SKU: "LAMP", Title: "Lamp", Qty: 1, Cents: 1400})
	lampID := model.OrderID("etsy", strconv.FormatInt(lamp.ReceiptID, 10))
	l.wait(lampID, "the lamp's PO sent", func(a *model.Aggregate) bool {
		return len(a.POs) == 1 && a.POs[0].Status != model.PODraft
	})
	fake.Cancel(lamp.ReceiptID)
	l.wait(lampID, "the lamp order cancelled", func(a *model.Aggregate) bool {
		return a.Order.Status == model.OrderCancelled && len(a.POs) == 1 && a.POs[0].Status == model.POCancelled
	})

	var list struct{ Orders []model.Order }
	l.admin("/orders?channel=etsy", &list)
	if len(list.Orders) != 2 {
		t.Errorf("%d orders for 2 receipts on Etsy", len(list.Orders))
	}
	if n := len(fake.Shipments(rc.ReceiptID)); n != 1 {
		t.Errorf("%d tracking records on the receipt; want 1 (the buyer is emailed per call)", n)
	}
	if v := fake.Server().QuotaViolations(); v != 0 {
		t.Errorf("%d quota violations on Etsy", v)
	}
	if n := fake.Refreshes(); n != 1 {
		t.Errorf("%d token refreshes in a run shorter than an hour; want 1", n)
	}
}
