package shopifyfake

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/money"
)

// NewOrder seeds an order.
type NewOrder struct {
	Email           string
	Currency        string // default: the currency of the line prices
	FinancialStatus string // default "paid"
	CreatedAt       time.Time
	ShippingAddress Address
	BillingAddress  *Address
	Lines           []NewLineItem
	ShippingPrice   money.Money // optional
	Tags, Note      string
}

// NewLineItem seeds an order line. A VariantID of a seeded variant fills
// in the product, inventory item, SKU and title left empty.
type NewLineItem struct {
	VariantID  uint64
	ProductID  uint64
	SKU        string
	Title      string
	Quantity   int
	Price      money.Money // unit price
	LocationID uint64      // default: the shop's first location
}

// AddOrder adds an order and its fulfillment orders: one per location its
// lines are assigned to, open, with every unit fulfillable.
func (s *Shop) AddOrder(no NewOrder) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.buildOrderLocked(no)
	if err != nil {
		return Order{}, fmt.Errorf("shopifyfake: add order: %w", err)
	}
	s.orderNumber++
	o.Number = s.orderNumber - 1000
	o.Name = "#" + strconv.Itoa(s.orderNumber)
	s.orders[o.ID] = o
	s.createFulfillmentOrdersLocked(o)
	return o.clone(), nil
}

// TouchOrder stamps an order as updated at `at` (an edit made on the
// platform: it is listed again by updated_at_min).
func (s *Shop) TouchOrder(id uint64, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return fmt.Errorf("shopifyfake: no order %d", id)
	}
	o.UpdatedAt = at.UTC().Truncate(time.Second)
	return nil
}

func (s *Shop) buildOrderLocked(no NewOrder) (*Order, error) {
	if len(no.Lines) == 0 {
		return nil, errors.New("an order needs at least one line")
	}
	currency := cmp.Or(no.Currency, no.Lines[0].Price.Currency)
	if _, ok := money.Exponent(currency); !ok {
		return nil, fmt.Errorf("unknown currency %q", currency)
	}
	now := s.fake.now()
	created := now
	if !no.CreatedAt.IsZero() {
		created = no.CreatedAt.UTC().Truncate(time.Second)
	}
	o := &Order{
		ID: s.fake.nextID(), Email: no.Email, Currency: currency,
		FinancialStatus: cmp.Or(no.FinancialStatus, "paid"),
		CreatedAt:       created, UpdatedAt: created,
		ShippingAddress: no.ShippingAddress, BillingAddress: clonePtr(no.BillingAddress),
		ShippingPrice: no.ShippingPrice, Tags: no.Tags, Note: no.Note,
	}
	if no.Email != "" {
		o.CustomerID = s.fake.nextID()
	}
	if !no.ShippingPrice.IsZero() {
		o.shippingLineID = s.fake.nextID()
	}
	if !no.ShippingPrice.IsZero() && no.ShippingPrice.Currency != currency {
		return nil, fmt.Errorf("shipping price in %s, order in %s", no.ShippingPrice.Currency, currency)
	}
	for i, nl := range no.Lines {
		l, err := s.buildLineLocked(nl, currency)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i, err)
		}
		o.Lines = append(o.Lines, l)
	}
	return o, nil
}

func (s *Shop) buildLineLocked(nl NewLineItem, currency string) (LineItem, error) {
	if nl.Quantity < 1 {
		// Shopify: "Quantity must be greater than or equal to 1".
		// https://shopify.dev/changelog/the-order-resource-now-validates-the-quantity-of-line-items
		return LineItem{}, fmt.Errorf("quantity %d must be at least 1", nl.Quantity)
	}
	if nl.Price.Currency != currency {
		return LineItem{}, fmt.Errorf("price in %q, order in %s", nl.Price.Currency, currency)
	}
	l := LineItem{
		ID: s.fake.nextID(), VariantID: nl.VariantID, ProductID: nl.ProductID,
		SKU: nl.SKU, Title: nl.Title, Quantity: nl.Quantity, Price: nl.Price,
		LocationID: cmp.Or(nl.LocationID, s.defaultLocationLocked()),
	}
	if _, ok := s.locations[l.LocationID]; !ok {
		return LineItem{}, fmt.Errorf("unknown location %d", l.LocationID)
	}
	if v, ok := s.variants[nl.VariantID]; ok {
		l.ProductID = v.ProductID
		l.InventoryItemID = v.InventoryItemID
		l.SKU = cmp.Or(l.SKU, v.SKU)
		l.Title = cmp.Or(l.Title, s.products[v.ProductID].Title)
		l.VariantTitle, l.Vendor, l.Grams = v.Title, s.products[v.ProductID].Vendor, v.Grams
	}
	return l, nil
}

// Order returns an order.
func (s *Shop) Order(id uint64) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return Order{}, false
	}
	return o.clone(), true
}

// Orders returns every order, oldest first.
func (s *Shop) Orders() []Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Order
	for _, id := range sortedKeys(s.orders) {
		out = append(out, s.orders[id].clone())
	}
	return out
}

func (s *Shop) httpGetOrder(q *apiRequest) *response {
	o, found := s.orders[q.ids[0]]
	if !found {
		return errNotFound()
	}
	return respOK(map[string]any{"order": selectFields(s.renderOrder(o), fieldsOf(q))})
}

// httpListOrders implements GET orders.json. Shopify lists only open
// orders unless status says otherwise; the fake sorts by ID ascending.
// https://shopify.dev/docs/api/admin-rest/latest/resources/order#get-orders
func (s *Shop) httpListOrders(q *apiRequest) *response {
	pr, resp := parsePage(q.query())
	if resp != nil {
		return resp
	}
	keep, resp := orderFilter(pr)
	if resp != nil {
		return resp
	}
	var match []*Order
	for _, o := range s.orders {
		if keep(o) {
			match = append(match, o)
		}
	}
	page, link := paginate(q, pr, match, func(o *Order) pageKey { return pageKey{o.ID} })
	out := make([]wireOrder, len(page))
	for i, o := range page {
		out[i] = s.renderOrder(o)
	}
	return listResponse("orders", pr, out, link)
}

// orderFilter turns the list filters into a predicate.
func orderFilter(pr pageRequest) (func(*Order) bool, *response) {
	f := pr.filters
	ids, err := parseIDList(f.Get("ids"))
	if err != nil {
		return nil, errField(http.StatusBadRequest, "ids", "Invalid value.")
	}
	sinceID, resp := parseSinceID(f)
	if resp != nil {
		return nil, resp
	}
	var bounds [4]*time.Time
	for i, name := range []string{"created_at_min", "created_at_max", "updated_at_min", "updated_at_max"} {
		if bounds[i], resp = parseTimeFilter(f, name); resp != nil {
			return nil, resp
		}
	}
	status := cmp.Or(f.Get("status"), "open")
	fulfillment := cmp.Or(f.Get("fulfillment_status"), "any")
	financial := cmp.Or(f.Get("financial_status"), "any")
	return func(o *Order) bool {
		return (len(ids) == 0 || slices.Contains(ids, o.ID)) && o.ID > sinceID &&
			inRange(o.CreatedAt, bounds[0], bounds[1]) && inRange(o.UpdatedAt, bounds[2], bounds[3]) &&
			statusMatches(o, status) && fulfillmentMatches(o, fulfillment) &&
			(financial == "any" || financial == o.FinancialStatus)
	}, nil
}

func inRange(t time.Time, lo, hi *time.Time) bool {
	return (lo == nil || !t.Before(*lo)) && (hi == nil || !t.After(*hi))
}

func statusMatches(o *Order, status string) bool {
	switch status {
	case "any":
		return true
	case "open":
		return o.ClosedAt == nil && o.CancelledAt == nil
	case "closed":
		return o.ClosedAt != nil
	case "cancelled":
		return o.CancelledAt != nil
	}
	return false
}

func fulfillmentMatches(o *Order, want string) bool {
	switch want {
	case "any":
		return true
	case "shipped", "fulfilled":
		return o.FulfillmentStatus == "fulfilled"
	case "partial":
		return o.FulfillmentStatus == "partial"
	case "unshipped":
		return o.FulfillmentStatus == ""
	case "unfulfilled":
		return o.FulfillmentStatus != "fulfilled"
	}
	return false
}

type cancelBody struct {
	Reason string `json:"reason"`
}

// validCancelReason reports whether the cancel endpoint accepts reason.
func validCancelReason(reason string) bool {
	switch reason {
	case "customer", "declined", "fraud", "inventory", "other", "staff":
		return true
	}
	return false
}

// httpCancelOrder implements POST orders/{id}/cancel.json. Its options are
// top-level JSON (not wrapped in "order"), and all are optional.
func (s *Shop) httpCancelOrder(q *apiRequest) *response {
	o, found := s.orders[q.ids[0]]
	if !found {
		return errNotFound()
	}
	var b cancelBody
	if resp := decodeFlat(q.r, &b); resp != nil {
		return resp
	}
	reason := cmp.Or(b.Reason, "other")
	if !validCancelReason(reason) {
		return errFieldList(http.StatusUnprocessableEntity, "reason", "is not included in the list")
	}
	if o.CancelledAt != nil {
		return errBase(http.StatusUnprocessableEntity, "Order has already been cancelled")
	}
	// Since 2018 the Order resource refuses to cancel a fulfilled or
	// partially fulfilled order.
	// https://shopify.dev/changelog/fulfilled-and-partially-fulfilled-orders-can-no-longer-be-canceled-by-using-the-order-resource
	if len(s.fulfByOrder[o.ID]) > 0 {
		return errBase(http.StatusUnprocessableEntity, "Cannot cancel an order that has fulfillments")
	}
	now := s.fake.now()
	// A cancelled order is also archived (closed), and nothing on it can be
	// fulfilled any more.
	o.CancelledAt, o.ClosedAt, o.CancelReason, o.UpdatedAt = &now, &now, reason, now
	for _, id := range s.fosByOrder[o.ID] {
		fo := s.fos[id]
		fo.Status, fo.UpdatedAt = FOClosed, now
		for i := range fo.Lines {
			fo.Lines[i].FulfillableQuantity = 0
		}
	}
	return respOK(map[string]any{"order": s.renderOrder(o)})
}
