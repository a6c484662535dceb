package shopify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/fakes/shopifyfake"
)

// With base_url pointing at a started fake, the connector talks to it over
// real HTTP with the default transport. The shop_domain need not be one
// the fake knows: base_url's host names the request.
func TestBaseURLOverHTTP(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, rigOptions{
		baseURL: func(_ *testing.T, f *shopifyfake.Fake) string { return f.Start() },
		cfg:     func(c *Config) { c.ShopDomain = "acme.myshopify.com" },
	})
	p := r.product("9.00", "A")
	o, order := r.order(shopifyfake.NewLineItem{VariantID: p.Variants[0].ID, Quantity: 1})
	id, err := r.c.PushFulfillment(ctx, order, shipment("s", "ups", pkg("1ZHTTP", shipped(o.Lines[0], 1))))
	if err != nil {
		t.Fatal(err)
	}
	fls := r.f.Fulfillments(o.ID)
	if len(fls) != 1 || formatID(fls[0].ID) != id {
		t.Fatalf("fulfillments = %+v", fls)
	}
	if n := r.f.Requests(""); n != 3 {
		t.Errorf("the fake saw %d requests, want 3 (list fulfillments, fulfillment orders, create)", n)
	}
}

// 503s injected by a handler in front of the fake, reached through
// base_url, are retryable; so is a proxy's HTML error page.
func TestBaseURLServerErrors(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	mode := ""
	setMode := func(m string) { mu.Lock(); mode = m; mu.Unlock() }
	r := newRig(t, rigOptions{baseURL: func(t *testing.T, f *shopifyfake.Fake) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			mu.Lock()
			m := mode
			mu.Unlock()
			switch m {
			case "503":
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusServiceUnavailable)
				w.Write([]byte(`{"errors":"Service Unavailable"}`))
			case "html":
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusBadGateway)
				w.Write([]byte(`<html><body>502 Bad Gateway</body></html>`))
			default:
				f.ServeHTTP(w, req)
			}
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/"
	}})
	p := r.product("9.00", "A")
	o, order := r.order(shopifyfake.NewLineItem{VariantID: p.Variants[0].ID, Quantity: 1})
	sh := shipment("s", "ups", pkg("1Z503", shipped(o.Lines[0], 1)))
	for _, m := range []string{"503", "html"} {
		setMode(m)
		if _, err := r.c.PushFulfillment(ctx, order, sh); class(err) != fault.ClassRetryable {
			t.Errorf("%s: %v, want retryable", m, err)
		}
	}
	setMode("")
	if _, err := r.c.PushFulfillment(ctx, order, sh); err != nil {
		t.Fatal(err)
	}
	if n := len(r.f.Fulfillments(o.ID)); n != 1 {
		t.Errorf("%d fulfillments", n)
	}
}

// base_url's scheme, host and path prefix replace https://{shop}; other
// hosts pass through.
func TestBaseURLTransportRewrite(t *testing.T) {
	var got []*http.Request
	next := rtFunc(func(req *http.Request) (*http.Response, error) {
		got = append(got, req)
		return jsonResponse(req, http.StatusOK, `{}`), nil
	})
	cfg := &Config{ShopDomain: "acme.myshopify.com", BaseURL: "http://proxy.internal:8080/shopify/"}
	hc, err := newHTTP(connector.Env{Name: "t"}, cfg, next)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"https://acme.myshopify.com/admin/api/2025-07/orders.json?limit=5", "https://elsewhere.example/x"} {
		resp, err := hc.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if len(got) != 2 {
		t.Fatalf("requests = %d", len(got))
	}
	if u := got[0].URL.String(); u != "http://proxy.internal:8080/shopify/admin/api/2025-07/orders.json?limit=5" || got[0].Host != "" {
		t.Errorf("rewritten to %s (Host %q)", u, got[0].Host)
	}
	if u := got[1].URL.String(); u != "https://elsewhere.example/x" {
		t.Errorf("other host rewritten to %s", u)
	}
}

func TestConfigCheckOutbound(t *testing.T) {
	c := &Config{ShopDomain: "acme.myshopify.com", APIVersion: "2025-07", LocationID: "gid://shopify/Location/1", Currency: "XXY", SKUCacheTTL: -1}
	ps := c.Check()
	var paths []string
	for _, p := range ps {
		paths = append(paths, p.Path)
	}
	if strings.Join(paths, ",") != "location_id,currency,sku_cache_ttl" {
		t.Errorf("problems = %+v", ps)
	}
}

func TestMissingTokenIsPermanent(t *testing.T) {
	r := newRig(t, rigOptions{cfg: func(c *Config) { c.AccessToken = "" }})
	err := r.c.PushPrices(context.Background(), []connector.PriceUpdate{{SKU: "A", Price: usd("1.00")}})
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "access_token") {
		t.Errorf("err = %v", err)
	}
	if r.f.Requests("") != 0 {
		t.Error("a request went out without a token")
	}
}
