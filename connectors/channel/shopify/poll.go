package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	goshopify "github.com/bold-commerce/go-shopify/v4"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

// ordersPage is the most orders one list call returns (Shopify's maximum).
const ordersPage = 250

// Shopify sends webhooks, so its sweep only catches what they missed
// (a subscription Shopify removed after 19 failed deliveries, an outage):
// every hour, over the last day.
const (
	sweepEvery    = time.Hour
	sweepLookback = 24 * time.Hour
)

// Capabilities are every capability the connector implements, with the
// sweep's defaults.
func (c *Connector) Capabilities() connector.Caps {
	return connector.Caps{Offers: []connector.Capability{
		connector.CapWebhooks, connector.CapSignWebhooks, connector.CapDecodeEvents, connector.CapPollOrders,
		connector.CapFulfillment, connector.CapCancelOrder, connector.CapInventory, connector.CapPrices, connector.CapPushRefund,
	}, PollEvery: sweepEvery, SweepLookback: sweepLookback}
}

// CursorAt implements connector.OrderPoller: the cursor is updated_at_min,
// RFC 3339.
func (c *Connector) CursorAt(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// PollOrders lists every order (any status) updated at or after the
// cursor, page by page through Shopify's Link header, and decodes each as
// a webhook of it would be. The next cursor is the latest updated_at seen:
// inclusive (updated_at_min is), so an order changed in the same second
// is listed again rather than skipped; the core dedupes it.
// https://shopify.dev/docs/api/admin-rest/latest/resources/order#get-orders
func (c *Connector) PollOrders(ctx context.Context, cursor string) ([]connector.ChannelEvent, string, error) {
	api, err := c.api()
	if err != nil {
		return nil, cursor, err
	}
	opts := &goshopify.OrderListOptions{ListOptions: goshopify.ListOptions{Limit: ordersPage}, Status: goshopify.OrderStatusAny}
	if cursor != "" {
		since, err := time.Parse(time.RFC3339, cursor)
		if err != nil {
			return nil, cursor, fault.Permanentf("shopify: poll orders: cursor %q is not RFC 3339", cursor)
		}
		opts.UpdatedAtMin = since
	}
	var events []connector.ChannelEvent
	next := cursor
	var latest time.Time
	var page any = opts
	for page != nil {
		var res struct {
			Orders []json.RawMessage `json:"orders"`
		}
		p, err := api.ListWithPagination(ctx, "orders.json", &res, page)
		if err != nil {
			return nil, cursor, c.classify(err, "list orders updated since %q", cursor)
		}
		for i, raw := range res.Orders {
			evs, err := c.DecodeEvent(ctx, "orders/updated", raw)
			if err != nil {
				return nil, cursor, fmt.Errorf("shopify: poll orders: order %d of a page: %w", i, err)
			}
			so, _ := parseOrder(raw)
			for j := range evs {
				if so != nil && so.UpdatedAt != nil {
					evs[j].At = so.UpdatedAt.UTC()
					if so.UpdatedAt.After(latest) {
						latest = so.UpdatedAt.UTC()
					}
				}
			}
			events = append(events, evs...)
		}
		page = nil
		if p != nil && p.NextPageOptions != nil {
			// page_info may be sent only with limit and fields.
			page = p.NextPageOptions
		}
	}
	if !latest.IsZero() {
		next = c.CursorAt(latest)
	}
	return events, next, nil
}

var _ connector.OrderPoller = (*Connector)(nil)
