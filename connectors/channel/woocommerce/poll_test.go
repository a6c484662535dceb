package woocommerce

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/connectortest"
)

// TestSuitePollOrders: the reconciliation sweep's listing, against the
// fake's GET /orders?modified_after=…. The suite's ids are names; the
// store's are numbers, mapped here.
func TestSuitePollOrders(t *testing.T) {
	connectortest.RunPollOrders(t, connectortest.PollOrdersHarness{Limit: suiteLimit, Setup: func(r *connectortest.Rig) connectortest.PollOrdersFixture {
		c, f := fakeConnector(r, TrackingNote)
		var mu sync.Mutex
		ids, names := map[string]int64{}, map[string]string{}
		return connectortest.PollOrdersFixture{
			Connector: c, PageSize: ordersPage,
			Order: func(id string, at time.Time) {
				mu.Lock()
				n, ok := ids[id]
				if !ok {
					n = int64(50000 + len(ids))
					ids[id], names[strconv.FormatInt(n, 10)] = n, id
				}
				mu.Unlock()
				f.Touch(n, at)
			},
			ID: func(ev connector.ChannelEvent) string {
				mu.Lock()
				defer mu.Unlock()
				return names[ev.ChannelOrderID]
			},
			Fake: f.Server(), List: connectortest.Route{Method: "GET", Path: "/wp-json/wc/v3/orders"},
		}
	}})
}
