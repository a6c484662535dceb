package etsy

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/etsyfake"
)

// shipmentOf places a receipt of two transactions on the fake and
// returns it with a shipment in two parcels, by two carriers (one Etsy
// does not list).
func shipmentOf(f *etsyfake.Fake, i int) (*model.Order, *model.Shipment) {
	rc := f.AddReceipt(etsyfake.NewLine{SKU: "MUG-BLK", Title: "Mug", Qty: 2, Cents: 1999},
		etsyfake.NewLine{SKU: "TEE-WHT-M", Title: "Tee", Qty: 1, Cents: 1500})
	id := strconv.FormatInt(rc.ReceiptID, 10)
	l1, l2 := strconv.FormatInt(rc.Transactions[0].TransactionID, 10), strconv.FormatInt(rc.Transactions[1].TransactionID, 10)
	o := &model.Order{ID: model.OrderID(connectortest.Instance, id), Channel: connectortest.Instance, ChannelOrderID: id,
		ChannelOrderNumber: id, Currency: "USD",
		Lines: []model.OrderLine{{ID: l1, SKU: "MUG-BLK", Quantity: 2}, {ID: l2, SKU: "TEE-WHT-M", Quantity: 1}}}
	sh := &model.Shipment{ID: fmt.Sprintf("shp_%d", i), OrderID: o.ID, Carrier: "ups", Packages: []model.Package{
		{TrackingNumber: fmt.Sprintf("1Z999AA1%08d", i), Lines: []model.ShipmentLine{{OrderLineID: l1, SKU: "MUG-BLK", Quantity: 2}}},
		{TrackingNumber: fmt.Sprintf("LP%08d", i), Carrier: "yodel", Lines: []model.ShipmentLine{{OrderLineID: l2, SKU: "TEE-WHT-M", Quantity: 1}}},
	}}
	return o, sh
}

func TestSuiteFulfillment(t *testing.T) {
	connectortest.RunFulfillment(t, connectortest.FulfillmentHarness{Limit: suiteLimit,
		Setup: func(r *connectortest.Rig) connectortest.FulfillmentFixture {
			f := newFake(r, suiteLimit)
			c := suiteConnector(r, &Config{}, f.Transport())
			return connectortest.FulfillmentFixture{
				Platform: connectortest.Platform{Connector: c, Fake: f.Server(),
					Write: connectortest.Route{Method: "POST", PathPrefix: "/v3/application/shops/"}},
				Shipment: func(i int) (*model.Order, *model.Shipment) { return shipmentOf(f, i) },
				// A shipment is done when its first parcel's tracking is on
				// the receipt; more would be the same parcel twice.
				Fulfillments: func(o *model.Order) int {
					id, _ := strconv.ParseInt(o.ChannelOrderID, 10, 64)
					seen := map[string]int{}
					n := 0
					for _, s := range f.Shipments(id) {
						seen[s.TrackingCode]++
						if seen[s.TrackingCode] > n {
							n = seen[s.TrackingCode]
						}
					}
					return n
				},
			}
		}})
}

// sellable seeds a listing of three variations, the SKU one of them: a
// write that dropped the other two would be refused by the fake.
func sellable(f *etsyfake.Fake, i int) string {
	sku := fmt.Sprintf("SKU-%04d", i)
	f.AddListing(7, 1000, sku+"-RED", sku, sku+"-BLUE")
	return sku
}

func TestSuiteInventory(t *testing.T) {
	connectortest.RunInventory(t, connectortest.InventoryHarness{Limit: suiteLimit,
		Setup: func(r *connectortest.Rig) connectortest.InventoryFixture {
			f := newFake(r, suiteLimit)
			c := suiteConnector(r, &Config{}, f.Transport())
			return connectortest.InventoryFixture{
				Platform: connectortest.Platform{Connector: c, Fake: f.Server(),
					Write: connectortest.Route{Method: "PUT", PathPrefix: "/v3/application/listings/"}},
				SKU:       func(i int) string { return sellable(f, i) },
				Available: f.Quantity,
				Changes:   f.QuantityChanges,
			}
		}})
}

func TestSuitePrices(t *testing.T) {
	connectortest.RunPrices(t, connectortest.PriceHarness{Limit: suiteLimit, Currency: "USD",
		Setup: func(r *connectortest.Rig) connectortest.PriceFixture {
			f := newFake(r, suiteLimit)
			c := suiteConnector(r, &Config{}, f.Transport())
			return connectortest.PriceFixture{
				Platform: connectortest.Platform{Connector: c, Fake: f.Server(),
					Write: connectortest.Route{Method: "PUT", PathPrefix: "/v3/application/listings/"}},
				SKU:     func(i int) string { return sellable(f, i) },
				Price:   f.Cents,
				Changes: f.PriceChanges,
			}
		}})
}
