// Package metafake is a local Meta Graph API for commerce (the routes
// dropgate uses), built on internal/fakes/kit. It enforces the documented
// contract: bearer access tokens, versioned paths, Graph error bodies
// {"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}},
// field expansion of an order's items and cancellations edges, cursor
// paging (paging.cursors.after / paging.next), acknowledgement
// (CREATED → IN_PROGRESS) and shipments with idempotency keys, and a
// business use case quota reported in X-Business-Use-Case-Usage.
// Sources are in its README.
package metafake

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// Defaults.
const (
	AccessToken       = "meta-page-token"
	CommerceAccountID = "1234567890123456"
	BusinessID        = "987654321"
)

// Option configures the fake.
type Option func(*options)

type options struct {
	clock clock.Clock
	limit kit.Limiter
}

// WithClock drives timestamps and the quota.
func WithClock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// WithLimit sets the quota (Limit(rate, burst)).
func WithLimit(l kit.Limiter) Option { return func(o *options) { o.limit = l } }

// Limit is a business use case quota as a token bucket, reported on
// every answer in X-Business-Use-Case-Usage: call_count is the share of
// the bucket spent (percent) and, when it is empty,
// estimated_time_to_regain_access the whole minutes until a call is
// admitted. A refusal is Graph error 80014 with HTTP 429 and no
// Retry-After (Meta sends none).
func Limit(rate float64, burst int) *kit.TokenBucket {
	return &kit.TokenBucket{Rate: rate, Burst: burst, NoRetryAfter: true,
		Message: "There have been too many calls from this business account. Wait a bit and try again.",
		Headers: func(s kit.TokenState) http.Header {
			used := 100
			if s.Burst > 0 {
				used = 100 - s.Tokens*100/s.Burst
			}
			regain := 0
			if s.Tokens == 0 && s.Next > 0 {
				regain = int(math.Ceil(s.Next.Minutes()))
			}
			v, _ := json.Marshal(map[string][]map[string]any{BusinessID: {{"type": "commerce", "call_count": used,
				"total_cputime": 1, "total_time": 1, "estimated_time_to_regain_access": regain}}})
			h := http.Header{}
			h.Set("X-Business-Use-Case-Usage", string(v))
			return h
		}}
}

// Amount is Meta's currency amount: a decimal string.
type Amount struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// Item is an order item (the items edge).
type Item struct {
	ID           string `json:"id"`
	ProductID    string `json:"product_id"`
	RetailerID   string `json:"retailer_id"`
	ProductName  string `json:"product_name"`
	Quantity     int64  `json:"quantity"`
	PricePerUnit Amount `json:"price_per_unit"`
	TaxDetails   struct {
		EstimatedTax Amount `json:"estimated_tax"`
	} `json:"tax_details"`
}

// ItemQty names an item and a quantity (cancellations, shipments).
type ItemQty struct {
	ID         string `json:"id,omitempty"`
	RetailerID string `json:"retailer_id,omitempty"`
	Quantity   int64  `json:"quantity"`
}

// Cancellation is one entry of the cancellations edge.
type Cancellation struct {
	ID           string `json:"id"`
	CancelReason struct {
		ReasonCode        string `json:"reason_code"`
		ReasonDescription string `json:"reason_description"`
	} `json:"cancel_reason"`
	Items struct {
		Data []ItemQty `json:"data"`
	} `json:"items"`
}

// Order is a commerce order as the Graph API renders it.
type Order struct {
	ID          string `json:"id"`
	OrderStatus struct {
		State string `json:"state"`
	} `json:"order_status"`
	Created         string `json:"created"`
	LastUpdated     string `json:"last_updated"`
	MerchantOrderID string `json:"merchant_order_id,omitempty"`
	Channel         string `json:"channel"`
	ShipByDate      string `json:"ship_by_date"`
	BuyerDetails    struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"buyer_details"`
	ShippingAddress struct {
		Name       string `json:"name"`
		Street1    string `json:"street1"`
		Street2    string `json:"street2,omitempty"`
		City       string `json:"city"`
		State      string `json:"state"`
		PostalCode string `json:"postal_code"`
		Country    string `json:"country"`
	} `json:"shipping_address"`
	SelectedShippingOption struct {
		Name  string `json:"name"`
		Price Amount `json:"price"`
	} `json:"selected_shipping_option"`
	Items         []Item         `json:"-"`
	Cancellations []Cancellation `json:"-"`

	updated time.Time
}

// NewLine is an item to place.
type NewLine struct {
	SKU, Name string
	Qty       int64
	Price     string // per unit, decimal, USD
}

// Shipment is what one POST /{order_id}/shipments recorded.
type Shipment struct {
	OrderID        string
	Items          []ItemQty
	TrackingNumber string
	Carrier        string
	MethodName     string
	IdempotencyKey string
}

// Fake is a Meta commerce account.
type Fake struct {
	srv   *kit.Server
	clock clock.Clock

	mu        sync.Mutex
	seq       int64
	orders    map[string]*Order
	acks      map[string]int
	keys      map[string]string // idempotency key → the request it answered (route + order)
	shipments []Shipment

	catalog       map[string]*catalogItem
	catalogWrites []CatalogWrite
}

// New builds the fake.
func New(opts ...Option) *Fake {
	o := options{clock: clock.Real{}}
	for _, opt := range opts {
		opt(&o)
	}
	f := &Fake{clock: o.clock, orders: map[string]*Order{}, acks: map[string]int{}, keys: map[string]string{}}
	f.srv = kit.New(kit.Options{
		Name: "metafake", Clock: o.clock, Auth: kit.Bearer(AccessToken), Limit: o.limit, Errors: Errors,
		// The quota is the business's, whichever token is used.
		LimitKey: func(*http.Request, string) string { return "business" },
		Messages: map[int]string{http.StatusUnauthorized: "Invalid OAuth access token - Cannot parse access token"},
	})
	f.routes()
	return f
}

// Errors is the Graph API's error body; codes by status: 401 → 190
// (OAuthException), 429 → 80014 (business use case throttling), 5xx → 2,
// other → 100 (invalid parameter).
func Errors(status int, code, message string) any {
	c, typ := 100, "GraphMethodException"
	switch {
	case status == http.StatusUnauthorized:
		c, typ = 190, "OAuthException"
	case status == http.StatusTooManyRequests:
		c, typ = 80014, "OAuthException"
	case status >= 500:
		c, typ = 2, "OAuthException"
	}
	if n, err := strconv.Atoi(code); err == nil && n > 0 {
		c = n
	}
	return map[string]any{"error": map[string]any{"message": message, "type": typ, "code": c,
		"error_subcode": 0, "fbtrace_id": fmt.Sprintf("A%dfake", status)}}
}

// Server is the kit server (faults, log, counters).
func (f *Fake) Server() *kit.Server { return f.srv }

// Transport reaches the fake in process.
func (f *Fake) Transport() http.RoundTripper { return f.srv.Transport() }

// Start serves on loopback and returns the base URL.
func (f *Fake) Start() string { return f.srv.Start() }

// Close stops the server.
func (f *Fake) Close() { f.srv.Close() }

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

// AddOrder places a CREATED order, stamped now, and returns it.
func (f *Fake) AddOrder(lines ...NewLine) Order {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	return *f.put(strconv.FormatInt(64000841790000+f.seq, 10), f.clock.Now(), lines)
}

func (f *Fake) put(id string, at time.Time, lines []NewLine) *Order {
	o := &Order{ID: id, Created: stamp(at), LastUpdated: stamp(at), Channel: "facebook", ShipByDate: at.Add(72 * time.Hour).UTC().Format("2006-01-02"), updated: at}
	o.OrderStatus.State = "CREATED"
	o.BuyerDetails.Name, o.BuyerDetails.Email = "Ada Lovelace", "ada@example.com"
	a := &o.ShippingAddress
	a.Name, a.Street1, a.City, a.State, a.PostalCode, a.Country = "Ada Lovelace", "12 Analytical Row", "Austin", "TX", "78701", "US"
	o.SelectedShippingOption.Name = "Standard"
	o.SelectedShippingOption.Price = Amount{Amount: "0.00", Currency: "USD"}
	for i, nl := range lines {
		it := Item{ID: fmt.Sprintf("%s%02d", id, i+1), ProductID: "p-" + nl.SKU, RetailerID: nl.SKU, ProductName: nl.Name,
			Quantity: nl.Qty, PricePerUnit: Amount{Amount: nl.Price, Currency: "USD"}}
		it.TaxDetails.EstimatedTax = Amount{Amount: "0.00", Currency: "USD"}
		o.Items = append(o.Items, it)
	}
	f.orders[id] = o
	return o
}

// PutOrder creates order id (one item), or touches it, stamped updated
// at `at` by Meta's clock.
func (f *Fake) PutOrder(id string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o, ok := f.orders[id]; ok {
		o.updated, o.LastUpdated = at, stamp(at)
		return
	}
	f.put(id, at, []NewLine{{SKU: "SKU-" + id, Name: "Item", Qty: 1, Price: "10.00"}})
}

// Cancel cancels every unit of an order (the buyer or Meta did), stamped
// now: a cancellation naming each item, the order COMPLETED.
func (f *Fake) Cancel(id, reason string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[id]
	if !ok {
		return false
	}
	c := Cancellation{ID: "c" + id}
	c.CancelReason.ReasonCode, c.CancelReason.ReasonDescription = "CUSTOMER_REQUESTED", reason
	for _, it := range o.Items {
		c.Items.Data = append(c.Items.Data, ItemQty{ID: it.ID, RetailerID: it.RetailerID, Quantity: it.Quantity})
	}
	o.Cancellations = append(o.Cancellations, c)
	o.OrderStatus.State = "COMPLETED"
	o.updated = f.clock.Now()
	o.LastUpdated = stamp(o.updated)
	return true
}

// Acknowledge moves a CREATED order to IN_PROGRESS, as an earlier
// acknowledgement would have.
func (f *Fake) Acknowledge(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o, ok := f.orders[id]; ok && o.OrderStatus.State == "CREATED" {
		o.OrderStatus.State = "IN_PROGRESS"
	}
}

// State is an order's state.
func (f *Fake) State(id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o, ok := f.orders[id]; ok {
		return o.OrderStatus.State
	}
	return ""
}

// Acks is how many acknowledgements changed the order (a replayed
// idempotency key is not one).
func (f *Fake) Acks(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.acks[id]
}

// Shipments are the shipments recorded for an order.
func (f *Fake) Shipments(id string) []Shipment {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Shipment
	for _, s := range f.shipments {
		if s.OrderID == id {
			out = append(out, s)
		}
	}
	return out
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
		if a, b := out[i].updated, out[j].updated; !a.Equal(b) {
			return a.Before(b)
		}
		return out[i].ID < out[j].ID
	})
	return out
}
