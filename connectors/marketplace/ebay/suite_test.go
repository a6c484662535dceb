package ebay

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/ebayfake"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

const (
	suiteURL      = "https://api.ebay.example"
	suiteEndpoint = "https://gateway.example.com/webhooks/ebay"
	suiteVerify   = "verification-token-of-32-chars-or-more-0123"
)

// suiteConnector is the connector on the rig, reaching base through the
// fake's transport (nil: no network).
func suiteConnector(r *connectortest.Rig, cfg *Config, base http.RoundTripper) *Connector {
	r.T.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = suiteURL
	}
	if cfg.ClientID == "" {
		cfg.ClientID = ebayfake.ClientID
	}
	if cfg.ClientSecret.IsZero() {
		cfg.ClientSecret = connector.Secret(ebayfake.ClientSecret)
	}
	if cfg.RefreshToken.IsZero() {
		cfg.RefreshToken = connector.Secret(ebayfake.RefreshToken)
	}
	if cfg.VerificationToken.IsZero() {
		cfg.VerificationToken = connector.Secret(suiteVerify)
	}
	if cfg.EndpointURL == "" {
		cfg.EndpointURL = suiteEndpoint
	}
	c, err := newConnector(r.Env, cfg, base)
	if err != nil {
		r.T.Fatalf("new connector: %v", err)
	}
	return c
}

// suiteLimit is the connector's limit in the HTTP cases, which the fake's
// quota matches.
var suiteLimit = store.Limit{Rate: 2, Burst: 20}

func newFake(r *connectortest.Rig) *ebayfake.Fake {
	return ebayfake.New(ebayfake.WithClock(r.Clock),
		ebayfake.WithLimit(&kit.TokenBucket{Rate: suiteLimit.Rate, Burst: suiteLimit.Burst}))
}

func TestSuiteDecode(t *testing.T) {
	connectortest.RunDecode(t, connectortest.DecodeHarness{
		New:    func(r *connectortest.Rig) connector.Connector { return suiteConnector(r, &Config{}, nil) },
		Render: func(s connectortest.Synthetic) (string, []byte) { return TopicOrder, renderSynthetic(s) },
		NoConformance: "the conformance folder holds eBay's account deletion notifications only (decoded in " +
			"TestDeletionNotificationIgnored), no Fulfillment API order; the samples follow the getOrders reference",
		Samples: []connectortest.DecodeSample{paidOrder(), cancelledOrder()},
	})
}

// paidOrder is a getOrders order as the API reference describes it: two
// lines, a promotion, tax, a ship-by date, a cancel request pending.
func paidOrder() connectortest.DecodeSample {
	body := `{"orderId": "12-34567-89012", "legacyOrderId": "123456789012", "salesRecordReference": "1042",
 "creationDate": "2026-03-14T15:09:26.000Z", "lastModifiedDate": "2026-03-14T16:00:00.250Z",
 "orderFulfillmentStatus": "NOT_STARTED", "orderPaymentStatus": "PAID", "sellerId": "seller1",
 "buyer": {"username": "ada_l", "buyerRegistrationAddress": {"fullName": "Ada Lovelace", "email": "ada@example.com"}},
 "buyerCheckoutNotes": "Leave at the door",
 "pricingSummary": {"priceSubtotal": {"value": "49.97", "currency": "USD"}, "deliveryCost": {"value": "4.50", "currency": "USD"},
   "priceDiscount": {"value": "-5.00", "currency": "USD"}, "tax": {"value": "3.20", "currency": "USD"}, "total": {"value": "52.67", "currency": "USD"}},
 "cancelStatus": {"cancelState": "IN_PROGRESS", "cancelRequests": [{"cancelReason": "BUYER_ASKED_CANCEL", "cancelRequestState": "REQUESTED",
   "cancelRequestedDate": "2026-03-14T15:30:00.000Z"}]},
 "fulfillmentStartInstructions": [{"fulfillmentInstructionsType": "SHIP_TO", "shippingStep": {"shippingServiceCode": "USPSPriority",
   "shipTo": {"fullName": "Ada Lovelace", "contactAddress": {"addressLine1": "12 Analytical Row", "addressLine2": "Flat 2",
     "city": "Austin", "stateOrProvince": "TX", "postalCode": "78701", "countryCode": "us"}, "primaryPhone": {"phoneNumber": "512-555-1111"},
     "email": "ada.l@members.ebay.com"}}}],
 "lineItems": [
  {"lineItemId": "10000000001", "legacyItemId": "110000000001", "legacyVariationId": "4200", "sku": "TEE-WHT-M", "title": "Tee",
   "quantity": 2, "lineItemCost": {"value": "39.98", "currency": "USD"},
   "appliedPromotions": [{"description": "5 off", "discountAmount": {"value": "5.00", "currency": "USD"}}],
   "taxes": [{"amount": {"value": "3.20", "currency": "USD"}, "taxType": "STATE_SALES_TAX"}],
   "lineItemFulfillmentInstructions": {"shipByDate": "2026-03-17T06:59:59.000Z", "guaranteedDelivery": false}},
  {"lineItemId": "10000000002", "legacyItemId": "110000000002", "sku": "MUG-BLK", "title": "Mug", "quantity": 1,
   "lineItemCost": {"value": "9.99", "currency": "USD"},
   "lineItemFulfillmentInstructions": {"shipByDate": "2026-03-18T06:59:59.000Z"}}]}`
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	shipBy := time.Date(2026, 3, 17, 6, 59, 59, 0, time.UTC)
	o := &model.Order{
		ID: model.OrderID(connectortest.Instance, "12-34567-89012"), Channel: connectortest.Instance, ChannelOrderID: "12-34567-89012",
		ChannelOrderNumber: "1042", PlacedAt: time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC), Currency: "USD", Status: model.OrderReceived,
		Customer:       model.Customer{ID: "ada_l", Name: "Ada Lovelace", Email: "ada@example.com"},
		BillingAddress: &model.Address{Name: "Ada Lovelace", Email: "ada@example.com"},
		ShippingAddress: &model.Address{Name: "Ada Lovelace", Line1: "12 Analytical Row", Line2: "Flat 2", City: "Austin", Region: "TX",
			PostalCode: "78701", Country: "US", Phone: "512-555-1111", Email: "ada.l@members.ebay.com"},
		Lines: []model.OrderLine{
			{ID: "10000000001", ChannelProductID: "110000000001", ChannelVariantID: "4200", SKU: "TEE-WHT-M", Title: "Tee", Quantity: 2,
				UnitPrice: usd("19.99"), Discount: usd("5"), Tax: usd("3.20")},
			{ID: "10000000002", ChannelProductID: "110000000002", SKU: "MUG-BLK", Title: "Mug", Quantity: 1,
				UnitPrice: usd("9.99"), Discount: usd("0"), Tax: usd("0")},
		},
		Totals:         model.Totals{Subtotal: usd("49.97"), Shipping: usd("4.50"), Tax: usd("3.20"), Discount: usd("5"), Total: usd("52.67")},
		ShippingMethod: "USPSPriority", PaymentStatus: model.PaymentPaid, Note: "Leave at the door", ShipBy: &shipBy,
		Holds: []model.Hold{{Code: HoldCancelRequested, Reason: "the buyer asked eBay to cancel the order (BUYER_ASKED_CANCEL)",
			At: time.Date(2026, 3, 14, 15, 30, 0, 0, time.UTC)}},
	}
	return connectortest.DecodeSample{Name: "paid, cancel requested", Body: []byte(body), Topic: TopicOrder,
		Want: []connector.ChannelEvent{{Kind: connector.EventOrderUpdated, ChannelOrderID: o.ChannelOrderID, Order: o,
			At: time.Date(2026, 3, 14, 16, 0, 0, 250e6, time.UTC)}}}
}

// cancelledOrder is an unpaid order eBay cancelled, in yen.
func cancelledOrder() connectortest.DecodeSample {
	body := `{"orderId": "04-12345-67890", "creationDate": "2026-03-01T00:00:00Z", "lastModifiedDate": "2026-03-02T09:00:00.000Z",
 "orderFulfillmentStatus": "NOT_STARTED", "orderPaymentStatus": "PENDING", "buyer": {"username": "taro"},
 "pricingSummary": {"priceSubtotal": {"value": "3000", "currency": "JPY"}, "deliveryCost": {"value": "500", "currency": "JPY"}, "total": {"value": "3500", "currency": "JPY"}},
 "cancelStatus": {"cancelState": "CANCELED", "cancelledDate": "2026-03-02T08:59:00.000Z",
   "cancelRequests": [{"cancelReason": "BUYER_NO_SHOW", "cancelRequestState": "COMPLETED"}]},
 "lineItems": [{"lineItemId": "20000000001", "sku": "CUP-1", "title": "Cup", "quantity": 3, "lineItemCost": {"value": "3000", "currency": "JPY"}}]}`
	jpy := func(s string) money.Money { return money.MustParse(s, "JPY") }
	at := time.Date(2026, 3, 2, 8, 59, 0, 0, time.UTC)
	o := &model.Order{
		ID: model.OrderID(connectortest.Instance, "04-12345-67890"), Channel: connectortest.Instance, ChannelOrderID: "04-12345-67890",
		ChannelOrderNumber: "04-12345-67890", PlacedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Currency: "JPY", Status: model.OrderReceived,
		Customer: model.Customer{ID: "taro"},
		Lines: []model.OrderLine{{ID: "20000000001", SKU: "CUP-1", Title: "Cup", Quantity: 3, UnitPrice: jpy("1000"),
			Discount: jpy("0"), Tax: jpy("0")}},
		Totals:        model.Totals{Subtotal: jpy("3000"), Shipping: jpy("500"), Tax: jpy("0"), Discount: jpy("0"), Total: jpy("3500")},
		PaymentStatus: model.PaymentPending, CancelledAt: &at, CancelReason: "BUYER_NO_SHOW",
	}
	return connectortest.DecodeSample{Name: "cancelled, unpaid, JPY", Body: []byte(body), Topic: TopicOrder,
		Want: []connector.ChannelEvent{{Kind: connector.EventOrderCancelled, ChannelOrderID: o.ChannelOrderID, Order: o,
			At: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}}}
}

// renderSynthetic writes a synthetic order as getOrders does: lineItemCost
// is the line's units times the unit price, written exactly.
func renderSynthetic(s connectortest.Synthetic) []byte {
	var items []string
	for _, l := range s.Lines {
		cost := l.UnitPrice
		if d, err := decimal.Parse(l.UnitPrice); err == nil {
			if m, err := d.Mul(decimal.FromInt(l.Quantity)); err == nil {
				cost = m.String()
			}
		}
		items = append(items, fmt.Sprintf(`{"lineItemId": %q, "sku": %q, "title": %q, "quantity": %d, "lineItemCost": {"value": %q, "currency": %q}}`,
			l.ID, l.SKU, l.Title, l.Quantity, cost, s.Currency))
	}
	at := s.PlacedAt.UTC().Format(filterLayout)
	a := s.ShipTo
	am := func(v string) string { return fmt.Sprintf(`{"value": %q, "currency": %q}`, v, s.Currency) }
	return []byte(fmt.Sprintf(`{"orderId": %q, "salesRecordReference": %q, "creationDate": %q, "lastModifiedDate": %q,
 "orderPaymentStatus": "PAID", "buyer": {"username": "u1", "buyerRegistrationAddress": {"email": %q}},
 "pricingSummary": {"priceSubtotal": %s, "deliveryCost": %s, "total": %s},
 "cancelStatus": {"cancelState": "NONE_REQUESTED", "cancelRequests": []},
 "fulfillmentStartInstructions": [{"shippingStep": {"shipTo": {"fullName": %q, "contactAddress": {"addressLine1": %q, "city": %q,
   "stateOrProvince": %q, "postalCode": %q, "countryCode": %q}}}}],
 "lineItems": [%s]}`,
		s.OrderID, s.OrderNumber, at, at, s.Email, am(s.Subtotal), am(s.Shipping), am(s.Total),
		a.Name, a.Line1, a.City, a.Region, a.PostalCode, a.Country, strings.Join(items, ",")))
}

func TestSuitePollOrders(t *testing.T) {
	connectortest.RunPollOrders(t, connectortest.PollOrdersHarness{Limit: suiteLimit,
		Setup: func(r *connectortest.Rig) connectortest.PollOrdersFixture {
			f := newFake(r)
			c := suiteConnector(r, &Config{PageSize: 5}, f.Transport())
			return connectortest.PollOrdersFixture{
				Connector: c,
				Order:     func(id string, at time.Time) { f.PutOrder(id, at) },
				PageSize:  5,
				Fake:      f.Server(),
				List:      connectortest.Route{Method: "GET", Path: "/sell/fulfillment/v1/order"},
			}
		}})
}

// shipmentOf places a two-line order on the fake and returns it with a
// shipment in two packages, the second of an unknown carrier.
func shipmentOf(f *ebayfake.Fake, i int) (*model.Order, *model.Shipment) {
	o, sh := twoPackages(f, i)
	// eBay makes one fulfillment per package: the suite's "one effect
	// per operation" is a one-package shipment (TestTwoPackages has two).
	sh.Packages[0].Lines = append(sh.Packages[0].Lines, sh.Packages[1].Lines...)
	sh.Packages = sh.Packages[:1]
	return o, sh
}

// twoPackages places a two-line order on the fake and returns it with a
// shipment in two packages, the second of an unknown carrier.
func twoPackages(f *ebayfake.Fake, i int) (*model.Order, *model.Shipment) {
	eo := f.AddOrder(ebayfake.NewOrder{Email: "ada@example.com", Paid: true, Lines: []ebayfake.Line{
		{SKU: "TEE-WHT-M", Title: "Tee", Qty: 2, Price: "19.99"},
		{SKU: "MUG-BLK", Title: "Mug", Qty: 1, Price: "9.99"},
	}})
	tee, mug := eo.Lines[0].LineItemID, eo.Lines[1].LineItemID
	o := &model.Order{ID: model.OrderID(connectortest.Instance, eo.OrderID), Channel: connectortest.Instance,
		ChannelOrderID: eo.OrderID, Currency: "USD",
		Lines: []model.OrderLine{{ID: tee, SKU: "TEE-WHT-M", Quantity: 2}, {ID: mug, SKU: "MUG-BLK", Quantity: 1}}}
	sh := &model.Shipment{ID: fmt.Sprintf("shp_%d", i), OrderID: o.ID, Carrier: "ups", Packages: []model.Package{
		{TrackingNumber: fmt.Sprintf("1Z999AA1%08d", i), Lines: []model.ShipmentLine{{OrderLineID: tee, SKU: "TEE-WHT-M", Quantity: 2}}},
		{TrackingNumber: fmt.Sprintf("LP%08d", i), Carrier: "acme_freight", Lines: []model.ShipmentLine{{OrderLineID: mug, SKU: "MUG-BLK", Quantity: 1}}},
	}}
	return o, sh
}

func TestSuiteFulfillment(t *testing.T) {
	connectortest.RunFulfillment(t, connectortest.FulfillmentHarness{Limit: suiteLimit,
		Setup: func(r *connectortest.Rig) connectortest.FulfillmentFixture {
			f := newFake(r)
			c := suiteConnector(r, &Config{}, f.Transport())
			return connectortest.FulfillmentFixture{
				Platform: connectortest.Platform{Connector: c, Fake: f.Server(),
					Write: connectortest.Route{Method: "POST", PathPrefix: "/sell/fulfillment/v1/order/"}},
				Shipment:     func(i int) (*model.Order, *model.Shipment) { return shipmentOf(f, i) },
				Fulfillments: func(o *model.Order) int { return len(f.Fulfillments(o.ChannelOrderID)) },
			}
		}})
}

func TestSuiteInventory(t *testing.T) {
	connectortest.RunInventory(t, connectortest.InventoryHarness{Limit: suiteLimit,
		Setup: func(r *connectortest.Rig) connectortest.InventoryFixture {
			f := newFake(r)
			c := suiteConnector(r, &Config{}, f.Transport())
			return connectortest.InventoryFixture{
				Platform: connectortest.Platform{Connector: c, Fake: f.Server(),
					Write: connectortest.Route{Method: "POST", Path: bulkPath}},
				SKU: func(i int) string { return fmt.Sprintf("SKU-%04d", i) },
				Available: func(sku string) int64 {
					q, _ := f.Quantity(sku)
					return q
				},
				Changes: f.InventoryChanges,
			}
		}})
}

func TestSuitePrices(t *testing.T) {
	connectortest.RunPrices(t, connectortest.PriceHarness{Limit: suiteLimit, Currency: "USD",
		Setup: func(r *connectortest.Rig) connectortest.PriceFixture {
			f := newFake(r)
			c := suiteConnector(r, &Config{}, f.Transport())
			return connectortest.PriceFixture{
				Platform: connectortest.Platform{Connector: c, Fake: f.Server(),
					Write: connectortest.Route{Method: "POST", Path: bulkPath}},
				SKU: func(i int) string {
					sku := fmt.Sprintf("SKU-%04d", i)
					f.AddOffer(sku, "EBAY_US", "1.00", "USD")
					return sku
				},
				Price: func(sku string) int64 {
					o, _ := f.Offer(sku)
					return ebayfake.Cents(o.Price)
				},
				Changes: f.PriceChanges,
			}
		}})
}
