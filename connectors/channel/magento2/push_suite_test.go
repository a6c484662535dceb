package magento2

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/magentofake"
)

// shipmentOf places an order of a configurable and a simple product on
// the fake and returns it with a partial shipment in two parcels.
func shipmentOf(f *magentofake.Fake, i int) (*model.Order, *model.Shipment) {
	mo := f.AddOrder(magentofake.NewOrder{Email: "ada@example.com", Lines: []magentofake.Line{
		{SKU: "TEE-WHT-M", Name: "Tee", Qty: 2, Price: "19.99", Configurable: true},
		{SKU: "MUG-BLK", Name: "Mug", Qty: 1, Price: "9.99"},
	}})
	o := &model.Order{ID: model.OrderID(connectortest.Instance, strconv.FormatInt(mo.EntityID, 10)), Channel: connectortest.Instance,
		ChannelOrderID: strconv.FormatInt(mo.EntityID, 10), ChannelOrderNumber: mo.IncrementID, Currency: "USD"}
	tee, mug := strconv.FormatInt(mo.Items[0].ItemID, 10), strconv.FormatInt(mo.Items[2].ItemID, 10)
	o.Lines = []model.OrderLine{{ID: tee, SKU: "TEE-WHT-M", Quantity: 2}, {ID: mug, SKU: "MUG-BLK", Quantity: 1}}
	sh := &model.Shipment{ID: fmt.Sprintf("shp_%d", i), OrderID: o.ID, Carrier: "ups", Packages: []model.Package{
		{TrackingNumber: fmt.Sprintf("1Z999AA1%08d", i), Lines: []model.ShipmentLine{{OrderLineID: tee, SKU: "TEE-WHT-M", Quantity: 1}}},
		{TrackingNumber: fmt.Sprintf("LP%08d", i), Carrier: "yodel", Lines: []model.ShipmentLine{{OrderLineID: mug, SKU: "MUG-BLK", Quantity: 1}}},
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
					Write: connectortest.Route{Method: "POST", PathPrefix: "/rest/default/V1/order/"}},
				Shipment: func(i int) (*model.Order, *model.Shipment) { return shipmentOf(f, i) },
				Fulfillments: func(o *model.Order) int {
					id, _ := strconv.ParseInt(o.ChannelOrderID, 10, 64)
					return len(f.Shipments(id))
				},
			}
		}})
}

func TestSuiteInventory(t *testing.T) {
	connectortest.RunInventory(t, connectortest.InventoryHarness{Limit: suiteLimit,
		Setup: func(r *connectortest.Rig) connectortest.InventoryFixture {
			f := newFake(r)
			c := suiteConnector(r, &Config{SourceCode: "central"}, f.Transport())
			return connectortest.InventoryFixture{
				Platform: connectortest.Platform{Connector: c, Fake: f.Server(),
					Write: connectortest.Route{Method: "POST", Path: "/rest/default/V1/inventory/source-items"}},
				SKU: func(i int) string { return fmt.Sprintf("SKU-%04d", i) },
				Available: func(sku string) int64 {
					s, _ := f.SourceItem(sku, "central")
					n, _ := s.Quantity.Int64()
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
			c := suiteConnector(r, &Config{Currency: "USD"}, f.Transport())
			return connectortest.PriceFixture{
				Platform: connectortest.Platform{Connector: c, Fake: f.Server(),
					Write: connectortest.Route{Method: "POST", Path: "/rest/default/V1/products/base-prices"}},
				SKU: func(i int) string { return fmt.Sprintf("SKU-%04d", i) },
				Price: func(sku string) int64 {
					p, _ := f.Price(sku)
					return magentofake.Cents(p.Price)
				},
				Changes: f.PriceChanges,
			}
		}})
}
