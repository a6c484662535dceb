package shopifyfake

import (
	"slices"
	"time"

	"github.com/dropgate/dropgate/core/money"
)

// The types below are snapshots handed to tests: the fake keeps its own
// copies, and every accessor returns a deep copy, so a test can hold one
// without racing the server.

// Address is a shipping or billing address.
type Address struct {
	FirstName, LastName, Company string
	Address1, Address2           string
	City, Province, ProvinceCode string
	Country, CountryCode, Zip    string
	Phone                        string
}

// Order is an order as the fake holds it.
type Order struct {
	ID                uint64
	Name              string // "#1001"
	Number            int    // 1 for #1001, as Shopify's "number"
	Email             string
	Currency          string
	FinancialStatus   string // "paid" unless seeded otherwise
	FulfillmentStatus string // "", "partial" or "fulfilled"
	CreatedAt         time.Time
	UpdatedAt         time.Time
	CancelledAt       *time.Time
	CancelReason      string
	ClosedAt          *time.Time
	ShippingAddress   Address
	BillingAddress    *Address
	Lines             []LineItem
	ShippingPrice     money.Money
	Tags, Note        string
	CustomerID        uint64 // 0 when the order has no email

	shippingLineID uint64
}

// LineItem is an order line.
type LineItem struct {
	ID              uint64
	ProductID       uint64
	VariantID       uint64
	InventoryItemID uint64
	LocationID      uint64 // the location whose fulfillment order holds it
	SKU, Title      string
	VariantTitle    string // from the seeded variant, if any
	Vendor          string // from the seeded product, if any
	Grams           int
	Quantity        int
	Fulfilled       int // units covered by fulfillments
	Price           money.Money
}

// Fulfillment order statuses used by the fake.
// https://shopify.dev/docs/api/admin-rest/latest/resources/fulfillmentorder
const (
	FOOpen       = "open"
	FOInProgress = "in_progress"
	FOClosed     = "closed"
)

// FulfillmentOrder is the work one location has to do for an order.
type FulfillmentOrder struct {
	ID         uint64
	OrderID    uint64
	LocationID uint64
	Status     string // FOOpen, FOInProgress or FOClosed
	Lines      []FulfillmentOrderLine
	CreatedAt  time.Time
	UpdatedAt  time.Time

	deliveryMethodID uint64
}

// FulfillmentOrderLine is one order line within a fulfillment order.
type FulfillmentOrderLine struct {
	ID                  uint64
	FulfillmentOrderID  uint64
	LineItemID          uint64
	VariantID           uint64
	InventoryItemID     uint64
	Quantity            int // units assigned to this fulfillment order
	FulfillableQuantity int // units still to fulfil
}

// Tracking is a fulfillment's tracking information.
type Tracking struct {
	Company string
	Number  string // the first of Numbers
	URL     string
	Numbers []string // every parcel's number
	URLs    []string
}

// TrackingUpdate is one tracking state of a fulfillment, in the order they
// were set (creation first, then each update_tracking call).
type TrackingUpdate struct {
	At             time.Time
	Tracking       Tracking
	NotifyCustomer bool
}

// FulfilledLine is what a fulfillment covered of one fulfillment order line.
type FulfilledLine struct {
	FulfillmentOrderID     uint64
	FulfillmentOrderLineID uint64
	LineItemID             uint64
	Quantity               int
}

// Fulfillment is a shipment recorded against an order.
type Fulfillment struct {
	ID             uint64
	OrderID        uint64
	LocationID     uint64
	Name           string // "#1001.1"
	Status         string // "success"
	NotifyCustomer bool
	Tracking       Tracking // current
	History        []TrackingUpdate
	Lines          []FulfilledLine
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Location is a place that stocks inventory and fulfils orders.
type Location struct {
	ID                        uint64
	Name                      string
	Address1, City, Province  string
	Country, CountryCode, Zip string
	Phone                     string
	Active                    bool
	CreatedAt, UpdatedAt      time.Time
}

// Product is a product with its variants.
type Product struct {
	ID          uint64
	Title       string
	Vendor      string
	ProductType string
	Handle      string
	Status      string // "active" unless seeded otherwise
	Variants    []Variant
	CreatedAt   time.Time
	UpdatedAt   time.Time

	optionID uint64
}

// Variant is a product variant.
type Variant struct {
	ID              uint64
	ProductID       uint64
	InventoryItemID uint64
	Title           string
	SKU             string
	Barcode         string
	Position        int
	Grams           int
	Price           money.Money
	CompareAtPrice  *money.Money
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// InventoryLevel is the available quantity of an inventory item at a
// location.
type InventoryLevel struct {
	InventoryItemID uint64
	LocationID      uint64
	Available       int
	UpdatedAt       time.Time
}

// InventoryChange records one inventory_levels/set or /adjust call.
type InventoryChange struct {
	At              time.Time
	Kind            string // "set" or "adjust"
	InventoryItemID uint64
	LocationID      uint64
	Previous        int // 0 when the item was not stocked there before
	Available       int // after the call
}

// PriceChange records one variant update that touched price or
// compare_at_price.
type PriceChange struct {
	At                     time.Time
	VariantID              uint64
	PreviousPrice          money.Money
	Price                  money.Money
	PreviousCompareAtPrice *money.Money
	CompareAtPrice         *money.Money
}

func (o *Order) clone() Order {
	c := *o
	c.CancelledAt = clonePtr(o.CancelledAt)
	c.ClosedAt = clonePtr(o.ClosedAt)
	c.BillingAddress = clonePtr(o.BillingAddress)
	c.Lines = slices.Clone(o.Lines)
	return c
}

func (fo *FulfillmentOrder) clone() FulfillmentOrder {
	c := *fo
	c.Lines = slices.Clone(fo.Lines)
	return c
}

func (fl *Fulfillment) clone() Fulfillment {
	c := *fl
	c.History = slices.Clone(fl.History)
	c.Lines = slices.Clone(fl.Lines)
	return c
}

func (v *Variant) clone() Variant {
	c := *v
	c.CompareAtPrice = clonePtr(v.CompareAtPrice)
	return c
}

func (pc PriceChange) clone() PriceChange {
	pc.CompareAtPrice = clonePtr(pc.CompareAtPrice)
	pc.PreviousCompareAtPrice = clonePtr(pc.PreviousCompareAtPrice)
	return pc
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}
