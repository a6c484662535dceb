package shopifyfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dropgate/dropgate/core/clock"
)

// Fake is an in-memory Shopify Admin REST API for one or more shops. It is
// an http.Handler and is safe for concurrent use. Methods that seed or
// inspect data without naming a shop act on the default shop (the first one
// configured); Shop gives the others.
type Fake struct {
	clock    clock.Clock
	capacity int
	leak     float64
	versions versions
	routes   []routeDef
	log      *slog.Logger
	seq      atomic.Uint64
	reqSeq   atomic.Uint64

	shops     map[string]*Shop
	shopOrder []*Shop

	mu     sync.Mutex // guards server
	server *httptest.Server
}

// New returns a Fake. Without WithShop it serves DefaultShop with
// DefaultToken. Every shop starts with one location, "Shop location", as
// every Shopify shop has at least one.
func New(opts ...Option) *Fake {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if len(cfg.shops) == 0 {
		cfg.shops = []shopConfig{{domain: DefaultShop, tokens: []string{DefaultToken}}}
	}
	f := &Fake{
		clock:    cfg.clock,
		capacity: cfg.capacity,
		leak:     cfg.leak,
		versions: newVersions(cfg.versions),
		routes:   routeTable(),
		log:      cfg.log,
		shops:    make(map[string]*Shop),
	}
	f.seq.Store(cfg.firstID)
	for _, sc := range cfg.shops {
		s := newShop(f, sc)
		f.shops[sc.domain] = s
		f.shopOrder = append(f.shopOrder, s)
	}
	return f
}

// nextID hands out the next ID of the fake's single sequence, so IDs are
// unique across shops and resource kinds: a client that sends a line item
// ID where a fulfillment order line item ID belongs gets a 422, not a
// lucky match.
func (f *Fake) nextID() uint64 { return f.seq.Add(2) - 2 }

func (f *Fake) now() time.Time { return f.clock.Now().UTC().Truncate(time.Second) }

// Shop returns the shop with that domain (or bare name), or nil. An empty
// name is the default shop.
func (f *Fake) Shop(domain string) *Shop {
	if domain == "" {
		return f.shopOrder[0]
	}
	return f.shops[normalizeShop(domain)]
}

// Shops returns every configured shop, the default first.
func (f *Fake) Shops() []*Shop { return append([]*Shop(nil), f.shopOrder...) }

// Versions returns the supported API versions, oldest first.
func (f *Fake) Versions() []string { return append([]string(nil), f.versions.list...) }

// normalizeShop turns "acme", "ACME.myshopify.com" or "acme.myshopify.com."
// into "acme.myshopify.com", as go-shopify's ShopFullName does.
func normalizeShop(name string) string {
	name = strings.Trim(strings.ToLower(strings.TrimSpace(name)), ".")
	if !strings.Contains(name, ".") {
		name += ".myshopify.com"
	}
	return name
}

// shopForHost resolves the Host header. A configured domain is that shop;
// another *.myshopify.com is unknown (404, like a mistyped shop); anything
// else (127.0.0.1:8081 in the demo) is the default shop.
func (f *Fake) shopForHost(host string) *Shop {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if s, ok := f.shops[host]; ok {
		return s
	}
	if strings.HasSuffix(host, ".myshopify.com") {
		return nil
	}
	return f.shopOrder[0]
}

// ServeHTTP serves the Admin REST API: shop, version, token, bucket, route.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	resp, shop := f.serve(r)
	if resp.header == nil {
		resp.header = http.Header{}
	}
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	w.Header().Set("X-Request-Id", "fake-"+strconv.FormatUint(f.reqSeq.Add(1), 10))
	body, err := json.Marshal(resp.body)
	if err != nil {
		resp.status, body = http.StatusInternalServerError, []byte(`{"errors":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(resp.status)
	_, _ = w.Write(body)
	f.log.Debug("shopifyfake", "shop", shop, "method", r.Method, "path", r.URL.Path, "status", resp.status)
}

func (f *Fake) serve(r *http.Request) (*response, string) {
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	shop := f.shopForHost(host)
	if shop == nil {
		return errNotFound(), host
	}
	hdr := http.Header{}
	version, rest, found := f.versions.resolve(r.URL.Path)
	if found {
		hdr.Set("X-Shopify-API-Version", version)
	}
	shop.mu.Lock()
	defer shop.mu.Unlock()
	shop.requests++
	b := shop.apps[r.Header.Get("X-Shopify-Access-Token")]
	if b == nil {
		// No app, no bucket: Shopify rejects the credentials first.
		resp := errString(http.StatusUnauthorized, "[API] Invalid API key or access token (unrecognized login or wrong password)")
		resp.header = hdr
		return resp, shop.domain
	}
	used, admitted := b.take(f.clock.Now())
	hdr.Set("X-Shopify-Shop-Api-Call-Limit", fmt.Sprintf("%d/%d", used, f.capacity))
	if !admitted {
		shop.throttled++
		resp := errString(http.StatusTooManyRequests, fmt.Sprintf(
			"Exceeded %s calls per second for api client. Reduce request rates to resume uninterrupted service.",
			strconv.FormatFloat(f.leak, 'f', -1, 64)))
		// Shopify always answers "2.0", whatever the actual wait.
		hdr.Set("Retry-After", "2.0")
		resp.header = hdr
		return resp, shop.domain
	}
	var resp *response
	if !found {
		resp = errNotFound()
	} else {
		resp = route(shop, &apiRequest{r: r, version: version, path: rest})
	}
	if resp.header == nil {
		resp.header = http.Header{}
	}
	for k, v := range hdr {
		resp.header[k] = v
	}
	return resp, shop.domain
}

// Start serves the fake on a loopback port (idempotent) and returns its
// base URL. From then on Transport and Client go over HTTP to it. Call
// Close when done (t.Cleanup(f.Close)).
func (f *Fake) Start() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.server == nil {
		f.server = httptest.NewServer(f)
	}
	return f.server.URL
}

// URL is the started server's base URL, or "" before Start.
func (f *Fake) URL() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.server == nil {
		return ""
	}
	return f.server.URL
}

// Close stops the server started by Start, if any.
func (f *Fake) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.server != nil {
		f.server.Close()
		f.server = nil
	}
}

// ListenAndServe serves the fake on addr (for dropgate demo) until ctx is
// done, then shuts down gracefully.
func (f *Fake) ListenAndServe(ctx context.Context, addr string) error {
	srv := &http.Server{Addr: addr, Handler: f, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return fmt.Errorf("shopifyfake: listen %s: %w", addr, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shopifyfake: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shopifyfake: serve %s: %w", addr, err)
	}
	return nil
}
