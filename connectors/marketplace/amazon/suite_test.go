package amazon

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/amazonfake"
	"github.com/dropgate/dropgate/internal/fakes/kit"
	"github.com/dropgate/dropgate/internal/testutil"
)

const suiteURL = "https://sellingpartnerapi-na.amazon.example"

// limitsOf gives every operation the same limit (the suites' one
// Limit), on the connector and, with fakeLimits, on the fake.
func limitsOf(l store.Limit) map[string]store.Limit {
	out := map[string]store.Limit{}
	for op := range OpLimits {
		out[op] = l
	}
	return out
}

func fakeLimits(l store.Limit) map[string]*kit.TokenBucket {
	out := map[string]*kit.TokenBucket{}
	for _, op := range []string{amazonfake.OpOrders, amazonfake.OpItems, amazonfake.OpRDT, amazonfake.OpAddress,
		amazonfake.OpConfirm, amazonfake.OpListings} {
		out[op] = kit.AmazonSP(l.Rate, l.Burst)
	}
	return out
}

// suiteConnector is the connector on the rig, reaching the fake through
// base (nil: no network).
func suiteConnector(r *connectortest.Rig, base http.RoundTripper, limit store.Limit) *Connector {
	r.T.Helper()
	cfg := &Config{Region: "na", MarketplaceIDs: []string{amazonfake.Marketplace}, SellerID: amazonfake.SellerID,
		LWAClientID: amazonfake.ClientID, LWAClientSecret: connector.Secret(amazonfake.ClientSecret),
		RefreshToken: connector.Secret(amazonfake.RefreshToken), BaseURL: suiteURL, LWAURL: suiteURL + amazonfake.TokenPath}
	c, err := newConnector(r.Env, cfg, base, limitsOf(limit))
	if err != nil {
		r.T.Fatalf("new connector: %v", err)
	}
	return c
}

func usd(s string) money.Money { return money.MustParse(s, "USD") }

func TestSuiteDecode(t *testing.T) {
	samples := []connectortest.DecodeSample{getOrdersSample(), orderItemsSample(t)}
	connectortest.RunDecode(t, connectortest.DecodeHarness{
		New:    func(r *connectortest.Rig) connector.Connector { return suiteConnector(r, nil, store.Limit{}) },
		Render: func(s connectortest.Synthetic) (string, []byte) { return TopicOrder, renderSynthetic(s) },
		// The getOrderItems example has no order of its own: it is
		// checked in orderItemsSample, inside an order document.
		ConformanceGlob: "channels/amazon/ordersV0.getOrders.*.json",
		Samples:         samples,
	})
}

// getOrdersSample is Amazon's getOrders example: one Pending MFN order,
// so payment pending; no items yet.
func getOrdersSample() connectortest.DecodeSample {
	placed := time.Date(2017, 1, 20, 19, 49, 35, 0, time.UTC)
	shipBy := time.Date(2017, 1, 25, 19, 49, 35, 0, time.UTC)
	id := "902-3159896-1390916"
	o := &model.Order{ID: model.OrderID(connectortest.Instance, id), Channel: connectortest.Instance, ChannelOrderID: id,
		ChannelOrderNumber: id, PlacedAt: placed, Currency: "USD",
		Customer: model.Customer{Name: "John Doe", Email: "user@example.com"},
		ShippingAddress: &model.Address{Name: "Michigan address", Line1: "1 Cross St.", City: "Canton", Region: "MI",
			PostalCode: "48817", Country: "US"},
		Totals:         model.Totals{Subtotal: usd("0"), Shipping: usd("0"), Tax: usd("0"), Discount: usd("0"), Total: usd("0")},
		ShippingMethod: "Standard", Tags: []string{"amazon-marketplace:ATVPDKIKX0DER"},
		Status: model.OrderReceived, PaymentStatus: model.PaymentPending, ShipBy: &shipBy}
	return connectortest.DecodeSample{Name: "Amazon getOrders example (Pending)", Topic: TopicOrders,
		File: "channels/amazon/ordersV0.getOrders.200.example.json",
		Want: []connector.ChannelEvent{{Kind: connector.EventOrderUpdated, ChannelOrderID: id, Order: o, At: placed}}}
}

// orderItemsSample puts Amazon's getOrderItems example in an order
// document. Its amounts are in JPY with cents ("25.99"), which JPY has
// not (TestOrderItemsExampleJPY checks the refusal); here its currency
// is read as KWD (three decimals), so every value is checked: ItemPrice
// is the item's price times its quantity (17.95 for 2: 8.975 each), and
// both items are cancelled at the buyer's request.
func orderItemsSample(t *testing.T) connectortest.DecodeSample {
	body := orderItemsDoc(t, "Unshipped")
	body = []byte(strings.ReplaceAll(string(body), `"JPY"`, `"KWD"`))
	body = []byte(strings.ReplaceAll(string(body), `"GBP"`, `"KWD"`))
	kwd := func(s string) money.Money { return money.MustParse(s, "KWD") }
	placed := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	at := time.Date(2026, 3, 14, 16, 0, 0, 0, time.UTC)
	id := "903-1671087-0812628"
	o := &model.Order{ID: model.OrderID(connectortest.Instance, id), Channel: connectortest.Instance, ChannelOrderID: id,
		ChannelOrderNumber: id, PlacedAt: placed, Currency: "KWD",
		ShippingAddress: &model.Address{Name: "Ada Lovelace", Line1: "12 Analytical Row", City: "Austin", Region: "TX",
			PostalCode: "78701", Country: "US", Phone: "+1 512 555 0100"},
		Lines: []model.OrderLine{
			{ID: "68828574383266", SKU: "CBA_OTF_1", ChannelProductID: "BT0093TELA", Title: "Example item name", Quantity: 1,
				UnitPrice: kwd("25.99"), Tax: kwd("0"), Discount: kwd("0"), Cancelled: 1},
			{ID: "79039765272157", SKU: "CBA_OTF_5", ChannelProductID: "BCTU1104UEFB", Title: "Example item name", Quantity: 2,
				UnitPrice: kwd("8.975"), Tax: kwd("0"), Discount: kwd("0"), Cancelled: 2},
		},
		Totals:         model.Totals{Subtotal: kwd("43.94"), Shipping: kwd("1.26"), Tax: kwd("0"), Discount: kwd("0"), Total: kwd("45.20")},
		ShippingMethod: "Standard", Tags: []string{"amazon-marketplace:ATVPDKIKX0DER"},
		Status: model.OrderReceived, PaymentStatus: model.PaymentPaid,
		CancelledAt: &at, CancelReason: "buyer requested cancellation: Found cheaper somewhere else."}
	return connectortest.DecodeSample{Name: "Amazon getOrderItems example, in KWD", Topic: TopicOrder, Body: body,
		Want: []connector.ChannelEvent{{Kind: connector.EventOrderCancelled, ChannelOrderID: id, Order: o, At: at,
			Reason: o.CancelReason}}}
}

// orderItemsDoc is an order document around the getOrderItems example's
// items, with an RDT address.
func orderItemsDoc(t *testing.T, status string) []byte {
	dir := testutil.ConformanceDir(t) // a failure in CI, a skip elsewhere
	raw, err := os.ReadFile(filepath.Join(dir, "channels/amazon/ordersV0.getOrderItems.200.example.json"))
	if err != nil {
		t.Fatalf("getOrderItems example: %v", err)
	}
	var ans struct {
		Payload struct {
			AmazonOrderID string            `json:"AmazonOrderId"`
			OrderItems    []json.RawMessage `json:"OrderItems"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil {
		t.Fatalf("getOrderItems example: %v", err)
	}
	items, _ := json.Marshal(ans.Payload.OrderItems)
	return []byte(fmt.Sprintf(`{"Order": {"AmazonOrderId": %q, "PurchaseDate": "2026-03-14T15:09:26Z", "LastUpdateDate": "2026-03-14T16:00:00Z",
 "OrderStatus": %q, "FulfillmentChannel": "MFN", "MarketplaceId": "ATVPDKIKX0DER", "ShipmentServiceLevelCategory": "Standard"},
 "OrderItems": %s,
 "ShippingAddress": {"Name": "Ada Lovelace", "AddressLine1": "12 Analytical Row", "City": "Austin", "StateOrRegion": "TX",
  "PostalCode": "78701", "CountryCode": "US", "Phone": "+1 512 555 0100"}}`, ans.Payload.AmazonOrderID, status, items))
}

// renderSynthetic writes a synthetic order as the poll assembles it:
// ItemPrice is the line's amount (unit price × quantity), shipping on the
// first item.
func renderSynthetic(s connectortest.Synthetic) []byte {
	var items []string
	for i, l := range s.Lines {
		amount := l.UnitPrice
		if p, err := money.Parse(l.UnitPrice, s.Currency); err == nil {
			m, _ := p.Mul(l.Quantity)
			amount = m.Decimal().String()
		} else if l.Quantity != 1 {
			amount = l.UnitPrice + "0" // keeps the excess precision the test wants refused
		}
		ship := ""
		if i == 0 {
			ship = fmt.Sprintf(`, "ShippingPrice": {"CurrencyCode": %q, "Amount": %q}`, s.Currency, s.Shipping)
		}
		items = append(items, fmt.Sprintf(`{"OrderItemId": %q, "SellerSKU": %q, "Title": %q, "QuantityOrdered": %d,
 "ItemPrice": {"CurrencyCode": %q, "Amount": %q}%s}`, l.ID, l.SKU, l.Title, l.Quantity, s.Currency, amount, ship))
	}
	a := s.ShipTo
	at := s.PlacedAt.UTC().Format(time.RFC3339)
	return []byte(fmt.Sprintf(`{"Order": {"AmazonOrderId": %q, "PurchaseDate": %q, "LastUpdateDate": %q, "OrderStatus": "Unshipped",
 "FulfillmentChannel": "MFN", "BuyerInfo": {"BuyerEmail": %q}},
 "OrderItems": [%s],
 "ShippingAddress": {"Name": %q, "AddressLine1": %q, "City": %q, "StateOrRegion": %q, "PostalCode": %q, "CountryCode": %q}}`,
		s.OrderID, at, at, s.Email, strings.Join(items, ","), a.Name, a.Line1, a.City, a.Region, a.PostalCode, a.Country))
}

// pollLimit is every operation's in the poll suite: a poll of n orders
// makes 1 + n + 2 calls a page at least, so the sweeps need a burst.
var pollLimit = store.Limit{Rate: 5, Burst: 60}

func TestSuitePollOrders(t *testing.T) {
	connectortest.RunPollOrders(t, connectortest.PollOrdersHarness{Limit: pollLimit,
		Setup: func(r *connectortest.Rig) connectortest.PollOrdersFixture {
			f := amazonfake.New(amazonfake.WithClock(r.Clock), amazonfake.WithLimits(fakeLimits(pollLimit)))
			c := suiteConnector(r, f.Transport(), pollLimit)
			c.pageSize = 5
			return connectortest.PollOrdersFixture{
				Connector: c,
				Order:     func(id string, at time.Time) { f.PutOrder(id, at) },
				PageSize:  5,
				Fake:      f.Server(),
				List:      connectortest.Route{Method: "GET", Path: "/orders/v0/orders"},
			}
		}})
}

// suiteLimit is every operation's in the outbound suites.
var suiteLimit = store.Limit{Rate: 2, Burst: 10}

func newFake(r *connectortest.Rig) *amazonfake.Fake {
	return amazonfake.New(amazonfake.WithClock(r.Clock), amazonfake.WithLimits(fakeLimits(suiteLimit)))
}

func TestSuiteFulfillment(t *testing.T) {
	connectortest.RunFulfillment(t, connectortest.FulfillmentHarness{Limit: suiteLimit,
		Setup: func(r *connectortest.Rig) connectortest.FulfillmentFixture {
			f := newFake(r)
			c := suiteConnector(r, f.Transport(), suiteLimit)
			return connectortest.FulfillmentFixture{
				Platform: connectortest.Platform{Connector: c, Fake: f.Server(),
					Write: connectortest.Route{Method: "POST", PathPrefix: "/orders/v0/orders/"}},
				Shipment: func(i int) (*model.Order, *model.Shipment) {
					id := f.AddOrder(amazonfake.NewLine{SKU: fmt.Sprintf("SKU-%d", i), Title: "Mug", Qty: 2, Price: "39.98"})
					ao, _ := f.Order(id)
					o := &model.Order{ID: model.OrderID(connectortest.Instance, id), ChannelOrderID: id,
						Tags: []string{marketplaceTag + amazonfake.Marketplace}}
					sh := &model.Shipment{ID: fmt.Sprintf("shp_%d", i), OrderID: o.ID, Carrier: "ups",
						ShippedAt: r.Clock.Now(), Packages: []model.Package{{TrackingNumber: fmt.Sprintf("1Z%08d", i),
							Lines: []model.ShipmentLine{{OrderLineID: ao.Items[0].OrderItemID, Quantity: 2}}}}}
					return o, sh
				},
				Fulfillments: func(o *model.Order) int { return len(f.Confirmations(o.ChannelOrderID)) },
			}
		}})
}

func TestSuiteInventory(t *testing.T) {
	connectortest.RunInventory(t, connectortest.InventoryHarness{Limit: suiteLimit,
		Setup: func(r *connectortest.Rig) connectortest.InventoryFixture {
			f := newFake(r)
			c := suiteConnector(r, f.Transport(), suiteLimit)
			return connectortest.InventoryFixture{
				Platform: connectortest.Platform{Connector: c, Fake: f.Server(),
					Write: connectortest.Route{Method: "PATCH", PathPrefix: "/listings/2021-08-01/items/"}},
				SKU: func(i int) string { return fmt.Sprintf("INV-%d", i) },
				Available: func(sku string) int64 {
					l, _ := f.Listing(sku)
					return l.Quantity
				},
				Changes: f.QuantityChanges,
			}
		}})
}

func TestSuitePrices(t *testing.T) {
	connectortest.RunPrices(t, connectortest.PriceHarness{Limit: suiteLimit, Currency: "USD",
		Setup: func(r *connectortest.Rig) connectortest.PriceFixture {
			f := newFake(r)
			c := suiteConnector(r, f.Transport(), suiteLimit)
			return connectortest.PriceFixture{
				Platform: connectortest.Platform{Connector: c, Fake: f.Server(),
					Write: connectortest.Route{Method: "PATCH", PathPrefix: "/listings/2021-08-01/items/"}},
				SKU: func(i int) string { return fmt.Sprintf("PRC-%d", i) },
				Price: func(sku string) int64 {
					l, ok := f.Listing(sku)
					if !ok || l.Price == "" {
						return 0
					}
					return money.MustParse(l.Price, l.Currency).Amount
				},
				Changes: f.PriceChanges,
			}
		}})
}
