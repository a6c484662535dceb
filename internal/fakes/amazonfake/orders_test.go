package amazonfake

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
)

// getOrders filters by OrderStatuses and FulfillmentChannels, on every
// page (NextToken carries them), and refuses Unshipped without
// PartiallyShipped as Amazon does.
func TestGetOrdersFilters(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	f := New(WithClock(clk), WithLimits(nil))
	for range 3 {
		f.AddOrder(NewLine{SKU: "MUG", Title: "Mug", Qty: 1, Price: "6.00"})
	}
	shipped := f.AddOrder(NewLine{SKU: "MUG", Title: "Mug", Qty: 1, Price: "6.00"})
	f.SetStatus(shipped, "Shipped")
	c := newCaller(t, f)
	list := func(q url.Values, want int) []string {
		t.Helper()
		var ids []string
		for {
			var res struct {
				Payload struct {
					Orders []struct {
						AmazonOrderID string `json:"AmazonOrderId"`
					} `json:"Orders"`
					NextToken string `json:"NextToken"`
				} `json:"payload"`
			}
			c.call("GET", base+"/orders/v0/orders?"+q.Encode(), "", nil, want, &res)
			if want != http.StatusOK {
				return nil
			}
			for _, o := range res.Payload.Orders {
				ids = append(ids, o.AmazonOrderID)
			}
			if res.Payload.NextToken == "" {
				return ids
			}
			q = url.Values{"MarketplaceIds": {Marketplace}, "NextToken": {res.Payload.NextToken}}
		}
	}
	q := url.Values{"MarketplaceIds": {Marketplace}, "LastUpdatedAfter": {"2026-11-27T08:00:00Z"}, "MaxResultsPerPage": {"1"},
		"OrderStatuses": {"Unshipped,PartiallyShipped"}, "FulfillmentChannels": {"MFN"}}
	if ids := list(q, http.StatusOK); len(ids) != 3 {
		t.Errorf("Unshipped MFN orders listed %v; want the 3 unshipped (the shipped one filtered on every page)", ids)
	}
	q.Set("FulfillmentChannels", "AFN")
	if ids := list(q, http.StatusOK); len(ids) != 0 {
		t.Errorf("AFN orders listed %v; want none", ids)
	}
	q.Set("OrderStatuses", "Unshipped")
	list(q, http.StatusBadRequest)
}
