package metacommerce

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
	"github.com/dropgate/dropgate/internal/fakes/metafake"
)

const suiteURL = "https://graph.facebook.example"

// suiteConnector is the connector on the rig, reaching base through the
// fake's transport (nil: no network).
func suiteConnector(r *connectortest.Rig, cfg *Config, base http.RoundTripper) *Connector {
	r.T.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = suiteURL
	}
	if cfg.CommerceAccountID == "" {
		cfg.CommerceAccountID = metafake.CommerceAccountID
	}
	if cfg.AccessToken.IsZero() {
		cfg.AccessToken = connector.Secret(metafake.AccessToken)
	}
	if cfg.AppSecret.IsZero() {
		cfg.AppSecret = "suite-app-secret"
	}
	c, err := newConnector(r.Env, cfg, base)
	if err != nil {
		r.T.Fatalf("new connector: %v", err)
	}
	return c
}

func usd(s string) money.Money { return money.MustParse(s, "USD") }

// docOrder is an order shaped as Meta's Order API reference shows one
// (ids beyond 2^53, amounts as decimal strings), two items, estimated tax
// on each and on shipping; cancellations are filled in per test.
func docOrder(state, cancellations string) []byte {
	return []byte(`{"id": "64000841790004", "order_status": {"state": "` + state + `"},
 "created": "2026-03-14T15:09:26+00:00", "last_updated": "2026-03-14T16:00:00+00:00",
 "merchant_order_id": "M-1001", "channel": "instagram", "ship_by_date": "2026-03-17",
 "buyer_details": {"name": "Ada Lovelace", "email": "ada@example.com", "email_remarketing_option": false},
 "shipping_address": {"name": "Ada Lovelace", "street1": "12 Analytical Row", "street2": "Flat 2", "city": "Austin",
  "state": "TX", "postal_code": "78701", "country": "US"},
 "selected_shipping_option": {"name": "Standard", "price": {"amount": "4.50", "currency": "USD"},
  "calculated_tax": {"amount": "0.37", "currency": "USD"}, "estimated_shipping_time": {"min_days": 3, "max_days": 5}},
 "estimated_payment_details": {"subtotal": {"items": {"amount": "54.98", "currency": "USD"}}, "total_amount": {"amount": "63.15", "currency": "USD"}},
 "items": {"data": [
  {"id": "9007199254740993", "product_id": "111", "retailer_id": "MUG-BLK", "product_name": "Mug", "quantity": 2,
   "price_per_unit": {"amount": "19.99", "currency": "USD"}, "tax_details": {"estimated_tax": {"amount": "3.30", "currency": "USD"}}},
  {"id": "9007199254740995", "product_id": "112", "retailer_id": "TEE-WHT-M", "product_name": "Tee", "quantity": 1,
   "price_per_unit": {"amount": "15.00", "currency": "USD"}, "tax_details": {"estimated_tax": {"amount": "0.00", "currency": "USD"}}}]}` +
		cancellations + `}`)
}

func docModel() *model.Order {
	shipBy := time.Date(2026, 3, 17, 0, 0, 0, 0, time.UTC)
	return &model.Order{
		ID: model.OrderID(connectortest.Instance, "64000841790004"), Channel: connectortest.Instance, ChannelOrderID: "64000841790004",
		ChannelOrderNumber: "M-1001", PlacedAt: time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC), Currency: "USD",
		Customer: model.Customer{Name: "Ada Lovelace", Email: "ada@example.com"},
		ShippingAddress: &model.Address{Name: "Ada Lovelace", Line1: "12 Analytical Row", Line2: "Flat 2", City: "Austin", Region: "TX",
			PostalCode: "78701", Country: "US"},
		Lines: []model.OrderLine{
			{ID: "9007199254740993", SKU: "MUG-BLK", Title: "Mug", Quantity: 2, UnitPrice: usd("19.99"), Discount: usd("0"), Tax: usd("3.30")},
			{ID: "9007199254740995", SKU: "TEE-WHT-M", Title: "Tee", Quantity: 1, UnitPrice: usd("15"), Discount: usd("0"), Tax: usd("0")},
		},
		Totals:         model.Totals{Subtotal: usd("54.98"), Shipping: usd("4.50"), Tax: usd("3.67"), Discount: usd("0"), Total: usd("63.15")},
		ShippingMethod: "Standard", Status: model.OrderReceived, PaymentStatus: model.PaymentPaid, ShipBy: &shipBy,
	}
}

var docAt = time.Date(2026, 3, 14, 16, 0, 0, 0, time.UTC)

func created() connectortest.DecodeSample {
	o := docModel()
	return connectortest.DecodeSample{Name: "a CREATED order", Topic: TopicOrder, Body: docOrder("CREATED", ""),
		Want: []connector.ChannelEvent{{Kind: connector.EventOrderUpdated, ChannelOrderID: o.ChannelOrderID, Order: o, At: docAt}}}
}

// partlyCancelled: one unit of the mug cancelled: an update.
func partlyCancelled() connectortest.DecodeSample {
	o := docModel()
	o.Lines[0].Cancelled = 1
	return connectortest.DecodeSample{Name: "a unit cancelled", Topic: TopicOrders,
		Body: []byte(`{"data": [` + string(docOrder("IN_PROGRESS", `, "cancellations": {"data": [{"id": "c1",
  "cancel_reason": {"reason_code": "CUSTOMER_REQUESTED", "reason_description": "changed mind"},
  "items": {"data": [{"id": "9007199254740993", "quantity": 1}]}}]}`)) + `], "paging": {"cursors": {"before": "QVFI", "after": "QVFI"}}}`),
		Want: []connector.ChannelEvent{{Kind: connector.EventOrderUpdated, ChannelOrderID: o.ChannelOrderID, Order: o, At: docAt}}}
}

// whollyCancelled: every unit cancelled (by retailer id): a cancellation
// with Meta's reason.
func whollyCancelled() connectortest.DecodeSample {
	o := docModel()
	o.Lines[0].Cancelled, o.Lines[1].Cancelled = 2, 1
	at := docAt
	o.CancelledAt, o.CancelReason = &at, "CUSTOMER_REQUESTED changed mind"
	return connectortest.DecodeSample{Name: "every unit cancelled", Topic: TopicOrder,
		Body: docOrder("COMPLETED", `, "cancellations": {"data": [{"id": "c1",
  "cancel_reason": {"reason_code": "CUSTOMER_REQUESTED", "reason_description": "changed mind"},
  "items": {"data": [{"retailer_id": "MUG-BLK", "quantity": 2}, {"retailer_id": "TEE-WHT-M", "quantity": 1}]}}]}`),
		Want: []connector.ChannelEvent{{Kind: connector.EventOrderCancelled, ChannelOrderID: o.ChannelOrderID, Order: o,
			Reason: "CUSTOMER_REQUESTED changed mind", At: at}}}
}

// refunded: a cancelled unit refunded: the payment partly refunded.
func refunded() connectortest.DecodeSample {
	o := docModel()
	o.Lines[0].Cancelled = 1
	o.PaymentStatus = model.PaymentPartiallyRefunded
	return connectortest.DecodeSample{Name: "a unit refunded", Topic: TopicOrder,
		Body: docOrder("IN_PROGRESS", `, "cancellations": {"data": [{"id": "c1", "items": {"data": [{"id": "9007199254740993", "quantity": 1}]}}]},
 "refunds": {"data": [{"id": "r1", "total_refund_amount": {"amount": "21.64", "currency": "USD"}}]}`),
		Want: []connector.ChannelEvent{{Kind: connector.EventOrderUpdated, ChannelOrderID: o.ChannelOrderID, Order: o, At: docAt}}}
}

func TestSuiteDecode(t *testing.T) {
	connectortest.RunDecode(t, connectortest.DecodeHarness{
		New:           func(r *connectortest.Rig) connector.Connector { return suiteConnector(r, &Config{}, nil) },
		Render:        func(s connectortest.Synthetic) (string, []byte) { return TopicOrder, renderSynthetic(s) },
		NoConformance: "the conformance folder holds no Meta commerce order payloads yet; samples follow the Order API reference",
		Samples:       []connectortest.DecodeSample{created(), partlyCancelled(), whollyCancelled(), refunded()},
	})
}

// renderSynthetic writes a synthetic order as Meta does: per-unit prices
// as decimal strings, shipping as the selected option's price.
func renderSynthetic(s connectortest.Synthetic) []byte {
	var items []string
	for _, l := range s.Lines {
		items = append(items, fmt.Sprintf(`{"id": %q, "retailer_id": %q, "product_name": %q, "quantity": %d,
 "price_per_unit": {"amount": %q, "currency": %q}}`, l.ID, l.SKU, l.Title, l.Quantity, l.UnitPrice, s.Currency))
	}
	a := s.ShipTo
	at := s.PlacedAt.UTC().Format(time.RFC3339)
	return []byte(fmt.Sprintf(`{"id": %q, "order_status": {"state": "CREATED"}, "created": %q, "last_updated": %q,
 "merchant_order_id": %q, "buyer_details": {"name": %q, "email": %q},
 "shipping_address": {"name": %q, "street1": %q, "city": %q, "state": %q, "postal_code": %q, "country": %q},
 "selected_shipping_option": {"name": "Standard", "price": {"amount": %q, "currency": %q}},
 "items": {"data": [%s]}}`, s.OrderID, at, at, s.OrderNumber, a.Name, s.Email, a.Name, a.Line1, a.City, a.Region, a.PostalCode,
		a.Country, s.Shipping, s.Currency, strings.Join(items, ",")))
}

// pollLimit is the poll's: each CREATED order listed is acknowledged by
// a call of its own, so the suite's sweeps need a burst that size.
var pollLimit = store.Limit{Rate: 5, Burst: 60}

// suiteLimit is the connector's limit in the push cases; the fake's
// business use case quota matches it.
var suiteLimit = store.Limit{Rate: 2, Burst: 20}

func TestSuitePollOrders(t *testing.T) {
	connectortest.RunPollOrders(t, connectortest.PollOrdersHarness{Limit: pollLimit,
		Setup: func(r *connectortest.Rig) connectortest.PollOrdersFixture {
			f := metafake.New(metafake.WithClock(r.Clock), metafake.WithLimit(metafake.Limit(pollLimit.Rate, pollLimit.Burst)))
			c := suiteConnector(r, &Config{}, f.Transport())
			return connectortest.PollOrdersFixture{
				Connector: c,
				Order:     func(id string, at time.Time) { f.PutOrder(id, at) },
				PageSize:  PageSize,
				Fake:      f.Server(),
				List:      connectortest.Route{Method: "GET", Path: "/" + DefaultAPIVersion + "/" + metafake.CommerceAccountID + "/commerce_orders"},
			}
		}})
}

// shipmentOf places an order of two items on the fake, acknowledged, and
// returns it with a shipment of both in two parcels, by two carriers (one
// Meta does not list).
func shipmentOf(f *metafake.Fake, i int) (*model.Order, *model.Shipment) {
	mo := f.AddOrder(metafake.NewLine{SKU: "MUG-BLK", Name: "Mug", Qty: 2, Price: "19.99"},
		metafake.NewLine{SKU: "TEE-WHT-M", Name: "Tee", Qty: 1, Price: "15.00"})
	f.Acknowledge(mo.ID)
	o := &model.Order{ID: model.OrderID(connectortest.Instance, mo.ID), Channel: connectortest.Instance, ChannelOrderID: mo.ID,
		Currency: "USD", ShippingMethod: "Standard",
		Lines: []model.OrderLine{{ID: mo.Items[0].ID, SKU: "MUG-BLK", Quantity: 2}, {ID: mo.Items[1].ID, SKU: "TEE-WHT-M", Quantity: 1}}}
	sh := &model.Shipment{ID: fmt.Sprintf("shp_%d", i), OrderID: o.ID, Carrier: "ups", Packages: []model.Package{
		{TrackingNumber: fmt.Sprintf("1Z999AA1%08d", i), Lines: []model.ShipmentLine{{OrderLineID: mo.Items[0].ID, SKU: "MUG-BLK", Quantity: 2}}},
		{TrackingNumber: fmt.Sprintf("LP%08d", i), Carrier: "yodel", Lines: []model.ShipmentLine{{SKU: "TEE-WHT-M", Quantity: 1}}},
	}}
	return o, sh
}

func TestSuiteFulfillment(t *testing.T) {
	connectortest.RunFulfillment(t, connectortest.FulfillmentHarness{Limit: suiteLimit,
		Setup: func(r *connectortest.Rig) connectortest.FulfillmentFixture {
			f := metafake.New(metafake.WithClock(r.Clock), metafake.WithLimit(metafake.Limit(suiteLimit.Rate, suiteLimit.Burst)))
			c := suiteConnector(r, &Config{}, f.Transport())
			return connectortest.FulfillmentFixture{
				Platform: connectortest.Platform{Connector: c, Fake: f.Server(),
					Write: connectortest.Route{Method: "POST", PathPrefix: "/" + DefaultAPIVersion + "/"}},
				Shipment:     func(i int) (*model.Order, *model.Shipment) { return shipmentOf(f, i) },
				Fulfillments: func(o *model.Order) int { return fulfillments(f, o) },
			}
		}})
}

// fulfillments counts the dropgate shipments the fake holds for an order:
// one per parcel is posted, each keyed dropgate-{shipment}-{parcel}.
func fulfillments(f *metafake.Fake, o *model.Order) int {
	ids := map[string]bool{}
	for _, s := range f.Shipments(o.ChannelOrderID) {
		ids[s.IdempotencyKey[:strings.LastIndexByte(s.IdempotencyKey, '-')]] = true
	}
	return len(ids)
}

func catalogFixture(r *connectortest.Rig) (*metafake.Fake, connectortest.Platform) {
	f := metafake.New(metafake.WithClock(r.Clock), metafake.WithLimit(metafake.Limit(suiteLimit.Rate, suiteLimit.Burst)))
	c := suiteConnector(r, &Config{CatalogID: metafake.CatalogID}, f.Transport())
	return f, connectortest.Platform{Connector: c, Fake: f.Server(),
		Write: connectortest.Route{Method: "POST", Path: "/" + DefaultAPIVersion + "/" + metafake.CatalogID + "/items_batch"}}
}

func TestSuiteInventory(t *testing.T) {
	connectortest.RunInventory(t, connectortest.InventoryHarness{Limit: suiteLimit,
		Setup: func(r *connectortest.Rig) connectortest.InventoryFixture {
			f, p := catalogFixture(r)
			return connectortest.InventoryFixture{Platform: p,
				SKU: func(i int) string {
					sku := fmt.Sprintf("SKU-%04d", i)
					f.AddCatalogItem(sku)
					return sku
				},
				Available: f.Quantity, Changes: f.QuantityChanges,
			}
		}})
}

func TestSuitePrices(t *testing.T) {
	connectortest.RunPrices(t, connectortest.PriceHarness{Limit: suiteLimit, Currency: "USD",
		Setup: func(r *connectortest.Rig) connectortest.PriceFixture {
			f, p := catalogFixture(r)
			return connectortest.PriceFixture{Platform: p,
				SKU: func(i int) string {
					sku := fmt.Sprintf("SKU-%04d", i)
					f.AddCatalogItem(sku)
					return sku
				},
				Price: f.Price, Changes: f.PriceChanges,
			}
		}})
}
