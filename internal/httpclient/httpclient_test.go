package httpclient

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

func limiter(t *testing.T, clk clock.Clock) store.Limiter {
	t.Helper()
	st, err := embedded.Open(t.TempDir()+"/db", embedded.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestSpendsATokenPerRequestAndNeverSleeps: an empty bucket throttles the
// call at once. The refill is an hour away, so a client that slept for it
// instead would still be asleep when the guard of a minute runs out.
func TestSpendsATokenPerRequestAndNeverSleeps(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	defer srv.Close()
	clk := clock.NewFake(time.Now())
	c := New(Options{Name: "t", Limiter: limiter(t, clk), Key: "k", Limit: store.Limit{Rate: 1.0 / 3600, Burst: 2}, Clock: clk})
	for i := 0; i < 2; i++ {
		if _, err := c.R().Get(srv.URL); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.R().Get(srv.URL)
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		t.Fatal("the third call on an empty bucket is still waiting after a minute: it sleeps instead of throttling")
	}
	class, notBefore := fault.Classify(err)
	if class != fault.ClassThrottled || !notBefore.After(clk.Now()) {
		t.Fatalf("third call: class %v notBefore %v (%v)", class, notBefore, err)
	}
	if hits.Load() != 2 {
		t.Errorf("server saw %d requests; an empty bucket must not call it", hits.Load())
	}
}

func TestLearnsFromShopifyHeadersAndRetryAfter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/full" {
			w.Header().Set("X-Shopify-Shop-Api-Call-Limit", "40/40")
			return
		}
		w.Header().Set("Retry-After", "2.0")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	clk := clock.NewFake(time.Now())
	lim := limiter(t, clk)
	limit := store.Limit{Rate: 2, Burst: 40}
	c := New(Options{Name: "t", Limiter: lim, Key: "shop", Limit: limit, Clock: clk})
	if _, err := c.R().Get(srv.URL + "/full"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.R().Get(srv.URL + "/other"); fault.IsPermanent(err) {
		t.Fatal(err)
	}
	// The platform said the bucket was full: our limiter agrees.
	if wait, _ := lim.Take(context.Background(), "shop", 1, limit); wait <= 0 {
		t.Error("the limiter did not sync from X-Shopify-Shop-Api-Call-Limit")
	}
	resp, err := c.R().Get(srv.URL + "/x")
	if err == nil {
		e := StatusError("get", resp.RawResponse, resp.Body(), clk.Now())
		if c, nb := fault.Classify(e); c != fault.ClassRetryable || nb.Sub(clk.Now()) != 2*time.Second {
			t.Errorf("429 with Retry-After 2.0: %v not before %v", c, nb)
		}
	}
}

func TestStatusErrorClasses(t *testing.T) {
	now := time.Now()
	for code, want := range map[int]fault.Class{400: fault.ClassPermanent, 401: fault.ClassPermanent, 404: fault.ClassPermanent, 422: fault.ClassPermanent,
		409: fault.ClassRetryable, 408: fault.ClassRetryable, 429: fault.ClassRetryable, 500: fault.ClassRetryable, 503: fault.ClassRetryable} {
		err := StatusError("op", &http.Response{StatusCode: code, Header: http.Header{}}, []byte(`{"errors":"x"}`), now)
		if c, _ := fault.Classify(err); c != want {
			t.Errorf("%d: class %v, want %v", code, c, want)
		}
	}
	if StatusError("op", &http.Response{StatusCode: 201}, nil, now) != nil {
		t.Error("2xx is no error")
	}
	h := http.Header{}
	h.Set("Retry-After", now.Add(90*time.Second).UTC().Format(http.TimeFormat))
	if d, ok := RetryAfter(h, now); !ok || d < 88*time.Second || d > 91*time.Second {
		t.Errorf("HTTP-date Retry-After = %v %v", d, ok)
	}
	if u, c, ok := ParseCallLimit(" 32/40"); !ok || u != 32 || c != 40 {
		t.Errorf("ParseCallLimit = %d %d %v", u, c, ok)
	}
	if _, _, ok := ParseCallLimit("32"); ok {
		t.Error("ParseCallLimit accepted garbage")
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	var followed atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			followed.Store(true)
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer srv.Close()
	resp, err := New(Options{Name: "t"}).R().SetBody(`{}`).Post(srv.URL + "/orders")
	if err != nil {
		t.Fatal(err)
	}
	if followed.Load() || resp.StatusCode() != http.StatusFound {
		t.Errorf("a POST was redirected (status %d)", resp.StatusCode())
	}
}

func TestOnlyDialFailuresAreRetriedInPlace(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens: every dial fails, and is retried quickly
	var dials atomic.Int32
	base := http.DefaultTransport.(*http.Transport).Clone()
	dial := base.DialContext
	base.DialContext = func(ctx context.Context, network, address string) (net.Conn, error) {
		dials.Add(1)
		return dial(ctx, network, address)
	}
	_, err := New(Options{Name: "t", Retries: 2, Transport: base}).R().Post("http://" + addr + "/x")
	if err == nil || fault.IsPermanent(err) {
		t.Fatalf("err = %v", err)
	}
	if n := dials.Load(); n != 3 {
		t.Errorf("%d dials; want 3 (the first and 2 retries in place)", n)
	}
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	resp, err := New(Options{Name: "t", Retries: 2}).R().Post(srv.URL)
	if err != nil || resp.StatusCode() != 503 || calls.Load() != 1 {
		t.Errorf("a 503 must come back to the caller at once: %v, %d calls", err, calls.Load())
	}
	_ = errors.New
}

func TestReserveRunsAnOperationWholeOrNotAtAll(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	defer srv.Close()
	clk := clock.NewFake(time.Now())
	lim := limiter(t, clk)
	limit := store.Limit{Rate: 1, Burst: 4}
	c := New(Options{Name: "t", Limiter: lim, Key: "shop", Limit: limit, Clock: clk})
	ctx, err := Reserve(context.Background(), lim, "shop", 3, limit, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ { // the reserved calls pass without taking again
		if _, err := c.R().SetContext(ctx).Get(srv.URL); err != nil {
			t.Fatalf("reserved call %d: %v", i, err)
		}
	}
	if _, err := c.R().Get(srv.URL); err != nil { // the fourth token of the burst
		t.Fatal(err)
	}
	// The bucket is empty: a second operation is throttled before any call.
	_, err = Reserve(context.Background(), lim, "shop", 3, limit, clk.Now())
	if c, nb := fault.Classify(err); c != fault.ClassThrottled || !nb.After(clk.Now()) {
		t.Fatalf("Reserve on an empty bucket: %v", err)
	}
	if hits.Load() != 4 {
		t.Errorf("server saw %d calls, want 4", hits.Load())
	}
}

func TestLearnsFromGraphQLThrottleStatus(t *testing.T) {
	const body = `{"data":{"shop":{"name":"x"}},"extensions":{"cost":{"requestedQueryCost":10,"actualQueryCost":10,"throttleStatus":{"maximumAvailable":1000.0,"currentlyAvailable":40,"restoreRate":50.0}}}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write([]byte(body))
	}))
	defer srv.Close()
	clk := clock.NewFake(time.Now())
	lim := limiter(t, clk)
	points := store.Limit{Rate: 50, Burst: 1000}
	c := New(Options{Name: "t", Limiter: lim, Key: "shopify-graphql:shop", Limit: points, Clock: clk})
	resp, err := c.R().SetBody(`{"query":"{shop{name}}"}`).Post(srv.URL + "/admin/api/2025-07/graphql.json")
	if err != nil || string(resp.Body()) != body {
		t.Fatalf("the caller must still read the whole body: %v %q", err, resp.Body())
	}
	// 960 of 1000 points used: 40 are left, 100 are not.
	if wait, _ := lim.Take(context.Background(), "shopify-graphql:shop", 100, points); wait <= 0 {
		t.Error("the limiter did not learn from throttleStatus")
	}
	if wait, _ := lim.Take(context.Background(), "shopify-graphql:shop", 30, points); wait != 0 {
		t.Errorf("30 of the 40 points left should be free, wait %v", wait)
	}
}
