package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/fakes/metafake"
)

const (
	metaAppSecret   = "e2e-meta-app-secret"
	metaVerifyToken = "e2e-meta-verify"
)

// metaLoop is the end-to-end world of a Meta shop: the real binary
// polling metafake, and two simulated X12 suppliers (acme ships at once,
// slow after an hour).
func metaLoop(t *testing.T) (*loop, *metafake.Fake) {
	t.Helper()
	fake := metafake.New(metafake.WithLimit(metafake.Limit(5, 40)))
	for _, sku := range []string{"MUG", "TEE", "LAMP"} {
		fake.AddCatalogItem(sku)
	}
	fakeURL := fake.Start()
	t.Cleanup(fake.Close)
	cfg := fmt.Sprintf(`server: { listen: "127.0.0.1:0", admin_token: "%s" }
store: { driver: embedded, path: ./var/dropgate.db }
workers: { inbox_poll: 200ms, concurrency: 8 }
channels:
  - name: meta
    type: meta_commerce
    base_url: %q
    commerce_account_id: %q
    catalog_id: %q
    access_token: "${E2E_META_TOKEN:-%s}"
    app_secret: "${E2E_META_SECRET:-%s}"
    verify_token: "${E2E_META_VERIFY:-%s}"
    poll_every: 1s
    rate_limit: { per_second: 5, burst: 40 }
    reconcile: { every: 1s, lookback: 2h }
routing: { strategy: cheapest }
inventory: { safety_buffer: 0, sync_every: 1h, channels: [meta] }
pricing: { channels: [meta], currency: USD, markup: "2" }
`, loopAdmin, fakeURL, metafake.CommerceAccountID, metafake.CatalogID, metafake.AccessToken, metaAppSecret, metaVerifyToken)
	l := twoSupplierLoop(t, cfg)
	return l, fake
}

// TestMetaEndToEnd: an order CREATED on Meta is polled in and
// acknowledged once, becomes a PO at acme, the 856 comes back and Meta
// holds a UPS shipment of every item with the tracking; an order Meta
// cancels cancels its PO; stock and prices reach the catalog; the webhook
// handshake and a signed ping are answered, a forged one refused; no
// quota violation.
func TestMetaEndToEnd(t *testing.T) {
	t.Parallel()
	l, fake := metaLoop(t)

	magentoWait(t, "stock and prices in the catalog", func() bool {
		for _, sku := range []string{"MUG", "TEE", "LAMP"} {
			if fake.Price(sku) < 0 || fake.QuantityChanges(sku) == 0 {
				return false
			}
		}
		return true
	})
	if p := fake.Price("MUG"); p != 600 {
		t.Errorf("MUG price %d cents; want 600 (cost 3.00 × 2)", p)
	}
	if n := fake.Quantity("MUG"); n != 50 {
		t.Errorf("MUG stock %d; want 50", n)
	}

	mo := fake.AddOrder(metafake.NewLine{SKU: "TEE", Name: "Tee", Qty: 2, Price: "20.00"},
		metafake.NewLine{SKU: "MUG", Name: "Mug", Qty: 1, Price: "6.00"})
	id := model.OrderID("meta", mo.ID)
	a := l.wait(id, "the order shipped", func(a *model.Aggregate) bool { return a.Order.Status == model.OrderShipped })
	if len(a.POs) != 1 || a.POs[0].Supplier != "acme" || len(a.Order.Lines) != 2 {
		t.Fatalf("order %s: %d POs, %d lines", id, len(a.POs), len(a.Order.Lines))
	}
	magentoWait(t, "the shipment on Meta", func() bool { return fake.State(mo.ID) == "COMPLETED" })
	qty := map[string]int64{}
	for _, s := range fake.Shipments(mo.ID) {
		if s.Carrier != "UPS" || s.TrackingNumber != a.Shipments[0].Packages[0].TrackingNumber {
			t.Errorf("shipment %+v; want UPS and %s", s, a.Shipments[0].Packages[0].TrackingNumber)
		}
		for _, it := range s.Items {
			qty[it.RetailerID] += it.Quantity
		}
	}
	if qty["TEE"] != 2 || qty["MUG"] != 1 || len(qty) != 2 {
		t.Errorf("shipped %v; want TEE 2, MUG 1", qty)
	}

	// Meta cancels the lamp order: the PO is cancelled.
	lamp := fake.AddOrder(metafake.NewLine{SKU: "LAMP", Name: "Lamp", Qty: 1, Price: "14.00"})
	lampID := model.OrderID("meta", lamp.ID)
	l.wait(lampID, "the lamp's PO sent", func(a *model.Aggregate) bool {
		return len(a.POs) == 1 && a.POs[0].Status != model.PODraft
	})
	magentoWait(t, "the lamp order acknowledged", func() bool { return fake.Acks(lamp.ID) == 1 })
	fake.Cancel(lamp.ID, "out of budget")
	l.wait(lampID, "the lamp order cancelled", func(a *model.Aggregate) bool {
		return a.Order.Status == model.OrderCancelled && len(a.POs) == 1 && a.POs[0].Status == model.POCancelled
	})

	// The subscription handshake, and a signed ping against a forged one.
	resp, err := http.Get(l.srv.url + "/webhooks/meta?hub.mode=subscribe&hub.verify_token=" + metaVerifyToken + "&hub.challenge=1158201444")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "1158201444" {
		t.Errorf("handshake: %d %q; want 200 and the bare challenge", resp.StatusCode, body)
	}
	ping := []byte(`{"object": "commerce_account", "entry": [{"id": "` + metafake.CommerceAccountID +
		`", "time": 1, "changes": [{"field": "commerce_orders", "value": {"order_id": "` + mo.ID + `"}}]}]}`)
	m := hmac.New(sha256.New, []byte(metaAppSecret))
	m.Write(ping)
	for sig, want := range map[string]int{"sha256=" + hex.EncodeToString(m.Sum(nil)): http.StatusOK, "sha256=" + strings.Repeat("0", 64): http.StatusUnauthorized} {
		req, _ := http.NewRequest(http.MethodPost, l.srv.url+"/webhooks/meta", bytes.NewReader(ping))
		req.Header.Set("X-Hub-Signature-256", sig)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("webhook signed %s…: %d, want %d", sig[:12], resp.StatusCode, want)
		}
	}

	var list struct{ Orders []model.Order }
	l.admin("/orders?channel=meta", &list)
	if len(list.Orders) != 2 {
		t.Errorf("%d orders for 2 placed on Meta", len(list.Orders))
	}
	for _, o := range []string{mo.ID, lamp.ID} {
		if n := fake.Acks(o); n != 1 {
			t.Errorf("order %s acknowledged %d times; want once", o, n)
		}
	}
	if v := fake.Server().QuotaViolations(); v != 0 {
		t.Errorf("%d quota violations on Meta", v)
	}
}
