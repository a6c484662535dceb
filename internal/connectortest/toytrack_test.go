package connectortest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/fakes/kit"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// toyTracker polls a toy carrier: GET /track/{n} answers its scans most
// recent first, 404 for a number not scanned yet. bug breaks it.
type toyTracker struct {
	env  connector.Env
	http *http.Client
	bug  string
}

func (c *toyTracker) Name() string       { return Instance }
func (c *toyTracker) Type() string       { return "toytrack" }
func (c *toyTracker) Carriers() []string { return []string{"toy"} }

type toyScan struct {
	At     time.Time `json:"at"`
	Status string    `json:"status"`
}

func (c *toyTracker) Track(ctx context.Context, _, n string) ([]connector.TrackingUpdate, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://toy.test/track/"+n, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var th *fault.ThrottledError
		if errors.As(err, &th) {
			return nil, err
		}
		return nil, fault.Retryable(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusNotFound && c.bug != "fails unknown numbers" {
		return nil, nil
	}
	if resp.StatusCode >= 400 {
		err := httpclient.StatusError("toy", resp, body, c.env.Now())
		if c.bug == "gives up on a 429" {
			return nil, fault.Permanent(err)
		}
		return nil, err
	}
	var scans []toyScan
	if err := json.Unmarshal(body, &scans); err != nil {
		return nil, fault.Permanent(err)
	}
	var out []connector.TrackingUpdate
	for i := range scans {
		s := scans[len(scans)-1-i]
		if c.bug == "keeps the carrier's order" {
			s = scans[i]
		}
		out = append(out, connector.TrackingUpdate{Carrier: "toy", TrackingNumber: n,
			Event: model.TrackingEvent{At: s.At, Status: model.TrackingStatus(s.Status), Code: s.Status}})
	}
	return out, nil
}

func toyTrackingHarness(bug string) TrackingHarness {
	return TrackingHarness{Limit: store.Limit{Rate: 10, Burst: 10}, Setup: func(r *Rig) TrackingFixture {
		var mu sync.Mutex
		scans := map[string][]toyScan{}
		srv := kit.New(kit.Options{Name: "toytrack", Clock: r.Clock})
		srv.Handle("GET /track/{n}", func(req *http.Request) *kit.Response {
			mu.Lock()
			defer mu.Unlock()
			s, ok := scans[req.PathValue("n")]
			if !ok {
				return srv.Error(http.StatusNotFound, "not_found", "no such parcel")
			}
			return kit.OK(s)
		})
		hc := httpclient.NewHTTP(httpclient.Options{Name: Instance, Limiter: r.Env.Limiter, Key: "toy", Limit: r.Env.RateLimit,
			Clock: r.Clock, Transport: srv.Transport()})
		if bug == "ignores the limiter" {
			hc = &http.Client{Transport: srv.Transport()}
		}
		return TrackingFixture{Connector: &toyTracker{env: r.Env, http: hc, bug: bug}, Fake: srv,
			Track: Route{Method: "GET", PathPrefix: "/track/"}, Carrier: "toy", Number: "T1", Unknown: "T2",
			Delivered: func(at time.Time) {
				mu.Lock()
				defer mu.Unlock()
				scans["T1"] = []toyScan{{At: at.Add(time.Hour), Status: "delivered"}, {At: at, Status: "in_transit"}}
			}}
	}}
}

func TestTrackingSuitePassesAWellBehavedTracker(t *testing.T) {
	RunTracking(t, toyTrackingHarness(""))
}

func TestTrackingSuiteFailsBrokenTrackers(t *testing.T) {
	for bug, cases := range map[string][]string{
		"keeps the carrier's order": {"history"},
		"fails unknown numbers":     {"unknown number"},
		"gives up on a 429":         {"429 retryable after Retry-After"},
		"ignores the limiter":       {"no budget no request"},
	} {
		t.Run(bug, func(t *testing.T) {
			mustFail(t, fmt.Sprintf("a tracker that %s", bug), func(rt T) { runTracking(rt, toyTrackingHarness(bug)) }, cases...)
		})
	}
}
