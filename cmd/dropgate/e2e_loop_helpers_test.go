package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/connectors/channel/shopify"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/fakes/edisupplier"
	"github.com/dropgate/dropgate/internal/fakes/shopifyfake"
)

// loop is one end-to-end world: the real dropgate binary, a Shopify fake
// it pushes fulfillments to, and simulated X12 suppliers answering in
// their inboxes, all on loopback and in a temp dir.
type loop struct {
	t       *testing.T
	dir     string
	fake    *shopifyfake.Fake
	srv     *server
	sims    map[string]*edisupplier.Supplier
	channel *shopify.Connector
}

const (
	loopShop   = "e2e-shop.myshopify.com"
	loopToken  = "shpat_e2e"
	loopSecret = "e2e-secret"
	loopAdmin  = "e2e-admin-token"
)

// supplierSpec is one simulated supplier: its catalog rows
// (sku,cost,stock) and its behaviour.
type supplierSpec struct {
	name     string
	rows     []string // "SKU,cost,stock"
	priority int
	sla      string // YAML of the sla block, optional
	// The simulated partner's behaviour.
	reject    map[string]string // supplier SKU → reason
	silent    bool
	shipAfter time.Duration
	split     bool // each line in its own 856
	// yaml is more keys of the supplier's block, indented by four spaces
	// ("    portal: …\n").
	yaml string
}

func newLoop(t *testing.T, suppliers []supplierSpec) *loop {
	t.Helper()
	dir := t.TempDir()
	fake := shopifyfake.New(shopifyfake.WithShop(loopShop, loopToken))
	fakeURL := fake.Start()
	t.Cleanup(fake.Close)

	var cfg strings.Builder
	fmt.Fprintf(&cfg, `server: { listen: "127.0.0.1:0", admin_token: "${E2E_ADMIN:-%s}" }
store: { driver: embedded, path: ./var/dropgate.db }
workers: { inbox_poll: 200ms, concurrency: 8 }
channels:
  - name: shop
    type: shopify
    shop_domain: %s
    access_token: "${E2E_TOKEN:-%s}"
    webhook_secret: "${E2E_SECRET:-%s}"
    base_url: %q
routing: { strategy: cheapest }
suppliers:
`, loopAdmin, loopShop, loopToken, loopSecret, fakeURL)
	l := &loop{t: t, dir: dir, fake: fake, sims: map[string]*edisupplier.Supplier{}}
	for i := range suppliers {
		s := &suppliers[i]
		var csv strings.Builder
		csv.WriteString("supplier_sku,sku,cost,stock\n")
		for _, r := range s.rows {
			p := strings.Split(r, ",")
			fmt.Fprintf(&csv, "%s-%s,%s,%s,%s\n", strings.ToUpper(s.name[:1]), p[0], p[0], p[1], p[2])
		}
		if err := os.WriteFile(filepath.Join(dir, s.name+".csv"), []byte(csv.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		sla := s.sla
		if sla == "" {
			sla = "{ acknowledge_within: 1h, ship_within: 48h }"
		}
		fmt.Fprintf(&cfg, `  - name: %s
    type: edi_x12
    catalog: { file: ./%s.csv }
    priority: %d
    sla: %s
    partner: { sender_qualifier: ZZ, sender_id: DROPGATE, receiver_qualifier: ZZ, receiver_id: %s, usage: T }
    transport: { type: directory, outbox: ./var/out/%s, inbox: ./var/in/%s }
%s`, s.name, s.name, s.priority, sla, strings.ToUpper(s.name), s.name, s.name, s.yaml)
		l.sims[s.name] = &edisupplier.Supplier{Name: s.name, Outbox: filepath.Join(dir, "var", "out", s.name), Inbox: filepath.Join(dir, "var", "in", s.name),
			Reject: s.reject, Silent: s.silent, ShipAfter: s.shipAfter, Split: s.split}
	}
	if err := os.MkdirAll(filepath.Join(dir, "configs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "configs", "demo.yaml"), []byte(cfg.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	runSims(t, slices.Collect(maps.Values(l.sims))...)
	l.srv = startServer(t, dir)
	// The server sweeps the shop once at start-up. Orders placed while
	// that sweep runs may be taken in by it rather than by their webhook,
	// which is right but not what the tests about webhooks look at: wait
	// for it to finish first (a hang guard, not a timing assertion).
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(l.srv.Logs(), "channel swept") {
		if time.Now().After(deadline) {
			t.Fatalf("the start-up sweep did not finish:\n%s", l.srv.Logs())
		}
		time.Sleep(5 * time.Millisecond)
	}
	ch, err := shopify.New(connector.Env{Name: "shop"}, &shopify.Config{ShopDomain: loopShop, WebhookSecret: loopSecret, APIVersion: shopify.DefaultAPIVersion})
	if err != nil {
		t.Fatal(err)
	}
	l.channel = ch
	return l
}

// order creates an order on the store and returns it with the body of its
// orders/create webhook, as the store itself renders it.
func (l *loop) order(lines ...shopifyfake.NewLineItem) (shopifyfake.Order, []byte) {
	l.t.Helper()
	o, err := l.fake.AddOrder(shopifyfake.NewOrder{Email: "ada@example.com", Currency: "USD", Lines: lines,
		ShippingAddress: shopifyfake.Address{FirstName: "Ada", LastName: "Lovelace", Address1: "12 Analytical Row", City: "Austin",
			ProvinceCode: "TX", CountryCode: "US", Country: "United States", Zip: "78701"}})
	if err != nil {
		l.t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/admin/api/2025-07/orders/%d.json", l.fake.URL(), o.ID), nil)
	req.Header.Set("X-Shopify-Access-Token", loopToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	var w struct {
		Order json.RawMessage `json:"order"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&w); err != nil {
		l.t.Fatal(err)
	}
	return o, w.Order
}

func item(sku string, qty int, price string) shopifyfake.NewLineItem {
	return shopifyfake.NewLineItem{SKU: sku, Title: sku, Quantity: qty, Price: money.MustParse(price, "USD")}
}

// webhook posts a signed delivery of topic.
func (l *loop) webhook(topic string, body []byte) {
	l.t.Helper()
	l.signedDelivery(topic, body)
}

// cancelled turns an orders/create body into the orders/cancelled one.
func cancelled(body []byte) []byte {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	_ = d.Decode(&m)
	m["cancelled_at"] = time.Now().UTC().Format(time.RFC3339)
	m["cancel_reason"] = "customer"
	b, _ := json.Marshal(m)
	return b
}

// admin GETs the admin API.
func (l *loop) admin(path string, out any) {
	l.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, l.srv.url+"/api/v1"+path, nil)
	req.Header.Set("Authorization", "Bearer "+loopAdmin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		l.t.Fatalf("GET %s: %s %s", path, resp.Status, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		l.t.Fatalf("GET %s: %v", path, err)
	}
}

// wait polls the order through the admin API until cond holds.
func (l *loop) wait(orderID string, what string, cond func(*model.Aggregate) bool) *model.Aggregate {
	l.t.Helper()
	deadline := time.Now().Add(2 * time.Minute) // a hang guard
	var a model.Aggregate
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest(http.MethodGet, l.srv.url+"/api/v1/orders/"+orderID, nil)
		req.Header.Set("Authorization", "Bearer "+loopAdmin)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			if resp.StatusCode == 200 {
				a = model.Aggregate{}
				if json.NewDecoder(resp.Body).Decode(&a) == nil && cond(&a) {
					resp.Body.Close()
					return &a
				}
			}
			resp.Body.Close()
		}
		time.Sleep(100 * time.Millisecond)
	}
	var ev []string
	for _, e := range a.Timeline {
		ev = append(ev, e.Event+": "+e.Message)
	}
	l.t.Fatalf("timed out waiting for %s; order %s is %s; timeline:\n  %s", what, orderID, a.Order.Status, strings.Join(ev, "\n  "))
	return nil
}

func orderIDOf(o shopifyfake.Order) string { return model.OrderID("shop", fmt.Sprint(o.ID)) }

// events lists "event [cause]" of the timeline.
func events(a *model.Aggregate) []string {
	var out []string
	for _, e := range a.Timeline {
		out = append(out, e.Event+" ["+e.Cause.Kind+"]")
	}
	return out
}

func hasEvent(a *model.Aggregate, event, causeKind string) bool {
	for _, e := range a.Timeline {
		if e.Event == event && (causeKind == "" || e.Cause.Kind == causeKind) {
			return true
		}
	}
	return false
}

// runSims runs simulated suppliers until the test ends, and waits for them
// to stop before the test's directory is removed: a supplier still writing
// an answer then made the removal fail ("directory not empty").
func runSims(t *testing.T, sims ...*edisupplier.Supplier) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, sim := range sims {
		wg.Go(func() { sim.Run(ctx, 50*time.Millisecond) })
	}
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
}
