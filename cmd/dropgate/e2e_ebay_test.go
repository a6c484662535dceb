package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/fakes/ebayfake"
	"github.com/dropgate/dropgate/internal/fakes/edisupplier"
	"github.com/dropgate/dropgate/internal/fakes/kit"
	"github.com/dropgate/dropgate/internal/testutil"
)

const (
	ebayVerification = "e2e-verification-token-0123456789abcdef"
	ebayEndpoint     = "https://gateway.example.com/webhooks/ebay"
)

// ebayLoop is the end-to-end world of an eBay seller: the real binary
// polling ebayfake, and two simulated X12 suppliers (acme ships at once,
// slow after an hour).
func ebayLoop(t *testing.T) (*loop, *ebayfake.Fake) {
	t.Helper()
	fake := ebayfake.New(ebayfake.WithLimit(&kit.TokenBucket{Rate: 2, Burst: 20}))
	for _, sku := range []string{"MUG", "TEE", "LAMP"} {
		fake.AddOffer(sku, "EBAY_US", "1.00", "USD")
	}
	fakeURL := fake.Start()
	t.Cleanup(fake.Close)
	cfg := fmt.Sprintf(`server: { listen: "127.0.0.1:0", admin_token: "%s" }
store: { driver: embedded, path: ./var/dropgate.db }
workers: { inbox_poll: 200ms, concurrency: 8 }
channels:
  - name: ebay
    type: ebay
    client_id: %s
    client_secret: "${E2E_EBAY_CLIENT_SECRET:-%s}"
    refresh_token: "${E2E_EBAY_REFRESH_TOKEN:-%s}"
    verification_token: "${E2E_EBAY_VERIFICATION_TOKEN:-%s}"
    endpoint_url: %s
    base_url: %q
    poll_every: 1s
    rate_limit: { per_second: 2, burst: 20 }
    reconcile: { every: 1s, lookback: 2h }
routing: { strategy: cheapest }
inventory: { safety_buffer: 0, sync_every: 1h, channels: [ebay] }
pricing: { channels: [ebay], currency: USD, markup: "2" }
`, loopAdmin, ebayfake.ClientID, ebayfake.ClientSecret, ebayfake.RefreshToken, ebayVerification, ebayEndpoint, fakeURL)
	return twoSupplierLoop(t, cfg), fake
}

// twoSupplierLoop starts the real binary on cfg (server to pricing) with
// two simulated X12 suppliers appended: acme ships at once (MUG, TEE),
// slow after an hour (LAMP).
func twoSupplierLoop(t *testing.T, cfg string) *loop {
	t.Helper()
	dir := t.TempDir()
	cfg += `suppliers:
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
`
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
	return l
}

// TestEbayEndToEnd: an order placed on eBay is polled in once, becomes a
// PO at acme, the 856 comes back and eBay holds a shipping fulfillment
// with the right line items, carrier code and tracking; an order at the
// slow supplier cancelled on eBay cancels its PO; stock and offer prices
// reach eBay with no quota violation; an unpaid order waits until eBay
// shows it paid; the account deletion endpoint
// answers eBay's challenge and takes a signed notification once.
func TestEbayEndToEnd(t *testing.T) {
	t.Parallel()
	l, fake := ebayLoop(t)

	// The endpoint validation, through the gateway.
	resp, err := http.Get(l.srv.url + "/webhooks/ebay?challenge_code=" + url.QueryEscape("a8628072-3d33-45ee"))
	if err != nil {
		t.Fatal(err)
	}
	var ch struct {
		ChallengeResponse string `json:"challengeResponse"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&ch)
	resp.Body.Close()
	sum := sha256.Sum256([]byte("a8628072-3d33-45ee" + ebayVerification + ebayEndpoint))
	if resp.StatusCode != http.StatusOK || ch.ChallengeResponse != hex.EncodeToString(sum[:]) {
		t.Errorf("challenge: %s %+v", resp.Status, ch)
	}

	// eBay's signed account deletion notification (the SDK's VALID
	// vector, key served by the fake) is queued once.
	post := ebayNotification(t, fake, l.srv.url)
	if code, body := post(); code != http.StatusOK {
		t.Errorf("signed notification: %d %s", code, body)
	}
	if code, body := post(); code != http.StatusOK || !bytes.Contains(body, []byte("duplicate")) {
		t.Errorf("notification again: %d %s; want a 200 duplicate", code, body)
	}

	// Stock and prices of every SKU reach eBay.
	magentoWait(t, "stock and prices on eBay", func() bool {
		for _, sku := range []string{"MUG", "TEE", "LAMP"} {
			if _, ok := fake.Quantity(sku); !ok {
				return false
			}
			if fake.PriceChanges(sku) == 0 {
				return false
			}
		}
		return true
	})
	if o, _ := fake.Offer("MUG"); ebayfake.Cents(o.Price) != 600 {
		t.Errorf("MUG price %s; want 6.00 (cost 3.00 × 2)", o.Price)
	}
	if q, _ := fake.Quantity("MUG"); q != 50 {
		t.Errorf("MUG quantity %d; want 50", q)
	}

	eo := fake.AddOrder(ebayfake.NewOrder{Email: "ada@example.com", Shipping: "4.50", Paid: true, Lines: []ebayfake.Line{
		{SKU: "TEE", Title: "Tee", Qty: 2, Price: "10.00"},
		{SKU: "MUG", Title: "Mug", Qty: 1, Price: "6.00"},
	}})
	id := model.OrderID("ebay", eo.OrderID)
	a := l.wait(id, "the order shipped", func(a *model.Aggregate) bool { return a.Order.Status == model.OrderShipped })
	if len(a.POs) != 1 || a.POs[0].Supplier != "acme" || len(a.Order.Lines) != 2 {
		t.Fatalf("order %s: %d POs, %d lines", id, len(a.POs), len(a.Order.Lines))
	}
	magentoWait(t, "the fulfillment on eBay", func() bool { return len(fake.Fulfillments(eo.OrderID)) > 0 })
	qty := map[string]int64{}
	fs := fake.Fulfillments(eo.OrderID)
	for _, f := range fs {
		for _, li := range f.LineItems {
			qty[li.LineItemID] += li.Quantity
		}
	}
	if qty[eo.Lines[0].LineItemID] != 2 || qty[eo.Lines[1].LineItemID] != 1 || len(qty) != 2 {
		t.Errorf("fulfilled %v; want tee (%s) 2, mug (%s) 1", qty, eo.Lines[0].LineItemID, eo.Lines[1].LineItemID)
	}
	if len(a.Shipments) == 0 || fs[0].ShippingCarrierCode != "UPS" || fs[0].ShipmentTrackingNumber != a.Shipments[0].Packages[0].TrackingNumber {
		t.Errorf("fulfillments %+v; want UPS with %+v", fs, a.Shipments)
	}

	// A cancellation on eBay cancels the PO at the slow supplier.
	lamp := fake.AddOrder(ebayfake.NewOrder{Email: "bob@example.com", Paid: true, Lines: []ebayfake.Line{{SKU: "LAMP", Title: "Lamp", Qty: 1, Price: "14.00"}}})
	lampID := model.OrderID("ebay", lamp.OrderID)
	l.wait(lampID, "the lamp's PO sent", func(a *model.Aggregate) bool {
		return len(a.POs) == 1 && a.POs[0].Status != model.PODraft
	})
	if err := fake.Cancel(lamp.OrderID); err != nil {
		t.Fatal(err)
	}
	l.wait(lampID, "the lamp order cancelled", func(a *model.Aggregate) bool {
		return a.Order.Status == model.OrderCancelled && len(a.POs) == 1 && a.POs[0].Status == model.POCancelled
	})

	// An unpaid order (orderPaymentStatus PENDING) waits on a payment
	// hold; once eBay shows it paid, the next poll releases and routes it.
	unpaid := fake.AddOrder(ebayfake.NewOrder{Email: "cy@example.com", Lines: []ebayfake.Line{{SKU: "MUG", Title: "Mug", Qty: 1, Price: "6.00"}}})
	unpaidID := model.OrderID("ebay", unpaid.OrderID)
	a = l.wait(unpaidID, "the unpaid order held", func(a *model.Aggregate) bool { return a.Order.Status == model.OrderOnHold })
	if len(a.POs) != 0 || a.Order.PaymentStatus != model.PaymentPending {
		t.Fatalf("unpaid order: payment %q, %d POs; want pending and none", a.Order.PaymentStatus, len(a.POs))
	}
	if err := fake.Pay(unpaid.OrderID); err != nil {
		t.Fatal(err)
	}
	l.wait(unpaidID, "the paid order routed", func(a *model.Aggregate) bool {
		return a.Order.PaymentStatus == model.PaymentPaid && len(a.POs) == 1
	})

	var list struct{ Orders []model.Order }
	l.admin("/orders?channel=ebay", &list)
	if len(list.Orders) != 3 {
		t.Errorf("%d orders for 3 placed on eBay", len(list.Orders))
	}
	if v := fake.Server().QuotaViolations(); v != 0 {
		t.Errorf("%d quota violations on eBay", v)
	}
	// Nothing failed for good: the deletion notification's job and every
	// push (a price without its offer would) went through.
	var dl struct {
		DeadLetters []json.RawMessage `json:"dead_letters"`
	}
	l.admin("/dead-letters?limit=100", &dl)
	if len(dl.DeadLetters) != 0 {
		t.Errorf("dead letters: %s", dl.DeadLetters)
	}
	t.Logf("ebay calls in all, for 2 orders: %d, %d token refreshes", len(fake.Server().Requests()), fake.Refreshes())
}

// ebayNotification serves the SDK vector's key on the fake and returns a
// function posting the VALID notification to the gateway.
func ebayNotification(t *testing.T, fake *ebayfake.Fake, gateway string) func() (int, []byte) {
	dir := testutil.ConformanceDir(t)
	raw, err := os.ReadFile(filepath.Join(dir, "channels/ebay/ebay-event-notification-sdk.test-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vs map[string]struct {
		Signature string `json:"signature"`
		Response  *struct {
			Key string `json:"key"`
		} `json:"response"`
		PublicKey string `json:"public_key"`
	}
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatal(err)
	}
	fake.AddKey(vs["VALID"].PublicKey, vs["VALID"].Response.Key)
	body, err := os.ReadFile(filepath.Join(dir, "channels/ebay/ebay-account-deletion.VALID.raw-body.json"))
	if err != nil {
		t.Fatal(err)
	}
	return func() (int, []byte) {
		t.Helper()
		return postEbay(t, gateway, body, vs["VALID"].Signature)
	}
}
