package woocommercefake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func do(t *testing.T, f *Fake, method, url, body string, auth bool) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, "http://woo.test"+url, strings.NewReader(body))
	if auth {
		req.SetBasicAuth(ConsumerKey, ConsumerSecret)
	}
	resp, err := (&http.Client{Transport: f.Transport()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestAuthAndErrorBody(t *testing.T) {
	f := New()
	resp, b := do(t, f, "GET", "/wp-json/wc/v3/products", "", false)
	var e struct {
		Code string `json:"code"`
		Data struct {
			Status int `json:"status"`
		} `json:"data"`
	}
	if resp.StatusCode != 401 || json.Unmarshal(b, &e) != nil || !strings.HasPrefix(e.Code, "woocommerce_rest_") || e.Data.Status != 401 {
		t.Fatalf("unauthenticated: %d %s", resp.StatusCode, b)
	}
	resp, _ = do(t, f, "GET", "/wp-json/wc/v3/products?consumer_key="+ConsumerKey+"&consumer_secret="+ConsumerSecret, "", false)
	if resp.StatusCode != 200 {
		t.Fatalf("query-string auth: %d", resp.StatusCode)
	}
}

func TestPaginationHeaders(t *testing.T) {
	f := New()
	for i := range 25 {
		f.AddProduct(fmt.Sprintf("S%d", i), "1.00")
	}
	resp, b := do(t, f, "GET", "/wp-json/wc/v3/products?per_page=10&page=3", "", true)
	var ps []Product
	_ = json.Unmarshal(b, &ps)
	if resp.Header.Get("X-WP-Total") != "25" || resp.Header.Get("X-WP-TotalPages") != "3" || len(ps) != 5 {
		t.Fatalf("headers %v, %d products", resp.Header, len(ps))
	}
}

func TestBatchLimit(t *testing.T) {
	f := New()
	id := f.AddProduct("A", "1.00")
	items := make([]string, 101)
	for i := range items {
		items[i] = fmt.Sprintf(`{"id":%d,"stock_quantity":%d}`, id, i)
	}
	resp, _ := do(t, f, "POST", "/wp-json/wc/v3/products/batch", `{"update":[`+strings.Join(items, ",")+`]}`, true)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("101 objects: %d, want 413", resp.StatusCode)
	}
	resp, b := do(t, f, "POST", "/wp-json/wc/v3/products/batch", `{"update":[`+strings.Join(items[:100], ",")+`,{"id":999999,"stock_quantity":1}]}`, true)
	if resp.StatusCode != 413 {
		t.Fatalf("101 with an unknown: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, f, "POST", "/wp-json/wc/v3/products/batch", fmt.Sprintf(`{"update":[{"id":%d,"stock_quantity":7},{"id":999999,"stock_quantity":1}]}`, id), true)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "woocommerce_rest_product_invalid_id") || f.Stock("A") != 7 || f.StockWrites("A") != 1 {
		t.Fatalf("batch: %d %s stock %d", resp.StatusCode, b, f.Stock("A"))
	}
}
