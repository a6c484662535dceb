package bigcommercefake

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/decimal"
)

// Line is an ordered product of a seeded order.
type Line struct {
	ID        string // the order_product_id; default: the next id
	SKU, Name string
	Quantity  int64
	Price     string // decimal, e.g. "9.00"; written with 4 decimals
}

// NewOrder is a seeded order.
type NewOrder struct {
	ID       string // default: the next id
	StatusID int    // default 11, Awaiting Fulfillment
	Currency string // default USD
	Email    string
	Name     [2]string // first, last
	Street   string
	City     string
	State    string
	Zip      string
	Country  string // ISO 2
	Shipping string // decimal
	Lines    []Line
	Payment  string // payment_status; default captured
	At       time.Time
}

// four writes a decimal as v2 does: 4 places.
func four(s string) string {
	if s == "" {
		s = "0"
	}
	whole, frac, _ := cutDot(s)
	for len(frac) < 4 {
		frac += "0"
	}
	return whole + "." + frac
}

func cutDot(s string) (string, string, bool) {
	for i := range len(s) {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// AddOrder seeds an order with its products and one shipping address and
// returns its id.
func (f *Fake) AddOrder(n NewOrder) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n.ID == "" {
		f.nextID++
		n.ID = strconv.FormatInt(f.nextID, 10)
	}
	if n.StatusID == 0 {
		n.StatusID = 11
	}
	if n.Currency == "" {
		n.Currency = "USD"
	}
	if n.Payment == "" {
		n.Payment = "captured"
	}
	if n.At.IsZero() {
		n.At = f.now()
	}
	if n.Country == "" {
		n.Country = "US"
	}
	date := n.At.UTC().Format(time.RFC1123Z)
	addrID := json.Number(strconv.FormatInt(f.nextIDLocked(), 10))
	var products []map[string]any
	for _, l := range n.Lines {
		if l.ID == "" {
			l.ID = strconv.FormatInt(f.nextIDLocked(), 10)
		}
		products = append(products, map[string]any{
			"id": json.Number(l.ID), "order_id": json.Number(n.ID),
			"product_id": json.Number("77"), "variant_id": json.Number("0"), "order_address_id": addrID,
			"name": l.Name, "sku": l.SKU, "type": "physical", "base_price": four(l.Price),
			"base_total": four(mulDec(l.Price, l.Quantity)), "total_tax": "0.0000", "quantity": l.Quantity,
			"quantity_shipped": 0, "quantity_refunded": 0, "parent_order_product_id": nil, "applied_discounts": []any{},
		})
	}
	billing := map[string]any{"first_name": n.Name[0], "last_name": n.Name[1], "street_1": n.Street, "city": n.City,
		"state": n.State, "zip": n.Zip, "country_iso2": n.Country, "email": n.Email}
	ship := map[string]any{"id": addrID, "order_id": json.Number(n.ID), "first_name": n.Name[0], "last_name": n.Name[1],
		"street_1": n.Street, "street_2": "", "city": n.City, "state": n.State, "zip": n.Zip, "country_iso2": n.Country,
		"email": n.Email, "shipping_method": "Flat Rate"}
	if _, known := f.orders[n.ID]; !known {
		f.seq = append(f.seq, n.ID)
	}
	f.orders[n.ID] = &Order{
		Fields: map[string]any{"id": json.Number(n.ID), "customer_id": json.Number("0"), "date_created": date, "date_modified": date,
			"status_id": n.StatusID, "status": statusName(n.StatusID), "base_shipping_cost": four(n.Shipping),
			"total_inc_tax": four(addDec(sumLines(n.Lines), n.Shipping)), "total_tax": "0.0000", "payment_status": n.Payment,
			"currency_code": n.Currency, "discount_amount": "0.0000", "coupon_discount": "0.0000",
			"billing_address": billing, "subtotal_ex_tax": four(sumLines(n.Lines))},
		Products: products, Addresses: []map[string]any{ship},
	}
	return n.ID
}

func (f *Fake) nextIDLocked() int64 { f.nextID++; return f.nextID }

// AddRaw seeds an order from raw v2 JSON (a conformance example), its id
// set to id; products and addresses may be nil.
func (f *Fake) AddRaw(id string, order, products, addresses []byte) error {
	var o Order
	if err := decode(order, &o.Fields); err != nil {
		return fmt.Errorf("bigcommercefake: order: %w", err)
	}
	if products != nil {
		if err := decode(products, &o.Products); err != nil {
			return fmt.Errorf("bigcommercefake: products: %w", err)
		}
	}
	if addresses != nil {
		if err := decode(addresses, &o.Addresses); err != nil {
			return fmt.Errorf("bigcommercefake: addresses: %w", err)
		}
	}
	o.Fields["id"] = json.Number(id)
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.orders[id]; !ok {
		f.seq = append(f.seq, id)
	}
	f.orders[id] = &o
	return nil
}

// SetStatus changes an order's status (and its date_modified to now).
func (f *Fake) SetStatus(id string, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o := f.orders[id]; o != nil {
		o.Fields["status_id"], o.Fields["status"] = status, statusName(status)
		o.Fields["date_modified"] = f.now().Format(time.RFC1123Z)
	}
}

// Touch sets an order's date_modified, seeding an order if id is new.
func (f *Fake) Touch(id string, at time.Time) {
	f.mu.Lock()
	_, ok := f.orders[id]
	f.mu.Unlock()
	if !ok {
		f.AddOrder(NewOrder{ID: id, Email: "t@example.com", Street: "1 Main St", City: "Austin", Zip: "78701",
			Lines: []Line{{SKU: "SKU-" + id, Name: "Item", Quantity: 1, Price: "1.00"}}, At: at})
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.orders[id].Fields["date_modified"] = at.UTC().Format(time.RFC1123Z)
}

// Get returns a copy of an order's JSON objects.
func (f *Fake) Get(id string) (Order, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[id]
	if !ok {
		return Order{}, false
	}
	return Order{Fields: o.Fields, Products: append([]map[string]any(nil), o.Products...),
		Addresses: o.Addresses, Shipments: append([]map[string]any(nil), o.Shipments...), Cancels: o.Cancels}, true
}

// Status is an order's status_id.
func (f *Fake) Status(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o := f.orders[id]; o != nil {
		n, _ := strconv.Atoi(fmt.Sprint(o.Fields["status_id"]))
		return n
	}
	return -1
}

// AddVariant seeds a catalogue variant and returns its id.
func (f *Fake) AddVariant(sku, price string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.nextIDLocked()
	f.variants[sku] = &Variant{ID: id, ProductID: id + 100000, SKU: sku, Price: price, Stock: map[int64]int64{}}
	return id
}

// Stock is a SKU's quantity at location 1.
func (f *Fake) Stock(sku string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if v := f.variants[sku]; v != nil {
		return v.Stock[1]
	}
	return 0
}

// PriceMinor is a SKU's price in cents.
func (f *Fake) PriceMinor(sku string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := f.variants[sku]
	if v == nil {
		return 0
	}
	whole, frac, _ := cutDot(v.Price)
	for len(frac) < 2 {
		frac += "0"
	}
	n, _ := strconv.ParseInt(whole+frac[:2], 10, 64)
	return n
}

// StockWrites counts the writes that changed a SKU's stock.
func (f *Fake) StockWrites(sku string) int { f.mu.Lock(); defer f.mu.Unlock(); return f.stockW[sku] }

// PriceWrites counts the writes that changed a SKU's price.
func (f *Fake) PriceWrites(sku string) int { f.mu.Lock(); defer f.mu.Unlock(); return f.priceW[sku] }

func statusName(id int) string {
	names := map[int]string{0: "Incomplete", 1: "Pending", 2: "Shipped", 3: "Partially Shipped", 4: "Refunded", 5: "Cancelled",
		6: "Declined", 7: "Awaiting Payment", 8: "Awaiting Pickup", 9: "Awaiting Shipment", 10: "Completed",
		11: "Awaiting Fulfillment", 12: "Manual Verification Required", 13: "Disputed", 14: "Partially Refunded"}
	return names[id]
}

func dec(s string) decimal.Decimal {
	d, err := decimal.Parse(s)
	if err != nil {
		return decimal.Decimal{}
	}
	return d
}

func mulDec(s string, n int64) string {
	d, _ := dec(s).Mul(decimal.FromInt(n))
	return d.String()
}

func addDec(a, b string) string {
	d, _ := dec(a).Add(dec(b))
	return d.String()
}

func sumLines(ls []Line) string {
	total := "0"
	for _, l := range ls {
		total = addDec(total, mulDec(l.Price, l.Quantity))
	}
	return total
}
