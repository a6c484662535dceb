package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// ordersPage is the most orders one v2 list call returns.
const ordersPage = 250

// BigCommerce retries a failed callback for about 48 hours and then
// deactivates the hook, so the sweep runs hourly over two days.
const (
	sweepEvery    = time.Hour
	sweepLookback = 48 * time.Hour
)

// Capabilities are every capability the connector implements, with the
// sweep's defaults.
func (c *Connector) Capabilities() connector.Caps {
	return connector.Caps{Offers: []connector.Capability{
		connector.CapWebhooks, connector.CapSignWebhooks, connector.CapDecodeEvents, connector.CapPollOrders,
		connector.CapFulfillment, connector.CapCancelOrder, connector.CapInventory, connector.CapPrices,
	}, PollEvery: sweepEvery, SweepLookback: sweepLookback}
}

// CursorAt implements connector.OrderPoller: the cursor is a
// date_modified instant, RFC 3339.
func (c *Connector) CursorAt(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// PollOrders lists every order modified at or after the cursor (GET
// /v2/orders?min_date_modified=…&sort=date_modified:asc, 250 a page; v2
// answers 204 past the last page) and reads each one's products and
// shipping addresses. The list is asked from a second before the cursor,
// so an order stamped at the cursor's instant is listed again rather than
// skipped (the core dedupes).
//
// An order costs three calls, more than one burst of the store's quota
// holds for a busy day. A poll starts by reserving one order's calls; when the
// limiter cuts it short it returns the orders read whole so far, the
// cursor after them and the fault.Throttled error, and the sweep resumes
// there once the budget is back (connector.OrderPoller). Orders read
// before (at the same date_modified) come from a small in-process cache.
func (c *Connector) PollOrders(ctx context.Context, cursor string) ([]connector.ChannelEvent, string, error) {
	// The list and one order's two reads, so every attempt gets at
	// least one order further.
	ctx, err := httpclient.Reserve(ctx, c.env.Limiter, c.key, 3, c.env.RateLimit, c.now())
	if err != nil {
		return nil, cursor, err
	}
	q := url.Values{"limit": {strconv.Itoa(ordersPage)}, "sort": {"date_modified:asc"}}
	if cursor != "" {
		since, err := time.Parse(time.RFC3339, cursor)
		if err != nil {
			return nil, cursor, fault.Permanentf("bigcommerce: poll orders: cursor %q is not RFC 3339", cursor)
		}
		q.Set("min_date_modified", since.Add(-time.Second).UTC().Format(time.RFC1123Z))
	}
	var events []connector.ChannelEvent
	var latest time.Time
	for page := 1; ; page++ {
		q.Set("page", strconv.Itoa(page))
		var list []bcOrder
		_, err := c.call(ctx, "GET", "/v2/orders", q, nil, &list)
		if errors.Is(err, errNoContent) {
			break
		}
		if err != nil {
			return nil, cursor, fmt.Errorf("bigcommerce: poll orders since %q: %w", cursor, err)
		}
		for i, bo := range list {
			id, err := integer(fmt.Sprintf("page %d: $[%d].id", page, i), bo.ID)
			if err != nil {
				return nil, cursor, fault.Permanent(fmt.Errorf("bigcommerce: poll orders: %w", err))
			}
			products, addrs, err := c.subResources(ctx, id, bo.DateModified)
			var th *fault.ThrottledError
			if errors.As(err, &th) && !latest.IsZero() {
				// Resume after the last order read whole (the list is
				// sorted by date_modified, so they are a prefix).
				return events, c.CursorAt(latest), err
			}
			if err != nil {
				return nil, cursor, err
			}
			ev, err := c.eventOf(bo, products, addrs, connector.EventOrderUpdated)
			if err != nil {
				return nil, cursor, fmt.Errorf("bigcommerce: poll orders: order %d of page %d: %w", i, page, err)
			}
			if at, err := rfc2822("$.date_modified", bo.DateModified); err == nil && at.After(latest) {
				latest = at
			}
			events = append(events, ev)
		}
		if len(list) < ordersPage {
			break
		}
	}
	next := cursor
	if !latest.IsZero() {
		next = c.CursorAt(latest)
	}
	return events, next, nil
}

// subResources reads an order's products and shipping addresses, from
// the sweep cache when this version of the order was read before.
func (c *Connector) subResources(ctx context.Context, id, modified string) ([]bcProduct, []bcAddress, error) {
	key := id + "@" + modified
	if e, ok := c.sweep.get(key); ok {
		return e.products, e.addrs, nil
	}
	products, addrs, err := c.fetchSub(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	c.sweep.put(key, sweepEntry{products: products, addrs: addrs})
	return products, addrs, nil
}

// sweepCache holds the sub-resources of orders read by a sweep; bounded,
// and dropped whole when full (it only saves calls).
type sweepCache struct {
	mu sync.Mutex
	m  map[string]sweepEntry
}

type sweepEntry struct {
	products []bcProduct
	addrs    []bcAddress
}

const sweepCacheMax = 5000

func (s *sweepCache) get(k string) (sweepEntry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[k]
	return e, ok
}

func (s *sweepCache) put(k string, e sweepEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil || len(s.m) >= sweepCacheMax {
		s.m = map[string]sweepEntry{}
	}
	s.m[k] = e
}
