package shopify

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/shopifyfake"
)

// The capability suites of internal/connectortest, run against the
// connector on shopifyfake (the tests in the other files are the
// connector's own).

// suiteLimit is the connector's default: Shopify's REST bucket, which the
// fake enforces too.
var suiteLimit = store.Limit{Rate: 2, Burst: 40}

const suiteShop = "suite-shop.myshopify.com"

func suiteSign(secret, topic, id string, body []byte) http.Header {
	h := http.Header{}
	h.Set(HeaderHmac, Sign([]byte(secret), body))
	h.Set(HeaderTopic, topic)
	h.Set(HeaderWebhookID, id)
	h.Set(HeaderShopDomain, suiteShop)
	h.Set(HeaderAPIVersion, DefaultAPIVersion)
	return h
}

func suiteConnector(r *connectortest.Rig, cfg *Config, base http.RoundTripper) *Connector {
	r.T.Helper()
	c, err := newConnector(r.Env, cfg, base)
	if err != nil {
		r.T.Fatalf("new: %v", err)
	}
	return c
}

func TestSuiteWebhooks(t *testing.T) {
	created := renderSynthetic(suiteOrder("820982911946154508"))
	connectortest.RunWebhooks(t, connectortest.WebhookHarness{
		New: func(r *connectortest.Rig, secret string) connector.Connector {
			return suiteConnector(r, &Config{ShopDomain: suiteShop, WebhookSecret: connector.Secret(secret), APIVersion: DefaultAPIVersion}, nil)
		},
		Sign:     suiteSign,
		Required: []string{HeaderHmac},
		Samples: []connectortest.WebhookSample{
			{Topic: "orders/create", Body: created, Kind: connector.EventOrderCreated, OrderID: "820982911946154508", OrderRef: "820982911946154508"},
			{Topic: "orders/updated", Body: renderSynthetic(suiteOrder("820982911946154510")), Kind: connector.EventOrderUpdated,
				OrderID: "820982911946154510", OrderRef: "820982911946154510"},
		},
		IgnoredTopic: "products/update",
	})
}

func suiteOrder(id string) connectortest.Synthetic {
	return connectortest.Synthetic{OrderID: id, OrderNumber: "#1001", Currency: "USD", PlacedAt: t0, Email: "ada@example.com",
		ShipTo:   model.Address{Name: "Ada Lovelace", Line1: "1 Loop", City: "Austin", Region: "TX", PostalCode: "78701", Country: "US"},
		Lines:    []connectortest.SyntheticLine{{ID: "1", SKU: "MUG", Title: "Mug", Quantity: 1, UnitPrice: "9.00"}},
		Shipping: "1.00", Subtotal: "9.00", Total: "10.00"}
}

// renderSynthetic writes an order webhook as Shopify sends it: ids as
// JSON integers, money as decimal strings.
func renderSynthetic(s connectortest.Synthetic) []byte {
	type raw = json.RawMessage
	lines := make([]map[string]any, len(s.Lines))
	for i, l := range s.Lines {
		lines[i] = map[string]any{"id": raw(l.ID), "sku": l.SKU, "title": l.Title, "name": l.Title, "quantity": l.Quantity,
			"price": l.UnitPrice, "total_discount": "0", "requires_shipping": true}
	}
	a := s.ShipTo
	b, err := json.Marshal(map[string]any{
		"id": raw(s.OrderID), "name": s.OrderNumber, "email": s.Email, "created_at": s.PlacedAt.Format(time.RFC3339),
		"currency": s.Currency, "financial_status": "paid", "subtotal_price": s.Subtotal, "total_price": s.Total,
		"total_tax": "0", "total_discounts": "0", "line_items": lines,
		"shipping_lines":   []map[string]any{{"title": "Standard", "price": s.Shipping}},
		"shipping_address": map[string]any{"name": a.Name, "address1": a.Line1, "city": a.City, "province_code": a.Region, "zip": a.PostalCode, "country_code": a.Country},
	})
	if err != nil {
		panic(err)
	}
	return b
}

func TestSuiteDecode(t *testing.T) {
	connectortest.RunDecode(t, connectortest.DecodeHarness{
		New: func(r *connectortest.Rig) connector.Connector {
			return suiteConnector(r, &Config{ShopDomain: suiteShop, WebhookSecret: "s", APIVersion: DefaultAPIVersion}, nil)
		},
		Render:          func(s connectortest.Synthetic) (string, []byte) { return "orders/create", renderSynthetic(s) },
		ConformanceGlob: "channels/shopify/go-shopify.order*.json",
		Samples:         []connectortest.DecodeSample{conformanceOrder()},
	})
}

// conformanceOrder is go-shopify's order fixture with every value it
// decodes to, read off the file: a cancelled order (cancelled_at
// 2016-05-17T04:14:36-04:00), so whatever the topic it is a cancellation.
func conformanceOrder() connectortest.DecodeSample {
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	placed := time.Date(2016, 5, 17, 4, 14, 36, 0, time.UTC)
	cancelled := time.Date(2016, 5, 17, 8, 14, 36, 0, time.UTC)
	line := func(id, product, title, price, discount string) model.OrderLine {
		return model.OrderLine{ID: id, ChannelProductID: product, Title: title, Quantity: 1, UnitPrice: usd(price), Discount: usd(discount), Tax: usd("0")}
	}
	o := &model.Order{
		ID: model.OrderID(connectortest.Instance, "123456"), Channel: connectortest.Instance, ChannelOrderID: "123456",
		ChannelOrderNumber: "#9999", PlacedAt: placed, Currency: "USD",
		Customer: model.Customer{Name: "John Smith", Email: "jon@doe.ca"},
		ShippingAddress: &model.Address{Name: "Steve Shipper", Company: "Shipping Company", Line1: "123 Shipping Street", City: "Shippington",
			Region: "KY", PostalCode: "K2P0S0", Country: "US", Phone: "555-555-SHIP", Email: "jon@doe.ca"},
		BillingAddress: &model.Address{Name: "Bob Biller", Company: "My Company", Line1: "123 Billing Street", City: "Billtown",
			Region: "KY", PostalCode: "K2P0B0", Country: "US", Phone: "555-555-BILL", Email: "jon@doe.ca"},
		Lines: []model.OrderLine{line("254721536", "111475476", "Soda", "0.00", "0.00"),
			line("5", "5410685889", "Another Beer For Good Times", "5.00", "5.00")},
		Totals:         model.Totals{Subtotal: usd("0.00"), Shipping: usd("10.00"), Tax: usd("0"), Discount: usd("5.00"), Total: usd("10.00")},
		ShippingMethod: "Generic Shipping", PaymentStatus: "voided", CancelledAt: &cancelled, CancelReason: "customer",
		Refs: []model.Ref{{System: "shopify:" + suiteShop, ID: "123456"}},
	}
	return connectortest.DecodeSample{Name: "go-shopify order fixture", File: "channels/shopify/go-shopify.order.json", Topic: "orders/create",
		Want: []connector.ChannelEvent{{Kind: connector.EventOrderCancelled, ChannelOrderID: "123456", Order: o, Reason: "customer", At: cancelled}}}
}

// shopFixture is the connector on a fresh shopifyfake sharing the rig's
// clock.
type shopFixture struct {
	f *shopifyfake.Fake
	c *Connector
}

func newShopFixture(r *connectortest.Rig) shopFixture {
	f := shopifyfake.New(shopifyfake.WithClock(r.Clock), shopifyfake.WithShop(suiteShop, shopifyfake.DefaultToken))
	r.T.Cleanup(f.Close)
	c := suiteConnector(r, &Config{ShopDomain: suiteShop, AccessToken: shopifyfake.DefaultToken, WebhookSecret: "s",
		APIVersion: DefaultAPIVersion, Currency: "USD", SKUCacheTTL: DefaultSKUCacheTTL}, f.Transport())
	return shopFixture{f: f, c: c}
}

func (s shopFixture) product(r *connectortest.Rig, sku string) shopifyfake.Variant {
	p, err := s.f.AddProduct(shopifyfake.NewProduct{Title: sku, Variants: []shopifyfake.NewVariant{{SKU: sku, Price: usd("1.00")}}})
	if err != nil {
		r.T.Fatalf("seed product: %v", err)
	}
	return p.Variants[0]
}

func (s shopFixture) order(r *connectortest.Rig, i int) (shopifyfake.Order, *model.Order) {
	v := s.product(r, fmt.Sprintf("SUITE-%d", i))
	o, err := s.f.AddOrder(shopifyfake.NewOrder{Email: "ada@example.com", Lines: []shopifyfake.NewLineItem{{VariantID: v.ID, Quantity: 2, Price: usd("1.00")}},
		ShippingAddress: shopifyfake.Address{FirstName: "Ada", Address1: "1 Loop", City: "Austin", CountryCode: "US", Zip: "78701"}})
	if err != nil {
		r.T.Fatalf("seed order: %v", err)
	}
	return o, &model.Order{ID: model.OrderID(connectortest.Instance, formatID(o.ID)), Channel: connectortest.Instance, ChannelOrderID: formatID(o.ID)}
}

func api(path string) string { return "/admin/api/" + DefaultAPIVersion + "/" + path }

func TestSuiteFulfillment(t *testing.T) {
	connectortest.RunFulfillment(t, connectortest.FulfillmentHarness{Limit: suiteLimit, Setup: func(r *connectortest.Rig) connectortest.FulfillmentFixture {
		s := newShopFixture(r)
		return connectortest.FulfillmentFixture{
			Platform: connectortest.Platform{Connector: s.c, Fake: s.f.Server(), Write: connectortest.Route{Method: "POST", Path: api("fulfillments.json")}},
			Shipment: func(i int) (*model.Order, *model.Shipment) {
				o, order := s.order(r, i)
				return order, shipment(fmt.Sprintf("shp_%d", i), "ups", pkg(fmt.Sprintf("1ZSUITE%04d", i), shipped(o.Lines[0], 2)))
			},
			Fulfillments: func(order *model.Order) int {
				id, _ := parseID("order", order.ChannelOrderID)
				return len(s.f.Fulfillments(id))
			},
		}
	}})
}

func TestSuiteInventory(t *testing.T) {
	connectortest.RunInventory(t, connectortest.InventoryHarness{Limit: suiteLimit, Setup: func(r *connectortest.Rig) connectortest.InventoryFixture {
		s := newShopFixture(r)
		items := map[string]uint64{}
		loc := s.f.Locations()[0].ID
		return connectortest.InventoryFixture{
			Platform: connectortest.Platform{Connector: s.c, Fake: s.f.Server(), Write: connectortest.Route{Method: "POST", Path: api("inventory_levels/set.json")}},
			SKU: func(i int) string {
				sku := fmt.Sprintf("INV-%d", i)
				items[sku] = s.product(r, sku).InventoryItemID
				return sku
			},
			Available: func(sku string) int64 { l, _ := s.f.InventoryLevel(items[sku], loc); return int64(l.Available) },
			Changes: func(sku string) int {
				n := 0
				for _, h := range s.f.InventoryHistory() {
					if h.InventoryItemID == items[sku] && h.Previous != h.Available {
						n++
					}
				}
				return n
			},
		}
	}})
}

func TestSuitePrices(t *testing.T) {
	connectortest.RunPrices(t, connectortest.PriceHarness{Limit: suiteLimit, Currency: "USD", Setup: func(r *connectortest.Rig) connectortest.PriceFixture {
		s := newShopFixture(r)
		variants := map[string]uint64{}
		return connectortest.PriceFixture{
			Platform: connectortest.Platform{Connector: s.c, Fake: s.f.Server(), Write: connectortest.Route{Method: "PUT", PathPrefix: api("variants/")}},
			SKU: func(i int) string {
				sku := fmt.Sprintf("PRICE-%d", i)
				variants[sku] = s.product(r, sku).ID
				return sku
			},
			Price: func(sku string) int64 { v, _ := s.f.Variant(variants[sku]); return v.Price.Amount },
			Changes: func(sku string) int {
				n := 0
				for _, h := range s.f.PriceHistory() {
					if h.VariantID == variants[sku] && h.PreviousPrice != h.Price {
						n++
					}
				}
				return n
			},
		}
	}})
}

func TestSuiteCancelOrder(t *testing.T) {
	connectortest.RunCancelOrder(t, connectortest.CancelOrderHarness{Limit: suiteLimit, Setup: func(r *connectortest.Rig) connectortest.CancelOrderFixture {
		s := newShopFixture(r)
		return connectortest.CancelOrderFixture{
			Platform: connectortest.Platform{Connector: s.c, Fake: s.f.Server(), Write: connectortest.Route{Method: "POST", PathPrefix: api("orders/")}},
			Order:    func(i int) *model.Order { _, order := s.order(r, i); return order },
			// A cancellation is a cancel request the shop carried out.
			Cancellations: func(order *model.Order) int {
				n := 0
				for _, q := range s.f.Server().Requests() {
					if q.Method == "POST" && q.Path == api("orders/"+order.ChannelOrderID+"/cancel.json") && q.Succeeded() {
						n++
					}
				}
				return n
			},
		}
	}})
}
