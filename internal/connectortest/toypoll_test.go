package connectortest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/fakes/kit"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// A toy platform listing orders changed since a time, three per page,
// and a toy poller, well or with one of the bugs the poll suite exists
// to catch.

const toyPage = 3

type toyListed struct {
	ID        string    `json:"id"`
	UpdatedAt time.Time `json:"updated_at"`
}

type toyLister struct {
	srv *kit.Server

	mu         sync.Mutex
	orders     map[string]time.Time
	repeatLast bool
}

func newToyLister(clk clock.Clock) *toyLister {
	l := &toyLister{orders: map[string]time.Time{}}
	l.srv = kit.New(kit.Options{Name: "toylister", Clock: clk, Auth: kit.Bearer("toy-token"),
		Limit: &kit.TokenBucket{Rate: toyLimit.Rate, Burst: toyLimit.Burst}})
	l.srv.Handle("GET /orders", func(r *http.Request) *kit.Response {
		since, err := time.Parse(time.RFC3339Nano, cmp.Or(r.URL.Query().Get("since"), "0001-01-01T00:00:00Z"))
		n, perr := kit.ParseNumbered(r.URL.Query(), "page", "per_page", toyPage, toyPage)
		if err != nil || perr != nil {
			return l.srv.Error(http.StatusBadRequest, "invalid", "bad since or page")
		}
		l.mu.Lock()
		var match []toyListed
		for id, at := range l.orders {
			if !at.Before(since) {
				match = append(match, toyListed{id, at})
			}
		}
		n.RepeatLast = l.repeatLast
		l.mu.Unlock()
		slices.SortFunc(match, func(a, b toyListed) int { return cmp.Or(a.UpdatedAt.Compare(b.UpdatedAt), cmp.Compare(a.ID, b.ID)) })
		page, n := kit.Page(match, n)
		return kit.OK(map[string]any{"orders": page, "total": n.Total})
	})
	return l
}

func (l *toyLister) put(id string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.orders[id] = at
}

type toyPoller struct {
	env  connector.Env
	http *resty.Client
	bug  string
}

func (c *toyPoller) Name() string { return c.env.Name }
func (c *toyPoller) Type() string { return "toylister" }

var _ connector.OrderPoller = (*toyPoller)(nil)

// CursorAt implements connector.OrderPoller.
func (c *toyPoller) CursorAt(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// PollOrders lists every page of orders updated at or after the cursor
// (the latest update seen: the platform's time, and inclusive, so an
// order stamped in the same instant is not skipped).
func (c *toyPoller) PollOrders(ctx context.Context, cursor string) ([]connector.ChannelEvent, string, error) {
	var evs []connector.ChannelEvent
	latest, _ := time.Parse(time.RFC3339Nano, cursor)
	for page := 1; ; page++ {
		var res struct {
			Orders []toyListed
			Total  int
		}
		resp, err := c.http.R().SetContext(ctx).SetResult(&res).
			SetQueryParams(map[string]string{"since": cursor, "page": fmt.Sprint(page), "per_page": fmt.Sprint(toyPage)}).Get("/orders")
		if err != nil {
			var th *fault.ThrottledError
			if errors.As(err, &th) {
				return nil, cursor, err
			}
			return nil, cursor, fault.Retryable(err)
		}
		if err := httpclient.StatusError("toy: list orders", resp.RawResponse, resp.Body(), c.env.Now()); err != nil {
			return nil, cursor, err
		}
		for _, o := range res.Orders {
			evs = append(evs, connector.ChannelEvent{Kind: connector.EventOrderUpdated, ChannelOrderID: o.ID, Order: &model.Order{ChannelOrderID: o.ID}})
			if o.UpdatedAt.After(latest) {
				latest = o.UpdatedAt
			}
		}
		if page*toyPage >= res.Total {
			break
		}
	}
	switch {
	case len(evs) == 0:
		return nil, cursor, nil
	case c.bug == "our clock as the cursor":
		latest = c.env.Now()
	case c.bug == "an exclusive cursor":
		latest = latest.Add(time.Nanosecond)
	}
	return evs, latest.Format(time.RFC3339Nano), nil
}

func toyPollHarness(bug string) PollOrdersHarness {
	return PollOrdersHarness{Limit: toyLimit, Setup: func(r *Rig) PollOrdersFixture {
		l := newToyLister(r.Clock)
		hc := httpclient.New(httpclient.Options{Name: r.Env.Name, Limiter: r.Env.Limiter, Key: "toy", Limit: r.Env.RateLimit,
			Clock: r.Env.Clock, Transport: l.srv.Transport()})
		hc.SetBaseURL("http://toy.test").SetAuthToken("toy-token")
		return PollOrdersFixture{
			Connector: &toyPoller{env: r.Env, http: hc, bug: bug},
			Order:     l.put, PageSize: toyPage,
			RepeatLastPage: func() { l.mu.Lock(); l.repeatLast = true; l.mu.Unlock() },
			Fake:           l.srv, List: Route{Method: http.MethodGet, Path: "/orders"},
		}
	}}
}

func TestPollSuitePassesAWellBehavedPoller(t *testing.T) {
	RunPollOrders(t, toyPollHarness(""))
}

func TestPollSuiteFailsBrokenPollers(t *testing.T) {
	mustFail(t, "a poller whose cursor is our clock", func(rt T) { runPollOrders(rt, toyPollHarness("our clock as the cursor")) }, "clock skew")
	mustFail(t, "a poller with an exclusive cursor", func(rt T) { runPollOrders(rt, toyPollHarness("an exclusive cursor")) }, "clock skew")
}
