package woocommerce

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/woocommercefake"
)

// suiteLimit is the connector's default; the fake's quota matches it.
var suiteLimit = store.Limit{Rate: 5, Burst: 25}

func fakeConnector(r *connectortest.Rig, tracking string) (*Connector, *woocommercefake.Fake) {
	f := woocommercefake.New(woocommercefake.WithClock(r.Clock), woocommercefake.WithLimit(suiteLimit.Rate, suiteLimit.Burst))
	c := suiteConnector(r, &Config{ConsumerKey: woocommercefake.ConsumerKey, ConsumerSecret: woocommercefake.ConsumerSecret,
		WebhookSecret: "s", Tracking: tracking, Currency: "USD"}, f.Transport())
	return c, f
}

// fakeShipment seeds an order of one line on the fake and a shipment of
// all of it.
func fakeShipment(f *woocommercefake.Fake, i int) (*model.Order, *model.Shipment) {
	id := f.AddOrder(woocommercefake.Order{Status: "processing", Currency: "USD", Total: "10.00",
		LineItems: []woocommercefake.LineItem{{Name: "Mug", Quantity: 2, Subtotal: "10.00", Total: "10.00", SKU: "MUG", Price: "5"}}})
	wo, _ := f.Order(id)
	oid := strconv.FormatInt(id, 10)
	lid := strconv.FormatInt(wo.LineItems[0].ID, 10)
	o := &model.Order{ID: model.OrderID(connectortest.Instance, oid), Channel: connectortest.Instance, ChannelOrderID: oid, Currency: "USD",
		Lines: []model.OrderLine{{ID: lid, SKU: "MUG", Quantity: 2}}}
	sh := &model.Shipment{ID: fmt.Sprintf("shp_%d", i), OrderID: o.ID, Carrier: "ups",
		Packages: []model.Package{{TrackingNumber: fmt.Sprintf("1Z999AA1%08d", i), Lines: []model.ShipmentLine{{OrderLineID: lid, SKU: "MUG", Quantity: 2}}}}}
	return o, sh
}

func TestSuiteFulfillmentNote(t *testing.T) {
	connectortest.RunFulfillment(t, connectortest.FulfillmentHarness{Limit: suiteLimit,
		Setup: func(r *connectortest.Rig) connectortest.FulfillmentFixture {
			c, f := fakeConnector(r, TrackingNote)
			return connectortest.FulfillmentFixture{
				Platform: connectortest.Platform{Connector: c, Fake: f.Server(), Write: connectortest.Route{Method: "POST", PathPrefix: "/wp-json/wc/v3/orders/"}},
				Shipment: func(i int) (*model.Order, *model.Shipment) { return fakeShipment(f, i) },
				Fulfillments: func(o *model.Order) int {
					id, _ := strconv.ParseInt(o.ChannelOrderID, 10, 64)
					wo, _ := f.Order(id)
					return len(wo.Notes)
				},
			}
		}})
}

func TestSuiteFulfillmentTracking(t *testing.T) {
	connectortest.RunFulfillment(t, connectortest.FulfillmentHarness{Limit: suiteLimit,
		Setup: func(r *connectortest.Rig) connectortest.FulfillmentFixture {
			c, f := fakeConnector(r, TrackingExt)
			return connectortest.FulfillmentFixture{
				Platform: connectortest.Platform{Connector: c, Fake: f.Server(), Write: connectortest.Route{Method: "POST", PathPrefix: "/wp-json/wc-shipment-tracking/v3/orders/"}},
				Shipment: func(i int) (*model.Order, *model.Shipment) { return fakeShipment(f, i) },
				Fulfillments: func(o *model.Order) int {
					id, _ := strconv.ParseInt(o.ChannelOrderID, 10, 64)
					wo, _ := f.Order(id)
					return len(wo.Trackings)
				},
			}
		}})
}

func TestSuiteInventory(t *testing.T) {
	connectortest.RunInventory(t, connectortest.InventoryHarness{Limit: suiteLimit,
		Setup: func(r *connectortest.Rig) connectortest.InventoryFixture {
			c, f := fakeConnector(r, TrackingNote)
			return connectortest.InventoryFixture{
				Platform:  connectortest.Platform{Connector: c, Fake: f.Server(), Write: connectortest.Route{Method: "POST", Path: "/wp-json/wc/v3/products/batch"}},
				SKU:       func(i int) string { s := fmt.Sprintf("SKU-%d", i); f.AddProduct(s, "1.00"); return s },
				Available: f.Stock,
				Changes:   f.StockWrites,
			}
		}})
}

func TestSuitePrices(t *testing.T) {
	connectortest.RunPrices(t, connectortest.PriceHarness{Limit: suiteLimit, Currency: "USD",
		Setup: func(r *connectortest.Rig) connectortest.PriceFixture {
			c, f := fakeConnector(r, TrackingNote)
			return connectortest.PriceFixture{
				Platform: connectortest.Platform{Connector: c, Fake: f.Server(), Write: connectortest.Route{Method: "POST", Path: "/wp-json/wc/v3/products/batch"}},
				SKU:      func(i int) string { s := fmt.Sprintf("SKU-%d", i); f.AddProduct(s, "1.00"); return s },
				Price:    f.PriceMinor,
				Changes:  f.PriceWrites,
			}
		}})
}

var _ connector.Connector = (*Connector)(nil)
