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

	"github.com/dropgate/dropgate/connectors/channel/bigcommerce"
	"github.com/dropgate/dropgate/core/app/reconcile"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/fakes/bigcommercefake"
	"github.com/dropgate/dropgate/internal/fakes/edisupplier"
)

const bcSecret = "e2e-bc-client-secret"

// bcLoop is the real binary with a BigCommerce channel "bc" on
// bigcommercefake and one simulated X12 supplier.
type bcLoop struct {
	t    *testing.T
	dir  string
	fake *bigcommercefake.Fake
	srv  *server
	ch   *bigcommerce.Connector
}

func newBCLoop(t *testing.T, shipAfter time.Duration, extra ...string) *bcLoop {
	t.Helper()
	dir := t.TempDir()
	fake := bigcommercefake.New()
	fake.AddVariant("MUG", "9.99")
	fake.AddVariant("NOT-SOLD-HERE", "5.00")
	fakeURL := fake.Server().Start()
	t.Cleanup(fake.Server().Close)
	cfg := fmt.Sprintf(`server: { listen: "127.0.0.1:0", admin_token: "%s" }
store: { driver: embedded, path: ./var/dropgate.db }
workers: { inbox_poll: 200ms, concurrency: 4 }
channels:
  - name: bc
    type: bigcommerce
    store_hash: %s
    base_url: %q
    access_token: %s
    client_secret: %s
    currency: USD
routing: { strategy: cheapest }
suppliers:
  - name: acme
    type: edi_x12
    catalog: { file: ./acme.csv }
    sla: { acknowledge_within: 1h, ship_within: 48h }
    partner: { sender_qualifier: ZZ, sender_id: DROPGATE, receiver_qualifier: ZZ, receiver_id: ACME, usage: T }
    transport: { type: directory, outbox: ./var/out/acme, inbox: ./var/in/acme }
`, loopAdmin, bigcommercefake.StoreHash, fakeURL, bigcommercefake.Token, bcSecret) + strings.Join(extra, "")
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
	l := &bcLoop{t: t, dir: dir, fake: fake}
	l.srv = startServer(t, dir)
	ch, err := bigcommerce.New(connector.Env{Name: "bc"}, &bigcommerce.Config{StoreHash: bigcommercefake.StoreHash, BaseURL: fakeURL,
		AccessToken: bigcommercefake.Token, ClientSecret: bcSecret})
	must(err)
	l.ch = ch
	return l
}

// order places an order of qty MUG on the store.
func (l *bcLoop) order(qty int64) string {
	return l.fake.AddOrder(bigcommercefake.NewOrder{Email: "ada@example.com", Name: [2]string{"Ada", "Lovelace"},
		Street: "12 Analytical Row", City: "Austin", State: "Texas", Zip: "78701", Country: "US", Shipping: "0",
		Lines: []bigcommercefake.Line{{SKU: "MUG", Name: "Mug", Quantity: qty, Price: "14.95"}}})
}

// callback posts a signed thin callback and returns the gateway's outcome.
func (l *bcLoop) callback(scope, id string, status int) string {
	l.t.Helper()
	return l.deliver(scope, bigcommerce.HookBody(scope, bigcommercefake.StoreHash, id, status, time.Now()))
}

// deliver posts body signed afresh (a new webhook-id, as a retry has).
func (l *bcLoop) deliver(scope string, body []byte) string {
	l.t.Helper()
	h, _ := l.ch.SignWebhook(scope, body)
	h.Set(bigcommerce.HeaderID, fmt.Sprintf("msg_%d", time.Now().UnixNano()))
	h.Set(bigcommerce.HeaderSignature, bigcommerce.Sign([]byte(bcSecret), h.Get(bigcommerce.HeaderID), mustInt(l.t, h.Get(bigcommerce.HeaderTimestamp)), body))
	req, _ := http.NewRequest(http.MethodPost, l.srv.url+"/webhooks/bc", bytes.NewReader(body))
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		l.t.Fatalf("%s callback: %s %s", scope, resp.Status, b)
	}
	return string(b)
}

func (l *bcLoop) loop() *loop { return &loop{t: l.t, dir: l.dir, srv: l.srv} }

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func bcOrderID(id string) string { return model.OrderID("bc", id) }

// TestBigCommerceOrderToShipment: a thin callback names an order; the
// gateway acknowledges it, the queue fetches the order and its products,
// the PO goes to the supplier, its 856 comes back, and the store has a
// shipment naming the order product with UPS tracking, the order Shipped;
// a redelivery of the callback is a duplicate; no quota violation.
func TestBigCommerceOrderToShipment(t *testing.T) {
	t.Parallel()
	l := newBCLoop(t, 0)
	id := l.order(2)
	body := bigcommerce.HookBody("store/order/created", bigcommercefake.StoreHash, id, 11, time.Now())
	first := l.deliver("store/order/created", body)
	if strings.Contains(first, "duplicate") {
		t.Fatalf("first delivery: %s", first)
	}
	a := l.loop().wait(bcOrderID(id), "the shipment pushed to the store", func(a *model.Aggregate) bool {
		return len(a.Shipments) == 1 && a.Shipments[0].ChannelFulfillmentID != ""
	})
	if len(a.POs) != 1 || a.POs[0].Supplier != "acme" || a.Order.ShippingAddress == nil || a.Order.ShippingAddress.Line1 != "12 Analytical Row" {
		t.Fatalf("POs %+v, ship-to %+v", a.POs, a.Order.ShippingAddress)
	}
	bo, _ := l.fake.Get(id)
	if len(bo.Shipments) != 1 {
		t.Fatalf("shipments on the store: %+v", bo.Shipments)
	}
	s := bo.Shipments[0]
	items, _ := json.Marshal(s["items"])
	tn := a.Shipments[0].Packages[0].TrackingNumber
	if s["tracking_number"] != tn || s["tracking_carrier"] != "ups" || !strings.Contains(string(items), fmt.Sprint(bo.Products[0]["id"])) {
		t.Errorf("store shipment %v; want UPS %s for order product %v", s, tn, bo.Products[0]["id"])
	}
	if st := l.fake.Status(id); st != 2 {
		t.Errorf("order status %d, want 2 (Shipped)", st)
	}
	// BigCommerce fires the same event again (the same hash).
	if again := l.deliver("store/order/created", body); !strings.Contains(again, "duplicate") {
		t.Errorf("redelivery: %s; want a duplicate", again)
	}
	if v := l.fake.Server().QuotaViolations(); v != 0 {
		t.Errorf("%d quota violations", v)
	}
}

// TestBigCommerceCancellation: the store cancels the order (status 5);
// the statusUpdated callback makes dropgate fetch it, and the PO is
// cancelled.
func TestBigCommerceCancellation(t *testing.T) {
	t.Parallel()
	l := newBCLoop(t, time.Hour)
	id := l.order(1)
	l.callback("store/order/created", id, 11)
	l.loop().wait(bcOrderID(id), "the PO sent", func(a *model.Aggregate) bool {
		return len(a.POs) == 1 && a.POs[0].Status != model.PODraft
	})
	l.fake.SetStatus(id, 5)
	l.callback("store/order/statusUpdated", id, 5)
	l.loop().wait(bcOrderID(id), "the PO cancelled", func(a *model.Aggregate) bool {
		return a.Order.Status == model.OrderCancelled && a.POs[0].Status == model.POCancelled
	})
}

// TestBigCommerceSweep: two orders no callback announced (the hook was
// deactivated) come in through the sweep once, with the webhooks-stopped
// exception; a further sweep adds nothing.
func TestBigCommerceSweep(t *testing.T) {
	t.Parallel()
	l := newBCLoop(t, time.Hour)
	var missed []string
	for range 2 {
		id := l.order(1)
		l.fake.Touch(id, time.Now().Add(-time.Hour))
		missed = append(missed, id)
	}
	cfg := absConfig(t, l.dir)
	sweep := func() reconcile.Report {
		t.Helper()
		out, errOut, code := dg(t, "reconcile", "--config", cfg, "--channel", "bc", "--url", l.srv.url, "--token", loopAdmin, "--json")
		if code != 0 {
			t.Fatalf("reconcile: exit %d: %s", code, errOut)
		}
		var rep reconcile.Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("reconcile output: %v: %s", err, out)
		}
		return rep
	}
	// The server sweeps once at start too: between the two, each order
	// comes in once.
	if rep := sweep(); rep.Orders != 2 {
		t.Fatalf("sweep: %+v, want the 2 orders listed", rep)
	}
	lp := l.loop()
	for _, m := range missed {
		lp.wait(bcOrderID(m), "the swept order's PO", func(a *model.Aggregate) bool { return len(a.POs) == 1 && a.POs[0].Status != model.PODraft })
	}
	var x struct{ Exceptions []model.Exception }
	lp.admin("/exceptions?kind="+string(model.ExWebhooksStopped), &x)
	if len(x.Exceptions) != 1 || x.Exceptions[0].Supplier != "bc" {
		t.Errorf("webhooks_stopped exceptions: %+v", x.Exceptions)
	}
	if rep := sweep(); rep.New != 0 {
		t.Errorf("another sweep: %+v, want nothing new", rep)
	}
	if v := l.fake.Server().QuotaViolations(); v != 0 {
		t.Errorf("%d quota violations", v)
	}
}

// TestBigCommerceStockAndPrices: the channel sync sets the catalogue
// SKU's stock (absolute adjustment) and price (variant batch); a SKU no
// supplier carries is never touched.
func TestBigCommerceStockAndPrices(t *testing.T) {
	t.Parallel()
	l := newBCLoop(t, time.Hour, `inventory: { channels: [bc], sync_every: 1s }
pricing: { channels: [bc], currency: USD, markup: "2" }
`)
	deadline := time.Now().Add(time.Minute) // a hang guard
	for l.fake.StockWrites("MUG") < 1 || l.fake.PriceWrites("MUG") < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("no sync: stock %d (%d writes), price %d (%d writes)", l.fake.Stock("MUG"), l.fake.StockWrites("MUG"), l.fake.PriceMinor("MUG"), l.fake.PriceWrites("MUG"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if l.fake.Stock("MUG") != 50 || l.fake.PriceMinor("MUG") != 600 {
		t.Errorf("store shows %d at %d; want 50 at 6.00 (cost 3.00 × 2)", l.fake.Stock("MUG"), l.fake.PriceMinor("MUG"))
	}
	id := l.order(3)
	l.callback("store/order/created", id, 11)
	l.loop().wait(bcOrderID(id), "the PO", func(a *model.Aggregate) bool { return len(a.POs) == 1 })
	for l.fake.StockWrites("MUG") < 2 {
		if time.Now().After(deadline.Add(time.Minute)) {
			t.Fatalf("the stock after the order was not pushed: %d (%d writes)", l.fake.Stock("MUG"), l.fake.StockWrites("MUG"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := l.fake.Stock("MUG"); got >= 50 {
		t.Errorf("stock after an order of 3: %d, was 50", got)
	}
	if n := l.fake.PriceWrites("MUG"); n != 1 {
		t.Errorf("the unchanged price was written %d times", n)
	}
	if l.fake.StockWrites("NOT-SOLD-HERE") != 0 || l.fake.PriceWrites("NOT-SOLD-HERE") != 0 {
		t.Error("a SKU no supplier carries was changed")
	}
	if v := l.fake.Server().QuotaViolations(); v != 0 {
		t.Errorf("%d quota violations", v)
	}
}

// TestBigCommerceTrigger: `dropgate trigger --connector bc --event
// store/order/created` sends a signed callback naming order 100, which
// the queue fetches from the store and routes.
func TestBigCommerceTrigger(t *testing.T) {
	t.Parallel()
	l := newBCLoop(t, time.Hour)
	l.fake.AddOrder(bigcommercefake.NewOrder{ID: "100", Name: [2]string{"Ada", "Lovelace"}, Street: "1 Main St", City: "Austin", Zip: "78701",
		Lines: []bigcommercefake.Line{{SKU: "MUG", Name: "Mug", Quantity: 1, Price: "14.95"}}})
	cfg := absConfig(t, l.dir)
	out, errOut, code := dg(t, "trigger", "--config", cfg, "--connector", "bc", "--event", "store/order/created", "--url", l.srv.url, "--json")
	if code != 0 || !strings.Contains(out, "queued") {
		t.Fatalf("trigger: exit %d: %s %s", code, out, errOut)
	}
	l.loop().wait(bcOrderID("100"), "the triggered order's PO", func(a *model.Aggregate) bool { return len(a.POs) == 1 })
	if _, _, code := dg(t, "trigger", "--config", cfg, "--connector", "bc", "--event", "store/cart/created", "--url", l.srv.url); code == 0 {
		t.Error("a scope with no sample was sent")
	}
}
