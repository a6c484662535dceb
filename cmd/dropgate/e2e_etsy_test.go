package main

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/dropgate/dropgate/connectors/marketplace/etsy"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/fakes/edisupplier"
	"github.com/dropgate/dropgate/internal/fakes/etsyfake"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// etsyLoop is the end-to-end world of an Etsy shop: the real binary
// polling etsyfake, and two simulated X12 suppliers (acme ships at once,
// slow after an hour). The shop sells MUG and TEE as two variations of
// one listing, and LAMP on its own.
func etsyLoop(t *testing.T, every string, extra string) (*loop, *etsyfake.Fake, int64) {
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
    poll_every: %s
    rate_limit: { per_second: 5, burst: 5 }
    reconcile: { every: %s, lookback: 2h }
%srouting: { strategy: cheapest }
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
`, loopAdmin, fakeURL, etsyfake.Keystring, etsyfake.SharedSecret, etsyfake.ShopID, etsyfake.RefreshToken, every, every, extra)
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
	runSims(t, slices.Collect(maps.Values(l.sims))...)
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
	l, fake, listing := etsyLoop(t, "1s", "")

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

const etsyHookSecret = "e2e-etsy-webhook-secret"

// TestEtsyWebhookPing: with hourly polls, a signed ORDER_PAID ping brings
// the receipt in (fetched through the queue) long before the next poll;
// a redelivery of the same webhook-id is the same delivery, and a ping
// signed with another secret is refused.
func TestEtsyWebhookPing(t *testing.T) {
	t.Parallel()
	l, fake, _ := etsyLoop(t, "1h", "    webhook_secret: \"${E2E_ETSY_HOOK:-"+etsyHookSecret+"}\"\n")
	list := "/v3/application/shops/" + etsyfake.ShopID + "/receipts"
	magentoWait(t, "the first poll", func() bool {
		for _, r := range fake.Server().Requests() {
			if r.Path == list {
				return true
			}
		}
		return false
	})
	rc := fake.AddReceipt(etsyfake.NewLine{SKU: "MUG", Title: "Mug", Qty: 1, Cents: 600})
	body := []byte(fmt.Sprintf(`{"event_type":"ORDER_PAID","resource_url":"https://openapi.etsy.com/v3/application/shops/%s/receipts/%d","shop_id":%s}`,
		etsyfake.ShopID, rc.ReceiptID, etsyfake.ShopID))
	signer, err := etsy.New(connector.Env{Name: "etsy"}, &etsy.Config{WebhookSecret: etsyHookSecret})
	if err != nil {
		t.Fatal(err)
	}
	h, _ := signer.SignWebhook(etsy.TopicOrderPaid, body)
	if st := etsyPost(t, l, h, body); st != http.StatusOK {
		t.Fatalf("signed ping: %d", st)
	}
	if st := etsyPost(t, l, h, body); st != http.StatusOK {
		t.Fatalf("the same delivery again: %d", st)
	}
	id := model.OrderID("etsy", strconv.FormatInt(rc.ReceiptID, 10))
	a := l.wait(id, "the pinged receipt in", func(a *model.Aggregate) bool { return len(a.Order.Lines) == 1 })
	if a.Order.Lines[0].SKU != "MUG" {
		t.Errorf("order %s lines %+v", id, a.Order.Lines)
	}
	forged, _ := etsy.New(connector.Env{Name: "etsy"}, &etsy.Config{WebhookSecret: "not-the-secret"})
	fh, _ := forged.SignWebhook(etsy.TopicOrderPaid, body)
	if st := etsyPost(t, l, fh, body); st != http.StatusUnauthorized {
		t.Errorf("a ping signed with another secret: %d; want 401", st)
	}
	polls := 0
	for _, r := range fake.Server().Requests() {
		if r.Path == list {
			polls++
		}
	}
	if polls != 1 {
		t.Errorf("%d receipt lists; want the first poll only (the ping brought the order)", polls)
	}
}

func etsyPost(t *testing.T, l *loop, h http.Header, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, l.srv.url+"/webhooks/etsy", bytes.NewReader(body))
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
