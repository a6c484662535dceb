package shopifyfake

import (
	"testing"
)

const adoptBody = `{"id": 9007199254740993, "name": "#4321", "order_number": 4321, "email": "ada@example.com",
 "currency": "USD", "financial_status": "paid", "created_at": "2025-07-01T10:00:00Z", "note": null,
 "shipping_address": {"first_name": "Ada", "last_name": "Lovelace", "address1": "12 Analytical Row", "city": "Austin", "province_code": "TX", "zip": "78701", "country_code": "US"},
 "shipping_lines": [{"price": "7.00"}],
 "line_items": [
   {"id": 9007199254740995, "product_id": 8105376809073, "variant_id": null, "sku": "MUG-BLK-11", "title": "Ceramic Mug", "quantity": 2, "price": "14.95"},
   {"id": 9007199254740997, "sku": "TEE-WHT-M", "name": "Logo Tee", "quantity": 1, "price": "25.00"}]}`

// TestAdoptOrderKeepsShopifyIDs: an order placed elsewhere becomes the
// shop's with its own order and line ids (above 2^53), and fulfillment
// orders whose lines point at them; adopting it again changes nothing.
func TestAdoptOrderKeepsShopifyIDs(t *testing.T) {
	f := New()
	shop := f.Shops()[0]
	o, err := shop.AdoptOrder([]byte(adoptBody))
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != 9007199254740993 || o.Name != "#4321" || o.Number != 3321 || len(o.Lines) != 2 ||
		o.Lines[0].ID != 9007199254740995 || o.Lines[1].ID != 9007199254740997 || o.Lines[0].Quantity != 2 ||
		o.Lines[1].Title != "Logo Tee" || o.ShippingPrice.String() != "7.00 USD" {
		t.Fatalf("adopted order: %+v", o)
	}
	if _, err := shop.AdoptOrder([]byte(adoptBody)); err != nil {
		t.Fatal(err)
	}
	fos := shop.FulfillmentOrders(o.ID)
	if len(fos) != 1 || len(fos[0].Lines) != 2 || fos[0].Lines[0].LineItemID != o.Lines[0].ID || fos[0].Lines[1].FulfillableQuantity != 1 {
		t.Fatalf("fulfillment orders: %+v", fos)
	}
	for _, bad := range []string{`{`, `{"id": "x", "line_items": [{"id": 1, "quantity": 1, "price": "1.00"}], "currency": "USD"}`, `{"id": 5, "currency": "USD"}`} {
		if _, err := shop.AdoptOrder([]byte(bad)); err == nil {
			t.Errorf("adopted %s", bad)
		}
	}
}
