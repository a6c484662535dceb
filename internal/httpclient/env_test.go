package httpclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
)

// ForEnv's client spends the instance's budget, which ReserveEnv
// reserves from; an empty bucket is throttled, named for the connector.
func TestForEnvSpendsTheEnvironmentsBudget(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	defer srv.Close()
	clk := clock.NewFake(time.Now())
	env := connector.Env{Name: "shop", Clock: clk, Limiter: limiter(t, clk), RateLimit: store.Limit{Rate: 1, Burst: 2}}
	hc := ForEnv(env, "k", nil)
	for i := range 2 {
		resp, err := hc.Get(srv.URL)
		if err != nil {
			t.Fatalf("call %d within the burst: %v", i, err)
		}
		resp.Body.Close()
	}
	if _, err := hc.Get(srv.URL); err == nil {
		t.Fatal("a third call with a burst of 2 went out")
	}
	_, err := ReserveEnv(context.Background(), env, "etsy", "k", 2)
	if c, _ := fault.Classify(err); c != fault.ClassThrottled || !strings.HasPrefix(err.Error(), "etsy: ") {
		t.Fatalf("reserve on an empty bucket: %v; want throttled, prefixed etsy:", err)
	}
	if hits.Load() != 2 {
		t.Errorf("server saw %d calls, want 2", hits.Load())
	}
}
