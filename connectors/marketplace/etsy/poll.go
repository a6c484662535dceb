package etsy

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
// deduplicated by receipt). The next cursor is the latest change seen; a
// poll cut short by the rate limiter returns the pages it read with a
// resume cursor (pollState) that continues the same list.
// https://developers.etsy.com/documentation/reference#operation/getShopReceipts
func (c *Connector) PollOrders(ctx context.Context, cursor string) ([]connector.ChannelEvent, string, error) {
	st, err := parseCursor(cursor)
	if err != nil {
		return nil, cursor, err
	}
	var (
		events   []connector.ChannelEvent
		index    = map[string]int{}
		restarts int
	)
	// resume is the cursor of a poll cut short after the pages read.
	resume := func() string { return st.String() }
	path := "/v3/application/shops/" + url.PathEscape(c.cfg.ShopID) + "/receipts"
	for page := 1; ; page++ {
		if page > 10000 {
			return nil, cursor, fault.Permanentf("etsy: poll receipts: more than 10000 pages")
		}
		q := url.Values{"limit": {strconv.Itoa(PageSize)}, "offset": {strconv.Itoa(st.offset)},
			"sort_on": {"updated"}, "sort_order": {"asc"}}
		if st.since > 0 {
			q.Set("min_last_modified", strconv.FormatInt(st.since, 10))
		}
		var res eList
		if err := c.do(ctx, "list receipts", "GET", path, q, nil, &res); err != nil {
			var th *fault.ThrottledError
			if errors.As(err, &th) && len(events) > 0 {
				return events, resume(), err // the pages read are whole
			}
			return nil, cursor, err
		}
		if res.Results == nil && res.Count == nil {
			return nil, cursor, fault.Permanentf("etsy: list receipts: page %d: $.results is missing", page)
		}
		found := st.lastID == ""
		var pageLast string
		var latest time.Time
		for i, raw := range res.Results {
			ev, err := c.decodeReceipt(raw, fmt.Sprintf("$.results[%d]", i))
			if err != nil {
				return nil, cursor, fmt.Errorf("etsy: poll receipts: page %d: %w", page, err)
			}
			if ev.ChannelOrderID == st.lastID {
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
			st.offset, st.lastID = 0, ""
			continue
		}
		if latest.After(st.latest) {
			st.latest = latest
		}
		done := len(res.Results) < PageSize || len(res.Results) <= 1
		if total, err := countOf(res.Count); err == nil && st.offset+len(res.Results) >= total {
			done = true
		}
		if done {
			break
		}
		// The next page starts on this page's last receipt: it must
		// still be there if nothing shifted.
		st.offset += len(res.Results) - 1
		st.lastID = pageLast
	}
	return events, c.CursorAt(st.latest), nil
}

// pollState is where a poll stands: the latest change seen, and, in a
// poll cut short, the list it was reading (min_last_modified, offset and
// the last receipt read).
type pollState struct {
	latest time.Time
	since  int64
	offset int
	lastID string
}

// String is the cursor: RFC 3339 alone between polls, with
// "|since|offset|lastID" when a poll is to resume mid-list.
func (s pollState) String() string {
	l := ""
	if !s.latest.IsZero() {
		l = s.latest.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("%s|%d|%d|%s", l, s.since, s.offset, s.lastID)
}

func parseCursor(cursor string) (pollState, error) {
	var st pollState
	bad := fault.Permanentf("etsy: poll receipts: cursor %q is not RFC 3339 or a resume point", cursor)
	parts := strings.Split(cursor, "|")
	if parts[0] != "" {
		t, err := time.Parse(time.RFC3339, parts[0])
		if err != nil {
			return st, bad
		}
		st.latest = t
	}
	switch len(parts) {
	case 1:
		if !st.latest.IsZero() {
			st.since = st.latest.Add(-Overlap).Unix()
		}
	case 4:
		var err1, err2 error
		st.since, err1 = strconv.ParseInt(parts[1], 10, 64)
		st.offset, err2 = strconv.Atoi(parts[2])
		if err1 != nil || err2 != nil || st.offset < 0 {
			return st, bad
		}
		st.lastID = parts[3]
	default:
		return st, bad
	}
	return st, nil
}

func countOf(n *json.Number) (int, error) {
	if n == nil {
		return 0, fmt.Errorf("no count")
	}
	v, err := strconv.Atoi(n.String())
	return v, err
}
