// Package walmartfake is a local Walmart Marketplace (US) API (the
// routes dropgate uses), built on internal/fakes/kit. It enforces the
// documented contract: client-credentials tokens from POST /v3/token
// that expire after 15 minutes, WM_SEC.ACCESS_TOKEN, WM_QOS.CORRELATION_ID
// and WM_SVC.NAME on every call, the per-seller token bucket with
// x-current-token-count, Walmart's error bodies, nextCursor paging,
// acknowledgement, shipping updates, inventory and prices. Sources are in
// its README.
package walmartfake

import (
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
	ClientID     = "wm-client-id"
	ClientSecret = "wm-client-secret"
)

// TokenTTL is an access token's life.
const TokenTTL = 15 * time.Minute

// Option configures the fake.
type Option func(*options)

type options struct {
	clock clock.Clock
	limit kit.Limiter
}

// WithClock drives token expiry, timestamps and the quota.
func WithClock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// WithLimit sets the quota (kit.Walmart(rate, burst)).
func WithLimit(l kit.Limiter) Option { return func(o *options) { o.limit = l } }

// Amount is a charge: currency and a JSON number.
type Amount struct {
	Currency string      `json:"currency"`
	Amount   json.Number `json:"amount"`
}

// Qty is a quantity as Walmart writes it: a string.
type Qty struct {
	Unit   string `json:"unitOfMeasurement"`
	Amount string `json:"amount"`
}

// Tracking is a line status's trackingInfo.
type Tracking struct {
	ShipDateTime int64 `json:"shipDateTime"`
	CarrierName  struct {
		Carrier      string `json:"carrier,omitempty"`
		OtherCarrier string `json:"otherCarrier,omitempty"`
	} `json:"carrierName"`
	MethodCode     string `json:"methodCode"`
	TrackingNumber string `json:"trackingNumber"`
	TrackingURL    string `json:"trackingURL,omitempty"`
}

// LineStatus is one orderLineStatus.
type LineStatus struct {
	Status         string    `json:"status"`
	StatusQuantity Qty       `json:"statusQuantity"`
	TrackingInfo   *Tracking `json:"trackingInfo,omitempty"`
}

// Charge is a line charge.
type Charge struct {
	ChargeType   string `json:"chargeType"`
	ChargeName   string `json:"chargeName"`
	ChargeAmount Amount `json:"chargeAmount"`
}

// Line is an order line as Walmart renders it.
type Line struct {
	LineNumber string `json:"lineNumber"`
	Item       struct {
		ProductName string `json:"productName"`
		SKU         string `json:"sku"`
	} `json:"item"`
	Charges struct {
		Charge []Charge `json:"charge"`
	} `json:"charges"`
	OrderLineQuantity Qty   `json:"orderLineQuantity"`
	StatusDate        int64 `json:"statusDate"`
	OrderLineStatuses struct {
		OrderLineStatus []LineStatus `json:"orderLineStatus"`
	} `json:"orderLineStatuses"`
}

// Order is a purchase order as Walmart renders it.
type Order struct {
	PurchaseOrderID string `json:"purchaseOrderId"`
	CustomerOrderID string `json:"customerOrderId"`
	CustomerEmailID string `json:"customerEmailId"`
	OrderDate       int64  `json:"orderDate"`
	ShippingInfo    struct {
		Phone             string `json:"phone"`
		EstimatedShipDate int64  `json:"estimatedShipDate"`
		MethodCode        string `json:"methodCode"`
		PostalAddress     struct {
			Name       string `json:"name"`
			Address1   string `json:"address1"`
			City       string `json:"city"`
			State      string `json:"state"`
			PostalCode string `json:"postalCode"`
			Country    string `json:"country"`
		} `json:"postalAddress"`
	} `json:"shippingInfo"`
	OrderLines struct {
		OrderLine []Line `json:"orderLine"`
	} `json:"orderLines"`
}

// modified is the order's last change: its latest statusDate.
func (o *Order) modified() int64 {
	m := o.OrderDate
	for _, l := range o.OrderLines.OrderLine {
		m = max(m, l.StatusDate)
	}
	return m
}

// NewLine is a line to place.
type NewLine struct {
	SKU, Name string
	Qty       int64
	Price     string // the line's PRODUCT charge, decimal
}

// Shipment is what one POST …/shipping recorded.
type Shipment struct {
	PurchaseOrderID string
	Lines           []ShippedLine
}

// ShippedLine is one shipped line entry.
type ShippedLine struct {
	LineNumber string
	Qty        int64
	Tracking   Tracking
}

// InventoryWrite and PriceWrite are what PUT /v3/inventory and PUT
// /v3/price received.
type InventoryWrite struct {
	SKU      string
	Quantity int64
	ShipNode string
}

// PriceWrite is one price set.
type PriceWrite struct {
	SKU      string
	Currency string
	Amount   json.Number
}

// Fake is a Walmart seller account.
type Fake struct {
	srv   *kit.Server
	clock clock.Clock

	mu           sync.Mutex
	seq          int64
	orders       map[string]*Order
	acks         map[string]int
	tokens       map[string]time.Time // token → expiry
	correlations map[string]int
	shipments    []Shipment
	inventory    map[string]int64
	prices       map[string]PriceWrite
	invWrites    []InventoryWrite
	priceWrites  []PriceWrite
}

// New builds the fake.
func New(opts ...Option) *Fake {
	o := options{clock: clock.Real{}}
	for _, opt := range opts {
		opt(&o)
	}
	f := &Fake{clock: o.clock, orders: map[string]*Order{}, acks: map[string]int{}, tokens: map[string]time.Time{},
		correlations: map[string]int{}, inventory: map[string]int64{}, prices: map[string]PriceWrite{}}
	f.srv = kit.New(kit.Options{
		Name: "walmartfake", Clock: o.clock, Auth: kit.AuthFunc(f.auth), Limit: o.limit, Errors: Errors,
		Before: f.before,
		// The quota is the seller's, whichever token is used.
		LimitKey: func(*http.Request, string) string { return "seller" },
		Messages: map[int]string{http.StatusUnauthorized: "Unauthorized token or invalid request"},
	})
	f.routes()
	return f
}

// Errors is Walmart's error body: {"errors": [{"code", "field",
// "description", "info", "severity", "category"}]}.
func Errors(status int, code, message string) any {
	wm := map[int]string{400: "INVALID_REQUEST.GMP_ORDER_API", 401: "UNAUTHORIZED.GMP_GATEWAY_API", 404: "CONTENT_NOT_FOUND.GMP_ORDER_API",
		429: "REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API", 500: "SYSTEM_ERROR.GMP_ORDER_API"}[status]
	if wm == "" {
		wm = code
	}
	return map[string]any{"errors": []map[string]any{{"code": wm, "field": code, "description": message,
		"info": message, "severity": "ERROR", "category": "DATA", "causes": []any{}}}}
}

// Server is the kit server (faults, log, counters).
func (f *Fake) Server() *kit.Server { return f.srv }

// Transport reaches the fake in process.
func (f *Fake) Transport() http.RoundTripper { return f.srv.Transport() }

// Start serves on loopback and returns the base URL.
func (f *Fake) Start() string { return f.srv.Start() }

// Close stops the server.
func (f *Fake) Close() { f.srv.Close() }

func (f *Fake) nowMs() int64 { return f.clock.Now().UnixMilli() }

// AddOrder places a released order (every line Created), stamped now,
// and returns its purchaseOrderId.
func (f *Fake) AddOrder(lines ...NewLine) Order {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	return *f.put(strconv.FormatInt(1000000000000+f.seq, 10), f.nowMs(), lines)
}

func (f *Fake) put(po string, at int64, lines []NewLine) *Order {
	o := &Order{PurchaseOrderID: po, CustomerOrderID: "C" + po, CustomerEmailID: po + "@relay.walmart.com", OrderDate: at}
	o.ShippingInfo.MethodCode = "Standard"
	o.ShippingInfo.EstimatedShipDate = at + int64(48*time.Hour/time.Millisecond)
	a := &o.ShippingInfo.PostalAddress
	a.Name, a.Address1, a.City, a.State, a.PostalCode, a.Country = "Ada Lovelace", "12 Analytical Row", "Austin", "TX", "78701", "USA"
	for i, nl := range lines {
		l := Line{LineNumber: strconv.Itoa(i + 1), StatusDate: at}
		l.Item.SKU, l.Item.ProductName = nl.SKU, nl.Name
		l.Charges.Charge = []Charge{{ChargeType: "PRODUCT", ChargeName: "ItemPrice", ChargeAmount: Amount{Currency: "USD", Amount: json.Number(nl.Price)}}}
		q := strconv.FormatInt(nl.Qty, 10)
		l.OrderLineQuantity = Qty{Unit: "EACH", Amount: q}
		l.OrderLineStatuses.OrderLineStatus = []LineStatus{{Status: "Created", StatusQuantity: Qty{Unit: "EACH", Amount: q}}}
		o.OrderLines.OrderLine = append(o.OrderLines.OrderLine, l)
	}
	f.orders[po] = o
	return o
}

// PutOrder creates order po (one line), or touches it, stamped modified
// at `at` by Walmart's clock.
func (f *Fake) PutOrder(po string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o, ok := f.orders[po]; ok {
		for i := range o.OrderLines.OrderLine {
			o.OrderLines.OrderLine[i].StatusDate = at.UnixMilli()
		}
		return
	}
	f.put(po, at.UnixMilli(), []NewLine{{SKU: "SKU-" + po, Name: "Item", Qty: 1, Price: "10.00"}})
}

// CancelLine cancels a line's units (Walmart or the customer did),
// stamped now.
func (f *Fake) CancelLine(po, lineNumber string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[po]
	if !ok {
		return false
	}
	for i := range o.OrderLines.OrderLine {
		l := &o.OrderLines.OrderLine[i]
		if l.LineNumber == lineNumber {
			l.OrderLineStatuses.OrderLineStatus = []LineStatus{{Status: "Cancelled", StatusQuantity: l.OrderLineQuantity}}
			l.StatusDate = f.nowMs()
			return true
		}
	}
	return false
}

// Order returns a copy of an order.
func (f *Fake) Order(po string) (Order, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[po]
	if !ok {
		return Order{}, false
	}
	b, _ := json.Marshal(o)
	var cp Order
	_ = json.Unmarshal(b, &cp)
	return cp, true
}

// Acks is how many times an order was acknowledged.
func (f *Fake) Acks(po string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.acks[po]
}

// Shipments are the shipping updates recorded for an order.
func (f *Fake) Shipments(po string) []Shipment {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Shipment
	for _, s := range f.shipments {
		if s.PurchaseOrderID == po {
			out = append(out, s)
		}
	}
	return out
}

// Inventory is a SKU's quantity.
func (f *Fake) Inventory(sku string) (int64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q, ok := f.inventory[sku]
	return q, ok
}

// Price is a SKU's price.
func (f *Fake) Price(sku string) (PriceWrite, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.prices[sku]
	return p, ok
}

// InventoryWrites are every inventory write, in order.
func (f *Fake) InventoryWrites() []InventoryWrite {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]InventoryWrite(nil), f.invWrites...)
}

// PriceWrites are every price write, in order.
func (f *Fake) PriceWrites() []PriceWrite {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]PriceWrite(nil), f.priceWrites...)
}

// InventoryChanges counts the writes that changed sku's quantity.
func (f *Fake) InventoryChanges(sku string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, last, seen := 0, int64(0), false
	for _, w := range f.invWrites {
		if w.SKU == sku && (!seen || w.Quantity != last) {
			n++
			last, seen = w.Quantity, true
		}
	}
	return n
}

// PriceChanges counts the writes that changed sku's price.
func (f *Fake) PriceChanges(sku string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, last := 0, int64(-1)
	for _, w := range f.priceWrites {
		if c := Cents(w.Amount); w.SKU == sku && c != last {
			n++
			last = c
		}
	}
	return n
}

// DuplicateCorrelationIDs counts correlation ids sent more than once.
func (f *Fake) DuplicateCorrelationIDs() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.correlations {
		if c > 1 {
			n++
		}
	}
	return n
}

// TokensIssued is how many access tokens POST /v3/token minted.
func (f *Fake) TokensIssued() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.tokens)
}

// sorted returns the orders by last change, then purchaseOrderId.
func (f *Fake) sorted(keep func(*Order) bool) []*Order {
	var out []*Order
	for _, o := range f.orders {
		if keep(o) {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := out[i].modified(), out[j].modified(); a != b {
			return a < b
		}
		return out[i].PurchaseOrderID < out[j].PurchaseOrderID
	})
	return out
}
