package walmart

import (
	"fmt"
	"testing"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/walmartfake"
)

// shipmentOf places an order of two lines on the fake and returns it with
// a shipment of both in two parcels, by two carriers (one Walmart does not
// list).
func shipmentOf(f *walmartfake.Fake, i int) (*model.Order, *model.Shipment) {
	wo := f.AddOrder(walmartfake.NewLine{SKU: "MUG-BLK", Name: "Mug", Qty: 2, Price: "39.98"},
		walmartfake.NewLine{SKU: "TEE-WHT-M", Name: "Tee", Qty: 1, Price: "15.00"})
	po := wo.PurchaseOrderID
	o := &model.Order{ID: model.OrderID(connectortest.Instance, po), Channel: connectortest.Instance, ChannelOrderID: po,
		ChannelOrderNumber: wo.CustomerOrderID, Currency: "USD", ShippingMethod: "Standard",
		Lines: []model.OrderLine{{ID: "1", SKU: "MUG-BLK", Quantity: 2}, {ID: "2", SKU: "TEE-WHT-M", Quantity: 1}}}
	sh := &model.Shipment{ID: fmt.Sprintf("shp_%d", i), OrderID: o.ID, Carrier: "ups", Packages: []model.Package{
		{TrackingNumber: fmt.Sprintf("1Z999AA1%08d", i), Lines: []model.ShipmentLine{{OrderLineID: "1", SKU: "MUG-BLK", Quantity: 2}}},
		{TrackingNumber: fmt.Sprintf("LP%08d", i), Carrier: "yodel", Lines: []model.ShipmentLine{{OrderLineID: "2", SKU: "TEE-WHT-M", Quantity: 1}}},
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
					Write: connectortest.Route{Method: "POST", PathPrefix: "/v3/orders/"}},
				Shipment:     func(i int) (*model.Order, *model.Shipment) { return shipmentOf(f, i) },
				Fulfillments: func(o *model.Order) int { return len(f.Shipments(o.ChannelOrderID)) },
			}
		}})
}

func TestSuiteInventory(t *testing.T) {
	connectortest.RunInventory(t, connectortest.InventoryHarness{Limit: suiteLimit,
		Setup: func(r *connectortest.Rig) connectortest.InventoryFixture {
			f := newFake(r)
			c := suiteConnector(r, &Config{ShipNode: "721407"}, f.Transport())
			return connectortest.InventoryFixture{
				Platform: connectortest.Platform{Connector: c, Fake: f.Server(),
					Write: connectortest.Route{Method: "PUT", Path: "/v3/inventory"}},
				SKU: func(i int) string { return fmt.Sprintf("SKU-%04d", i) },
				Available: func(sku string) int64 {
					n, _ := f.Inventory(sku)
					return n
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
					Write: connectortest.Route{Method: "PUT", Path: "/v3/price"}},
				SKU: func(i int) string { return fmt.Sprintf("SKU-%04d", i) },
				Price: func(sku string) int64 {
					p, _ := f.Price(sku)
					return walmartfake.Cents(p.Amount)
				},
				Changes: f.PriceChanges,
			}
		}})
}
