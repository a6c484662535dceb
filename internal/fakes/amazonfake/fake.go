// Package amazonfake is a local Amazon Selling Partner API (the routes
// dropgate uses) with Login with Amazon's token endpoint, built on
// internal/fakes/kit. It enforces the documented contract: refresh-token
// grants minting one-hour access tokens, x-amz-access-token on every
// call (403 with Amazon's error body when missing or expired),
// per-operation token buckets with x-amzn-RateLimit-Limit, getOrders by
// LastUpdatedAfter with NextToken paging, order items, Restricted Data
// Tokens for getOrderAddress, confirmShipment, Listings Items patches and
// the JSON listings feed (Feeds API 2021-06-30). Sources are in its README.
package amazonfake

import (
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// Default credentials.
const (
	ClientID     = "amzn1.application-oa2-client.fake"
	ClientSecret = "amzn-client-secret"
	RefreshToken = "Atzr|fake-refresh-token"
	SellerID     = "A2FAKESELLER"
	Marketplace  = "ATVPDKIKX0DER"
)

// TokenPath is the LWA token route on the fake.
const TokenPath = "/auth/o2/token"

// TokenTTL is an access token's and an RDT's life.
const TokenTTL = time.Hour

// Operations, the keys of the per-operation buckets.
const (
	OpToken    = "lwaToken"
	OpOrders   = "getOrders"
	OpItems    = "getOrderItems"
	OpRDT      = "createRestrictedDataToken"
	OpAddress  = "getOrderAddress"
	OpConfirm  = "confirmShipment"
	OpListings = "patchListingsItem"
	// The Feeds API 2021-06-30.
	OpCreateDoc  = "createFeedDocument"
	OpCreateFeed = "createFeed"
	OpGetFeed    = "getFeed"
	OpGetDoc     = "getFeedDocument"
)

// DefaultLimits are Amazon's default plans (rate per second, burst).
func DefaultLimits() map[string]*kit.TokenBucket {
	return map[string]*kit.TokenBucket{
		OpOrders: kit.AmazonSP(0.0167, 20), OpItems: kit.AmazonSP(0.5, 30), OpRDT: kit.AmazonSP(1, 10),
		OpAddress: kit.AmazonSP(0.5, 30), OpConfirm: kit.AmazonSP(2, 10), OpListings: kit.AmazonSP(5, 5),
		OpCreateDoc: kit.AmazonSP(0.5, 15), OpCreateFeed: kit.AmazonSP(0.0083, 15), OpGetFeed: kit.AmazonSP(2, 15),
		OpGetDoc: kit.AmazonSP(0.0222, 10),
	}
}

// Option configures the fake.
type Option func(*options)

type options struct {
	clock    clock.Clock
	limits   map[string]*kit.TokenBucket
	itemPage int
}

// WithClock drives token expiry, timestamps and the quotas.
func WithClock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// WithLimits sets the per-operation buckets (DefaultLimits when unset;
// an operation without one is not limited).
func WithLimits(l map[string]*kit.TokenBucket) Option { return func(o *options) { o.limits = l } }

// WithItemPage sets how many items one getOrderItems page holds.
func WithItemPage(n int) Option { return func(o *options) { o.itemPage = n } }

// Money is SP-API's Money: the amount a decimal string.
type Money struct {
	CurrencyCode string `json:"CurrencyCode"`
	Amount       string `json:"Amount"`
}

// Address is an order's ShippingAddress.
type Address struct {
	Name          string `json:"Name,omitempty"`
	AddressLine1  string `json:"AddressLine1,omitempty"`
	City          string `json:"City"`
	StateOrRegion string `json:"StateOrRegion"`
	PostalCode    string `json:"PostalCode"`
	CountryCode   string `json:"CountryCode"`
}

// Item is an order item as getOrderItems renders it.
type Item struct {
	ASIN            string `json:"ASIN"`
	OrderItemID     string `json:"OrderItemId"`
	SellerSKU       string `json:"SellerSKU"`
	Title           string `json:"Title"`
	QuantityOrdered int64  `json:"QuantityOrdered"`
	QuantityShipped int64  `json:"QuantityShipped"`
	ItemPrice       *Money `json:"ItemPrice,omitempty"`
	ShippingPrice   *Money `json:"ShippingPrice,omitempty"`
	ItemTax         *Money `json:"ItemTax,omitempty"`
	// BuyerRequestedCancel is rendered when the buyer asked.
	BuyerRequestedCancel *struct {
		IsBuyerRequestedCancel string `json:"IsBuyerRequestedCancel"`
		BuyerCancelReason      string `json:"BuyerCancelReason"`
	} `json:"BuyerRequestedCancel,omitempty"`
}

// Order is an order as getOrders renders it; Items and Address are kept
// apart (getOrderItems, getOrderAddress).
type Order struct {
	AmazonOrderID                string `json:"AmazonOrderId"`
	PurchaseDate                 string `json:"PurchaseDate"`
	LastUpdateDate               string `json:"LastUpdateDate"`
	OrderStatus                  string `json:"OrderStatus"`
	FulfillmentChannel           string `json:"FulfillmentChannel"`
	MarketplaceID                string `json:"MarketplaceId"`
	ShipmentServiceLevelCategory string `json:"ShipmentServiceLevelCategory"`
	LatestShipDate               string `json:"LatestShipDate,omitempty"`
	OrderTotal                   *Money `json:"OrderTotal,omitempty"`
	// ShippingAddress in getOrders has no PII (city, region, postcode,
	// country); the full one needs an RDT.
	ShippingAddress *Address `json:"ShippingAddress,omitempty"`

	Items   []Item   `json:"-"`
	Address *Address `json:"-"`
	updated time.Time
}

// Confirmation is one confirmShipment received.
type Confirmation struct {
	OrderID            string
	MarketplaceID      string
	PackageReferenceID string
	CarrierCode        string
	CarrierName        string
	TrackingNumber     string
	ShipDate           string
	Items              map[string]int64
}

// Listing is a SKU's offer attributes as patched.
type Listing struct {
	Quantity    int64
	HasQuantity bool
	Price       string
	Currency    string
}

// Fake is an Amazon seller account.
type Fake struct {
	srv      *kit.Server
	clock    clock.Clock
	limits   map[string]*kit.TokenBucket
	itemPage int

	mu            sync.Mutex
	seq           int64
	orders        map[string]*Order
	tokens        map[string]time.Time // access token → expiry
	rdts          map[string]rdt
	confirmations []Confirmation
	listings      map[string]*Listing
	qtyWrites     map[string][]int64
	priceWrites   map[string][]string
	issues        map[string]string // sku → an ERROR issue to answer
	warnings      map[string]string // sku → a WARNING issue in feed reports
	minted        int

	docs      map[string]*document
	feeds     map[string]*feed
	fatalNext string // the next feed processed ends FATAL with this
}

type rdt struct {
	expires time.Time
	paths   map[string]bool
}

// New builds the fake.
func New(opts ...Option) *Fake {
	o := options{clock: clock.Real{}, itemPage: 100}
	for _, opt := range opts {
		opt(&o)
	}
	if o.limits == nil {
		o.limits = DefaultLimits()
	}
	f := &Fake{clock: o.clock, limits: o.limits, itemPage: max(o.itemPage, 1), orders: map[string]*Order{},
		tokens: map[string]time.Time{}, rdts: map[string]rdt{}, listings: map[string]*Listing{},
		qtyWrites: map[string][]int64{}, priceWrites: map[string][]string{}, issues: map[string]string{},
		warnings: map[string]string{}, docs: map[string]*document{}, feeds: map[string]*feed{}}
	f.srv = kit.New(kit.Options{
		Name: "amazonfake", Clock: o.clock, Limit: limiterOf(f.limits), Errors: kit.AmazonErrors,
		Before: f.before,
		// Each operation has its own bucket, per selling partner.
		LimitKey: func(r *http.Request, _ string) string { return operation(r) },
		Messages: map[int]string{http.StatusTooManyRequests: "You exceeded your quota for the requested resource."},
	})
	f.routes()
	return f
}

// opLimiter admits a request on its operation's bucket.
type opLimiter map[string]kit.Limiter

// limiterOf is the buckets as a limiter; createFeed of a
// JSON_LISTINGS_FEED is also held to that feed type's own five feeds per
// five minutes.
func limiterOf(buckets map[string]*kit.TokenBucket) opLimiter {
	l := opLimiter{}
	for op, b := range buckets {
		l[op] = b
	}
	if b, ok := buckets[OpCreateFeed]; ok {
		l[OpCreateFeed] = kit.All(b, &kit.TokenBucket{Rate: 5.0 / 300, Burst: 5, NoRetryAfter: true,
			Message: "You exceeded your quota for the requested resource."})
	}
	return l
}

func (l opLimiter) Admit(key string, now time.Time) kit.Decision {
	b, ok := l[key]
	if !ok {
		return kit.Decision{OK: true}
	}
	return b.Admit(key, now)
}

// Server is the kit server (faults, log, counters).
func (f *Fake) Server() *kit.Server { return f.srv }

// Transport reaches the fake in process.
func (f *Fake) Transport() http.RoundTripper { return f.srv.Transport() }

// Start serves on loopback and returns the base URL.
func (f *Fake) Start() string { return f.srv.Start() }

// Close stops the server.
func (f *Fake) Close() { f.srv.Close() }

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// NewLine is an item to place.
type NewLine struct {
	SKU, Title string
	Qty        int64
	Price      string // the item's ItemPrice: unit price × quantity, decimal
}

// AddOrder places an Unshipped MFN order in USD, stamped now, and
// returns its AmazonOrderId.
func (f *Fake) AddOrder(lines ...NewLine) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	id := "113-" + strconv.FormatInt(1000000+f.seq, 10) + "-" + strconv.FormatInt(2000000+f.seq, 10)
	f.put(id, f.clock.Now(), lines)
	return id
}

func (f *Fake) put(id string, at time.Time, lines []NewLine) *Order {
	o := &Order{AmazonOrderID: id, PurchaseDate: stamp(at), LastUpdateDate: stamp(at), OrderStatus: "Unshipped",
		FulfillmentChannel: "MFN", MarketplaceID: Marketplace, ShipmentServiceLevelCategory: "Standard",
		LatestShipDate: stamp(at.Add(48 * time.Hour)), updated: at,
		ShippingAddress: &Address{City: "Austin", StateOrRegion: "TX", PostalCode: "78701", CountryCode: "US"},
		Address: &Address{Name: "Ada Lovelace", AddressLine1: "12 Analytical Row", City: "Austin", StateOrRegion: "TX",
			PostalCode: "78701", CountryCode: "US"}}
	for i, l := range lines {
		f.seq++
		o.Items = append(o.Items, Item{ASIN: "B0" + strconv.Itoa(100000+i), OrderItemID: strconv.FormatInt(60000000000000+f.seq, 10),
			SellerSKU: l.SKU, Title: l.Title, QuantityOrdered: l.Qty, ItemPrice: &Money{CurrencyCode: "USD", Amount: l.Price}})
	}
	f.orders[id] = o
	return o
}

// PutOrder creates order id (one item), or touches it, stamped updated
// at `at` by Amazon's clock.
func (f *Fake) PutOrder(id string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o, ok := f.orders[id]; ok {
		o.updated, o.LastUpdateDate = at, stamp(at)
		return
	}
	f.put(id, at, []NewLine{{SKU: "SKU-" + id, Title: "Item", Qty: 1, Price: "10.00"}})
}

// SetStatus sets an order's OrderStatus, stamped now.
func (f *Fake) SetStatus(id, status string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[id]
	if ok {
		o.OrderStatus = status
		o.updated = f.clock.Now()
		o.LastUpdateDate = stamp(o.updated)
	}
	return ok
}

// BuyerCancel flags every item as cancelled at the buyer's request,
// stamped now.
func (f *Fake) BuyerCancel(id, reason string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[id]
	if !ok {
		return false
	}
	for i := range o.Items {
		o.Items[i].BuyerRequestedCancel = &struct {
			IsBuyerRequestedCancel string `json:"IsBuyerRequestedCancel"`
			BuyerCancelReason      string `json:"BuyerCancelReason"`
		}{"true", reason}
	}
	o.updated = f.clock.Now()
	o.LastUpdateDate = stamp(o.updated)
	return true
}

// Order returns a copy of an order with its items.
func (f *Fake) Order(id string) (Order, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[id]
	if !ok {
		return Order{}, false
	}
	cp := *o
	cp.Items = append([]Item(nil), o.Items...)
	return cp, true
}

// Confirmations are the shipment confirmations recorded for an order.
func (f *Fake) Confirmations(id string) []Confirmation {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Confirmation
	for _, c := range f.confirmations {
		if c.OrderID == id {
			out = append(out, c)
		}
	}
	return out
}

// SetIssue makes patches of sku answer INVALID with an ERROR issue.
func (f *Fake) SetIssue(sku, message string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.issues[sku] = message
}

// Listing is a SKU's patched attributes.
func (f *Fake) Listing(sku string) (Listing, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.listings[sku]
	if !ok {
		return Listing{}, false
	}
	return *l, true
}

// QuantityChanges counts the patches that changed sku's quantity.
func (f *Fake) QuantityChanges(sku string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for i, q := range f.qtyWrites[sku] {
		if i == 0 || q != f.qtyWrites[sku][i-1] {
			n++
		}
	}
	return n
}

// PriceChanges counts the patches that changed sku's price.
func (f *Fake) PriceChanges(sku string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for i, p := range f.priceWrites[sku] {
		if i == 0 || p != f.priceWrites[sku][i-1] {
			n++
		}
	}
	return n
}

// TokensIssued is how many access tokens the LWA route minted.
func (f *Fake) TokensIssued() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.minted
}

// sorted returns the orders by last update, then id.
func (f *Fake) sorted(keep func(*Order) bool) []*Order {
	var out []*Order
	for _, o := range f.orders {
		if keep(o) {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].updated.Equal(out[j].updated) {
			return out[i].updated.Before(out[j].updated)
		}
		return out[i].AmazonOrderID < out[j].AmazonOrderID
	})
	return out
}
