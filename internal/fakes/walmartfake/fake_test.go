package walmartfake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
)

type client struct {
	t   *testing.T
	f   *Fake
	clk *clock.Fake
}

func (c client) do(method, path, tok string, body string, hdr bool) (int, map[string]any) {
	c.t.Helper()
	req, _ := http.NewRequest(method, "http://walmart.test"+path, strings.NewReader(body))
	if hdr {
		req.Header.Set("WM_SVC.NAME", "Walmart Marketplace")
		req.Header.Set("WM_QOS.CORRELATION_ID", time.Now().String()+path)
	}
	if tok == "basic" {
		req.SetBasicAuth(ClientID, ClientSecret)
	} else if tok != "" {
		req.Header.Set("WM_SEC.ACCESS_TOKEN", tok)
	}
	resp, err := c.f.Transport().RoundTrip(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

func (c client) token() string {
	st, out := c.do("POST", "/v3/token", "basic", "grant_type=client_credentials", true)
	if st != 200 {
		c.t.Fatalf("token: %d %v", st, out)
	}
	return out["access_token"].(string)
}

func newClient(t *testing.T) client {
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	return client{t: t, f: New(WithClock(clk)), clk: clk}
}

func TestTokenExpiresAndHeadersAreRequired(t *testing.T) {
	c := newClient(t)
	tok := c.token()
	if st, _ := c.do("GET", "/v3/orders/1", tok, "", false); st != 400 {
		t.Errorf("no WM_SVC.NAME/CORRELATION_ID: %d; want 400", st)
	}
	if st, _ := c.do("GET", "/v3/orders/1", tok, "", true); st != 404 {
		t.Errorf("a live token on an unknown order: %d; want 404", st)
	}
	c.clk.Advance(TokenTTL)
	st, out := c.do("GET", "/v3/orders/1", tok, "", true)
	if st != 401 {
		t.Fatalf("an expired token: %d; want 401", st)
	}
	if errs, _ := out["errors"].([]any); len(errs) != 1 {
		t.Errorf("error body %v; want Walmart's errors list", out)
	}
	if st, _ := c.do("POST", "/v3/token", "", "grant_type=client_credentials", true); st != 401 {
		t.Errorf("token without Basic: %d; want 401", st)
	}
}

func TestListPagesByNextCursor(t *testing.T) {
	c := newClient(t)
	tok := c.token()
	if st, out := c.do("GET", "/v3/orders?limit=2", tok, "", true); st != 404 || !strings.Contains(strings.ToLower(toJSON(out)), "no orders found") {
		t.Errorf("empty list: %d %v; want 404 no orders found", st, out)
	}
	for range 5 {
		c.f.AddOrder(NewLine{SKU: "A", Name: "A", Qty: 1, Price: "1.00"})
	}
	seen := map[string]bool{}
	path := "/v3/orders?limit=2&lastModifiedStartDate=" + url.QueryEscape("2025-12-31T00:00:00.000Z")
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("nextCursor never ends")
		}
		st, out := c.do("GET", path, tok, "", true)
		if st != 200 {
			t.Fatalf("page: %d %v", st, out)
		}
		list := out["list"].(map[string]any)
		for _, o := range list["elements"].(map[string]any)["order"].([]any) {
			seen[o.(map[string]any)["purchaseOrderId"].(string)] = true
		}
		path = ""
		if nc, _ := list["meta"].(map[string]any)["nextCursor"].(string); nc != "" {
			path = "/v3/orders" + nc
		}
	}
	if len(seen) != 5 {
		t.Errorf("%d orders over the pages; want 5", len(seen))
	}
}

func toJSON(v any) string { b, _ := json.Marshal(v); return string(b) }
