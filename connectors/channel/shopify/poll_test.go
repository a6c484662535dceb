package shopify

import (
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/shopifyfake"
)

// TestSuitePollOrders: the reconciliation sweep's listing. Shopify
// assigns order ids, so the test's ids travel in the order's note.
func TestSuitePollOrders(t *testing.T) {
	connectortest.RunPollOrders(t, connectortest.PollOrdersHarness{Limit: suiteLimit, Setup: func(r *connectortest.Rig) connectortest.PollOrdersFixture {
		s := newShopFixture(r)
		v := s.product(r, "POLL-1")
		var mu sync.Mutex
		ids := map[string]uint64{}
		return connectortest.PollOrdersFixture{
			Connector: s.c, PageSize: ordersPage,
			Order: func(id string, at time.Time) {
				mu.Lock()
				defer mu.Unlock()
				if sid, ok := ids[id]; ok {
					if err := s.f.Shop(suiteShop).TouchOrder(sid, at); err != nil {
						r.T.Fatalf("touch: %v", err)
					}
					return
				}
				o, err := s.f.Shop(suiteShop).AddOrder(shopifyfake.NewOrder{CreatedAt: at, Note: id,
					Lines:           []shopifyfake.NewLineItem{{VariantID: v.ID, Quantity: 1, Price: usd("1.00")}},
					ShippingAddress: shopifyfake.Address{FirstName: "Ada", Address1: "1 Loop", City: "Austin", CountryCode: "US", Zip: "78701"}})
				if err != nil {
					r.T.Fatalf("seed order: %v", err)
				}
				ids[id] = o.ID
			},
			ID:   func(ev connector.ChannelEvent) string { return ev.Order.Note },
			Fake: s.f.Server(), List: connectortest.Route{Method: "GET", Path: api("orders.json")},
		}
	}})
}
