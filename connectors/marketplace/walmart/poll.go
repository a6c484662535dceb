package walmart

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/acklist"
)

// sweepLookback is how far back the core's sweep lists: the poll is the
// intake, so a sweep is the same list over a longer window.
const sweepLookback = 2 * time.Hour

// cursorLayout is the cursor: Walmart's ISO 8601 with milliseconds, UTC.
const cursorLayout = "2006-01-02T15:04:05.000Z"

// ackKind is the State record of orders listed but not yet acknowledged.
const ackKind = "acks"

// Capabilities lists what the connector offers, with the poll period.
func (c *Connector) Capabilities() connector.Caps {
	return connector.Caps{Offers: []connector.Capability{
		connector.CapDecodeEvents, connector.CapPollOrders, connector.CapFulfillment,
		connector.CapInventory, connector.CapPrices,
	}, PollEvery: c.cfg.PollEvery, SweepLookback: sweepLookback}
}

// CursorAt is the cursor of changes since t.
func (c *Connector) CursorAt(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(cursorLayout)
}

// PollOrders first acknowledges the orders the previous poll returned
// (the core ingests a poll's events before it polls again, so they are
// durably in; one whose intake failed is listed again anyway, since the
// list is by modification date, not by release). It then lists every
// order modified at or after the cursor minus Overlap, following
// meta.nextCursor verbatim, and remembers the newly released ones
// (a line still Created) for the next poll's acknowledgement. The next
// cursor is the latest change seen.
// https://developer.walmart.com/us-marketplace/docs/orders-management-overview
func (c *Connector) PollOrders(ctx context.Context, cursor string) ([]connector.ChannelEvent, string, error) {
	var since time.Time
	if cursor != "" {
		t, err := time.Parse(time.RFC3339, cursor)
		if err != nil {
			return nil, cursor, fault.Permanentf("walmart: poll orders: cursor %q is not RFC 3339", cursor)
		}
		since = t.Add(-Overlap)
	}
	if err := c.acknowledgePending(ctx); err != nil {
		return nil, cursor, err
	}
	q := url.Values{"limit": {strconv.Itoa(c.cfg.PageSize)}}
	if !since.IsZero() {
		q.Set("lastModifiedStartDate", since.UTC().Format(cursorLayout))
	}
	if c.cfg.ShipNode != "" {
		q.Set("shipNodeType", "SellerFulfilled")
	}
	next := c.api.String() + "/v3/orders?" + q.Encode()
	var (
		events  []connector.ChannelEvent
		index   = map[string]int{}
		created []string
		latest  time.Time
	)
	for page := 1; next != ""; page++ {
		if page > 10000 {
			return nil, cursor, fault.Permanentf("walmart: poll orders: more than 10000 pages: nextCursor does not end")
		}
		tok, err := c.tokens.Token(ctx)
		if err != nil {
			return nil, cursor, fmt.Errorf("walmart: poll orders: %w", err)
		}
		var res wList
		if err := c.call(ctx, "list orders", "GET", next, tok, nil, &res); err != nil {
			if page == 1 && isStatus(err, 404) && strings.Contains(strings.ToLower(err.Error()), "no orders found") {
				break // Walmart answers an empty window with a 404 saying so
			}
			return nil, cursor, err
		}
		if res.List == nil {
			return nil, cursor, fault.Permanentf("walmart: list orders: page %d: $.list is missing", page)
		}
		for i, raw := range res.List.Elements.Order {
			ev, err := c.decodeOrder(raw, fmt.Sprintf("$.list.elements.order[%d]", i))
			if err != nil {
				return nil, cursor, fmt.Errorf("walmart: poll orders: page %d: %w", page, err)
			}
			if j, ok := index[ev.ChannelOrderID]; ok {
				events[j] = ev // a page boundary moved: keep the latest
			} else {
				index[ev.ChannelOrderID] = len(events)
				events = append(events, ev)
			}
			if ev.At.After(latest) {
				latest = ev.At
			}
			if released(raw) {
				created = append(created, ev.ChannelOrderID)
			}
		}
		next = ""
		if nc := res.List.Meta.NextCursor; nc != "" && len(res.List.Elements.Order) > 0 {
			next = c.api.String() + "/v3/orders" + nc
		}
	}
	if err := c.acks().Add(ctx, created); err != nil {
		return nil, cursor, err
	}
	out := cursor
	if !latest.IsZero() {
		if prev, err := time.Parse(time.RFC3339, cursor); err != nil || latest.After(prev) {
			out = c.CursorAt(latest)
		}
	}
	return events, out, nil
}

// released reports whether an order has a line in status Created: Walmart
// released it and waits for our acknowledgement.
func released(raw json.RawMessage) bool {
	var wo wOrder
	if json.Unmarshal(raw, &wo) != nil {
		return false
	}
	for _, l := range wo.OrderLines.OrderLine {
		for _, s := range l.OrderLineStatuses.OrderLineStatus {
			if strings.EqualFold(s.Status, "Created") {
				return true
			}
		}
	}
	return false
}

func isStatus(err error, status int) bool {
	var se *statusErr
	return errors.As(err, &se) && se.status == status
}

// acks is the list of orders to acknowledge at the next poll.
func (c *Connector) acks() acklist.List {
	return acklist.List{State: c.env.State, Kind: ackKind, Name: "walmart"}
}

// acknowledgePending acknowledges what the previous poll listed:
// POST /v3/orders/{purchaseOrderId}/acknowledge, idempotent on Walmart's
// side. An order Walmart refuses to acknowledge (cancelled since) is
// dropped with a warning; a retryable failure keeps the rest for later.
func (c *Connector) acknowledgePending(ctx context.Context) error {
	return c.acks().Drain(ctx, func(ctx context.Context, id string) error {
		return c.do(ctx, "order "+id+": acknowledge", "POST", "/v3/orders/"+url.PathEscape(id)+"/acknowledge", nil, nil, nil)
	}, func(id string, err error) {
		c.env.Log().Warn("walmart: order not acknowledged", "order", id, "err", err)
	})
}
