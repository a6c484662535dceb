package woocommercefake

import (
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/decimal"
)

// AddProduct seeds a simple product; it returns its id.
func (f *Fake) AddProduct(sku, price string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := &Product{ID: f.id(), SKU: sku, Type: "simple", RegularPrice: price}
	f.products[p.ID] = p
	f.productSeq = append(f.productSeq, p.ID)
	return p.ID
}

// AddVariation seeds a variation of a variable product (made when
// parentSKU is new); it returns the parent's and the variation's ids.
func (f *Fake) AddVariation(parentSKU, sku, price string) (int64, int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var parent *Product
	for _, id := range f.productSeq {
		if p := f.products[id]; p.SKU == parentSKU && p.ParentID == 0 {
			parent = p
		}
	}
	if parent == nil {
		parent = &Product{ID: f.id(), SKU: parentSKU, Type: "variable"}
		f.products[parent.ID] = parent
		f.productSeq = append(f.productSeq, parent.ID)
	}
	v := &Product{ID: f.id(), ParentID: parent.ID, SKU: sku, Type: "variation", RegularPrice: price}
	f.products[v.ID] = v
	f.productSeq = append(f.productSeq, v.ID)
	return parent.ID, v.ID
}

// BySKU returns a copy of the product or variation with sku.
func (f *Fake) BySKU(sku string) (Product, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range f.productSeq {
		if p := f.products[id]; p.SKU == sku {
			return *p, true
		}
	}
	return Product{}, false
}

// Stock is sku's stock_quantity (0 when unmanaged).
func (f *Fake) Stock(sku string) int64 {
	p, _ := f.BySKU(sku)
	if p.StockQuantity == nil {
		return 0
	}
	return *p.StockQuantity
}

// PriceMinor is sku's current selling price (the sale price when set) in
// minor units of a two-decimal currency; -1 when unparsable.
func (f *Fake) PriceMinor(sku string) int64 {
	p, _ := f.BySKU(sku)
	s := p.RegularPrice
	if p.SalePrice != "" {
		s = p.SalePrice
	}
	d, err := decimal.Parse(s)
	if err != nil {
		return -1
	}
	d, err = d.Rescale(2)
	if err != nil {
		return -1
	}
	return d.Coef
}

// StockWrites and PriceWrites count the writes that changed sku.
func (f *Fake) StockWrites(sku string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stockWrites[sku]
}

// PriceWrites counts the writes that changed sku's prices.
func (f *Fake) PriceWrites(sku string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.priceWrites[sku]
}

// AddOrder seeds an order (ID 0: a fresh one) stamped now; it returns the
// id.
func (f *Fake) AddOrder(o Order) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o.ID == 0 {
		o.ID = f.id()
	}
	if o.Number == "" {
		o.Number = strconv.FormatInt(o.ID, 10)
	}
	now := f.now().Format(wcTime)
	if o.DateCreatedGMT == "" {
		o.DateCreatedGMT = now
	}
	o.DateModifiedGMT = now
	for i := range o.LineItems {
		if o.LineItems[i].ID == 0 {
			o.LineItems[i].ID = f.id()
		}
	}
	if _, ok := f.orders[o.ID]; !ok {
		f.orderSeq = append(f.orderSeq, o.ID)
	}
	f.orders[o.ID] = &o
	return o.ID
}

// SetStatus changes an order's status (an admin's edit), stamping it.
func (f *Fake) SetStatus(id int64, status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o := f.orders[id]; o != nil {
		o.Status, o.DateModifiedGMT = status, f.now().Format(wcTime)
	}
}

// Order returns a copy of the order with its notes and trackings.
func (f *Fake) Order(id int64) (Order, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.orders[id]
	if o == nil {
		return Order{}, false
	}
	c := *o
	c.Notes = append([]Note{}, o.Notes...)
	c.Trackings = append([]Tracking{}, o.Trackings...)
	c.LineItems = append([]LineItem{}, o.LineItems...)
	return c, true
}

// Touch creates order id (a one-line processing order) or updates it,
// stamping it modified at `at` by the store's clock.
func (f *Fake) Touch(id int64, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.orders[id]
	if o == nil {
		o = &Order{ID: id, Number: strconv.FormatInt(id, 10), Status: "processing", Currency: "USD", Total: "9.00",
			DateCreatedGMT: at.UTC().Format(wcTime),
			LineItems:      []LineItem{{ID: id*10 + 1, Name: "Mug", Quantity: 1, Subtotal: "9.00", Total: "9.00", SKU: "MUG", Price: "9"}}}
		f.orders[id] = o
		f.orderSeq = append(f.orderSeq, id)
	}
	o.DateModifiedGMT = at.UTC().Format(wcTime)
}
