// Package bigcommercefake is a local BigCommerce store API (the v2 Orders
// and v3 Catalog/Inventory routes dropgate uses), built on
// internal/fakes/kit. It enforces the documented contract: X-Auth-Token
// auth (401 otherwise), paths under /stores/{store_hash}/ (404 for
// another store), the store-wide fixed-window quota with its
// X-Rate-Limit-* headers and a 429 without Retry-After, v2 lists answering
// 204 past the last page, money as 4-decimal strings, dates in RFC 2822,
// shipments that must name an existing order_address_id and
// order_product_id within the quantity left to ship, variant batches of
// at most 50, absolute inventory adjustments naming exactly one of
// variant_id, sku or product_id. Sources are in its README.
package bigcommercefake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// Defaults the fake accepts.
const (
	StoreHash = "abc123"
	Token     = "bc-test-token"
)

// VariantBatch is the most variants one PUT /v3/catalog/variants takes.
const VariantBatch = 50

// Option configures the fake.
type Option func(*Fake)

// WithClock drives timestamps and the quota.
func WithClock(c clock.Clock) Option { return func(f *Fake) { f.clock = c } }

// WithQuota sets the store's quota per window (default 150 per 30 s,
// Standard and Plus plans).
func WithQuota(n int, window time.Duration) Option {
	return func(f *Fake) { f.quota, f.window = n, window }
}

// Fake is the store. Safe for concurrent use.
type Fake struct {
	clock    clock.Clock
	quota    int
	window   time.Duration
	srv      *kit.Server
	mu       sync.Mutex
	nextID   int64
	orders   map[string]*Order
	seq      []string
	variants map[string]*Variant // by SKU
	stockW   map[string]int
	priceW   map[string]int
}

// Order is an order as the store holds it: the v2 JSON objects, kept as
// decoded (json.Number), so a conformance example is served unchanged.
type Order struct {
	Fields    map[string]any
	Products  []map[string]any
	Addresses []map[string]any
	Shipments []map[string]any
	Cancels   int // writes that moved the order to Cancelled
}

// Variant is a catalogue variant.
type Variant struct {
	ID, ProductID int64
	SKU           string
	Price         string // decimal text as last written
	RetailPrice   string
	Stock         map[int64]int64 // location → quantity
}

// New starts nothing; call Server().Start() or use Transport().
func New(opts ...Option) *Fake {
	f := &Fake{clock: clock.Real{}, quota: 150, window: 30 * time.Second, nextID: 100,
		orders: map[string]*Order{}, variants: map[string]*Variant{}, stockW: map[string]int{}, priceW: map[string]int{}}
	for _, o := range opts {
		o(f)
	}
	prefix := "/stores/" + StoreHash + "/"
	f.srv = kit.New(kit.Options{
		Name:   "bigcommercefake",
		Clock:  f.clock,
		Auth:   kit.HeaderToken("X-Auth-Token", Token),
		Errors: kit.BigCommerceErrors,
		Limit:  kit.BigCommerce(f.quota, f.window),
		Scope:  func(*http.Request) string { return StoreHash },
		// The quota is the store's, whatever app or token spends it.
		LimitKey: func(_ *http.Request, _ string) string { return StoreHash },
		Before: func(r *http.Request) *kit.Response {
			if !strings.HasPrefix(r.URL.Path, prefix) {
				return &kit.Response{Status: http.StatusNotFound, Body: kit.BigCommerceErrors(404, "", "Store not found")}
			}
			return nil
		},
	})
	f.routes()
	return f
}

// Server is the kit server (faults, request log, counters).
func (f *Fake) Server() *kit.Server { return f.srv }

// Transport reaches the fake in process.
func (f *Fake) Transport() http.RoundTripper { return f.srv.Transport() }

func (f *Fake) now() time.Time { return f.clock.Now().UTC() }

// decode reads JSON keeping numbers as their text.
func decode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}
