// Package etsyfake is a local Etsy Open API v3 (the routes dropgate
// uses), built on internal/fakes/kit. It enforces the documented
// contract: x-api-key keystring:shared_secret on every call (403
// without the secret), OAuth bearer tokens from the refresh_token grant
// that expire after an hour, refresh tokens rotated on every refresh
// (the old one refused), Etsy's per-second and per-day quotas with their
// headers, the {"error": "..."} body, limit/offset paging of receipts,
// receipt tracking, and listing inventory whose PUT replaces every
// product (a PUT that drops a product is refused). Sources are in its
// README.
package etsyfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
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
	Keystring    = "etsykeystring1234567890"
	SharedSecret = "etsy-shared-secret"
	ShopID       = "12345678"
	// RefreshToken is the first refresh token; it dies at its first use.
	RefreshToken = "12345678.first-refresh-token"
)

// TokenTTL is an access token's life (Etsy: 3600 s).
const TokenTTL = time.Hour

// Option configures the fake.
type Option func(*options)

type options struct {
	clock clock.Clock
	limit kit.Limiter
}

// WithClock drives token expiry, timestamps and the quota.
func WithClock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// WithLimit sets the quota (kit.Etsy(perSecond, perDay)).
func WithLimit(l kit.Limiter) Option { return func(o *options) { o.limit = l } }

// Money is Etsy's money: the value is Amount/Divisor.
type Money struct {
	Amount       int64  `json:"amount"`
	Divisor      int64  `json:"divisor"`
	CurrencyCode string `json:"currency_code"`
}

// USD is an amount in cents.
func USD(cents int64) Money { return Money{Amount: cents, Divisor: 100, CurrencyCode: "USD"} }

// Transaction is a receipt line.
type Transaction struct {
	TransactionID int64  `json:"transaction_id"`
	Title         string `json:"title"`
	Quantity      int64  `json:"quantity"`
	ListingID     int64  `json:"listing_id"`
	ProductID     int64  `json:"product_id"`
	SKU           string `json:"sku"`
	Price         Money  `json:"price"`
}

// Shipment is a tracking record on a receipt.
type Shipment struct {
	ReceiptShippingID int64  `json:"receipt_shipping_id"`
	CarrierName       string `json:"carrier_name"`
	TrackingCode      string `json:"tracking_code"`
	NotificationTime  int64  `json:"shipment_notification_timestamp"`
}

// Receipt is a ShopReceipt as Etsy renders it (the fields dropgate reads
// and a few more).
type Receipt struct {
	ReceiptID         int64         `json:"receipt_id"`
	ReceiptType       int           `json:"receipt_type"`
	SellerUserID      int64         `json:"seller_user_id"`
	BuyerEmail        string        `json:"buyer_email"`
	Name              string        `json:"name"`
	FirstLine         string        `json:"first_line"`
	SecondLine        *string       `json:"second_line"`
	City              string        `json:"city"`
	State             string        `json:"state"`
	Zip               string        `json:"zip"`
	CountryISO        string        `json:"country_iso"`
	Status            string        `json:"status"`
	PaymentMethod     string        `json:"payment_method"`
	IsPaid            bool          `json:"is_paid"`
	IsShipped         bool          `json:"is_shipped"`
	CreateTimestamp   int64         `json:"create_timestamp"`
	CreatedTimestamp  int64         `json:"created_timestamp"`
	UpdateTimestamp   int64         `json:"update_timestamp"`
	UpdatedTimestamp  int64         `json:"updated_timestamp"`
	Grandtotal        Money         `json:"grandtotal"`
	Subtotal          Money         `json:"subtotal"`
	TotalPrice        Money         `json:"total_price"`
	TotalShippingCost Money         `json:"total_shipping_cost"`
	TotalTaxCost      Money         `json:"total_tax_cost"`
	TotalVatCost      Money         `json:"total_vat_cost"`
	DiscountAmt       Money         `json:"discount_amt"`
	Shipments         []Shipment    `json:"shipments"`
	Transactions      []Transaction `json:"transactions"`
}

// NewLine is a line to place.
type NewLine struct {
	SKU, Title string
	Qty        int64
	Cents      int64 // unit price in USD cents
}

// Offering is a product's offering.
type Offering struct {
	OfferingID int64 `json:"offering_id"`
	Quantity   int64 `json:"quantity"`
	IsEnabled  bool  `json:"is_enabled"`
	IsDeleted  bool  `json:"is_deleted"`
	Price      Money `json:"price"`
}

// PropertyValue is a variation value of a product.
type PropertyValue struct {
	PropertyID   int64    `json:"property_id"`
	PropertyName string   `json:"property_name"`
	ScaleID      *int64   `json:"scale_id"`
	ValueIDs     []int64  `json:"value_ids"`
	Values       []string `json:"values"`
}

// Product is a listing product (one variation).
type Product struct {
	ProductID      int64           `json:"product_id"`
	SKU            string          `json:"sku"`
	IsDeleted      bool            `json:"is_deleted"`
	Offerings      []Offering      `json:"offerings"`
	PropertyValues []PropertyValue `json:"property_values"`
}

// Inventory is a listing's inventory.
type Inventory struct {
	Products           []Product `json:"products"`
	PriceOnProperty    []int64   `json:"price_on_property"`
	QuantityOnProperty []int64   `json:"quantity_on_property"`
	SKUOnProperty      []int64   `json:"sku_on_property"`
}

// Write is one accepted inventory PUT, per product.
type Write struct {
	ListingID int64
	SKU       string
	Quantity  int64
	Cents     int64
}

// Fake is an Etsy app with one shop.
type Fake struct {
	srv   *kit.Server
	clock clock.Clock

	mu        sync.Mutex
	seq       int64
	receipts  map[int64]*Receipt
	names     map[string]int64 // test names of receipts → ids
	ids       map[int64]string
	access    map[string]time.Time // token → expiry
	refresh   string               // the one live refresh token
	refreshes int
	listings  map[int64]*Inventory
	writes    []Write
	tracking  int
}

// New builds the fake.
func New(opts ...Option) *Fake {
	o := options{clock: clock.Real{}}
	for _, opt := range opts {
		opt(&o)
	}
	f := &Fake{clock: o.clock, receipts: map[int64]*Receipt{}, names: map[string]int64{}, ids: map[int64]string{}, access: map[string]time.Time{}, refresh: RefreshToken,
		listings: map[int64]*Inventory{}}
	f.srv = kit.New(kit.Options{
		Name: "etsyfake", Clock: o.clock, Auth: kit.AuthFunc(f.auth), Limit: o.limit, Errors: Errors,
		Before: f.before,
		// The quota is the app key's, whichever token is used.
		LimitKey: func(*http.Request, string) string { return "app" },
		Messages: map[int]string{http.StatusUnauthorized: "invalid_token"},
	})
	f.routes()
	return f
}

// Errors is Etsy's error body: {"error": "..."}.
func Errors(_ int, _ string, message string) any { return map[string]any{"error": message} }

// Server is the kit server (faults, log, counters).
func (f *Fake) Server() *kit.Server { return f.srv }

// Transport reaches the fake in process.
func (f *Fake) Transport() http.RoundTripper { return f.srv.Transport() }

// Start serves on loopback and returns the base URL.
func (f *Fake) Start() string { return f.srv.Start() }

// Close stops the server.
func (f *Fake) Close() { f.srv.Close() }

func (f *Fake) now() int64 { return f.clock.Now().Unix() }

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// AddReceipt places a paid receipt of lines, stamped now, and returns it.
func (f *Fake) AddReceipt(lines ...NewLine) Receipt {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	return *f.put(4000000000+f.seq, f.now(), lines)
}

func (f *Fake) put(id, at int64, lines []NewLine) *Receipt {
	r := &Receipt{ReceiptID: id, SellerUserID: 87654321, BuyerEmail: "ada@example.com", Name: "Ada Lovelace",
		FirstLine: "12 Analytical Row", City: "Austin", State: "TX", Zip: "78701", CountryISO: "US", Status: "Paid",
		PaymentMethod: "cc", IsPaid: true, CreateTimestamp: at, CreatedTimestamp: at, UpdateTimestamp: at, UpdatedTimestamp: at,
		TotalShippingCost: USD(450), TotalTaxCost: USD(0), TotalVatCost: USD(0), DiscountAmt: USD(0), Shipments: []Shipment{}}
	var sub int64
	for i, l := range lines {
		r.Transactions = append(r.Transactions, Transaction{TransactionID: id*10 + int64(i) + 1, Title: l.Title, Quantity: l.Qty,
			ListingID: 900000 + int64(i), ProductID: 800000 + int64(i), SKU: l.SKU, Price: USD(l.Cents)})
		sub += l.Cents * l.Qty
	}
	r.Subtotal, r.TotalPrice, r.Grandtotal = USD(sub), USD(sub), USD(sub+450)
	f.receipts[id] = r
	return r
}

// PutReceipt creates the receipt a test names id (one line), or touches
// it, stamped modified at `at` by Etsy's clock. Etsy assigns integer
// receipt ids: a name that is not one gets one (see Name).
func (f *Fake) PutReceipt(id string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		var ok bool
		if n, ok = f.names[id]; !ok {
			f.seq++
			n = 5000000000 + f.seq
			f.names[id], f.ids[n] = n, id
		}
	}
	if r, ok := f.receipts[n]; ok {
		r.UpdateTimestamp, r.UpdatedTimestamp = at.Unix(), at.Unix()
		return
	}
	f.put(n, at.Unix(), []NewLine{{SKU: "SKU-" + strconv.FormatInt(n, 10), Title: "Item", Qty: 1, Cents: 1000}})
}

// Name is the name PutReceipt was given for a receipt id.
func (f *Fake) Name(receiptID string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, _ := strconv.ParseInt(receiptID, 10, 64)
	if name, ok := f.ids[n]; ok {
		return name
	}
	return receiptID
}

// Cancel cancels a receipt (the seller or Etsy did), stamped now.
func (f *Fake) Cancel(id int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.receipts[id]
	if ok {
		r.Status, r.UpdateTimestamp, r.UpdatedTimestamp = "Canceled", f.now(), f.now()
	}
	return ok
}

// Receipt returns a copy of a receipt.
func (f *Fake) Receipt(id int64) (Receipt, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.receipts[id]
	if !ok {
		return Receipt{}, false
	}
	b, _ := json.Marshal(r)
	var cp Receipt
	_ = json.Unmarshal(b, &cp)
	return cp, true
}

// Shipments are the tracking records of a receipt.
func (f *Fake) Shipments(id int64) []Shipment {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.receipts[id]; ok {
		return append([]Shipment(nil), r.Shipments...)
	}
	return nil
}

// AddListing creates a listing whose products are the SKUs, each with
// one enabled offering of qty at cents USD, varying on a colour
// property; it returns the listing id.
func (f *Fake) AddListing(qty, cents int64, skus ...string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	id := 1000000000 + f.seq
	inv := &Inventory{PriceOnProperty: []int64{}, QuantityOnProperty: []int64{200}, SKUOnProperty: []int64{200}}
	if len(skus) > 1 {
		inv.PriceOnProperty = []int64{200}
	}
	for i, s := range skus {
		inv.Products = append(inv.Products, Product{ProductID: id*10 + int64(i), SKU: s,
			Offerings: []Offering{{OfferingID: id*100 + int64(i), Quantity: qty, IsEnabled: true, Price: USD(cents)}},
			PropertyValues: []PropertyValue{{PropertyID: 200, PropertyName: "Primary color", ValueIDs: []int64{int64(1213 + i)},
				Values: []string{"Colour " + strconv.Itoa(i)}}}})
	}
	f.listings[id] = inv
	return id
}

// find is the product of a SKU.
func (f *Fake) find(sku string) (int64, *Product) {
	for id, inv := range f.listings {
		for i := range inv.Products {
			if inv.Products[i].SKU == sku && !inv.Products[i].IsDeleted {
				return id, &inv.Products[i]
			}
		}
	}
	return 0, nil
}

// Quantity and Cents are a SKU's offering quantity and price.
func (f *Fake) Quantity(sku string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, p := f.find(sku); p != nil && len(p.Offerings) > 0 {
		return p.Offerings[0].Quantity
	}
	return -1
}

// Cents is a SKU's price in minor units.
func (f *Fake) Cents(sku string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, p := f.find(sku); p != nil && len(p.Offerings) > 0 {
		o := p.Offerings[0].Price
		return o.Amount * 100 / o.Divisor
	}
	return -1
}

// Products are the live products of a listing.
func (f *Fake) Products(listing int64) []Product {
	f.mu.Lock()
	defer f.mu.Unlock()
	inv, ok := f.listings[listing]
	if !ok {
		return nil
	}
	return append([]Product(nil), inv.Products...)
}

// QuantityChanges counts the writes that changed sku's quantity.
func (f *Fake) QuantityChanges(sku string) int {
	return f.changes(sku, func(w Write) int64 { return w.Quantity })
}

// PriceChanges counts the writes that changed sku's price.
func (f *Fake) PriceChanges(sku string) int {
	return f.changes(sku, func(w Write) int64 { return w.Cents })
}

func (f *Fake) changes(sku string, v func(Write) int64) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, last, seen := 0, int64(0), false
	for _, w := range f.writes {
		if w.SKU == sku && (!seen || v(w) != last) {
			n++
			last, seen = v(w), true
		}
	}
	return n
}

// Refreshes is how many refresh_token grants succeeded.
func (f *Fake) Refreshes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refreshes
}

// LiveRefreshToken is the refresh token the next grant must present.
func (f *Fake) LiveRefreshToken() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refresh
}

// sorted returns the receipts by update_timestamp (or receipt_id), then id.
func (f *Fake) sorted(byUpdated, desc bool, keep func(*Receipt) bool) []*Receipt {
	var out []*Receipt
	for _, r := range f.receipts {
		if keep(r) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if desc {
			a, b = b, a
		}
		if byUpdated && a.UpdateTimestamp != b.UpdateTimestamp {
			return a.UpdateTimestamp < b.UpdateTimestamp
		}
		if !byUpdated && a.CreateTimestamp != b.CreateTimestamp {
			return a.CreateTimestamp < b.CreateTimestamp
		}
		return a.ReceiptID < b.ReceiptID
	})
	return out
}
