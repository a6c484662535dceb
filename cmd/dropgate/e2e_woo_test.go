package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/connectors/channel/woocommerce"
	"github.com/dropgate/dropgate/core/app/reconcile"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/fakes/edisupplier"
	"github.com/dropgate/dropgate/internal/fakes/woocommercefake"
)

const wooSecret = "e2e-woo-secret"

// wooLoop is the real binary with a WooCommerce channel "woo" on
// woocommercefake and one simulated X12 supplier.
type wooLoop struct {
	t    *testing.T
	dir  string
	fake *woocommercefake.Fake
	url  string
	srv  *server
	ch   *woocommerce.Connector
}

func newWooLoop(t *testing.T, shipAfter time.Duration, extra ...string) *wooLoop {
	t.Helper()
	dir := t.TempDir()
	fake := woocommercefake.New(woocommercefake.WithLimit(50, 100))
	fake.AddProduct("MUG", "9.99")
	fake.AddProduct("NOT-SOLD-HERE", "5.00")
	fakeURL := fake.Server().Start()
	t.Cleanup(fake.Server().Close)
	cfg := fmt.Sprintf(`server: { listen: "127.0.0.1:0", admin_token: "%s" }
store: { driver: embedded, path: ./var/dropgate.db }
workers: { inbox_poll: 200ms, concurrency: 4 }
channels:
  - name: woo
    type: woocommerce
    store_url: https://woo.example.com
    base_url: %q
    consumer_key: %s
    consumer_secret: %s
    webhook_secret: %s
    tracking: note
    currency: USD
routing: { strategy: cheapest }
suppliers:
  - name: acme
    type: edi_x12
    catalog: { file: ./acme.csv }
    sla: { acknowledge_within: 1h, ship_within: 48h }
    partner: { sender_qualifier: ZZ, sender_id: DROPGATE, receiver_qualifier: ZZ, receiver_id: ACME, usage: T }
    transport: { type: directory, outbox: ./var/out/acme, inbox: ./var/in/acme }
`, loopAdmin, fakeURL, woocommercefake.ConsumerKey, woocommercefake.ConsumerSecret, wooSecret) + strings.Join(extra, "")
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "acme.csv"), []byte("supplier_sku,sku,cost,stock\nA-MUG,MUG,3.00,50\n"), 0o644))
	must(os.MkdirAll(filepath.Join(dir, "configs"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "configs", "demo.yaml"), []byte(cfg), 0o644))
	sim := &edisupplier.Supplier{Name: "acme", Outbox: filepath.Join(dir, "var", "out", "acme"), Inbox: filepath.Join(dir, "var", "in", "acme"), ShipAfter: shipAfter}
	runSims(t, sim)
	l := &wooLoop{t: t, dir: dir, fake: fake, url: fakeURL}
	l.srv = startServer(t, dir)
	ch, err := woocommerce.New(connector.Env{Name: "woo"}, &woocommerce.Config{StoreURL: "https://woo.example.com", BaseURL: fakeURL,
		ConsumerKey: woocommercefake.ConsumerKey, ConsumerSecret: woocommercefake.ConsumerSecret, WebhookSecret: wooSecret})
	must(err)
	l.ch = ch
	return l
}

// order places an order of qty MUG on the store and returns its id and
// the body WooCommerce would deliver (the REST representation).
func (l *wooLoop) order(qty int64) (int64, []byte) {
	l.t.Helper()
	sub := strconv.FormatInt(qty*1495, 10)
	sub = sub[:len(sub)-2] + "." + sub[len(sub)-2:]
	id := l.fake.AddOrder(woocommercefake.Order{Status: "processing", Currency: "USD", Total: sub, ShippingTotal: "0.00", TotalTax: "0.00", DiscountTotal: "0.00",
		Billing:   woocommercefake.Address{FirstName: "Ada", LastName: "Lovelace", Address1: "12 Analytical Row", City: "Austin", State: "TX", Postcode: "78701", Country: "US", Email: "ada@example.com"},
		Shipping:  woocommercefake.Address{FirstName: "Ada", LastName: "Lovelace", Address1: "12 Analytical Row", City: "Austin", State: "TX", Postcode: "78701", Country: "US"},
		LineItems: []woocommercefake.LineItem{{Name: "Mug", ProductID: 93, Quantity: qty, Subtotal: sub, Total: sub, TotalTax: "0.00", SKU: "MUG", Price: "14.95"}}})
	return id, l.get(id)
}

func (l *wooLoop) get(id int64) []byte {
	l.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/wp-json/wc/v3/orders/%d", l.url, id), nil)
	req.SetBasicAuth(woocommercefake.ConsumerKey, woocommercefake.ConsumerSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}

func (l *wooLoop) webhook(topic string, body []byte) {
	l.t.Helper()
	h, _ := l.ch.SignWebhook(topic, body)
	req, _ := http.NewRequest(http.MethodPost, l.srv.url+"/webhooks/woo", bytes.NewReader(body))
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		l.t.Fatalf("%s webhook: %s", topic, resp.Status)
	}
}

func (l *wooLoop) loop() *loop { return &loop{t: l.t, dir: l.dir, srv: l.srv} }

func wooOrderID(id int64) string { return model.OrderID("woo", strconv.FormatInt(id, 10)) }

// TestWooOrderToShipment: an order placed on the WooCommerce store comes
// in by webhook, becomes a PO at the supplier, the supplier's 856 comes
// back, and the store shows the shipment (a customer note with the
// carrier, tracking and the line) and the order completed, with no quota
// violation.
func TestWooOrderToShipment(t *testing.T) {
	t.Parallel()
	l := newWooLoop(t, 0)
	// WooCommerce pings a webhook's URL when it is saved: answered 200,
	// nothing stored.
	resp, err := http.Post(l.srv.url+"/webhooks/woo", "application/x-www-form-urlencoded", strings.NewReader("webhook_id=1"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("ping: %s, want 200", resp.Status)
	}
	id, body := l.order(2)
	l.webhook("order.created", body)
	a := l.loop().wait(wooOrderID(id), "the shipment pushed to the store", func(a *model.Aggregate) bool {
		return len(a.Shipments) == 1 && a.Shipments[0].ChannelFulfillmentID != ""
	})
	if len(a.POs) != 1 || a.POs[0].Supplier != "acme" {
		t.Fatalf("POs: %+v", a.POs)
	}
	wo, _ := l.fake.Order(id)
	if len(wo.Notes) != 1 {
		t.Fatalf("notes on the store: %+v", wo.Notes)
	}
	note := wo.Notes[0].Note
	sh := a.Shipments[0]
	tn := sh.Packages[0].TrackingNumber
	if tn == "" || !strings.Contains(note, tn) || !strings.Contains(note, "2 × MUG") || !strings.Contains(note, "UPS") || !wo.Notes[0].CustomerNote {
		t.Errorf("note %q; want UPS tracking %s and 2 × MUG", note, tn)
	}
	if wo.Status != "completed" {
		t.Errorf("order status %q, want completed", wo.Status)
	}
	if v := l.fake.Server().QuotaViolations(); v != 0 {
		t.Errorf("%d quota violations", v)
	}
	// Every request but the test's own read of the order is dropgate's.
	var calls []string
	for _, r := range l.fake.Server().Requests() {
		calls = append(calls, r.Method+" "+r.Path)
	}
	t.Logf("HTTP calls to the store for one order end to end: %d (one is the test's GET of the order): %v", len(calls), calls)
}

// TestWooCancellation: the store cancels the order (an order.updated whose
// signed body says cancelled) and the PO is cancelled.
func TestWooCancellation(t *testing.T) {
	t.Parallel()
	l := newWooLoop(t, time.Hour)
	id, body := l.order(1)
	l.webhook("order.created", body)
	l.loop().wait(wooOrderID(id), "the PO sent", func(a *model.Aggregate) bool {
		return len(a.POs) == 1 && a.POs[0].Status != model.PODraft
	})
	l.fake.SetStatus(id, "cancelled")
	l.webhook("order.updated", l.get(id))
	l.loop().wait(wooOrderID(id), "the PO cancelled", func(a *model.Aggregate) bool {
		return a.Order.Status == model.OrderCancelled && a.POs[0].Status == model.POCancelled
	})
}

// TestWooSweep: two orders placed on the store with no webhook (WooCommerce
// disabled it after failed deliveries); one more arrives by webhook. The
// sweep takes the two in exactly once and raises the webhooks-stopped
// exception; the webhook's order is not taken twice; a further sweep adds
// nothing.
func TestWooSweep(t *testing.T) {
	t.Parallel()
	l := newWooLoop(t, time.Hour)
	var missed []int64
	for range 2 {
		id, _ := l.order(1)
		l.backdate(id, time.Hour)
		missed = append(missed, id)
	}
	id, body := l.order(1)
	l.webhook("order.created", body)
	lp := l.loop()
	lp.wait(wooOrderID(id), "the webhook's order", func(a *model.Aggregate) bool { return len(a.POs) == 1 })
	cfg := absConfig(t, l.dir)
	sweep := func() reconcile.Report {
		t.Helper()
		out, errOut, code := dg(t, "reconcile", "--config", cfg, "--channel", "woo", "--url", l.srv.url, "--token", loopAdmin, "--json")
		if code != 0 {
			t.Fatalf("reconcile: exit %d: %s", code, errOut)
		}
		var rep reconcile.Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("reconcile output: %v: %s", err, out)
		}
		return rep
	}
	if rep := sweep(); rep.Orders != 3 {
		t.Fatalf("sweep: %+v, want the 3 orders listed", rep)
	}
	for _, m := range missed {
		lp.wait(wooOrderID(m), "the swept order's PO", func(a *model.Aggregate) bool { return len(a.POs) == 1 && a.POs[0].Status != model.PODraft })
	}
	var x struct{ Exceptions []model.Exception }
	lp.admin("/exceptions?kind="+string(model.ExWebhooksStopped), &x)
	if len(x.Exceptions) != 1 || x.Exceptions[0].Supplier != "woo" {
		t.Errorf("webhooks_stopped exceptions: %+v", x.Exceptions)
	}
	if rep := sweep(); rep.New != 0 || rep.Missed != 0 {
		t.Errorf("another sweep: %+v, want nothing new", rep)
	}
	a := lp.wait(wooOrderID(id), "the webhook's order", func(*model.Aggregate) bool { return true })
	if len(a.POs) != 1 {
		t.Errorf("the webhook's order has %d POs after the sweeps", len(a.POs))
	}
	if v := l.fake.Server().QuotaViolations(); v != 0 {
		t.Errorf("%d quota violations", v)
	}
}

// backdate moves an order's creation and last change back by d (placed long enough ago
// for its webhook to have come).
func (l *wooLoop) backdate(id int64, d time.Duration) {
	o, _ := l.fake.Order(id)
	at := time.Now().UTC().Add(-d)
	o.DateCreatedGMT = at.Format("2006-01-02T15:04:05")
	o.Notes, o.Trackings = nil, nil
	l.fake.AddOrder(o)
	l.fake.Touch(id, at)
}

// TestWooStockAndPrices: the channel sync sets the store's stock and
// price of the catalogue's SKU through the batch endpoint; an order
// changes the stock, which is pushed again, while the unchanged price is
// not; a product the suppliers do not carry is never touched; no quota
// violation.
func TestWooStockAndPrices(t *testing.T) {
	t.Parallel()
	l := newWooLoop(t, time.Hour, `inventory: { channels: [woo], sync_every: 1s }
pricing: { channels: [woo], currency: USD, markup: "2" }
`)
	until := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(time.Minute) // a hang guard
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; stock %d (%d writes), price %d (%d writes)", what,
					l.fake.Stock("MUG"), l.fake.StockWrites("MUG"), l.fake.PriceMinor("MUG"), l.fake.PriceWrites("MUG"))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	until("the first sync", func() bool { return l.fake.StockWrites("MUG") == 1 && l.fake.PriceWrites("MUG") == 1 })
	first := l.fake.Stock("MUG")
	if first != 50 || l.fake.PriceMinor("MUG") != 600 {
		t.Errorf("store shows %d at %d; want 50 at 6.00 (cost 3.00 × 2)", first, l.fake.PriceMinor("MUG"))
	}
	id, body := l.order(3)
	l.webhook("order.created", body)
	l.loop().wait(wooOrderID(id), "the PO", func(a *model.Aggregate) bool { return len(a.POs) == 1 })
	until("the stock after the order", func() bool { return l.fake.StockWrites("MUG") == 2 })
	if got := l.fake.Stock("MUG"); got >= first {
		t.Errorf("stock after an order of 3: %d, was %d", got, first)
	}
	if n := l.fake.PriceWrites("MUG"); n != 1 {
		t.Errorf("the unchanged price was written %d times", n)
	}
	if p, _ := l.fake.BySKU("NOT-SOLD-HERE"); p.StockQuantity != nil || l.fake.PriceWrites("NOT-SOLD-HERE") != 0 {
		t.Errorf("a product no supplier carries was changed: %+v", p)
	}
	if v := l.fake.Server().QuotaViolations(); v != 0 {
		t.Errorf("%d quota violations", v)
	}
}

// TestWooTrigger: `dropgate trigger --connector woo --event order.created`
// sends the connector's signed sample, which becomes an order with a PO.
func TestWooTrigger(t *testing.T) {
	t.Parallel()
	l := newWooLoop(t, time.Hour)
	cfg := absConfig(t, l.dir)
	for _, ev := range []string{"order.created", "order.updated"} {
		out, errOut, code := dg(t, "trigger", "--config", cfg, "--connector", "woo", "--event", ev, "--url", l.srv.url, "--json")
		if code != 0 {
			t.Fatalf("trigger %s: exit %d: %s %s", ev, code, out, errOut)
		}
		if !strings.Contains(out, "queued") {
			t.Errorf("trigger %s: %s", ev, out)
		}
	}
	if _, _, code := dg(t, "trigger", "--config", cfg, "--connector", "woo", "--event", "coupon.created", "--url", l.srv.url); code == 0 {
		t.Error("a topic with no sample was sent")
	}
}
