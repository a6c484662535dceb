package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/connectors/channel/shopify"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/fakes/edisupplier"
	"github.com/dropgate/dropgate/internal/fakes/shopifyfake"
)

// shopCall is one request dropgate made to the Shopify fake.
type shopCall struct {
	at     time.Time // when it arrived, i.e. when the bucket judged it
	method string
	path   string
	status int
}

// callLog serves the Shopify fake and records every request made with
// one access token (dropgate's app; the test's own reads use others, with
// their own buckets).
type callLog struct {
	fake  *shopifyfake.Fake
	token string
	mu    sync.Mutex
	calls []shopCall
}

func (l *callLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	l.fake.ServeHTTP(sw, r)
	if r.Header.Get("X-Shopify-Access-Token") != l.token {
		return
	}
	l.mu.Lock()
	l.calls = append(l.calls, shopCall{at: at, method: r.Method, path: r.URL.Path, status: sw.status})
	l.mu.Unlock()
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// snapshot returns the calls so far, in arrival order.
func (l *callLog) snapshot() []shopCall {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := append([]shopCall(nil), l.calls...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

// shopFleet is dropgate scaled out against a Shopify store: one gateway
// and some workers on a private Redis, a Shopify fake behind a callLog,
// and a simulated X12 supplier that acknowledges and ships every PO at
// once.
type shopFleet struct {
	t       *testing.T
	fake    *shopifyfake.Fake
	log     *callLog
	gateway *server
	workers []*server
	channel *shopify.Connector
	// seedTokens are apps of the same shop for the test's own reads, each
	// with its own bucket, so dropgate's bucket is dropgate's alone.
	seedTokens []string
	seeded     int
	shopURL    string // where the fake is served (through log)
}

func newShopFleet(t *testing.T, r *redisServer, workers, seedApps int) *shopFleet {
	t.Helper()
	sf := &shopFleet{t: t}
	opts := []shopifyfake.Option{shopifyfake.WithShop(loopShop, loopToken)}
	for i := range seedApps {
		tok := fmt.Sprintf("shpat_seed_%d", i)
		sf.seedTokens = append(sf.seedTokens, tok)
		opts = append(opts, shopifyfake.WithShop(loopShop, tok))
	}
	sf.fake = shopifyfake.New(opts...) // Shopify's REST limits: bucket 40, leak 2/s
	sf.log = &callLog{fake: sf.fake, token: loopToken}
	srv := httptest.NewServer(sf.log)
	t.Cleanup(srv.Close)
	sf.shopURL = srv.URL

	dir := t.TempDir()
	for _, d := range []string{"configs", "var/out/acme", "var/in/acme"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "acme.csv"), []byte("supplier_sku,sku,cost,stock\nA-MUG,MUG,3.00,100000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`server: { listen: "127.0.0.1:0", admin_token: "${E2E_ADMIN:-%s}" }
store: { driver: redis, url: %q }
workers: { inbox_poll: 200ms, concurrency: 8, lease: %s }
channels:
  - name: shop
    type: shopify
    shop_domain: %s
    access_token: "${E2E_TOKEN:-%s}"
    webhook_secret: "${E2E_SECRET:-%s}"
    base_url: %q
routing: { strategy: cheapest }
suppliers:
  - name: acme
    type: edi_x12
    catalog: { file: ./acme.csv }
    sla: { acknowledge_within: 1h, ship_within: 48h }
    partner: { sender_qualifier: ZZ, sender_id: DROPGATE, receiver_qualifier: ZZ, receiver_id: ACME, usage: T }
    transport: { type: directory, outbox: ./var/out/acme, inbox: ./var/in/acme }
`, loopAdmin, r.url(), fleetLease, loopShop, loopToken, loopSecret, srv.URL)
	if err := os.WriteFile(filepath.Join(dir, "configs", "demo.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	sim := &edisupplier.Supplier{Name: "acme", Outbox: filepath.Join(dir, "var", "out", "acme"), Inbox: filepath.Join(dir, "var", "in", "acme"),
		Log: slog.New(slog.DiscardHandler)}
	runSims(t, sim)

	sf.gateway = startServerWith(t, dir, serveOpts{role: "gateway"})
	for range workers {
		sf.workers = append(sf.workers, startServerWith(t, dir, serveOpts{role: "worker"}))
	}
	ch, err := shopify.New(connector.Env{Name: "shop"}, &shopify.Config{ShopDomain: loopShop, WebhookSecret: loopSecret, APIVersion: shopify.DefaultAPIVersion})
	if err != nil {
		t.Fatal(err)
	}
	sf.channel = ch
	return sf
}

// order places a one-line order on the store and returns its id and the
// body of its orders/create webhook, as the store renders it (read with
// a seed app: at most 40 reads per seed app, its bucket's size).
func (sf *shopFleet) order() (uint64, []byte) {
	sf.t.Helper()
	o, err := sf.fake.AddOrder(shopifyfake.NewOrder{Email: "ada@example.com", Currency: "USD", Lines: []shopifyfake.NewLineItem{item("MUG", 1, "14.95")},
		ShippingAddress: shopifyfake.Address{FirstName: "Ada", LastName: "Lovelace", Address1: "12 Analytical Row", City: "Austin",
			ProvinceCode: "TX", CountryCode: "US", Country: "United States", Zip: "78701"}})
	if err != nil {
		sf.t.Fatal(err)
	}
	tok := sf.seedTokens[sf.seeded/shopifyfake.DefaultBucketSize]
	sf.seeded++
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/admin/api/%s/orders/%d.json", sf.shopURL, shopify.DefaultAPIVersion, o.ID), nil)
	req.Header.Set("X-Shopify-Access-Token", tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		sf.t.Fatal(err)
	}
	defer resp.Body.Close()
	var w struct {
		Order json.RawMessage `json:"order"`
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&w) != nil {
		sf.t.Fatalf("GET order %d: %s", o.ID, resp.Status)
	}
	return o.ID, w.Order
}

// webhook posts the signed orders/create delivery of body to the gateway.
func (sf *shopFleet) webhook(body []byte) {
	sf.t.Helper()
	h, _ := sf.channel.SignWebhook("orders/create", body)
	req, _ := http.NewRequest(http.MethodPost, sf.gateway.url+"/webhooks/shop", bytes.NewReader(body))
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		sf.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		sf.t.Fatalf("orders/create webhook: %s", resp.Status)
	}
}
