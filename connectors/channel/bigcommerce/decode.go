package bigcommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/httpclient"
	"github.com/dropgate/dropgate/internal/jsonpos"
)

// productsPage is the most order products one v2 call returns.
const productsPage = 250

// DecodeEvent turns a verified callback into events. The callback only
// names the order, so this — running in a queued job, retried on a
// network error or a 429 — fetches the order, its products and its
// shipping addresses. Whether the order is cancelled is read from the
// fetched order (status_id 5), never from the callback's status alone.
func (c *Connector) DecodeEvent(ctx context.Context, topic string, body []byte) ([]connector.ChannelEvent, error) {
	hk, err := parseHook(body)
	if err != nil {
		return nil, fault.Permanent(fmt.Errorf("bigcommerce: %s: %w", topic, err))
	}
	// The topic is the delivery's, which VerifyWebhook read from the
	// signed body; a caller without one (a replay tool) gets the body's.
	scope := hk.Scope
	if topic != "" {
		scope = topic
	}
	kind := connector.EventOrderUpdated
	switch scope {
	case "store/order/created":
		kind = connector.EventOrderCreated
	case "store/order/updated", "store/order/statusUpdated", "store/order/archived":
	default:
		return []connector.ChannelEvent{{Kind: connector.EventIgnored}}, nil
	}
	if hk.Data.Type != "order" {
		return []connector.ChannelEvent{{Kind: connector.EventIgnored}}, nil
	}
	id, err := integer("$.data.id", hk.Data.ID)
	if err != nil {
		return nil, fault.Permanent(fmt.Errorf("bigcommerce: %s: %w", scope, err))
	}
	ev, err := c.fetchEvent(ctx, id, kind)
	if err != nil {
		return nil, err
	}
	return []connector.ChannelEvent{ev}, nil
}

// parseHook decodes a callback with errors that say where it broke.
func parseHook(body []byte) (*hook, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("line 1, column 1 ($): not a JSON object")
	}
	var hk hook
	if err := jsonpos.Decode(body, &hk); err != nil {
		return nil, err
	}
	if hk.Scope == "" {
		return nil, fmt.Errorf("$.scope: missing")
	}
	return &hk, nil
}

// fetchEvent reads an order and its sub-resources and maps it. The calls
// are reserved together so a throttled retry does not start over forever.
func (c *Connector) fetchEvent(ctx context.Context, id string, kind connector.EventKind) (connector.ChannelEvent, error) {
	ctx, err := httpclient.Reserve(ctx, c.env.Limiter, c.key, 3, c.env.RateLimit, c.now())
	if err != nil {
		return connector.ChannelEvent{}, err
	}
	raw, products, addrs, err := c.fetchOrder(ctx, id)
	if err != nil {
		return connector.ChannelEvent{}, err
	}
	return c.eventOf(raw, products, addrs, kind)
}

// fetchOrder reads GET /v2/orders/{id}, its products (every page) and its
// shipping addresses.
func (c *Connector) fetchOrder(ctx context.Context, id string) (bcOrder, []bcProduct, []bcAddress, error) {
	var o bcOrder
	if _, err := c.call(ctx, "GET", "/v2/orders/"+id, nil, nil, &o); err != nil {
		return o, nil, nil, fmt.Errorf("bigcommerce: order %s: %w", id, err)
	}
	products, addrs, err := c.fetchSub(ctx, id)
	return o, products, addrs, err
}

// fetchSub reads an order's products (every page) and shipping addresses.
func (c *Connector) fetchSub(ctx context.Context, id string) ([]bcProduct, []bcAddress, error) {
	base := "/v2/orders/" + id
	var products []bcProduct
	for page := 1; ; page++ {
		var p []bcProduct
		q := url.Values{"page": {strconv.Itoa(page)}, "limit": {strconv.Itoa(productsPage)}}
		_, err := c.call(ctx, "GET", base+"/products", q, nil, &p)
		if errors.Is(err, errNoContent) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("bigcommerce: order %s: products: %w", id, err)
		}
		products = append(products, p...)
		if len(p) < productsPage {
			break
		}
	}
	var addrs []bcAddress
	if _, err := c.call(ctx, "GET", base+"/shipping_addresses", nil, nil, &addrs); err != nil && !errors.Is(err, errNoContent) {
		return nil, nil, fmt.Errorf("bigcommerce: order %s: shipping addresses: %w", id, err)
	}
	return products, addrs, nil
}

// eventOf maps a fetched order into its event: status 0 (an incomplete
// checkout) is ignored, status 5 is a cancellation.
func (c *Connector) eventOf(o bcOrder, products []bcProduct, addrs []bcAddress, kind connector.EventKind) (connector.ChannelEvent, error) {
	if o.StatusID.String() == "0" {
		return connector.ChannelEvent{Kind: connector.EventIgnored, ChannelOrderID: o.ID.String()}, nil
	}
	m, err := c.ToOrder(o, products, addrs)
	if err != nil {
		return connector.ChannelEvent{}, fault.Permanent(fmt.Errorf("bigcommerce: order %s: %w", o.ID.String(), err))
	}
	ev := connector.ChannelEvent{Kind: kind, ChannelOrderID: m.ChannelOrderID, Order: &m, At: m.PlacedAt}
	if at, err := rfc2822("$.date_modified", o.DateModified); err == nil && !at.IsZero() {
		ev.At = at
	}
	if m.CancelledAt != nil {
		ev.Kind, ev.At, ev.Reason = connector.EventOrderCancelled, *m.CancelledAt, m.CancelReason
	}
	return ev, nil
}

// integer checks a BigCommerce id is a whole number and returns its text.
func integer(path string, n json.Number) (string, error) {
	s := n.String()
	if s == "" {
		return "", fmt.Errorf("%s: missing", path)
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return "", fmt.Errorf("%s: %q is not a BigCommerce id", path, s)
		}
	}
	return s, nil
}
