package magento2

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/kit"
	"github.com/dropgate/dropgate/internal/fakes/magentofake"
)

const suiteURL = "https://shop.example.com"

// suiteConnector is the connector on the rig, reaching base through the
// fake's transport (nil: no network).
func suiteConnector(r *connectortest.Rig, cfg *Config, base http.RoundTripper) *Connector {
	r.T.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = suiteURL
	}
	if cfg.AccessToken.IsZero() {
		cfg.AccessToken = connector.Secret(magentofake.Token)
	}
	c, err := newConnector(r.Env, cfg, base)
	if err != nil {
		r.T.Fatalf("new connector: %v", err)
	}
	return c
}

func TestSuiteDecode(t *testing.T) {
	connectortest.RunDecode(t, connectortest.DecodeHarness{
		New:             func(r *connectortest.Rig) connector.Connector { return suiteConnector(r, &Config{}, nil) },
		Render:          func(s connectortest.Synthetic) (string, []byte) { return TopicOrder, renderSynthetic(s) },
		ConformanceGlob: "channels/magento/adobe-webapi-docs.GET-V1-orders-*.json",
		Samples:         []connectortest.DecodeSample{conformanceOrder(), configurableOrder()},
	})
}

// conformanceOrder is Adobe's GET /V1/orders/{id} example, every value
// read off the file.
func conformanceOrder() connectortest.DecodeSample {
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	at := time.Date(2017, 8, 21, 22, 22, 19, 0, time.UTC)
	addr := func() *model.Address {
		return &model.Address{Name: "Jane Doe", Line1: "123 Oak Ave", City: "Purchase", Region: "NY", PostalCode: "10577",
			Country: "US", Phone: "512-555-1111", Email: "jdoe@example.com"}
	}
	o := &model.Order{
		ID: model.OrderID(connectortest.Instance, "3"), Channel: connectortest.Instance, ChannelOrderID: "3",
		ChannelOrderNumber: "000000003", PlacedAt: at, Currency: "USD", Status: model.OrderReceived,
		Customer:        model.Customer{ID: "3", Name: "Jane Doe", Email: "jdoe@example.com"},
		ShippingAddress: addr(), BillingAddress: addr(),
		Lines: []model.OrderLine{{ID: "3", ChannelProductID: "1553", SKU: "WS12-M-Orange", Title: "Radiant Tee-M-Orange",
			Quantity: 1, UnitPrice: usd("22"), Discount: usd("0"), Tax: usd("0")}},
		Totals:         model.Totals{Subtotal: usd("160"), Shipping: usd("5"), Tax: usd("0"), Discount: usd("0"), Total: usd("165")},
		ShippingMethod: "tablerate_bestway", PaymentStatus: model.PaymentPending,
	}
	return connectortest.DecodeSample{Name: "Adobe GET /V1/orders/{id} example", File: "channels/magento/adobe-webapi-docs.GET-V1-orders-id.response.json",
		Topic: TopicOrder, Want: []connector.ChannelEvent{{Kind: connector.EventOrderUpdated, ChannelOrderID: "3", Order: o,
			At: time.Date(2017, 8, 21, 22, 22, 20, 0, time.UTC)}}}
}

// configurableOrder is a cancelled, paid order of a configurable product
// (parent + child item) and a simple one, with amounts as Magento writes
// them (19.9900) and an id beyond 2^53.
func configurableOrder() connectortest.DecodeSample {
	body := `{"entity_id": 9007199254740993, "increment_id": "100000042", "state": "canceled", "status": "canceled",
 "created_at": "2026-03-14 15:09:26", "updated_at": "2026-03-15 08:00:00", "order_currency_code": "EUR",
 "customer_email": "ada@example.com", "customer_firstname": "Ada", "customer_lastname": "Lovelace", "customer_is_guest": 1,
 "subtotal": 49.9700, "shipping_amount": 4.5, "tax_amount": 0, "discount_amount": -5.0000, "grand_total": 49.47,
 "total_paid": 49.47, "total_refunded": 0,
 "items": [
  {"item_id": 11, "product_id": 7, "product_type": "configurable", "sku": "TEE-WHT-M", "name": "Tee", "qty_ordered": 2.0000, "price": 19.9900, "discount_amount": 5, "tax_amount": 0},
  {"item_id": 12, "parent_item_id": 11, "product_id": 8, "product_type": "simple", "sku": "TEE-WHT-M", "name": "Tee-M-White", "qty_ordered": 2, "price": 0},
  {"item_id": 13, "product_id": 9, "product_type": "simple", "sku": "MUG-BLK", "name": "Mug", "qty_ordered": 1, "qty_canceled": 1, "price": 9.99}
 ],
 "extension_attributes": {"shipping_assignments": [{"shipping": {"method": "flatrate_flatrate",
   "address": {"firstname": "Ada", "lastname": "Lovelace", "street": ["12 Analytical Row", "Flat 2"], "city": "Austin", "region": "Texas", "region_code": "TX", "postcode": "78701", "country_id": "US"}}}]}}`
	eur := func(s string) money.Money { return money.MustParse(s, "EUR") }
	cancelled := time.Date(2026, 3, 15, 8, 0, 0, 0, time.UTC)
	o := &model.Order{
		ID: model.OrderID(connectortest.Instance, "9007199254740993"), Channel: connectortest.Instance, ChannelOrderID: "9007199254740993",
		ChannelOrderNumber: "100000042", PlacedAt: time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC), Currency: "EUR", Status: model.OrderReceived,
		Customer:        model.Customer{Name: "Ada Lovelace", Email: "ada@example.com"},
		ShippingAddress: &model.Address{Name: "Ada Lovelace", Line1: "12 Analytical Row", Line2: "Flat 2", City: "Austin", Region: "TX", PostalCode: "78701", Country: "US"},
		Lines: []model.OrderLine{
			{ID: "11", ChannelProductID: "7", SKU: "TEE-WHT-M", Title: "Tee", Quantity: 2, UnitPrice: eur("19.99"), Discount: eur("5"), Tax: eur("0")},
			{ID: "13", ChannelProductID: "9", SKU: "MUG-BLK", Title: "Mug", Quantity: 1, Cancelled: 1, UnitPrice: eur("9.99"), Discount: eur("0"), Tax: eur("0")},
		},
		Totals:         model.Totals{Subtotal: eur("49.97"), Shipping: eur("4.50"), Tax: eur("0"), Discount: eur("5"), Total: eur("49.47")},
		ShippingMethod: "flatrate_flatrate", PaymentStatus: model.PaymentPaid, CancelledAt: &cancelled, CancelReason: "canceled",
	}
	return connectortest.DecodeSample{Name: "configurable, cancelled, paid", Body: []byte(body), Topic: TopicOrder,
		Want: []connector.ChannelEvent{{Kind: connector.EventOrderCancelled, ChannelOrderID: o.ChannelOrderID, Order: o, At: cancelled}}}
}

// renderSynthetic writes a synthetic order as Magento does.
func renderSynthetic(s connectortest.Synthetic) []byte {
	var items []string
	for _, l := range s.Lines {
		items = append(items, fmt.Sprintf(`{"item_id": %s, "sku": %q, "name": %q, "product_type": "simple", "qty_ordered": %d, "price": %s}`,
			l.ID, l.SKU, l.Title, l.Quantity, l.UnitPrice))
	}
	at := s.PlacedAt.UTC().Format(timeLayout)
	a := s.ShipTo
	return []byte(fmt.Sprintf(`{"entity_id": %s, "increment_id": %q, "state": "new", "status": "pending", "created_at": %q, "updated_at": %q,
 "order_currency_code": %q, "customer_email": %q, "subtotal": %s, "shipping_amount": %s, "grand_total": %s, "items": [%s],
 "extension_attributes": {"shipping_assignments": [{"shipping": {"address": {"firstname": %q, "street": [%q], "city": %q, "region_code": %q, "postcode": %q, "country_id": %q}}}]}}`,
		s.OrderID, s.OrderNumber, at, at, s.Currency, s.Email, s.Subtotal, s.Shipping, s.Total, strings.Join(items, ","),
		a.Name, a.Line1, a.City, a.Region, a.PostalCode, a.Country))
}

// suiteLimit is the connector's limit in the HTTP cases, which the fake's
// quota (a host WAF's token bucket) matches.
var suiteLimit = store.Limit{Rate: 4, Burst: 20}

func newFake(r *connectortest.Rig) *magentofake.Fake {
	return magentofake.New(magentofake.WithClock(r.Clock),
		magentofake.WithLimit(&kit.TokenBucket{Rate: suiteLimit.Rate, Burst: suiteLimit.Burst}))
}

func TestSuitePollOrders(t *testing.T) {
	connectortest.RunPollOrders(t, connectortest.PollOrdersHarness{Limit: suiteLimit,
		Setup: func(r *connectortest.Rig) connectortest.PollOrdersFixture {
			f := newFake(r)
			c := suiteConnector(r, &Config{PageSize: 5}, f.Transport())
			return connectortest.PollOrdersFixture{
				Connector:      c,
				Order:          func(id string, at time.Time) { f.PutOrder(id, at) },
				PageSize:       5,
				RepeatLastPage: func() {}, // the fake, as Magento, always repeats the last page
				Fake:           f.Server(),
				List:           connectortest.Route{Method: "GET", Path: "/rest/default/V1/orders"},
				ID:             func(ev connector.ChannelEvent) string { return ev.Order.ChannelOrderNumber },
			}
		}})
}
