package magento2

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

// Magento sends no order webhooks: the poll is the intake and the sweep
// is the same list over a longer lookback, through the same dedupe (the
// core's, on the order and its change), so neither ingests an order twice.
const sweepLookback = 2 * time.Hour

// Capabilities lists what the connector offers, with the poll period.
func (c *Connector) Capabilities() connector.Caps {
	return connector.Caps{Offers: []connector.Capability{
		connector.CapDecodeEvents, connector.CapPollOrders, connector.CapFulfillment,
		connector.CapInventory, connector.CapPrices,
	}, PollEvery: c.cfg.PollEvery, SweepLookback: sweepLookback}
}

// CursorAt is the cursor of changes since t: RFC 3339, UTC.
func (c *Connector) CursorAt(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// ordersPage is one answer of GET /V1/orders.
type ordersPage struct {
	Items      []json.RawMessage `json:"items"`
	TotalCount json.Number       `json:"total_count"`
}

// PollOrders lists every order updated at or after the cursor minus
// Overlap (Magento's clock may be behind ours, and an order's updated_at
// is written before its transaction commits), sorted by updated_at then
// entity_id, page by page. It stops by total_count: a page past the end
// answers the last page again, so "until an empty page" never ends. An
// order listed twice (a page boundary moving while we read) is returned
// once. The next cursor is the latest updated_at seen.
// https://developer.adobe.com/commerce/webapi/rest/use-rest/performing-searches/
func (c *Connector) PollOrders(ctx context.Context, cursor string) ([]connector.ChannelEvent, string, error) {
	var since time.Time
	if cursor != "" {
		t, err := time.Parse(time.RFC3339, cursor)
		if err != nil {
			return nil, cursor, fault.Permanentf("magento2: poll orders: cursor %q is not RFC 3339", cursor)
		}
		since = t.Add(-Overlap)
	}
	var polled connector.Polled
	for page := 1; ; page++ {
		q := ordersQuery(since, page, c.cfg.PageSize)
		var res ordersPage
		if err := c.do(ctx, "list orders", "GET", "/V1/orders", q, nil, &res); err != nil {
			return nil, cursor, err
		}
		total, err := strconv.Atoi(res.TotalCount.String())
		if err != nil {
			return nil, cursor, fault.Permanent(fmt.Errorf("magento2: list orders: $.total_count: %q is not a count", res.TotalCount))
		}
		for i, raw := range res.Items {
			evs, err := c.DecodeEvent(ctx, TopicOrder, raw)
			if err != nil {
				return nil, cursor, fmt.Errorf("magento2: poll orders: page %d, $.items[%d]: %w", page, i, err)
			}
			polled.Add(evs[0])
		}
		if len(res.Items) == 0 || page*c.cfg.PageSize >= total {
			break
		}
	}
	return polled.Events, polled.Next(cursor, c.CursorAt), nil
}

// ordersQuery is the searchCriteria of one page: updated_at >= since,
// sorted by updated_at then entity_id, ascending.
func ordersQuery(since time.Time, page, size int) url.Values {
	q := url.Values{}
	if !since.IsZero() {
		q.Set("searchCriteria[filter_groups][0][filters][0][field]", "updated_at")
		q.Set("searchCriteria[filter_groups][0][filters][0][value]", since.UTC().Format(timeLayout))
		q.Set("searchCriteria[filter_groups][0][filters][0][condition_type]", "gteq")
	}
	q.Set("searchCriteria[sortOrders][0][field]", "updated_at")
	q.Set("searchCriteria[sortOrders][0][direction]", "ASC")
	q.Set("searchCriteria[sortOrders][1][field]", "entity_id")
	q.Set("searchCriteria[sortOrders][1][direction]", "ASC")
	q.Set("searchCriteria[pageSize]", strconv.Itoa(size))
	q.Set("searchCriteria[currentPage]", strconv.Itoa(page))
	return q
}
