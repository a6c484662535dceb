package woocommerce

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net/http"
	"strconv"
)

// sampleOrder is an order.created body shaped as WooCommerce 9 sends it
// (the WC REST v3 order, trimmed of fields dropgate ignores). Its SKUs are
// those of configs/demo-catalog.csv; ids are fresh on every call.
const sampleOrder = `{
  "id": %[1]d,
  "parent_id": 0,
  "number": "%[1]d",
  "status": "processing",
  "currency": "USD",
  "date_created": "%[2]s",
  "date_created_gmt": "%[2]s",
  "date_modified": "%[2]s",
  "date_modified_gmt": "%[2]s",
  "discount_total": "5.00",
  "shipping_total": "7.00",
  "total": "61.30",
  "total_tax": "4.40",
  "customer_id": 12,
  "customer_note": "",
  "billing": {"first_name": "Ada", "last_name": "Lovelace", "company": "", "address_1": "12 Analytical Row",
    "address_2": "Apt 3", "city": "Austin", "state": "TX", "postcode": "78701", "country": "US",
    "email": "ada.lovelace@example.com", "phone": "+1 512-555-0134"},
  "shipping": {"first_name": "Ada", "last_name": "Lovelace", "company": "", "address_1": "12 Analytical Row",
    "address_2": "Apt 3", "city": "Austin", "state": "TX", "postcode": "78701", "country": "US"},
  "payment_method": "stripe",
  "date_paid_gmt": "%[2]s",
  "line_items": [
    {"id": %[3]d, "name": "Ceramic Mug - Black / 11oz", "product_id": 93, "variation_id": 0, "quantity": 2,
     "subtotal": "29.90", "total": "24.90", "total_tax": "1.60", "sku": "MUG-BLK-11", "price": 12.45},
    {"id": %[4]d, "name": "Logo Tee - White / M", "product_id": 22, "variation_id": 23, "quantity": 1,
     "subtotal": "25.00", "total": "25.00", "total_tax": "2.80", "sku": "TEE-WHT-M", "price": 25}
  ],
  "shipping_lines": [{"id": %[5]d, "method_title": "Flat rate", "method_id": "flat_rate", "total": "7.00", "total_tax": "0.00"}]
}`

// SamplePayload returns a fresh sample body for topic: a new order on
// every call.
func (c *Connector) SamplePayload(topic string) ([]byte, error) {
	switch topic {
	case "order.created", "order.updated":
	default:
		return nil, fmt.Errorf("woocommerce: no built-in sample for topic %q (have order.created, order.updated; pass --file for others)", topic)
	}
	id := 1000 + randomN(1<<31)
	now := c.now().Format("2006-01-02T15:04:05")
	return []byte(fmt.Sprintf(sampleOrder, id, now, id*10+1, id*10+2, id*10+3)), nil
}

// SignWebhook returns the headers WooCommerce sends with a delivery.
func (c *Connector) SignWebhook(topic string, body []byte) (http.Header, error) {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(HeaderTopic, topic)
	res, ev, _ := bytes.Cut([]byte(topic), []byte("."))
	h.Set(HeaderResource, string(res))
	h.Set(HeaderEvent, string(ev))
	h.Set(HeaderSource, c.cfg.StoreURL+"/")
	h.Set(HeaderWebhookID, "1")
	h.Set(HeaderDeliveryID, strconv.FormatUint(1+randomN(1<<40), 10))
	h.Set(HeaderSignature, Sign(signingKey(c.cfg.WebhookSecret.Reveal()), body))
	return h, nil
}

func randomN(n uint64) uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint64(b[:]) % n
}
