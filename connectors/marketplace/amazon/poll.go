package amazon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/jsonpos"
)

// sweepLookback is how far back the core's deep sweep lists, and
// deepEvery how often: the other sweeps list from the cursor (minus
// Overlap), since getOrders refills once a minute. Deep sweeps as far
// apart as they look back still list every instant once.
const (
	sweepLookback = 2 * time.Hour
	deepEvery     = 2 * time.Hour
)

// listedStatuses are the orders getOrders lists: those dropgate acts on
// (Shipped ones, dropgate's own confirmations among them, and AFN
// orders would only fill pages). Amazon wants Unshipped and
// PartiallyShipped together.
const listedStatuses = "Pending,PendingAvailability,Unshipped,PartiallyShipped,Canceled"

// firstLookback is how far back a poll without a cursor lists: getOrders
// needs a LastUpdatedAfter.
const firstLookback = 30 * 24 * time.Hour

// cursorLayout is the cursor: ISO 8601 UTC, whole seconds (Amazon's).
const cursorLayout = "2006-01-02T15:04:05Z"

// pageSize is MaxResultsPerPage (Amazon's maximum).
const pageSize = 100

// Capabilities lists what the connector offers, with the poll period.
func (c *Connector) Capabilities() connector.Caps {
	return connector.Caps{Offers: []connector.Capability{
		connector.CapDecodeEvents, connector.CapPollOrders, connector.CapFulfillment,
		connector.CapInventory, connector.CapPrices,
	}, PollEvery: c.cfg.PollEvery, SweepLookback: sweepLookback, SweepDeepEvery: deepEvery}
}

// CursorAt is the cursor of changes since t.
func (c *Connector) CursorAt(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(cursorLayout)
}

// PollOrders lists the orders updated at or after the cursor minus
// Overlap (getOrders by LastUpdatedAfter in the configured marketplaces,
// following NextToken), reads the items of each merchant-fulfilled order
// dropgate acts on, and the shipping address of each routable one with a
// Restricted Data Token — except for an order listed again at the
// version already taken in (seen.go), which is skipped. The next cursor
// is the latest LastUpdateDate seen.
//
// Cut short by the rate limiter (the items of 100 new orders are more
// than getOrderItems' burst), it returns the orders it has whole and a
// cursor resuming at the page it was on ("latest date so far|NextToken";
// the cursor itself on the first page): the orders taken in are skipped
// there, and the page is kept in memory so the resumption does not spend
// another getOrders call on it (on another replica it does).
// https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#getorders
func (c *Connector) PollOrders(ctx context.Context, cursor string) ([]connector.ChannelEvent, string, error) {
	c.mu.Lock()
	clear(c.listed) // the sweep hands back the last poll's before the next
	c.mu.Unlock()
	if len(c.cfg.MarketplaceIDs) == 0 {
		return nil, cursor, fault.Permanentf("amazon: poll orders: marketplace_ids is empty")
	}
	markets := strings.Join(c.cfg.MarketplaceIDs, ",")
	at, token, _ := strings.Cut(cursor, "|")
	since := c.now().Add(-firstLookback)
	var latest time.Time
	if at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return nil, cursor, fault.Permanentf("amazon: poll orders: cursor %q is not RFC 3339", cursor)
		}
		since = t.Add(-Overlap)
		if token != "" {
			latest = t // a resumed poll: the pages before were read
		}
	}
	q := url.Values{"MarketplaceIds": {markets}, "LastUpdatedAfter": {since.UTC().Format(cursorLayout)},
		"MaxResultsPerPage": {fmt.Sprint(c.pageSize)}, "OrderStatuses": {listedStatuses}, "FulfillmentChannels": {"MFN"}}
	if token != "" {
		q = url.Values{"MarketplaceIds": {markets}, "NextToken": {token}}
	}
	var (
		events []connector.ChannelEvent
		index  = map[string]int{}
		book   = c.seenBook()
	)
	for page := 1; ; page++ {
		if page > 10000 {
			return nil, cursor, fault.Permanentf("amazon: poll orders: more than 10000 pages: NextToken does not end")
		}
		res, err := c.ordersPage(ctx, q, page)
		var th *fault.ThrottledError
		if err != nil {
			if page > 1 && errors.As(err, &th) {
				return events, c.CursorAt(latest) + "|" + q.Get("NextToken"), err // resume at this page
			}
			return nil, cursor, err
		}
		docs, err := c.documents(ctx, book, res.Orders, page)
		if err != nil && !errors.As(err, &th) {
			return nil, cursor, err
		}
		for i, d := range docs {
			if !d.whole {
				continue
			}
			if t, err := parseTime("", d.Order.LastUpdateDate); err == nil && t.After(latest) {
				latest = t
			}
			if d.taken {
				continue
			}
			ev, err := c.toEvent(d, fmt.Sprintf("$.payload.Orders[%d]", i))
			if err != nil {
				return nil, cursor, fmt.Errorf("amazon: poll orders: page %d: %w", page, err)
			}
			if ev.Kind == connector.EventIgnored {
				continue
			}
			if j, ok := index[ev.ChannelOrderID]; ok {
				events[j] = ev // seen on an earlier page: keep the latest
			} else {
				index[ev.ChannelOrderID] = len(events)
				events = append(events, ev)
			}
		}
		if th != nil {
			c.keepPage(q, res)
			resume := cursor
			if page > 1 || token != "" {
				resume = c.CursorAt(latest) + "|" + q.Get("NextToken")
			}
			return events, resume, err
		}
		if res.NextToken == "" || len(res.Orders) == 0 {
			break
		}
		// NextToken carries the query; Amazon wants only it and the
		// marketplaces on the following pages.
		q = url.Values{"MarketplaceIds": {markets}, "NextToken": {res.NextToken}}
	}
	out := at
	if !latest.IsZero() {
		if prev, err := time.Parse(time.RFC3339, at); err != nil || latest.After(prev) {
			out = c.CursorAt(latest)
		}
	}
	return events, out, nil
}

// pageOf is one getOrders page.
type pageOf struct {
	Orders    []json.RawMessage
	NextToken string
	at        time.Time
}

// pageKeep bounds how long a page cut short is kept for its resumption.
const pageKeep = 10 * time.Minute

// ordersPage is the page of query q: the one kept when a poll was cut
// short on it, else getOrders.
func (c *Connector) ordersPage(ctx context.Context, q url.Values, page int) (pageOf, error) {
	key := q.Encode()
	c.mu.Lock()
	kept, ok := c.kept[key]
	delete(c.kept, key)
	c.mu.Unlock()
	if ok && c.now().Sub(kept.at) < pageKeep {
		return kept, nil
	}
	var res ordersPage
	if err := c.do(ctx, opOrders, "get orders", "GET", "/orders/v0/orders", q, nil, &res); err != nil {
		return pageOf{}, err
	}
	if res.Payload == nil {
		return pageOf{}, fault.Permanentf("amazon: get orders: page %d: $.payload is missing", page)
	}
	return pageOf{Orders: res.Payload.Orders, NextToken: res.Payload.NextToken}, nil
}

// keepPage keeps the page a poll was cut short on (one: the sweep's).
func (c *Connector) keepPage(q url.Values, p pageOf) {
	p.at = c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.kept)
	c.kept[q.Encode()] = p
}

// documents decodes a page's orders and completes those dropgate acts on
// (merchant-fulfilled, pending, routable or cancelled) and has not taken
// in at this version with their items, and the routable ones with their
// address. Cut short by the rate limiter, it returns the documents with
// the orders it has whole marked so, and the error.
func (c *Connector) documents(ctx context.Context, book *seenBook, raws []json.RawMessage, page int) ([]*orderDoc, error) {
	docs := make([]*orderDoc, 0, len(raws))
	var need []*orderDoc
	for i, raw := range raws {
		var o aOrder
		if err := jsonpos.Decode(raw, &o); err != nil {
			return nil, fault.Permanent(fmt.Errorf("amazon: get orders: page %d: $.payload.Orders[%d]: %w", page, i, err))
		}
		d := &orderDoc{Order: &o, whole: true}
		docs = append(docs, d)
		st := o.OrderStatus
		if (o.FulfillmentChannel != "" && o.FulfillmentChannel != "MFN") || o.AmazonOrderID == "" ||
			!(routable(st) || paymentPending(st) || st == "Canceled") {
			continue
		}
		if book.taken(ctx, &o) {
			d.taken = true
			continue
		}
		d.whole = false
		need = append(need, d)
	}
	return docs, c.complete(ctx, need)
}

// complete reads the items of docs, then the addresses of the routable
// ones, a chunk at a time: each chunk's getOrderAddress and getOrderItems
// tokens are reserved at once first, so a poll the limiter cuts short
// stops between chunks, never with an order's items read and its address
// not (which would read the items again at the resumption).
func (c *Connector) complete(ctx context.Context, docs []*orderDoc) error {
	chunk := max(min(c.limits[opItems].Burst, c.limits[opAddress].Burst), 1)
	for start := 0; start < len(docs); start += chunk {
		part := docs[start:min(start+chunk, len(docs))]
		var needAddress []*orderDoc
		for _, d := range part {
			if routable(d.Order.OrderStatus) {
				needAddress = append(needAddress, d)
			}
		}
		actx, err := c.reserveOp(ctx, opAddress, len(needAddress))
		if err != nil {
			return err
		}
		ictx, err := c.reserveOp(ctx, opItems, len(part))
		if err != nil {
			return err
		}
		for _, d := range part {
			items, err := c.orderItems(ictx, d.Order.AmazonOrderID)
			if err != nil {
				return err
			}
			d.OrderItems = items
			if !routable(d.Order.OrderStatus) {
				d.whole = true
				c.note(d.Order)
			}
		}
		if len(needAddress) > 0 {
			if err := c.addresses(actx, needAddress); err != nil {
				return err
			}
		}
	}
	return nil
}

// orderItems reads an order's items, following NextToken.
func (c *Connector) orderItems(ctx context.Context, id string) ([]aItem, error) {
	path := "/orders/v0/orders/" + url.PathEscape(id) + "/orderItems"
	var items []aItem
	var q url.Values
	for page := 1; ; page++ {
		if page > 1000 {
			return nil, fault.Permanentf("amazon: order %s: items: NextToken does not end", id)
		}
		var res struct {
			Payload *struct {
				OrderItems []aItem `json:"OrderItems"`
				NextToken  string  `json:"NextToken"`
			} `json:"payload"`
		}
		if err := c.do(ctx, opItems, "order "+id+": get items", "GET", path, q, nil, &res); err != nil {
			return nil, err
		}
		if res.Payload == nil {
			return nil, fault.Permanentf("amazon: order %s: get items: $.payload is missing", id)
		}
		items = append(items, res.Payload.OrderItems...)
		if res.Payload.NextToken == "" || len(res.Payload.OrderItems) == 0 {
			return items, nil
		}
		q = url.Values{"NextToken": {res.Payload.NextToken}}
	}
}

// rdtBatch is how many restricted resources one RDT names.
const rdtBatch = 50

// addresses reads each order's shipping address with getOrderAddress.
// The name and street are PII: Amazon returns them only to a Restricted
// Data Token minted for the order's address path (createRestrictedDataToken),
// so one RDT is minted for up to rdtBatch orders at a time.
// https://developer-docs.amazon.com/sp-api/docs/tokens-api-use-case-guide
func (c *Connector) addresses(ctx context.Context, docs []*orderDoc) error {
	for start := 0; start < len(docs); start += rdtBatch {
		batch := docs[start:min(start+rdtBatch, len(docs))]
		type resource struct {
			Method string `json:"method"`
			Path   string `json:"path"`
		}
		var req struct {
			RestrictedResources []resource `json:"restrictedResources"`
		}
		for _, d := range batch {
			req.RestrictedResources = append(req.RestrictedResources,
				resource{Method: "GET", Path: addressPath(d.Order.AmazonOrderID)})
		}
		var rdt struct {
			RestrictedDataToken string      `json:"restrictedDataToken"`
			ExpiresIn           json.Number `json:"expiresIn"`
		}
		if err := c.do(ctx, opRDT, "create restricted data token", "POST", "/tokens/2021-03-01/restrictedDataToken", nil, req, &rdt); err != nil {
			return err
		}
		if rdt.RestrictedDataToken == "" {
			return fault.Retryable(fmt.Errorf("amazon: create restricted data token: answer has no restrictedDataToken"))
		}
		for _, d := range batch {
			id := d.Order.AmazonOrderID
			var res struct {
				Payload *struct {
					ShippingAddress *aAddress `json:"ShippingAddress"`
				} `json:"payload"`
			}
			if err := c.doWith(ctx, rdt.RestrictedDataToken, opAddress, "order "+id+": get address", "GET", addressPath(id), nil, nil, &res); err != nil {
				return err
			}
			if res.Payload != nil && res.Payload.ShippingAddress != nil {
				d.ShippingAddress = res.Payload.ShippingAddress
			}
			d.whole = true
			c.note(d.Order)
		}
	}
	return nil
}

func addressPath(id string) string { return "/orders/v0/orders/" + url.PathEscape(id) + "/address" }
