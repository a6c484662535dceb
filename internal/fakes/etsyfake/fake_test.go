package etsyfake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
)

type client struct {
	t   *testing.T
	hc  *http.Client
	key string
}

func (c client) do(method, path, tok, ctype, body string) (int, map[string]any) {
	c.t.Helper()
	req, _ := http.NewRequest(method, "http://etsy.test"+path, strings.NewReader(body))
	if c.key != "" {
		req.Header.Set("x-api-key", c.key)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

func (c client) refresh(rt string) (int, map[string]any) {
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {Keystring}, "refresh_token": {rt}}
	return c.do("POST", "/v3/public/oauth/token", "", "application/x-www-form-urlencoded", form.Encode())
}

func TestRefreshTokensRotateAndAccessExpires(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 14, 15, 0, 0, 0, time.UTC))
	f := New(WithClock(clk))
	c := client{t: t, hc: &http.Client{Transport: f.Transport()}, key: Keystring + ":" + SharedSecret}
	st, m := c.refresh(RefreshToken)
	if st != 200 || m["refresh_token"] == RefreshToken || m["access_token"] == nil {
		t.Fatalf("refresh: %d %v", st, m)
	}
	if st, m := c.refresh(RefreshToken); st != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("the old refresh token again: %d %v; want 400 invalid_grant", st, m)
	}
	tok := m["access_token"].(string)
	if st, _ := c.do("GET", "/v3/application/shops/"+ShopID+"/receipts", tok, "", ""); st != 200 {
		t.Fatalf("list with a live token: %d", st)
	}
	clk.Advance(TokenTTL)
	if st, m := c.do("GET", "/v3/application/shops/"+ShopID+"/receipts", tok, "", ""); st != 401 || m["error"] == nil {
		t.Fatalf("expired token: %d %v; want 401 with Etsy's error body", st, m)
	}
	noSecret := client{t: t, hc: c.hc, key: Keystring}
	if st, m := noSecret.do("GET", "/v3/application/shops/"+ShopID+"/receipts", tok, "", ""); st != 403 || m["error"] != "Shared secret is required in x-api-key header." {
		t.Fatalf("keystring alone: %d %v; want 403", st, m)
	}
}

func TestReceiptsPageByOffset(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 14, 15, 0, 0, 0, time.UTC))
	f := New(WithClock(clk))
	for i := range 5 {
		f.PutReceipt(string(rune('a'+i)), clk.Now().Add(time.Duration(i)*time.Second))
	}
	c := client{t: t, hc: &http.Client{Transport: f.Transport()}, key: Keystring + ":" + SharedSecret}
	_, m := c.refresh(RefreshToken)
	tok := m["access_token"].(string)
	var names []string
	for off := 0; off < 5; off += 2 {
		st, m := c.do("GET", "/v3/application/shops/"+ShopID+"/receipts?sort_on=updated&sort_order=asc&limit=2&offset="+strconv.Itoa(off), tok, "", "")
		if st != 200 || m["count"] != float64(5) {
			t.Fatalf("page at %d: %d %v", off, st, m)
		}
		for _, r := range m["results"].([]any) {
			id := r.(map[string]any)["receipt_id"].(float64)
			names = append(names, f.Name(jsonNum(id)))
		}
	}
	if strings.Join(names, "") != "abcde" {
		t.Fatalf("paged %v; want a..e in update order", names)
	}
	if st, _ := c.do("GET", "/v3/application/shops/"+ShopID+"/receipts?limit=101", tok, "", ""); st != 400 {
		t.Fatalf("limit 101: %d; want 400", st)
	}
}

func jsonNum(f float64) string { b, _ := json.Marshal(int64(f)); return string(b) }

func TestInventoryPutThatDropsAProductIsRefused(t *testing.T) {
	f := New()
	c := client{t: t, hc: &http.Client{Transport: f.Transport()}, key: Keystring + ":" + SharedSecret}
	_, m := c.refresh(RefreshToken)
	tok := m["access_token"].(string)
	lid := f.AddListing(5, 1000, "RED", "BLUE")
	path := "/v3/application/listings/" + jsonNum(float64(lid)) + "/inventory"
	one := `{"products": [{"sku": "RED", "property_values": [{"property_id": 200, "value_ids": [1213]}], "offerings": [{"price": 10.00, "quantity": 3, "is_enabled": true}]}]}`
	if st, m := c.do("PUT", path, tok, "application/json", one); st != 400 {
		t.Fatalf("a PUT without BLUE: %d %v; want 400", st, m)
	}
	both := `{"products": [{"sku": "RED", "property_values": [{"property_id": 200, "value_ids": [1213]}], "offerings": [{"price": 10.00, "quantity": 3, "is_enabled": true}]},
 {"sku": "BLUE", "property_values": [{"property_id": 200, "value_ids": [1214]}], "offerings": [{"price": 12.5, "quantity": 5, "is_enabled": true}]}]}`
	if st, m := c.do("PUT", path, tok, "application/json", both); st != 200 {
		t.Fatalf("a whole PUT: %d %v", st, m)
	}
	if f.Quantity("RED") != 3 || f.Cents("BLUE") != 1250 || len(f.Products(lid)) != 2 {
		t.Fatalf("after PUT: RED %d, BLUE %d cents, %d products", f.Quantity("RED"), f.Cents("BLUE"), len(f.Products(lid)))
	}
}
