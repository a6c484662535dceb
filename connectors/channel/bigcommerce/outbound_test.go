package bigcommerce

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/bigcommercefake"
)

func fakeConnector(r *connectortest.Rig) (*Connector, *bigcommercefake.Fake) {
	f := bigcommercefake.New(bigcommercefake.WithClock(r.Clock))
	return suiteConnector(r, f, "s"), f
}

// fakeShipment seeds an order of one line on the fake and a shipment of
// all of it in one parcel.
func fakeShipment(f *bigcommercefake.Fake, i int) (*model.Order, *model.Shipment) {
	id := f.AddOrder(bigcommercefake.NewOrder{Email: "a@example.com", Street: "1 Main St", City: "Austin", Zip: "78701",
		Lines: []bigcommercefake.Line{{SKU: "MUG", Name: "Mug", Quantity: 2, Price: "5.00"}}})
	bo, _ := f.Get(id)
	lid := fmt.Sprint(bo.Products[0]["id"])
	o := &model.Order{ID: model.OrderID(connectortest.Instance, id), Channel: connectortest.Instance, ChannelOrderID: id, Currency: "USD",
		Lines: []model.OrderLine{{ID: lid, SKU: "MUG", Quantity: 2}}}
	sh := &model.Shipment{ID: fmt.Sprintf("shp_%d", i), OrderID: o.ID, Carrier: "ups",
		Packages: []model.Package{{TrackingNumber: fmt.Sprintf("1Z999AA1%08d", i), Lines: []model.ShipmentLine{{OrderLineID: lid, SKU: "MUG", Quantity: 2}}}}}
	return o, sh
}

func TestSuiteFulfillment(t *testing.T) {
	connectortest.RunFulfillment(t, connectortest.FulfillmentHarness{Limit: suiteLimit,
		Setup: func(r *connectortest.Rig) connectortest.FulfillmentFixture {
			c, f := fakeConnector(r)
			return connectortest.FulfillmentFixture{
				Platform: connectortest.Platform{Connector: c, Fake: f.Server(), Write: connectortest.Route{Method: "POST", PathPrefix: "/stores/" + bigcommercefake.StoreHash + "/v2/orders/"}},
				Shipment: func(i int) (*model.Order, *model.Shipment) { return fakeShipment(f, i) },
				Fulfillments: func(o *model.Order) int {
					bo, _ := f.Get(o.ChannelOrderID)
					return len(bo.Shipments)
				},
			}
		}})
}

func TestSuiteCancelOrder(t *testing.T) {
	connectortest.RunCancelOrder(t, connectortest.CancelOrderHarness{Limit: suiteLimit,
		Setup: func(r *connectortest.Rig) connectortest.CancelOrderFixture {
			c, f := fakeConnector(r)
			return connectortest.CancelOrderFixture{
				Platform: connectortest.Platform{Connector: c, Fake: f.Server(), Write: connectortest.Route{Method: "PUT", PathPrefix: "/stores/" + bigcommercefake.StoreHash + "/v2/orders/"}},
				Order: func(i int) *model.Order {
					o, _ := fakeShipment(f, i)
					return o
				},
				Cancellations: func(o *model.Order) int {
					bo, _ := f.Get(o.ChannelOrderID)
					return bo.Cancels
				},
			}
		}})
}

func TestSuiteInventory(t *testing.T) {
	connectortest.RunInventory(t, connectortest.InventoryHarness{Limit: suiteLimit,
		Setup: func(r *connectortest.Rig) connectortest.InventoryFixture {
			c, f := fakeConnector(r)
			return connectortest.InventoryFixture{
				Platform:  connectortest.Platform{Connector: c, Fake: f.Server(), Write: connectortest.Route{Method: "PUT", Path: "/stores/" + bigcommercefake.StoreHash + "/v3/inventory/adjustments/absolute"}},
				SKU:       func(i int) string { s := fmt.Sprintf("SKU-%d", i); f.AddVariant(s, "1.00"); return s },
				Available: f.Stock,
				Changes:   f.StockWrites,
			}
		}})
}

func TestSuitePrices(t *testing.T) {
	connectortest.RunPrices(t, connectortest.PriceHarness{Limit: suiteLimit, Currency: "USD",
		Setup: func(r *connectortest.Rig) connectortest.PriceFixture {
			c, f := fakeConnector(r)
			return connectortest.PriceFixture{
				Platform: connectortest.Platform{Connector: c, Fake: f.Server(), Write: connectortest.Route{Method: "PUT", Path: "/stores/" + bigcommercefake.StoreHash + "/v3/catalog/variants"}},
				SKU:      func(i int) string { s := fmt.Sprintf("SKU-%d", i); f.AddVariant(s, "1.00"); return s },
				Price:    f.PriceMinor,
				Changes:  f.PriceWrites,
			}
		}})
}

// TestSuitePollOrders: the sweep's listing against GET /v2/orders. The
// suite's ids are names; the store's are numbers, mapped here.
func TestSuitePollOrders(t *testing.T) {
	connectortest.RunPollOrders(t, connectortest.PollOrdersHarness{Limit: suiteLimit, Setup: func(r *connectortest.Rig) connectortest.PollOrdersFixture {
		c, f := fakeConnector(r)
		var mu sync.Mutex
		ids, names := map[string]string{}, map[string]string{}
		return connectortest.PollOrdersFixture{
			Connector: c, PageSize: ordersPage,
			Order: func(id string, at time.Time) {
				mu.Lock()
				n, ok := ids[id]
				if !ok {
					n = strconv.Itoa(50000 + len(ids))
					ids[id], names[n] = n, id
				}
				mu.Unlock()
				f.Touch(n, at)
			},
			ID: func(ev connector.ChannelEvent) string {
				mu.Lock()
				defer mu.Unlock()
				return names[ev.ChannelOrderID]
			},
			Fake: f.Server(), List: connectortest.Route{Method: "GET", Path: "/stores/" + bigcommercefake.StoreHash + "/v2/orders"},
		}
	}})
}
