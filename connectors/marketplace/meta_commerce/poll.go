package metacommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/acklist"
)

// sweepLookback is how far back the core's sweep lists.
const sweepLookback = 2 * time.Hour

// ackKind is the State record of CREATED orders listed but not yet
// acknowledged.
const ackKind = "acks"

// pollStates are the order states listed: CREATED (to acknowledge) and
// IN_PROGRESS (ours to ship), plus COMPLETED so an order cancelled after
// acknowledgement (Meta completes it with a cancellation) is seen.
const pollStates = "CREATED,IN_PROGRESS,COMPLETED"

// Capabilities lists what the connector offers, with the poll period.
func (c *Connector) Capabilities() connector.Caps {
	offers := []connector.Capability{
		connector.CapWebhooks, connector.CapSignWebhooks, connector.CapDecodeEvents, connector.CapPollOrders,
		connector.CapFulfillment,
	}
	if c.cfg.CatalogID != "" {
		offers = append(offers, connector.CapInventory, connector.CapPrices)
	}
	return connector.Caps{Offers: offers, PollEvery: c.cfg.PollEvery, SweepLookback: sweepLookback}
}

// CursorAt is the cursor of changes since t.
func (c *Connector) CursorAt(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// PollOrders first acknowledges the CREATED orders the previous poll
// returned (the core ingests a poll's events before it polls again, so
// they are durably in). It then lists the orders updated after the
// cursor minus Overlap, following paging.cursors.after while
// paging.next is set, and remembers the CREATED ones for the next poll's
// acknowledgement. The next cursor is the latest last_updated seen.
// https://developers.facebook.com/docs/commerce-platform/order-management/order-api
func (c *Connector) PollOrders(ctx context.Context, cursor string) ([]connector.ChannelEvent, string, error) {
	var since time.Time
	if cursor != "" {
		t, err := time.Parse(time.RFC3339, cursor)
		if err != nil {
			return nil, cursor, fault.Permanentf("meta_commerce: poll orders: cursor %q is not RFC 3339", cursor)
		}
		since = t.Add(-Overlap)
	}
	if err := c.acknowledgePending(ctx); err != nil {
		return nil, cursor, err
	}
	q := url.Values{"state": {pollStates}, "fields": {orderFields}, "limit": {strconv.Itoa(PageSize)}}
	if !since.IsZero() {
		q.Set("updated_after", strconv.FormatInt(since.Unix(), 10))
	}
	path := "/" + url.PathEscape(c.cfg.CommerceAccountID) + "/commerce_orders"
	var (
		events  []connector.ChannelEvent
		index   = map[string]int{}
		created []string
		latest  time.Time
	)
	for page := 1; ; page++ {
		if page > 10000 {
			return nil, cursor, fault.Permanentf("meta_commerce: poll orders: more than 10000 pages: paging does not end")
		}
		var res mList
		if err := c.get(ctx, "list orders", path, q, &res); err != nil {
			return nil, cursor, err
		}
		if res.Data == nil {
			return nil, cursor, fault.Permanentf("meta_commerce: list orders: page %d: $.data is missing", page)
		}
		for i, raw := range res.Data {
			ev, err := c.decodeOrder(raw, fmt.Sprintf("$.data[%d]", i))
			if err != nil {
				return nil, cursor, fmt.Errorf("meta_commerce: poll orders: page %d: %w", page, err)
			}
			if j, ok := index[ev.ChannelOrderID]; ok {
				events[j] = ev
			} else {
				index[ev.ChannelOrderID] = len(events)
				events = append(events, ev)
			}
			if ev.At.After(latest) {
				latest = ev.At
			}
			if state(raw) == "CREATED" {
				created = append(created, ev.ChannelOrderID)
			}
		}
		if res.Paging == nil || res.Paging.Next == "" || res.Paging.Cursors.After == "" || len(res.Data) == 0 {
			break
		}
		q.Set("after", res.Paging.Cursors.After)
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

func state(raw json.RawMessage) string {
	var mo struct {
		OrderStatus struct {
			State string `json:"state"`
		} `json:"order_status"`
	}
	_ = json.Unmarshal(raw, &mo)
	return strings.ToUpper(mo.OrderStatus.State)
}

// acks is the list of orders to acknowledge at the next poll.
func (c *Connector) acks() acklist.List {
	return acklist.List{State: c.env.State, Kind: ackKind, Name: "meta_commerce"}
}

// acknowledgePending acknowledges what the previous poll listed:
// POST /{order_id}/acknowledge_order with an idempotency key fixed per
// order, so a retried acknowledgement is one on Meta's side. An order
// Meta refuses to acknowledge (cancelled since, already IN_PROGRESS) is
// dropped with a warning; a retryable failure keeps the rest for later.
func (c *Connector) acknowledgePending(ctx context.Context) error {
	return c.acks().Drain(ctx, c.acknowledge, func(id string, err error) {
		c.env.Log().Warn("meta_commerce: order not acknowledged", "order", id, "err", err)
	})
}

// acknowledge posts POST /{order_id}/acknowledge_order with the order's
// fixed idempotency key.
func (c *Connector) acknowledge(ctx context.Context, id string) error {
	body := map[string]string{"idempotency_key": "dropgate-ack-" + id, "merchant_order_reference": id}
	return c.post(ctx, "order "+id+": acknowledge", "/"+url.PathEscape(id)+"/acknowledge_order", body, nil)
}
