package connectortest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/go-resty/resty/v2"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/fakes/kit"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// A toy platform with fulfillments, and a toy connector pushing them,
// well or with one of the bugs the push suite exists to catch.

var toyLimit = store.Limit{Rate: 2, Burst: 10}

// toyPlatform is the platform's fake: a bearer token, a token-bucket
// quota matching toyLimit, and fulfillments per order.
type toyPlatform struct {
	srv *kit.Server

	mu           sync.Mutex
	fulfillments map[string][]toyFulfillment
}

type toyFulfillment struct {
	ID       string `json:"id"`
	Tracking string `json:"tracking"`
}

func newToyPlatform(clk clock.Clock) *toyPlatform {
	p := &toyPlatform{fulfillments: map[string][]toyFulfillment{}}
	p.srv = kit.New(kit.Options{Name: "toyplatform", Clock: clk, Auth: kit.Bearer("toy-token"),
		Limit: &kit.TokenBucket{Rate: toyLimit.Rate, Burst: toyLimit.Burst}})
	p.srv.Handle("GET /orders/{id}/fulfillments", func(r *http.Request) *kit.Response {
		p.mu.Lock()
		defer p.mu.Unlock()
		return kit.OK(map[string]any{"fulfillments": append([]toyFulfillment{}, p.fulfillments[r.PathValue("id")]...)})
	})
	p.srv.Handle("POST /orders/{id}/fulfillments", func(r *http.Request) *kit.Response {
		var body struct{ Tracking string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Tracking == "" {
			return p.srv.Error(http.StatusBadRequest, "invalid", "tracking is required")
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		id := r.PathValue("id")
		f := toyFulfillment{ID: fmt.Sprintf("%s-F%d", id, len(p.fulfillments[id])+1), Tracking: body.Tracking}
		p.fulfillments[id] = append(p.fulfillments[id], f)
		return kit.Created(map[string]any{"fulfillment": f})
	})
	return p
}

func (p *toyPlatform) count(orderID string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.fulfillments[orderID])
}

// toyFulfiller pushes fulfillments; bug names the defect it has, if any.
type toyFulfiller struct {
	env  connector.Env
	http *resty.Client
	bug  string
}

func (c *toyFulfiller) Name() string { return c.env.Name }
func (c *toyFulfiller) Type() string { return "toyplatform" }

var _ connector.FulfillmentPusher = (*toyFulfiller)(nil)

func newToyFulfiller(env connector.Env, p *toyPlatform, bug string) *toyFulfiller {
	lim := env.Limiter
	if bug == "ignores the limiter" {
		lim = nil
	}
	hc := httpclient.New(httpclient.Options{Name: env.Name, Limiter: lim, Key: "toy", Limit: env.RateLimit,
		Clock: env.Clock, Transport: p.srv.Transport()})
	hc.SetBaseURL("http://toy.test").SetAuthToken("toy-token")
	return &toyFulfiller{env: env, http: hc, bug: bug}
}

func (c *toyFulfiller) PushFulfillment(ctx context.Context, order *model.Order, sh *model.Shipment) (string, error) {
	path := "/orders/" + order.ChannelOrderID + "/fulfillments"
	tracking := sh.Packages[0].TrackingNumber
	// A push is two calls: take both tokens at once, or a push throttled
	// between them starts over and spends the budget on lookups.
	if c.bug != "ignores the limiter" {
		var err error
		if ctx, err = httpclient.Reserve(ctx, c.env.Limiter, "toy", 2, c.env.RateLimit, c.env.Now()); err != nil {
			return "", err
		}
	}
	if c.bug != "second effect on replay" {
		var list struct{ Fulfillments []toyFulfillment }
		if err := c.do(ctx, c.http.R().SetResult(&list), http.MethodGet, path); err != nil {
			return "", err
		}
		for _, f := range list.Fulfillments {
			if f.Tracking == tracking {
				return f.ID, nil
			}
		}
	}
	var created struct{ Fulfillment toyFulfillment }
	err := c.do(ctx, c.http.R().SetBody(map[string]string{"tracking": tracking}).SetResult(&created), http.MethodPost, path)
	if err != nil && c.bug == "retries a 400" && fault.IsPermanent(err) {
		err = c.do(ctx, c.http.R().SetBody(map[string]string{"tracking": tracking}).SetResult(&created), http.MethodPost, path)
	}
	return created.Fulfillment.ID, err
}

// do sends one request and classifies its outcome.
func (c *toyFulfiller) do(ctx context.Context, req *resty.Request, method, path string) error {
	resp, err := req.SetContext(ctx).Execute(method, path)
	if err != nil {
		var th *fault.ThrottledError
		if errors.As(err, &th) {
			return err
		}
		return fault.Retryable(fmt.Errorf("toy: %s %s: %w", method, path, err))
	}
	err = httpclient.StatusError("toy: "+method+" "+path, resp.RawResponse, resp.Body(), c.env.Now())
	if c.bug == "ignores Retry-After" {
		if class, _ := fault.Classify(err); err != nil && class == fault.ClassRetryable {
			return fault.Retryable(errors.New(err.Error())) // the platform's "not before" is dropped
		}
	}
	return err
}

// toyFulfillmentHarness is the push suite's harness for the toy, with
// the given bug.
func toyFulfillmentHarness(bug string) FulfillmentHarness {
	return FulfillmentHarness{Limit: toyLimit, Setup: func(r *Rig) FulfillmentFixture {
		p := newToyPlatform(r.Clock)
		return FulfillmentFixture{
			Platform: Platform{Connector: newToyFulfiller(r.Env, p, bug), Fake: p.srv,
				Write: Route{Method: http.MethodPost, PathPrefix: "/orders/"}},
			Shipment: func(i int) (*model.Order, *model.Shipment) {
				id := fmt.Sprintf("O%d", i)
				return &model.Order{ID: id, ChannelOrderID: id},
					&model.Shipment{ID: "S" + id, Packages: []model.Package{{TrackingNumber: "1ZTOY" + id}}}
			},
			Fulfillments: func(o *model.Order) int { return p.count(o.ChannelOrderID) },
		}
	}}
}
