package shopify

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/ids"
)

// sampleOrder is a realistic orders/create body, shaped like what Shopify
// sends for API version 2025-07 (trimmed of fields dropgate ignores). Its
// SKUs are those of configs/demo-catalog.csv. The ids are placeholders
// replaced on every call so each trigger is a new order.
const sampleOrder = `{
  "id": %[1]s,
  "admin_graphql_api_id": "gid://shopify/Order/%[1]s",
  "name": "#%[2]d",
  "order_number": %[2]d,
  "email": "ada.lovelace@example.com",
  "contact_email": "ada.lovelace@example.com",
  "created_at": "%[3]s",
  "processed_at": "%[3]s",
  "updated_at": "%[3]s",
  "currency": "USD",
  "presentment_currency": "USD",
  "financial_status": "paid",
  "fulfillment_status": null,
  "subtotal_price": "54.90",
  "total_discounts": "5.00",
  "total_tax": "4.40",
  "total_price": "61.30",
  "taxes_included": false,
  "tags": "demo, web",
  "note": null,
  "customer": {"id": 7390219755633, "email": "ada.lovelace@example.com", "first_name": "Ada", "last_name": "Lovelace"},
  "shipping_address": {
    "first_name": "Ada", "last_name": "Lovelace", "name": "Ada Lovelace",
    "address1": "12 Analytical Row", "address2": "Apt 3", "city": "Austin",
    "province": "Texas", "province_code": "TX", "zip": "78701",
    "country": "United States", "country_code": "US", "phone": "+1 512-555-0134", "company": null
  },
  "billing_address": {
    "first_name": "Ada", "last_name": "Lovelace", "name": "Ada Lovelace",
    "address1": "12 Analytical Row", "city": "Austin", "province_code": "TX",
    "zip": "78701", "country_code": "US"
  },
  "shipping_lines": [{"id": 4795466367089, "title": "Standard", "price": "7.00", "code": "STANDARD"}],
  "line_items": [
    {"id": %[4]s, "product_id": 8105376809073, "variant_id": 44614153617521, "sku": "MUG-BLK-11",
     "name": "Ceramic Mug - Black / 11oz", "title": "Ceramic Mug", "quantity": 2, "price": "14.95",
     "total_discount": "5.00", "requires_shipping": true, "fulfillable_quantity": 2,
     "tax_lines": [{"title": "TX State Tax", "price": "1.60", "rate": 0.0625}]},
    {"id": %[5]s, "product_id": 8105376841841, "variant_id": 44614153650289, "sku": "TEE-WHT-M",
     "name": "Logo Tee - White / M", "title": "Logo Tee", "quantity": 1, "price": "25.00",
     "total_discount": "0.00", "requires_shipping": true, "fulfillable_quantity": 1,
     "tax_lines": [{"title": "TX State Tax", "price": "2.80", "rate": 0.0625}]}
  ]
}`

// SamplePayload returns a fresh sample body for topic: new order and line
// ids (above 2^53, as real Shopify ids may be) on every call.
func (c *Connector) SamplePayload(topic string) ([]byte, error) {
	switch topic {
	case "orders/create", "orders/updated", "orders/paid":
	default:
		return nil, fmt.Errorf("shopify: no built-in sample for topic %q (have orders/create, orders/updated, orders/paid; pass --file for others)", topic)
	}
	base := randomID()
	now := c.now().Format(time.RFC3339)
	body := fmt.Sprintf(sampleOrder, u64(base), 1000+int(base%9000), now, u64(base+1), u64(base+2))
	return []byte(body), nil
}

// SignWebhook returns the headers Shopify sends with a delivery.
func (c *Connector) SignWebhook(topic string, body []byte) (http.Header, error) {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(HeaderTopic, topic)
	h.Set(HeaderShopDomain, c.cfg.ShopDomain)
	h.Set(HeaderWebhookID, strings.ToLower(ids.New("")))
	h.Set(HeaderEventID, strings.ToLower(ids.New("")))
	h.Set(HeaderAPIVersion, c.cfg.APIVersion)
	h.Set(HeaderTriggered, c.now().Format(time.RFC3339Nano))
	h.Set(HeaderHmac, Sign([]byte(c.cfg.WebhookSecret.Reveal()), body))
	return h, nil
}

// randomID is a random id between 2^53 and 2^62.
func randomID() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return 1<<53 + binary.BigEndian.Uint64(b[:])%(1<<62-1<<53)
}

func u64(v uint64) string { return fmt.Sprintf("%d", v) }
