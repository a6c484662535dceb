package connectortest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// PollOrdersHarness is what RunPollOrders needs of a channel that lists
// orders changed since a cursor.
type PollOrdersHarness struct {
	// Limit is the connector's rate limit, which the fake's quota
	// matches (for the HTTP cases).
	Limit store.Limit
	Setup func(r *Rig) PollOrdersFixture
}

// PollOrdersFixture is a connector on a fake whose orders the test
// stamps.
type PollOrdersFixture struct {
	Connector connector.Connector
	// Order creates or updates order id on the platform, stamped as last
	// updated at `at` by the platform's own clock.
	Order func(id string, at time.Time)
	// PageSize is how many orders one page of the connector's list holds.
	PageSize int
	// RepeatLastPage, when the platform has the quirk, makes it answer a
	// page past the end with the last page again (Magento's lists).
	RepeatLastPage func()
	// Fake and List, for a platform reached over HTTP, are its fake and
	// the list request: the HTTP cases (429, 4xx, limiter, contexts) run
	// on a poll.
	Fake *kit.Server
	List Route
	// ID, when the platform assigns its own order ids, maps a polled
	// event back to the id Order was given (default: ChannelOrderID).
	ID func(ev connector.ChannelEvent) string
}

// maxPolls bounds a poll loop: a connector whose cursor never settles
// fails instead of spinning.
const maxPolls = 12

// maxThrottled bounds the polls a rate limiter may cut short in one drain.
const maxThrottled = 5000

// RunPollOrders runs the poll-orders suite.
func RunPollOrders(t *testing.T, h PollOrdersHarness) { runPollOrders(std{t}, h) }

func runPollOrders(t T, h PollOrdersHarness) {
	t.Helper()
	start := func(t T) (*Rig, PollOrdersFixture, connector.OrderPoller) {
		t.Helper()
		r := NewRig(t, h.Limit)
		fx := h.Setup(r)
		if fx.Order == nil || fx.PageSize <= 0 {
			t.Fatalf("poll harness: Order and PageSize are needed")
		}
		return r, fx, capability[connector.OrderPoller](t, fx.Connector)
	}
	t.Run("paging", func(t T) {
		r, fx, p := start(t)
		pollPaging(t, r, fx, p)
	})
	_, probe, _ := start(t)
	if probe.RepeatLastPage != nil {
		t.Run("repeated last page", func(t T) {
			r, fx, p := start(t)
			fx.RepeatLastPage()
			pollPaging(t, r, fx, p)
		})
	}
	t.Run("clock skew", func(t T) {
		r, fx, p := start(t)
		pollSkew(t, r, fx, p)
	})
	if probe.Fake != nil {
		t.Run("http", func(t T) {
			runOutbound(t, outbound{limit: h.Limit, setup: func(r *Rig) outboundFixture {
				fx := h.Setup(r)
				p := capability[connector.OrderPoller](r.T, fx.Connector)
				return outboundFixture{fake: fx.Fake, write: fx.List, next: func(i int) operation {
					fx.Order(fmt.Sprintf("H%04d", i), Epoch.Add(-time.Hour))
					return operation{do: func(ctx context.Context) error { _, _, err := p.PollOrders(ctx, ""); return err }}
				}}
			}})
		})
	}
}

// poller drains a connector's poll: it polls from a cursor until a poll
// brings nothing new, and keeps every order seen.
type poller struct {
	t      T
	clk    *clock.Fake // moved to a throttled poll's resume time, as the queue would wait
	p      connector.OrderPoller
	id     func(connector.ChannelEvent) string
	cursor string
	seen   map[string]int // order id → times seen
}

// drain polls until nothing new comes, and returns what was new.
func (pl *poller) drain(what string) map[string]bool {
	pl.t.Helper()
	fresh := map[string]bool{}
	throttled := 0
	for i := 0; ; i++ {
		if i-throttled == maxPolls || throttled > maxThrottled {
			pl.t.Fatalf("%s: still finding orders after %d polls (cursor %q): the cursor does not move past what it returned", what, maxPolls, pl.cursor)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // hang guard only
		var evs []connector.ChannelEvent
		var next string
		var err error
		safely(pl.t, "PollOrders", func() { evs, next, err = pl.p.PollOrders(ctx, pl.cursor) })
		cancel()
		// A poll cut short by the rate limiter may return what it read
		// and where to resume (connector.OrderPoller); the queue waits
		// until the budget is back, so the test moves the clock there.
		var th *fault.ThrottledError
		if errors.As(err, &th) && pl.clk != nil {
			throttled++
			if d := th.NotBefore.Sub(pl.clk.Now()); d > 0 {
				pl.clk.Advance(d)
			}
			if len(evs) == 0 {
				continue
			}
		} else if err != nil {
			pl.t.Fatalf("%s: poll %d from %q: %v", what, i+1, pl.cursor, err)
		}
		inPoll := map[string]bool{}
		news := 0
		for _, ev := range evs {
			id := ev.ChannelOrderID
			if pl.id != nil {
				id = pl.id(ev)
			}
			if inPoll[id] {
				pl.t.Errorf("%s: poll %d returns order %s twice (a page read twice?)", what, i+1, id)
			}
			inPoll[id] = true
			if ev.Order == nil && ev.Kind != connector.EventIgnored {
				pl.t.Errorf("%s: order %s comes without its order", what, id)
			}
			if pl.seen[id] == 0 {
				news++
				fresh[id] = true
			}
			pl.seen[id]++
		}
		pl.cursor = next
		if news == 0 && th == nil {
			return fresh
		}
	}
}

func orderIDs(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s%04d", prefix, i+1)
	}
	return ids
}

func missing(want []string, got map[string]bool) []string {
	var out []string
	for _, id := range want {
		if !got[id] {
			out = append(out, id)
		}
	}
	return out
}

// pollPaging: more orders than fit a page all come, each once per poll,
// and the loop ends.
func pollPaging(t T, r *Rig, fx PollOrdersFixture, p connector.OrderPoller) {
	ids := orderIDs("P", 2*fx.PageSize+3)
	for i, id := range ids {
		fx.Order(id, Epoch.Add(-time.Hour+time.Duration(i)*time.Second))
	}
	pl := &poller{t: t, clk: r.Clock, p: p, id: fx.ID, seen: map[string]int{}}
	if m := missing(ids, pl.drain("first sweep")); len(m) > 0 {
		t.Errorf("orders never polled: %v", m)
	}
	// One more, later: the cursor brings it, and only it is new.
	fx.Order("P9999", Epoch)
	if got := pl.drain("after a new order"); len(got) != 1 || !got["P9999"] {
		t.Errorf("the poll after a new order brought %v; want P9999", got)
	}
}

// pollSkew: the cursor follows the platform's stamps, not our clock, and
// an order stamped at the cursor's own instant is not skipped.
func pollSkew(t T, r *Rig, fx PollOrdersFixture, p connector.OrderPoller) {
	pl := &poller{t: t, clk: r.Clock, p: p, id: fx.ID, seen: map[string]int{}}
	// The platform's clock is a day and a half behind ours.
	behind := Epoch.Add(-36 * time.Hour)
	fx.Order("S0001", behind)
	fx.Order("S0002", behind.Add(time.Second))
	if m := missing([]string{"S0001", "S0002"}, pl.drain("platform behind")); len(m) > 0 {
		t.Errorf("orders stamped behind our clock never polled: %v", m)
	}
	// Another order in the same second as the last one seen.
	fx.Order("S0003", behind.Add(time.Second))
	if got := pl.drain("same instant as the cursor"); !got["S0003"] {
		t.Errorf("an order stamped at the cursor's instant was skipped (got %v)", got)
	}
	// The platform's clock three hours ahead of ours; then ours steps
	// back ten minutes (an NTP correction).
	ahead := Epoch.Add(3 * time.Hour)
	fx.Order("S0004", ahead)
	if got := pl.drain("platform ahead"); !got["S0004"] {
		t.Errorf("an order stamped ahead of our clock was skipped (got %v)", got)
	}
	r.Clock.Advance(-10 * time.Minute)
	fx.Order("S0005", ahead.Add(time.Minute))
	if got := pl.drain("our clock stepped back"); !got["S0005"] {
		t.Errorf("after our clock stepped back, a new order was skipped (got %v)", got)
	}
}
