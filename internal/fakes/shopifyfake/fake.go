package shopifyfake

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// Fake is an in-memory Shopify Admin REST API for one or more shops. It is
// an http.Handler and is safe for concurrent use. Methods that seed or
// inspect data without naming a shop act on the default shop (the first one
// configured); Shop gives the others.
//
// The plumbing (credentials, the leaky bucket and its headers, error
// bodies, counters, the server and the in-process transport) is the fake
// kit's (internal/fakes/kit); this package is Shopify's routes and data.
type Fake struct {
	clock    clock.Clock
	versions versions
	routes   []routeDef
	seq      atomic.Uint64
	srv      *kit.Server

	shops     map[string]*Shop
	shopOrder []*Shop
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
		versions: newVersions(cfg.versions),
		routes:   routeTable(),
		shops:    make(map[string]*Shop),
	}
	f.seq.Store(cfg.firstID)
	for _, sc := range cfg.shops {
		s := newShop(f, sc)
		f.shops[sc.domain] = s
		f.shopOrder = append(f.shopOrder, s)
	}
	f.srv = kit.New(kit.Options{
		Name:            "shopifyfake",
		Clock:           cfg.clock,
		Logger:          cfg.log,
		Errors:          kit.ShopifyErrors,
		RequestIDHeader: "X-Request-Id",
		// The bucket is per shop and app: the kit keys it by scope (the
		// shop) and principal (the token).
		Limit: kit.ShopifyREST(cfg.capacity, cfg.leak),
		Messages: map[int]string{
			http.StatusUnauthorized:          "[API] Invalid API key or access token (unrecognized login or wrong password)",
			http.StatusNotFound:              "Not Found",
			http.StatusRequestEntityTooLarge: "Request Entity Too Large",
		},
		Scope:   func(r *http.Request) string { return f.domainOf(r) },
		Before:  f.unknownShop,
		Auth:    kit.AuthFunc(f.authenticate),
		Header:  f.versionHeader,
		Handler: http.HandlerFunc(f.route),
	})
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

// Server is the kit server underneath, for its request log, counters and
// fault injection (Inject).
func (f *Fake) Server() *kit.Server { return f.srv }

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

func (f *Fake) shopOf(r *http.Request) *Shop {
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	return f.shopForHost(host)
}

// domainOf is the kit's scope of a request: the shop's domain.
func (f *Fake) domainOf(r *http.Request) string {
	if s := f.shopOf(r); s != nil {
		return s.domain
	}
	return ""
}

// unknownShop answers 404 for a *.myshopify.com host the fake does not
// serve, before any credential is looked at.
func (f *Fake) unknownShop(r *http.Request) *kit.Response {
	if f.shopOf(r) == nil {
		return errNotFound()
	}
	return nil
}

// authenticate accepts one of the shop's tokens: an app's token opens
// only the shop that installed it.
func (f *Fake) authenticate(r *http.Request, _ []byte) (string, bool) {
	s := f.shopOf(r)
	got := r.Header.Get("X-Shopify-Access-Token")
	if s == nil || got == "" {
		return "", false
	}
	for _, t := range s.tokens {
		if kit.Equal(got, t) {
			return t, true
		}
	}
	return "", false
}

// versionHeader names the version served, on every answer of a known shop.
func (f *Fake) versionHeader(r *http.Request, h http.Header) {
	if f.shopOf(r) == nil {
		return
	}
	if version, _, found := f.versions.resolve(r.URL.Path); found {
		h.Set("X-Shopify-API-Version", version)
	}
}

// ServeHTTP serves the Admin REST API: shop, token, bucket, then route.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) { f.srv.ServeHTTP(w, r) }

// route serves an authenticated, admitted request: version, then path.
func (f *Fake) route(w http.ResponseWriter, r *http.Request) {
	shop := f.shopOf(r)
	version, rest, found := f.versions.resolve(r.URL.Path)
	var resp *kit.Response
	if !found {
		resp = errNotFound()
	} else {
		shop.mu.Lock()
		resp = route(shop, &apiRequest{r: r, version: version, path: rest})
		shop.mu.Unlock()
	}
	f.srv.Write(w, resp)
}

// Start serves the fake on a loopback port (idempotent) and returns its
// base URL. From then on Transport and Client go over HTTP to it. Call
// Close when done (t.Cleanup(f.Close)).
func (f *Fake) Start() string { return f.srv.Start() }

// URL is the started server's base URL, or "" before Start.
func (f *Fake) URL() string { return f.srv.URL() }

// Close stops the server started by Start, if any.
func (f *Fake) Close() { f.srv.Close() }

// ListenAndServe serves the fake on addr (for dropgate demo) until ctx is
// done, then shuts down gracefully.
func (f *Fake) ListenAndServe(ctx context.Context, addr string) error {
	return f.srv.ListenAndServe(ctx, addr)
}
