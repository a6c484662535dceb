package woocommerce

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

// ordersPage is the most orders one list call returns (per_page maximum).
const ordersPage = 100

// WooCommerce retries a failed delivery a few times and then disables the
// webhook, so the sweep catches what was missed: hourly, over a day.
const (
	sweepEvery    = time.Hour
	sweepLookback = 24 * time.Hour
)

// Capabilities are every capability the connector implements, with the
// sweep's defaults.
func (c *Connector) Capabilities() connector.Caps {
	return connector.Caps{Offers: []connector.Capability{
		connector.CapWebhooks, connector.CapSignWebhooks, connector.CapDecodeEvents, connector.CapPollOrders,
		connector.CapFulfillment, connector.CapInventory, connector.CapPrices,
	}, PollEvery: sweepEvery, SweepLookback: sweepLookback}
}

// CursorAt implements connector.OrderPoller: the cursor is a
// date_modified_gmt instant, RFC 3339.
func (c *Connector) CursorAt(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// PollOrders lists every order modified at or after the cursor (GET
// /orders?modified_after=…&dates_are_gmt=true, oldest first, 100 a page,
// following X-WP-TotalPages) and decodes each as an order.updated
// delivery of it would be. modified_after is exclusive and whole-second,
// so the request asks from a second before the cursor: an order stamped at
// the cursor's instant is listed again rather than skipped (the core
// dedupes). The next cursor is the latest date_modified_gmt seen.
func (c *Connector) PollOrders(ctx context.Context, cursor string) ([]connector.ChannelEvent, string, error) {
	q := url.Values{"per_page": {strconv.Itoa(ordersPage)}, "orderby": {"modified"}, "order": {"asc"}, "dates_are_gmt": {"true"}}
	if cursor != "" {
		since, err := time.Parse(time.RFC3339, cursor)
		if err != nil {
			return nil, cursor, fault.Permanentf("woocommerce: poll orders: cursor %q is not RFC 3339", cursor)
		}
		q.Set("modified_after", since.Add(-time.Second).UTC().Format("2006-01-02T15:04:05"))
	}
	var events []connector.ChannelEvent
	var latest time.Time
	for page := 1; ; page++ {
		q.Set("page", strconv.Itoa(page))
		var raws []json.RawMessage
		h, err := c.call(ctx, "GET", "/wc/v3/orders", q, nil, &raws)
		if err != nil {
			return nil, cursor, fmt.Errorf("woocommerce: poll orders since %q: %w", cursor, err)
		}
		for i, raw := range raws {
			evs, err := c.DecodeEvent(ctx, "order.updated", raw)
			if err != nil {
				return nil, cursor, fmt.Errorf("woocommerce: poll orders: order %d of page %d: %w", i, page, err)
			}
			wo, _ := parseOrder(raw)
			if wo != nil {
				if at, err := wcTime("$.date_modified_gmt", wo.DateModifiedGMT, ""); err == nil && !at.IsZero() {
					for j := range evs {
						if evs[j].Kind != connector.EventOrderCancelled {
							evs[j].At = at
						}
					}
					if at.After(latest) {
						latest = at
					}
				}
			}
			events = append(events, evs...)
		}
		total, _ := strconv.Atoi(h.Get("X-WP-TotalPages"))
		if page >= total || len(raws) == 0 {
			break
		}
	}
	next := cursor
	if !latest.IsZero() {
		next = c.CursorAt(latest)
	}
	return events, next, nil
}

var (
	_ connector.OrderPoller = (*Connector)(nil)
	_ connector.Describer   = (*Connector)(nil)
)
