package etsy

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

// sweepLookback is how far back the core's sweep lists: the poll is the
// intake, so a sweep is the same list over a longer window.
const sweepLookback = 2 * time.Hour

// maxRestarts bounds how often one poll lists again from the start after
// the list shifted under its offsets.
const maxRestarts = 3

// Capabilities lists what the connector offers, with the poll period.
func (c *Connector) Capabilities() connector.Caps {
	offers := []connector.Capability{connector.CapDecodeEvents, connector.CapPollOrders, connector.CapFulfillment,
		connector.CapInventory, connector.CapPrices}
	if !c.cfg.WebhookSecret.IsZero() {
		offers = append(offers, connector.CapWebhooks, connector.CapSignWebhooks)
	}
	return connector.Caps{Offers: offers, PollEvery: c.cfg.PollEvery, SweepLookback: sweepLookback}
}

// CursorAt is the cursor of changes since t (RFC 3339, whole seconds:
// Etsy's timestamps are epoch seconds).
func (c *Connector) CursorAt(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

// PollOrders lists every receipt modified at or after the cursor minus
// Overlap: GET /v3/application/shops/{shop_id}/receipts with
// min_last_modified (epoch seconds), sort_on=updated ascending, limit and
// offset. Offsets are not stable (a receipt changed mid-poll moves to
// the end and the rest shift left), so consecutive pages overlap by one
// receipt: when the previous page's last receipt is not on the next
// page, the list shifted and is read again from the start (events are
// deduplicated by receipt). The next cursor is the latest change seen.
// https://developers.etsy.com/documentation/reference#operation/getShopReceipts
func (c *Connector) PollOrders(ctx context.Context, cursor string) ([]connector.ChannelEvent, string, error) {
	var since time.Time
	if cursor != "" {
		t, err := time.Parse(time.RFC3339, cursor)
		if err != nil {
			return nil, cursor, fault.Permanentf("etsy: poll receipts: cursor %q is not RFC 3339", cursor)
		}
		since = t.Add(-Overlap)
	}
	var (
		events   []connector.ChannelEvent
		index    = map[string]int{}
		latest   time.Time
		offset   int
		lastID   string
		restarts int
	)
	path := "/v3/application/shops/" + url.PathEscape(c.cfg.ShopID) + "/receipts"
	for page := 1; ; page++ {
		if page > 10000 {
			return nil, cursor, fault.Permanentf("etsy: poll receipts: more than 10000 pages")
		}
		q := url.Values{"limit": {strconv.Itoa(PageSize)}, "offset": {strconv.Itoa(offset)},
			"sort_on": {"updated"}, "sort_order": {"asc"}}
		if !since.IsZero() {
			q.Set("min_last_modified", strconv.FormatInt(since.Unix(), 10))
		}
		var res eList
		if err := c.do(ctx, "list receipts", "GET", path, q, nil, &res); err != nil {
			return nil, cursor, err
		}
		if res.Results == nil && res.Count == nil {
			return nil, cursor, fault.Permanentf("etsy: list receipts: page %d: $.results is missing", page)
		}
		found := lastID == ""
		var pageLast string
		for i, raw := range res.Results {
			ev, err := c.decodeReceipt(raw, fmt.Sprintf("$.results[%d]", i))
			if err != nil {
				return nil, cursor, fmt.Errorf("etsy: poll receipts: page %d: %w", page, err)
			}
			if ev.ChannelOrderID == lastID {
				found = true
			}
			pageLast = ev.ChannelOrderID
			if j, ok := index[ev.ChannelOrderID]; ok {
				events[j] = ev // listed again: keep the latest
			} else {
				index[ev.ChannelOrderID] = len(events)
				events = append(events, ev)
			}
			if ev.At.After(latest) {
				latest = ev.At
			}
		}
		if !found {
			if restarts++; restarts > maxRestarts {
				return nil, cursor, fault.Retryable(fmt.Errorf("etsy: poll receipts: the list kept shifting under its offsets"))
			}
			offset, lastID = 0, ""
			continue
		}
		if len(res.Results) < PageSize || len(res.Results) <= 1 {
			break
		}
		if total, err := countOf(res.Count); err == nil && offset+len(res.Results) >= total {
			break
		}
		// The next page starts on this page's last receipt: it must
		// still be there if nothing shifted.
		offset += len(res.Results) - 1
		lastID = pageLast
	}
	out := cursor
	if !latest.IsZero() {
		if prev, err := time.Parse(time.RFC3339, cursor); err != nil || latest.After(prev) {
			out = c.CursorAt(latest)
		}
	}
	return events, out, nil
}

func countOf(n *json.Number) (int, error) {
	if n == nil {
		return 0, fmt.Errorf("no count")
	}
	v, err := strconv.Atoi(n.String())
	return v, err
}
