package kit

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
)

var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// call sends one request through the in-process transport.
func call(t *testing.T, s *Server, method, path, body string, hdr ...string) (*http.Response, string) {
	t.Helper()
	resp, b, err := try(s, context.Background(), method, path, body, hdr...)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func try(s *Server, ctx context.Context, method, path, body string, hdr ...string) (*http.Response, string, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://fake.test"+path, rd)
	if err != nil {
		return nil, "", err
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := (&http.Client{Transport: s.Transport()}).Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

// orders is a tiny fake: a bearer token, a create route and a list.
func orders(o Options) (*Server, *counter) {
	if o.Auth == nil {
		o.Auth = Bearer("tok")
	}
	s := New(o)
	created := &counter{}
	s.Handle("POST /orders", func(r *http.Request) *Response {
		n := created.Add(1)
		b, _ := io.ReadAll(r.Body)
		return Created(map[string]any{"id": n, "echo": string(b), "by": Principal(r)})
	})
	s.Handle("GET /orders/{id}", func(r *http.Request) *Response {
		if r.PathValue("id") != "1" {
			return s.Error(http.StatusNotFound, "not_found", "no order "+r.PathValue("id"))
		}
		return OK(map[string]any{"id": 1})
	})
	return s, created
}

// counter counts created orders; the handler runs on the server's
// goroutines.
type counter struct{ atomic.Int32 }

func (c *counter) n() int { return int(c.Load()) }

var bearer = []string{"Authorization", "Bearer tok"}

func TestRoutesAuthAndErrorStyle(t *testing.T) {
	s, created := orders(Options{Errors: ShopifyErrors, Messages: map[int]string{401: "[API] Invalid API key"}})
	resp, body := call(t, s, "POST", "/orders", `{"a":1}`, bearer...)
	if resp.StatusCode != 201 || !strings.Contains(body, `"by":"tok"`) || !strings.Contains(body, `"echo":"{\"a\":1}"`) || created.n() != 1 {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	if resp, body := call(t, s, "GET", "/orders/1", "", "Authorization", "Bearer nope"); resp.StatusCode != 401 || body != `{"errors":"[API] Invalid API key"}` {
		t.Errorf("bad token: %d %s", resp.StatusCode, body)
	}
	if resp, body := call(t, s, "GET", "/nowhere", "", bearer...); resp.StatusCode != 404 || body != `{"errors":"Not Found"}` {
		t.Errorf("unknown route: %d %s", resp.StatusCode, body)
	}
	if resp, body := call(t, s, "GET", "/orders/2", "", bearer...); resp.StatusCode != 404 || body != `{"errors":"no order 2"}` {
		t.Errorf("route's own 404: %d %s", resp.StatusCode, body)
	}
	c := s.Counters("")
	if c.Requests != 4 || c.Unauthorized != 1 || c.Handled != 3 {
		t.Errorf("counters %+v", c)
	}
	// Calls by operation count the refused request too: it spent quota.
	if calls := s.Calls(); calls["POST /orders"] != 1 || calls["GET /orders/{id}"] != 2 || calls[""] != 1 || len(calls) != 3 {
		t.Errorf("calls by operation %v; want POST /orders 1, GET /orders/{id} 2, unrouted 1", calls)
	}
	log := s.Requests()
	if len(log) == 4 && (log[1].Route != "GET /orders/{id}" || log[2].Route != "") {
		t.Errorf("routes logged %q, %q", log[1].Route, log[2].Route)
	}
	if len(log) != 4 || log[0].Principal != "tok" || log[0].Handled != 201 || string(log[0].Body) != `{"a":1}` || log[1].Outcome != Unauthorized {
		t.Errorf("log %+v", log)
	}
}

func TestAuthChecks(t *testing.T) {
	body := []byte(`{"x":1}`)
	sig := Sign([]byte("s3cret"), body, "sha256=", Hex)
	tests := []struct {
		name string
		auth Auth
		hdr  []string
		ok   bool
	}{
		{"bearer", Bearer("a", "b"), []string{"Authorization", "Bearer b"}, true},
		{"bearer empty", Bearer("a"), []string{"Authorization", "Bearer "}, false},
		{"header token", HeaderToken("X-Auth-Token", "t"), []string{"X-Auth-Token", "t"}, true},
		{"header token wrong", HeaderToken("X-Auth-Token", "t"), []string{"X-Auth-Token", "u"}, false},
		{"basic", Basic("ck", "cs"), []string{"Authorization", "Basic Y2s6Y3M="}, true},
		{"basic wrong", Basic("ck", "cs"), []string{"Authorization", "Basic Y2s6eHg="}, false},
		{"hmac", HMAC("X-Sig", "sha256=", []byte("s3cret"), Hex), []string{"X-Sig", sig}, true},
		{"hmac other secret", HMAC("X-Sig", "sha256=", []byte("other"), Hex), []string{"X-Sig", sig}, false},
		{"hmac no prefix", HMAC("X-Sig", "sha256=", []byte("s3cret"), Hex), []string{"X-Sig", strings.TrimPrefix(sig, "sha256=")}, false},
		{"all of", AllOf(HeaderToken("x-api-key", "k"), Bearer("t")), []string{"x-api-key", "k", "Authorization", "Bearer t"}, true},
		{"all of, one missing", AllOf(HeaderToken("x-api-key", "k"), Bearer("t")), []string{"x-api-key", "k"}, false},
	}
	for _, tt := range tests {
		s, _ := orders(Options{Auth: tt.auth})
		resp, _ := call(t, s, "POST", "/orders", string(body), tt.hdr...)
		if got := resp.StatusCode == 201; got != tt.ok {
			t.Errorf("%s: status %d", tt.name, resp.StatusCode)
		}
	}
	s, _ := orders(Options{Auth: Basic("ck", "cs", "consumer_key", "consumer_secret")})
	if resp, _ := call(t, s, "POST", "/orders?consumer_key=ck&consumer_secret=cs", "{}"); resp.StatusCode != 201 {
		t.Errorf("basic via query: %d", resp.StatusCode)
	}
}

func TestShopifyBucketHeadersAndLeak(t *testing.T) {
	clk := clock.NewFake(t0)
	s, _ := orders(Options{Clock: clk, Limit: ShopifyREST(2, 1), Errors: ShopifyErrors})
	get := func() (*http.Response, string) { return call(t, s, "GET", "/orders/1", "", bearer...) }
	for i := 1; i <= 2; i++ {
		if resp, _ := get(); resp.StatusCode != 200 || resp.Header.Get("X-Shopify-Shop-Api-Call-Limit") != strings.Repeat("", 0)+itoa(i)+"/2" {
			t.Fatalf("call %d: %d %v", i, resp.StatusCode, resp.Header)
		}
	}
	resp, body := get()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2.0" || resp.Header.Get("X-Shopify-Shop-Api-Call-Limit") != "2/2" ||
		body != `{"errors":"Exceeded 1 calls per second for api client. Reduce request rates to resume uninterrupted service."}` {
		t.Fatalf("third: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	clk.Advance(time.Second)
	if resp, _ := get(); resp.StatusCode != 200 || resp.Header.Get("X-Shopify-Shop-Api-Call-Limit") != "2/2" {
		t.Errorf("after a leak: %d %v", resp.StatusCode, resp.Header)
	}
	if s.QuotaViolations() != 1 {
		t.Errorf("quota violations %d, want 1", s.QuotaViolations())
	}
}

func itoa(i int) string { return string(rune('0' + i)) }

func TestBigCommerceWindow(t *testing.T) {
	clk := clock.NewFake(t0)
	s, _ := orders(Options{Clock: clk, Limit: BigCommerce(2, 30*time.Second), LimitKey: func(*http.Request, string) string { return "store" }})
	call(t, s, "GET", "/orders/1", "", bearer...)
	clk.Advance(10 * time.Second)
	resp, _ := call(t, s, "GET", "/orders/1", "", bearer...)
	h := resp.Header
	if h.Get("X-Rate-Limit-Requests-Left") != "0" || h.Get("X-Rate-Limit-Requests-Quota") != "2" ||
		h.Get("X-Rate-Limit-Time-Reset-Ms") != "20000" || h.Get("X-Rate-Limit-Time-Window-Ms") != "30000" {
		t.Errorf("headers %v", h)
	}
	if resp, _ := call(t, s, "GET", "/orders/1", "", bearer...); resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "" {
		t.Errorf("over quota: %d %v", resp.StatusCode, resp.Header)
	}
	clk.Advance(20 * time.Second)
	if resp, _ := call(t, s, "GET", "/orders/1", "", bearer...); resp.StatusCode != 200 || resp.Header.Get("X-Rate-Limit-Requests-Left") != "1" {
		t.Errorf("new window: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestTokenBucketRetryAfterAndAll(t *testing.T) {
	clk := clock.NewFake(t0)
	s, _ := orders(Options{Clock: clk, Limit: &TokenBucket{Rate: 0.5, Burst: 1}})
	call(t, s, "GET", "/orders/1", "", bearer...)
	if resp, _ := call(t, s, "GET", "/orders/1", "", bearer...); resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("token bucket: %d %v", resp.StatusCode, resp.Header)
	}
	// Etsy: the per-second window refuses the second call, and the daily
	// quota is not spent by the refused one.
	s, _ = orders(Options{Clock: clk, Limit: Etsy(1, 5)})
	call(t, s, "GET", "/orders/1", "", bearer...)
	resp, _ := call(t, s, "GET", "/orders/1", "", bearer...)
	if resp.StatusCode != 429 || resp.Header.Get("x-remaining-today") != "4" || resp.Header.Get("x-remaining-this-second") != "0" {
		t.Errorf("etsy: %d %v", resp.StatusCode, resp.Header)
	}
	clk.Advance(time.Second)
	if resp, _ := call(t, s, "GET", "/orders/1", "", bearer...); resp.StatusCode != 200 || resp.Header.Get("x-remaining-today") != "3" {
		t.Errorf("etsy next second: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestFaults(t *testing.T) {
	s, created := orders(Options{})
	s.Inject(Fault{Method: "POST", Path: "/orders", Skip: 1, Times: 1, Status: 429, Header: http.Header{"Retry-After": {"7"}}})
	if resp, _ := call(t, s, "POST", "/orders", "{}", bearer...); resp.StatusCode != 201 {
		t.Fatalf("skipped: %d", resp.StatusCode)
	}
	resp, body := call(t, s, "POST", "/orders", "{}", bearer...)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "7" || body != `{"error":{"code":"rate_limited","message":"Too Many Requests"}}` {
		t.Fatalf("injected: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	if resp, _ := call(t, s, "POST", "/orders", "{}", bearer...); resp.StatusCode != 201 || created.n() != 2 {
		t.Fatalf("after Times: %d, created %d", resp.StatusCode, created.n())
	}
	if s.QuotaViolations() != 0 || s.Counters("").ByFault["Too Many Requests"] != 1 {
		t.Errorf("an injected 429 is not a quota violation: %+v", s.Counters(""))
	}

	// A lost answer: the order is made, the client gets a 503.
	s.Inject(Fault{Method: "POST", AfterHandling: true, Times: 1, Status: 503})
	if resp, _ := call(t, s, "POST", "/orders", "{}", bearer...); resp.StatusCode != 503 || created.n() != 3 {
		t.Fatalf("lost answer: %d, created %d", resp.StatusCode, created.n())
	}
	last := s.Requests()[len(s.Requests())-1]
	if last.Handled != 201 || last.Status != 503 || !last.Succeeded() || last.Outcome != Handled|Injected {
		t.Errorf("log of a lost answer: %+v", last)
	}
	// A fault after handling does not fire on a failed answer.
	s.Inject(Fault{AfterHandling: true, Times: 1, Status: 503})
	if resp, _ := call(t, s, "GET", "/orders/9", "", bearer...); resp.StatusCode != 404 {
		t.Errorf("after a 404: %d", resp.StatusCode)
	}
	s.ClearFaults()

	// Dropped in-process: the round trip fails; the effect happened.
	s.Inject(Fault{Method: "POST", AfterHandling: true, Drop: true, Times: 1})
	if _, _, err := try(s, context.Background(), "POST", "/orders", "{}", bearer...); !errors.Is(err, ErrDropped) || created.n() != 4 {
		t.Errorf("drop: %v, created %d", err, created.n())
	}
}

func TestDropOverAServer(t *testing.T) {
	s, created := orders(Options{})
	url := s.Start()
	t.Cleanup(s.Close)
	s.Inject(Fault{AfterHandling: true, Drop: true, Times: 1})
	req, _ := http.NewRequest("POST", url+"/orders", strings.NewReader("{}"))
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got %d, want a closed connection", resp.StatusCode)
	}
	if created.n() != 1 || s.Total().Dropped != 1 {
		t.Errorf("created %d, counters %+v", created.n(), s.Total())
	}
}

// A stalled request is held until the client cancels: no timing, the
// test cancels when the fault signals.
func TestStallUntilCancelled(t *testing.T) {
	s, created := orders(Options{})
	arrived := make(chan struct{}, 1)
	s.Inject(Fault{Method: "POST", Stall: true, Times: 1, Signal: arrived})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	if _, _, err := try(s, ctx, "POST", "/orders", "{}", bearer...); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if created.n() != 0 {
		t.Error("a stalled request was handled")
	}
}

func TestProbabilityIsSeeded(t *testing.T) {
	run := func() string {
		s, _ := orders(Options{Seed: 9})
		s.Inject(Fault{Probability: 0.3, Status: 503})
		var codes strings.Builder
		for range 50 {
			resp, _ := call(t, s, "GET", "/orders/1", "", bearer...)
			codes.WriteString(itoa(resp.StatusCode / 100))
		}
		return codes.String()
	}
	a, b := run(), run()
	if a != b || !strings.Contains(a, "5") || !strings.Contains(a, "2") {
		t.Errorf("runs %s / %s", a, b)
	}
}

func TestBodyLimitBeforeAndHeaderHooks(t *testing.T) {
	s, created := orders(Options{MaxBody: 8, RequestIDHeader: "X-Request-Id", Name: "fake",
		Before: func(r *http.Request) *Response {
			if r.Host == "gone.test" {
				return JSON(404, map[string]string{"errors": "Not Found"})
			}
			return nil
		},
		Header: func(_ *http.Request, h http.Header) { h.Set("X-Api-Version", "v1") }})
	if resp, _ := call(t, s, "POST", "/orders", `{"long":"body"}`, bearer...); resp.StatusCode != 413 || created.n() != 0 {
		t.Errorf("too large: %d", resp.StatusCode)
	}
	if resp, _ := call(t, s, "POST", "/orders", `{"long":"body"}`); resp.StatusCode != 401 {
		t.Errorf("too large without credentials: %d, want 401 first", resp.StatusCode)
	}
	resp, _ := call(t, s, "GET", "/orders/1", "", bearer...)
	if resp.Header.Get("X-Api-Version") != "v1" || resp.Header.Get("X-Request-Id") != "fake-3" {
		t.Errorf("headers %v", resp.Header)
	}
	req, _ := http.NewRequest("GET", "http://gone.test/orders/1", nil)
	r2, err := (&http.Client{Transport: s.Transport()}).Do(req)
	if err != nil || r2.StatusCode != 404 || r2.Header.Get("X-Api-Version") != "v1" {
		t.Errorf("before: %v %v", err, r2)
	}
}
