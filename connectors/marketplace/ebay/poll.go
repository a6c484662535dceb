package ebay

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

// eBay sends no order webhooks to a seller's endpoint: the poll is the
// intake and the sweep is the same list over a longer lookback, through
// the core's dedupe.
const sweepLookback = 2 * time.Hour

// filterLayout is how a lastmodifieddate filter writes instants.
const filterLayout = "2006-01-02T15:04:05.000Z"

// Capabilities lists what the connector offers, with the poll period.
func (c *Connector) Capabilities() connector.Caps {
	return connector.Caps{Offers: []connector.Capability{
		connector.CapWebhooks, connector.CapDecodeEvents, connector.CapPollOrders, connector.CapFulfillment,
		connector.CapInventory, connector.CapPrices,
	}, PollEvery: c.cfg.PollEvery, SweepLookback: sweepLookback}
}

// CursorAt is the cursor of changes since t: RFC 3339, UTC, milliseconds.
func (c *Connector) CursorAt(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(filterLayout)
}

// ordersPage is one answer of GET /sell/fulfillment/v1/order.
type ordersPage struct {
	Total  json.Number       `json:"total"`
	Orders []json.RawMessage `json:"orders"`
}

// PollOrders lists every order modified at or after the cursor minus
// Overlap (an order's lastModifiedDate is stamped before search sees
// it, and eBay's clock is not ours), page by page with limit/offset until
// total. An order listed twice (a page boundary moving while we read) is
// returned once. The next cursor is the latest lastModifiedDate seen.
// https://developer.ebay.com/api-docs/sell/fulfillment/resources/order/methods/getOrders
func (c *Connector) PollOrders(ctx context.Context, cursor string) ([]connector.ChannelEvent, string, error) {
	var since time.Time
	if cursor != "" {
		t, err := time.Parse(time.RFC3339Nano, cursor)
		if err != nil {
			return nil, cursor, fault.Permanentf("ebay: poll orders: cursor %q is not RFC 3339", cursor)
		}
		since = t.Add(-Overlap)
	}
	var polled connector.Polled
	for offset := 0; ; {
		q := url.Values{"limit": {strconv.Itoa(c.cfg.PageSize)}, "offset": {strconv.Itoa(offset)}}
		if !since.IsZero() {
			q.Set("filter", "lastmodifieddate:["+since.UTC().Format(filterLayout)+"..]")
		}
		var res ordersPage
		if _, err := c.do(ctx, "list orders", "GET", "/sell/fulfillment/v1/order", q, nil, &res); err != nil {
			return nil, cursor, err
		}
		total, err := strconv.Atoi(res.Total.String())
		if err != nil {
			return nil, cursor, fault.Permanent(fmt.Errorf("ebay: list orders: $.total: %q is not a count", res.Total))
		}
		for i, raw := range res.Orders {
			evs, err := c.DecodeEvent(ctx, TopicOrder, raw)
			if err != nil {
				return nil, cursor, fmt.Errorf("ebay: poll orders: offset %d, $.orders[%d]: %w", offset, i, err)
			}
			polled.Add(evs[0])
		}
		offset += len(res.Orders)
		if len(res.Orders) == 0 || offset >= total {
			break
		}
	}
	return polled.Events, polled.Next(cursor, c.CursorAt), nil
}
