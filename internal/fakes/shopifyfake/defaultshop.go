package shopifyfake

import "time"

// Shortcuts to the default shop, for the common single-shop test. Each is
// the Shop method of the same name on f.Shop("").

// AddOrder adds an order to the default shop; see Shop.AddOrder.
func (f *Fake) AddOrder(no NewOrder) (Order, error) { return f.Shop("").AddOrder(no) }

// AddProduct adds a product to the default shop; see Shop.AddProduct.
func (f *Fake) AddProduct(np NewProduct) (Product, error) { return f.Shop("").AddProduct(np) }

// AddLocation adds a location to the default shop.
func (f *Fake) AddLocation(nl NewLocation) Location { return f.Shop("").AddLocation(nl) }

// Locations lists the default shop's locations.
func (f *Fake) Locations() []Location { return f.Shop("").Locations() }

// SetInventory seeds an inventory level in the default shop.
func (f *Fake) SetInventory(inventoryItemID, locationID uint64, available int) error {
	return f.Shop("").SetInventory(inventoryItemID, locationID, available)
}

// Order returns an order of the default shop.
func (f *Fake) Order(id uint64) (Order, bool) { return f.Shop("").Order(id) }

// FulfillmentOrders returns an order's fulfillment orders in the default shop.
func (f *Fake) FulfillmentOrders(orderID uint64) []FulfillmentOrder {
	return f.Shop("").FulfillmentOrders(orderID)
}

// Fulfillments returns an order's fulfillments in the default shop.
func (f *Fake) Fulfillments(orderID uint64) []Fulfillment { return f.Shop("").Fulfillments(orderID) }

// Variant returns a variant of the default shop.
func (f *Fake) Variant(id uint64) (Variant, bool) { return f.Shop("").Variant(id) }

// InventoryLevel returns a level of the default shop.
func (f *Fake) InventoryLevel(inventoryItemID, locationID uint64) (InventoryLevel, bool) {
	return f.Shop("").InventoryLevel(inventoryItemID, locationID)
}

// InventoryHistory returns the default shop's set/adjust calls.
func (f *Fake) InventoryHistory() []InventoryChange { return f.Shop("").InventoryHistory() }

// PriceHistory returns the default shop's variant price updates.
func (f *Fake) PriceHistory() []PriceChange { return f.Shop("").PriceHistory() }

// Requests counts the requests addressed to shop ("" for the default
// shop; 0 for an unknown one).
func (f *Fake) Requests(shop string) int {
	if s := f.Shop(shop); s != nil {
		return s.Requests()
	}
	return 0
}

// Throttled counts the 429s answered to shop ("" for the default shop; 0
// for an unknown one). Tests of a well-behaved client assert it is zero.
func (f *Fake) Throttled(shop string) int {
	if s := f.Shop(shop); s != nil {
		return s.Throttled()
	}
	return 0
}

// TouchOrder stamps an order of the default shop as updated at `at`.
func (f *Fake) TouchOrder(id uint64, at time.Time) error { return f.Shop("").TouchOrder(id, at) }
