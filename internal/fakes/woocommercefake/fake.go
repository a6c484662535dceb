// Package woocommercefake is a local WooCommerce store (WC REST API v3) on
// internal/fakes/kit: Basic auth with the query-string fallback, the
// WordPress error body {code, message, data: {status}}, page/per_page
// pagination with X-WP-Total and X-WP-TotalPages, batch endpoints that
// refuse more than 100 objects, orders with notes and Shipment Tracking
// entries, products and variations with stock and prices. See README.md.
package woocommercefake

import (
	"net/http"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// Default credentials.
const (
	ConsumerKey    = "ck_fake"
	ConsumerSecret = "cs_fake"
)

// BatchLimit is the most objects a batch request may carry.
const BatchLimit = 100

// Option configures the fake.
type Option func(*Fake)

// WithClock sets the clock (quotas, timestamps).
func WithClock(c clock.Clock) Option { return func(f *Fake) { f.clock = c } }

// WithLimit sets the host's request quota (default 5/s, burst 25).
func WithLimit(rate float64, burst int) Option {
	return func(f *Fake) { f.rate, f.burst = rate, burst }
}

// Fake is the store. Safe for concurrent use.
type Fake struct {
	clock       clock.Clock
	rate        float64
	burst       int
	srv         *kit.Server
	mu          sync.Mutex
	nextID      int64
	orders      map[int64]*Order
	orderSeq    []int64
	products    map[int64]*Product
	productSeq  []int64
	stockWrites map[string]int // SKU → writes that changed the stock
	priceWrites map[string]int // SKU → writes that changed a price
}

// New starts nothing; call Server().Start() or use Transport().
func New(opts ...Option) *Fake {
	f := &Fake{clock: clock.Real{}, rate: 5, burst: 25, nextID: 1000,
		orders: map[int64]*Order{}, products: map[int64]*Product{},
		stockWrites: map[string]int{}, priceWrites: map[string]int{}}
	for _, o := range opts {
		o(f)
	}
	f.srv = kit.New(kit.Options{
		Name:   "woocommercefake",
		Clock:  f.clock,
		Auth:   kit.Basic(ConsumerKey, ConsumerSecret, "consumer_key", "consumer_secret"),
		Errors: kit.WooCommerceErrors,
		Limit:  &kit.TokenBucket{Rate: f.rate, Burst: f.burst},
	})
	f.routes()
	return f
}

// Server is the kit server (faults, request log, counters).
func (f *Fake) Server() *kit.Server { return f.srv }

// Transport reaches the fake in process.
func (f *Fake) Transport() http.RoundTripper { return f.srv.Transport() }

func (f *Fake) now() time.Time { return f.clock.Now().UTC() }

func (f *Fake) id() int64 {
	f.nextID++
	return f.nextID
}
