// Package ebayfake is a local eBay API (the routes dropgate uses), built
// on internal/fakes/kit. It enforces the documented contract: the OAuth
// refresh-token and client-credentials grants with Basic client
// credentials, access tokens that expire (401 after, by the fake's
// clock), eBay's error body {"errors":[{"errorId","domain","category",
// "message"}]}, limit/offset paging with total on getOrders, the
// lastmodifieddate filter, at most 25 requests per
// bulk_update_price_quantity call, 201 + Location on a created shipping
// fulfillment, and a quota (429). Sources are in its README.
package ebayfake

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// Default credentials.
const (
	ClientID     = "dropgate-test-app"
	ClientSecret = "test-cert-id"
	RefreshToken = "v^1.1#test-refresh-token"
)

// TokenTTL is a user access token's life (eBay: 7200 s).
const TokenTTL = 2 * time.Hour

// Option configures the fake.
type Option func(*options)

type options struct {
	clock clock.Clock
	limit kit.Limiter
	ttl   time.Duration
}

// WithClock drives timestamps, token expiry and the quota.
func WithClock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// WithLimit sets a quota.
func WithLimit(l kit.Limiter) Option { return func(o *options) { o.limit = l } }

// WithTokenTTL sets how long an access token lives.
func WithTokenTTL(d time.Duration) Option { return func(o *options) { o.ttl = d } }

// Line is an ordered item.
type Line struct {
	LineItemID string
	SKU, Title string
	Qty        int64
	Price      string // unit price, decimal
}

// Order is an order as stored.
type Order struct {
	OrderID      string
	Currency     string
	Email        string
	Lines        []Line
	Shipping     string
	Paid         bool
	CancelState  string // NONE_REQUESTED, IN_PROGRESS, CANCELED
	CreatedAt    time.Time
	ModifiedAt   time.Time
	CancelledAt  time.Time
	Fulfillments []Fulfillment
}

// LineRef is a fulfilled quantity of a line item.
type LineRef struct {
	LineItemID string `json:"lineItemId"`
	Quantity   int64  `json:"quantity"`
}

// Fulfillment is a shipping fulfillment.
type Fulfillment struct {
	FulfillmentID          string    `json:"fulfillmentId"`
	ShipmentTrackingNumber string    `json:"shipmentTrackingNumber,omitempty"`
	ShippingCarrierCode    string    `json:"shippingCarrierCode,omitempty"`
	ShippedDate            string    `json:"shippedDate,omitempty"`
	LineItems              []LineRef `json:"lineItems"`
}

// Offer is a SKU's offer on a marketplace.
type Offer struct {
	OfferID, SKU, MarketplaceID string
	Price                       string // decimal
	Currency                    string
}

// Write is one item of a bulk_update_price_quantity call.
type Write struct {
	SKU      string
	Quantity *int64
	OfferID  string
	Price    string
}

// Fake is an eBay seller account.
type Fake struct {
	srv   *kit.Server
	clock clock.Clock
	ttl   time.Duration

	mu       sync.Mutex
	seq      int
	tokens   map[string]time.Time // access token → expiry
	orders   map[string]*Order
	qty      map[string]int64
	offers   map[string]*Offer // by SKU
	keys     map[string]string // kid → PEM on one line
	writes   []Write
	refreshs int
}

// New builds the fake.
func New(opts ...Option) *Fake {
	o := options{clock: clock.Real{}, ttl: TokenTTL}
	for _, opt := range opts {
		opt(&o)
	}
	f := &Fake{clock: o.clock, ttl: o.ttl, tokens: map[string]time.Time{}, orders: map[string]*Order{},
		qty: map[string]int64{}, offers: map[string]*Offer{}, keys: map[string]string{}}
	f.srv = kit.New(kit.Options{
		Name: "ebayfake", Clock: o.clock, Auth: kit.AuthFunc(f.auth), Limit: o.limit, Errors: Errors,
		// One quota per application, the token calls included.
		LimitKey: func(*http.Request, string) string { return ClientID },
		Messages: map[int]string{
			http.StatusUnauthorized:    "Invalid access token",
			http.StatusTooManyRequests: "The request limit has been reached for the resource.",
		},
	})
	f.routes()
	return f
}

// Errors is eBay's error body.
func Errors(status int, _, message string) any {
	id, cat := 2003, "APPLICATION"
	switch status {
	case http.StatusUnauthorized:
		id, cat = 1001, "REQUEST"
	case http.StatusTooManyRequests:
		id, cat = 2001, "REQUEST"
	case http.StatusBadRequest, http.StatusNotFound, http.StatusConflict:
		id, cat = 32100, "REQUEST"
	}
	return map[string]any{"errors": []map[string]any{{"errorId": id, "domain": "API_FULFILLMENT", "category": cat, "message": message}}}
}

// tokenPath is the OAuth endpoint.
const tokenPath = "/identity/v1/oauth2/token"

// auth: the token endpoint takes Basic client credentials; every other
// route a live access token.
func (f *Fake) auth(r *http.Request, _ []byte) (string, bool) {
	if r.URL.Path == tokenPath {
		u, p, ok := r.BasicAuth()
		return ClientID, ok && kit.Equal(u, ClientID) && kit.Equal(p, ClientSecret)
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return "", false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	exp, ok := f.tokens[tok]
	return ClientID, ok && f.clock.Now().Before(exp)
}

// Server is the kit server (faults, log, counters).
func (f *Fake) Server() *kit.Server { return f.srv }

// Transport reaches the fake in process.
func (f *Fake) Transport() http.RoundTripper { return f.srv.Transport() }

// Start serves on loopback and returns the base URL.
func (f *Fake) Start() string { return f.srv.Start() }

// Close stops the server.
func (f *Fake) Close() { f.srv.Close() }

func (f *Fake) now() time.Time { return f.clock.Now().UTC().Truncate(time.Millisecond) }

// Refreshes counts the access tokens issued.
func (f *Fake) Refreshes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refreshs
}

// AddKey serves a notification public key (PEM, one line) under kid.
func (f *Fake) AddKey(kid, pem string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys[kid] = pem
}

// NewOrder is an order to place.
type NewOrder struct {
	OrderID  string // default: generated
	Currency string // default USD
	Email    string
	Lines    []Line
	Shipping string
	Paid     bool
}

// AddOrder places an order, stamped now.
func (f *Fake) AddOrder(no NewOrder) Order {
	f.mu.Lock()
	defer f.mu.Unlock()
	return *f.addLocked(no, f.now())
}

func (f *Fake) addLocked(no NewOrder, at time.Time) *Order {
	f.seq++
	o := &Order{OrderID: no.OrderID, Currency: no.Currency, Email: no.Email, Shipping: no.Shipping, Paid: no.Paid,
		CancelState: "NONE_REQUESTED", CreatedAt: at, ModifiedAt: at}
	if o.OrderID == "" {
		o.OrderID = fmt.Sprintf("27-%05d-%05d", 10000+f.seq, 30000+f.seq)
	}
	if o.Currency == "" {
		o.Currency = "USD"
	}
	if o.Shipping == "" {
		o.Shipping = "0.00"
	}
	for i, l := range no.Lines {
		if l.LineItemID == "" {
			l.LineItemID = fmt.Sprintf("1%05d%05d", f.seq, i+1)
		}
		o.Lines = append(o.Lines, l)
	}
	f.orders[o.OrderID] = o
	return o
}

// PutOrder creates order id, or touches it, stamped modified at `at`.
func (f *Fake) PutOrder(id string, at time.Time) Order {
	f.mu.Lock()
	defer f.mu.Unlock()
	at = at.UTC().Truncate(time.Millisecond)
	if o, ok := f.orders[id]; ok {
		o.ModifiedAt = at
		return *o
	}
	return *f.addLocked(NewOrder{OrderID: id, Paid: true, Lines: []Line{{SKU: "SKU-" + id, Title: "Item", Qty: 1, Price: "10.00"}}}, at)
}

// Cancel cancels an order (cancelState CANCELED), stamped now.
func (f *Fake) Cancel(id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[id]
	if !ok {
		return fmt.Errorf("ebayfake: no order %s", id)
	}
	o.CancelState, o.CancelledAt, o.ModifiedAt = "CANCELED", f.now(), f.now()
	return nil
}

// Pay marks an order paid (orderPaymentStatus PAID), stamped now.
func (f *Fake) Pay(id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[id]
	if !ok {
		return fmt.Errorf("ebayfake: no order %s", id)
	}
	o.Paid, o.ModifiedAt = true, f.now()
	return nil
}

// Order returns an order.
func (f *Fake) Order(id string) (Order, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[id]
	if !ok {
		return Order{}, false
	}
	return *o, true
}

// Fulfillments returns an order's shipping fulfillments.
func (f *Fake) Fulfillments(id string) []Fulfillment {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o, ok := f.orders[id]; ok {
		return append([]Fulfillment(nil), o.Fulfillments...)
	}
	return nil
}

// AddOffer lists a SKU on a marketplace.
func (f *Fake) AddOffer(sku, marketplace, price, currency string) Offer {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	o := &Offer{OfferID: fmt.Sprintf("5%011d", f.seq), SKU: sku, MarketplaceID: marketplace, Price: price, Currency: currency}
	f.offers[sku] = o
	return *o
}

// Offer returns a SKU's offer.
func (f *Fake) Offer(sku string) (Offer, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.offers[sku]
	if !ok {
		return Offer{}, false
	}
	return *o, true
}

// Quantity returns a SKU's ship-to-home quantity.
func (f *Fake) Quantity(sku string) (int64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q, ok := f.qty[sku]
	return q, ok
}

// Writes are every item bulk_update_price_quantity took, in order.
func (f *Fake) Writes() []Write {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Write(nil), f.writes...)
}

// InventoryChanges counts the writes that changed sku's quantity.
func (f *Fake) InventoryChanges(sku string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, last := 0, int64(-1)
	for _, w := range f.writes {
		if w.SKU == sku && w.Quantity != nil && *w.Quantity != last {
			n++
			last = *w.Quantity
		}
	}
	return n
}

// PriceChanges counts the writes that changed sku's price.
func (f *Fake) PriceChanges(sku string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, last := 0, int64(-1)
	for _, w := range f.writes {
		if w.SKU == sku && w.Price != "" {
			if c := Cents(w.Price); c != last {
				n++
				last = c
			}
		}
	}
	return n
}

// sorted returns orders matching keep, by lastModifiedDate then id.
func (f *Fake) sorted(keep func(*Order) bool) []*Order {
	var out []*Order
	for _, o := range f.orders {
		if keep(o) {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].ModifiedAt.Equal(out[j].ModifiedAt) {
			return out[i].ModifiedAt.Before(out[j].ModifiedAt)
		}
		return out[i].OrderID < out[j].OrderID
	})
	return out
}
