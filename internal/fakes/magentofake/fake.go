// Package magentofake is a local Magento 2 REST API (the routes dropgate
// uses), built on internal/fakes/kit. It enforces the documented
// contract: Bearer token auth (401 otherwise), searchCriteria filters,
// sort orders and paging, a page past the end answering the last page
// again, total_count, error bodies {message, parameters}, and 404 for an
// unknown order. Sources are in its README.
package magentofake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// Token is the access token the fake accepts by default.
const Token = "magento-test-token"

// Option configures the fake.
type Option func(*options)

type options struct {
	clock clock.Clock
	limit kit.Limiter
	token string
}

// WithClock drives timestamps and the quota.
func WithClock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// WithLimit sets a quota (Magento has none of its own; a host's WAF does).
func WithLimit(l kit.Limiter) Option { return func(o *options) { o.limit = l } }

// WithToken sets the accepted access token.
func WithToken(t string) Option { return func(o *options) { o.token = t } }

// Line is an ordered SKU. A configurable one is rendered as Magento does:
// a parent item (product_type configurable, carrying price and quantity)
// and a child item (simple, parent_item_id set, price 0).
type Line struct {
	SKU, Name    string
	Qty          int64
	Price        string // decimal, as a JSON number
	Configurable bool
}

// NewOrder is an order to place.
type NewOrder struct {
	IncrementID string // default: the entity id, zero-padded
	Currency    string // default USD
	Email       string
	Lines       []Line
	Shipping    string // decimal
	// Paid places the order with an online payment captured at checkout
	// (an invoice): state processing, total_paid = grand_total. Without
	// it the order is an offline payment not yet received (checkmo):
	// state new, total_due = grand_total.
	Paid bool
}

// Track is a shipment's track.
type Track struct {
	TrackNumber string `json:"track_number"`
	Title       string `json:"title"`
	CarrierCode string `json:"carrier_code"`
}

// ShipItem is a shipped quantity of an order item.
type ShipItem struct {
	OrderItemID int64 `json:"order_item_id"`
	Qty         int64 `json:"qty"`
}

// Shipment is what POST /V1/order/{id}/ship made.
type Shipment struct {
	EntityID int64      `json:"entity_id"`
	OrderID  int64      `json:"order_id"`
	Items    []ShipItem `json:"items"`
	Tracks   []Track    `json:"tracks"`
}

// Item is an order item as stored.
type Item struct {
	ItemID, ParentItemID int64
	SKU, Name, Type      string
	Qty, QtyShipped      int64
	Price                string
}

// Order is an order as stored.
type Order struct {
	EntityID    int64
	IncrementID string
	State       string
	Paid        bool
	Status      string
	Currency    string
	Email       string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Items       []Item
	Shipping    string
}

// SourceItem is an MSI source item.
type SourceItem struct {
	SKU        string      `json:"sku"`
	SourceCode string      `json:"source_code"`
	Quantity   json.Number `json:"quantity"`
	Status     int         `json:"status"`
}

// BasePrice is a product's base price.
type BasePrice struct {
	SKU     string      `json:"sku"`
	Price   json.Number `json:"price"`
	StoreID int         `json:"store_id"`
}

// Fake is a Magento store.
type Fake struct {
	srv   *kit.Server
	clock clock.Clock

	mu          sync.Mutex
	seq         int64
	orders      map[int64]*Order
	shipments   []Shipment
	sourceItems map[string]SourceItem // sku|source
	stockItems  map[string]int64
	prices      map[string]BasePrice
	invWrites   []SourceItem
	priceWrites []BasePrice
}

// New builds the fake.
func New(opts ...Option) *Fake {
	o := options{clock: clock.Real{}, token: Token}
	for _, opt := range opts {
		opt(&o)
	}
	f := &Fake{clock: o.clock, orders: map[int64]*Order{}, sourceItems: map[string]SourceItem{},
		stockItems: map[string]int64{}, prices: map[string]BasePrice{}}
	f.srv = kit.New(kit.Options{
		Name: "magentofake", Clock: o.clock, Auth: kit.Bearer(o.token), Limit: o.limit,
		Errors: Errors,
		Messages: map[int]string{
			http.StatusUnauthorized: `The consumer isn't authorized to access %resources.`,
		},
	})
	f.routes()
	return f
}

// Errors is Magento's error body: {"message", "parameters"}.
func Errors(_ int, _, message string) any {
	return map[string]any{"message": message, "parameters": []any{}}
}

// Server is the kit server (faults, log, counters).
func (f *Fake) Server() *kit.Server { return f.srv }

// Transport reaches the fake in process.
func (f *Fake) Transport() http.RoundTripper { return f.srv.Transport() }

// Start serves on loopback and returns the base URL.
func (f *Fake) Start() string { return f.srv.Start() }

// Close stops the server.
func (f *Fake) Close() { f.srv.Close() }

func (f *Fake) now() time.Time { return f.clock.Now().UTC().Truncate(time.Second) }

// AddOrder places an order, stamped now.
func (f *Fake) AddOrder(no NewOrder) Order {
	f.mu.Lock()
	defer f.mu.Unlock()
	return *f.addLocked(no, f.now())
}

func (f *Fake) addLocked(no NewOrder, at time.Time) *Order {
	f.seq++
	o := &Order{EntityID: f.seq, IncrementID: no.IncrementID, State: "new", Status: "pending", Currency: no.Currency,
		Email: no.Email, CreatedAt: at, UpdatedAt: at, Shipping: no.Shipping}
	o.Paid = no.Paid
	if no.Paid {
		o.State, o.Status = "processing", "processing"
	}
	if o.IncrementID == "" {
		o.IncrementID = fmt.Sprintf("%09d", o.EntityID)
	}
	if o.Currency == "" {
		o.Currency = "USD"
	}
	if o.Shipping == "" {
		o.Shipping = "0"
	}
	item := int64(o.EntityID * 100)
	for _, l := range no.Lines {
		item++
		parent := Item{ItemID: item, SKU: l.SKU, Name: l.Name, Type: "simple", Qty: l.Qty, Price: l.Price}
		if l.Configurable {
			parent.Type = "configurable"
			o.Items = append(o.Items, parent)
			item++
			o.Items = append(o.Items, Item{ItemID: item, ParentItemID: parent.ItemID, SKU: l.SKU, Name: l.Name, Type: "simple", Qty: l.Qty, Price: "0"})
			continue
		}
		o.Items = append(o.Items, parent)
	}
	f.orders[o.EntityID] = o
	return o
}

// PutOrder creates the order with increment id inc, or touches it,
// stamped updated at `at` by the store's clock.
func (f *Fake) PutOrder(inc string, at time.Time) Order {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.orders {
		if o.IncrementID == inc {
			o.UpdatedAt = at.UTC().Truncate(time.Second)
			return *o
		}
	}
	o := f.addLocked(NewOrder{IncrementID: inc, Lines: []Line{{SKU: "SKU-" + inc, Name: "Item", Qty: 1, Price: "10"}}},
		at.UTC().Truncate(time.Second))
	return *o
}

// Cancel cancels an order (state canceled), stamped now.
func (f *Fake) Cancel(id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[id]
	if !ok {
		return fmt.Errorf("magentofake: no order %d", id)
	}
	o.State, o.Status, o.UpdatedAt = "canceled", "canceled", f.now()
	return nil
}

// Order returns an order.
func (f *Fake) Order(id int64) (Order, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[id]
	if !ok {
		return Order{}, false
	}
	return *o, true
}

// Shipments returns the shipments of an order.
func (f *Fake) Shipments(orderID int64) []Shipment {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Shipment
	for _, s := range f.shipments {
		if s.OrderID == orderID {
			out = append(out, s)
		}
	}
	return out
}

// SourceItem returns the MSI source item of a SKU.
func (f *Fake) SourceItem(sku, source string) (SourceItem, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sourceItems[sku+"|"+source]
	return s, ok
}

// StockQty returns a legacy stock item's quantity.
func (f *Fake) StockQty(sku string) (int64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q, ok := f.stockItems[sku]
	return q, ok
}

// Price returns a SKU's base price.
func (f *Fake) Price(sku string) (BasePrice, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.prices[sku]
	return p, ok
}

// InventoryWrites and PriceWrites are every item written, in order.
func (f *Fake) InventoryWrites() []SourceItem {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]SourceItem(nil), f.invWrites...)
}

// PriceWrites are every base price written, in order.
func (f *Fake) PriceWrites() []BasePrice {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]BasePrice(nil), f.priceWrites...)
}

// sorted returns orders matching keep, sorted by updated_at then entity_id.
func (f *Fake) sorted(keep func(*Order) bool) []*Order {
	var out []*Order
	for _, o := range f.orders {
		if keep(o) {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].UpdatedAt.Equal(out[j].UpdatedAt) {
			return out[i].UpdatedAt.Before(out[j].UpdatedAt)
		}
		return out[i].EntityID < out[j].EntityID
	})
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// InventoryChanges counts the writes that changed sku's quantity.
func (f *Fake) InventoryChanges(sku string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, last := 0, map[string]string{}
	for _, w := range f.invWrites {
		k := w.SKU + "|" + w.SourceCode
		if w.SKU == sku && last[k] != w.Quantity.String() {
			n++
		}
		last[k] = w.Quantity.String()
	}
	return n
}

// PriceChanges counts the writes that changed sku's base price.
func (f *Fake) PriceChanges(sku string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, last := 0, ""
	for _, w := range f.priceWrites {
		if w.SKU == sku {
			if p := normalize(w.Price.String()); p != last {
				n++
				last = p
			}
		}
	}
	return n
}

// Cents reads a decimal price as minor units of a two-decimal currency.
func Cents(n json.Number) int64 { return centsOf(n.String()) }

func normalize(s string) string { return fmtCents(centsOf(s)) }
