package shopifyfake

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	goshopify "github.com/bold-commerce/go-shopify/v4"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/money"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func newTestFake(t *testing.T, opts ...Option) (*Fake, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(t0)
	f := New(append([]Option{WithClock(clk)}, opts...)...)
	t.Cleanup(f.Close)
	return f, clk
}

func client(t *testing.T, f *Fake, opts ...goshopify.Option) *goshopify.Client {
	t.Helper()
	c, err := f.Client("", "2025-01", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// seed adds a product with two variants and an order for 3 of the first
// and 1 of the second.
func seed(t *testing.T, f *Fake) (Product, Order) {
	t.Helper()
	p, err := f.AddProduct(NewProduct{Title: "Blue Mug", Vendor: "Acme", Variants: []NewVariant{
		{Title: "Small", SKU: "MUG-S", Price: money.MustParse("19.99", "USD")},
		{Title: "Large", SKU: "MUG-L", Price: money.MustParse("24.50", "USD")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	o, err := f.AddOrder(NewOrder{
		Email:           "ada@example.com",
		ShippingAddress: Address{FirstName: "Ada", LastName: "Lovelace", Address1: "1 Analytical Way", City: "London", CountryCode: "GB", Zip: "N1 1AA"},
		Lines: []NewLineItem{
			{VariantID: p.Variants[0].ID, Quantity: 3, Price: money.MustParse("19.99", "USD")},
			{VariantID: p.Variants[1].ID, Quantity: 1, Price: money.MustParse("24.50", "USD")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, o
}

// raw sends one request through the fake's transport and returns the
// response with its body read.
func raw(t *testing.T, f *Fake, method, url, token, body string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("X-Shopify-Access-Token", token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Transport: f.Transport()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

const shopURL = "https://" + DefaultShop + "/admin/api/2025-01/"

func TestAuthFailureIsSDKResponseError(t *testing.T) {
	f, _ := newTestFake(t)
	c, err := goshopify.NewClient(goshopify.App{}, DefaultShop, "wrong-token",
		goshopify.WithVersion("2025-01"),
		goshopify.WithHTTPClient(&http.Client{Transport: f.Transport()}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Location.List(context.Background(), nil)
	var re goshopify.ResponseError
	if !errors.As(err, &re) || re.Status != http.StatusUnauthorized {
		t.Fatalf("err = %#v, want ResponseError 401", err)
	}
	if want := "[API] Invalid API key or access token (unrecognized login or wrong password)"; re.Message != want {
		t.Errorf("message = %q, want %q", re.Message, want)
	}
}

func TestBucketThrottlesThe41stCall(t *testing.T) {
	f, _ := newTestFake(t)
	c := client(t, f)
	ctx := context.Background()
	for i := 1; i <= DefaultBucketSize; i++ {
		if _, err := c.Location.List(ctx, nil); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if c.RateLimits.RequestCount != i || c.RateLimits.BucketSize != DefaultBucketSize {
			t.Fatalf("call %d: RateLimits = %+v", i, c.RateLimits)
		}
	}
	_, err := c.Location.List(ctx, nil)
	var rl goshopify.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("41st call: err = %#v, want RateLimitError", err)
	}
	if rl.RetryAfter != 2 || rl.Status != http.StatusTooManyRequests {
		t.Errorf("RateLimitError = %+v", rl)
	}
	// go-shopify without WithRetry does not retry: one request, one 429.
	if f.Requests("") != 41 || f.Throttled("") != 1 {
		t.Errorf("requests=%d throttled=%d, want 41 and 1", f.Requests(""), f.Throttled(""))
	}

	resp, body := raw(t, f, "GET", shopURL+"locations.json", DefaultToken, "")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2.0" ||
		resp.Header.Get("X-Shopify-Shop-Api-Call-Limit") != "40/40" {
		t.Errorf("status %d headers %v", resp.StatusCode, resp.Header)
	}
	if want := `{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`; body != want {
		t.Errorf("body = %s", body)
	}
}

func TestBucketLeaksOnTheInjectedClock(t *testing.T) {
	f, clk := newTestFake(t)
	limit := func() (int, string) {
		resp, _ := raw(t, f, "GET", shopURL+"locations.json", DefaultToken, "")
		return resp.StatusCode, resp.Header.Get("X-Shopify-Shop-Api-Call-Limit")
	}
	for range DefaultBucketSize {
		limit()
	}
	if code, _ := limit(); code != 429 {
		t.Fatalf("full bucket: %d", code)
	}
	clk.Advance(500 * time.Millisecond) // 2/s: one marble leaks
	if code, used := limit(); code != 200 || used != "40/40" {
		t.Errorf("after 0.5s: %d %s", code, used)
	}
	if code, _ := limit(); code != 429 {
		t.Errorf("after refilling: %d, want 429", code)
	}
	clk.Advance(10 * time.Second) // 20 leak
	if code, used := limit(); code != 200 || used != "21/40" {
		t.Errorf("after 10s: %d %s, want 200 21/40", code, used)
	}
	clk.Advance(time.Hour)
	if _, used := limit(); used != "1/40" {
		t.Errorf("after an hour: %s, want 1/40", used)
	}
}

func TestPlusBucket(t *testing.T) {
	f, _ := newTestFake(t, WithBucket(80, 4))
	var resp *http.Response
	for range 80 {
		resp, _ = raw(t, f, "GET", shopURL+"locations.json", DefaultToken, "")
	}
	if resp.StatusCode != 200 || resp.Header.Get("X-Shopify-Shop-Api-Call-Limit") != "80/80" {
		t.Fatalf("80th: %d %v", resp.StatusCode, resp.Header)
	}
	resp, body := raw(t, f, "GET", shopURL+"locations.json", DefaultToken, "")
	if resp.StatusCode != 429 || !strings.Contains(body, "Exceeded 4 calls per second") {
		t.Errorf("81st: %d %s", resp.StatusCode, body)
	}
}

// TestGoShopifyRetrySleepsInsideTheCall documents why the connector must
// not use goshopify.WithRetry: the SDK sleeps Retry-After seconds with
// time.Sleep inside the call (our fake clock does not move, so the retry
// is throttled again).
func TestGoShopifyRetrySleepsInsideTheCall(t *testing.T) {
	if testing.Short() {
		t.Skip("sleeps 2s inside go-shopify")
	}
	f, _ := newTestFake(t, WithBucket(1, 0.001))
	c := client(t, f, goshopify.WithRetry(2))
	ctx := context.Background()
	if _, err := c.Location.List(ctx, nil); err != nil {
		t.Fatal(err)
	}
	_, err := c.Location.List(ctx, nil)
	var rl goshopify.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("err = %v", err)
	}
	// WithRetry(2) is two attempts in all: 1 + 2 requests, 2 throttled.
	if f.Requests("") != 3 || f.Throttled("") != 2 {
		t.Errorf("requests=%d throttled=%d", f.Requests(""), f.Throttled(""))
	}
}

func TestIDsAbove2To53SurviveOnlyAsIntegers(t *testing.T) {
	f, _ := newTestFake(t)
	_, o := seed(t, f)
	ids := []uint64{o.ID, o.Lines[0].ID}
	for _, fo := range f.FulfillmentOrders(o.ID) {
		ids = append(ids, fo.ID, fo.Lines[0].ID)
	}
	for _, id := range ids {
		if id <= 1<<53 || uint64(float64(id)) == id {
			t.Errorf("id %d survives float64", id)
		}
	}
	got, err := client(t, f).Order.Get(context.Background(), o.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Id != o.ID || got.LineItems[0].Id != o.Lines[0].ID {
		t.Errorf("round trip: %d/%d, want %d/%d", got.Id, got.LineItems[0].Id, o.ID, o.Lines[0].ID)
	}
	// A client decoding into float64 (interface{} without UseNumber) loses it.
	_, body := raw(t, f, "GET", shopURL+"orders/"+u64(o.ID)+".json", DefaultToken, "")
	var loose map[string]map[string]any
	if err := json.Unmarshal([]byte(body), &loose); err != nil {
		t.Fatal(err)
	}
	if uint64(loose["order"]["id"].(float64)) == o.ID {
		t.Error("float64 decoding kept the id; the fake no longer catches it")
	}
}

func TestOrderDecodesWithSDK(t *testing.T) {
	f, _ := newTestFake(t)
	p, o := seed(t, f)
	got, err := client(t, f).Order.Get(context.Background(), o.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "#1001" || got.Currency != "USD" || got.Email != "ada@example.com" || got.Customer == nil || got.Customer.Id != o.CustomerID {
		t.Errorf("order = %+v", got)
	}
	if got.TotalPrice.String() != "84.47" || got.SubtotalPrice.String() != "84.47" {
		t.Errorf("totals %s %s, want 84.47", got.TotalPrice, got.SubtotalPrice)
	}
	if got.ShippingAddress == nil || got.ShippingAddress.City != "London" || got.ShippingAddress.CountryCode != "GB" {
		t.Errorf("shipping address = %+v", got.ShippingAddress)
	}
	l := got.LineItems[0]
	if l.VariantId != p.Variants[0].ID || l.ProductId != p.ID || l.SKU != "MUG-S" || l.Quantity != 3 ||
		l.Price.String() != "19.99" || l.FulfillableQuantity != 3 || l.Name != "Blue Mug - Small" || l.VariantTitle != "Small" {
		t.Errorf("line = %+v", l)
	}
	// Money is a JSON string, as Shopify sends it.
	_, body := raw(t, f, "GET", shopURL+"orders/"+u64(o.ID)+".json", DefaultToken, "")
	if !strings.Contains(body, `"total_price":"84.47"`) || !strings.Contains(body, `"price":"19.99"`) {
		t.Errorf("money not as decimal strings: %s", body)
	}
}

func TestVersionsAndPaths(t *testing.T) {
	f, _ := newTestFake(t)
	for _, tc := range []struct {
		path        string
		status      int
		servedAs    string
		errorsField string
	}{
		{"/admin/api/2025-01/locations.json", 200, "2025-01", ""},
		{"/admin/api/2021-07/locations.json", 200, "2024-01", ""}, // retired: falls forward
		{"/admin/locations.json", 200, "2024-01", ""},             // unversioned: oldest
		{"/admin/api/2099-01/locations.json", 404, "", "Not Found"},
		{"/admin/api/2025-01/locations", 404, "2025-01", "Not Found"},
		{"/admin/api/2025-01/widgets.json", 404, "2025-01", "Not Found"},
		{"/admin/api/2025-01/orders/12x.json", 404, "2025-01", "Not Found"},
		{"/elsewhere", 404, "", "Not Found"},
	} {
		resp, body := raw(t, f, "GET", "https://"+DefaultShop+tc.path, DefaultToken, "")
		if resp.StatusCode != tc.status || resp.Header.Get("X-Shopify-API-Version") != tc.servedAs {
			t.Errorf("%s: %d %q", tc.path, resp.StatusCode, resp.Header.Get("X-Shopify-API-Version"))
		}
		if tc.errorsField != "" && body != `{"errors":"`+tc.errorsField+`"}` {
			t.Errorf("%s: body %s", tc.path, body)
		}
	}
	// go-shopify without WithVersion uses the unversioned path.
	c, err := f.Client("", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Location.List(context.Background(), nil); err != nil {
		t.Errorf("unversioned client: %v", err)
	}
}

func TestMalformedJSONIs400(t *testing.T) {
	f, _ := newTestFake(t)
	resp, body := raw(t, f, "POST", shopURL+"fulfillments.json", DefaultToken, `{"fulfillment": {`)
	if resp.StatusCode != 400 || !strings.Contains(body, "malformed JSON") {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
	resp, body = raw(t, f, "POST", shopURL+"fulfillments.json", DefaultToken, `{"line_items_by_fulfillment_order": []}`)
	if resp.StatusCode != 400 || body != `{"errors":{"fulfillment":"Required parameter missing or invalid"}}` {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
}

func TestMultipleShopsAndApps(t *testing.T) {
	f, _ := newTestFake(t, WithShop("alpha", "tok-a"), WithShop("beta.myshopify.com", "tok-b"),
		WithShop("alpha", "tok-a2"), WithBucket(2, 1))
	get := func(host, token string) int {
		resp, _ := raw(t, f, "GET", "https://"+host+"/admin/api/2025-01/locations.json", token, "")
		return resp.StatusCode
	}
	if get("alpha.myshopify.com", "tok-b") != 401 {
		t.Error("beta's token opened alpha")
	}
	for range 2 {
		get("alpha.myshopify.com", "tok-a")
	}
	if get("alpha.myshopify.com", "tok-a") != 429 {
		t.Error("alpha/tok-a not throttled")
	}
	if get("alpha.myshopify.com", "tok-a2") != 200 || get("beta.myshopify.com", "tok-b") != 200 {
		t.Error("buckets are not per shop and app")
	}
	if get("gamma.myshopify.com", "tok-a") != 404 {
		t.Error("unknown shop served")
	}
	if f.Throttled("alpha") != 1 || f.Throttled("beta") != 0 || f.Requests("alpha") != 5 {
		t.Errorf("alpha %d/%d beta %d", f.Requests("alpha"), f.Throttled("alpha"), f.Throttled("beta"))
	}
	if _, err := f.Shop("beta").AddOrder(NewOrder{Lines: []NewLineItem{{Quantity: 1, Price: money.MustParse("1", "EUR")}}}); err != nil {
		t.Fatal(err)
	}
	if len(f.Shop("alpha").Orders()) != 0 || len(f.Shop("beta").Orders()) != 1 {
		t.Error("shops share data")
	}
}

func TestStartedServerAndListenAndServe(t *testing.T) {
	f, _ := newTestFake(t)
	_, o := seed(t, f)
	base := f.Start()
	if f.URL() != base || !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("URL %q", base)
	}
	got, err := client(t, f).Order.Get(context.Background(), o.ID, nil)
	if err != nil || got.Id != o.ID {
		t.Fatalf("over loopback: %v", err)
	}
	// A plain base URL (the demo) is the default shop.
	req, _ := http.NewRequest("GET", base+"/admin/api/2025-01/orders/"+u64(o.ID)+".json", nil)
	req.Header.Set("X-Shopify-Access-Token", DefaultToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("plain host: %d", resp.StatusCode)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- New().ListenAndServe(ctx, "127.0.0.1:0") }()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("ListenAndServe: %v", err)
	}
}

func u64(id uint64) string { return strconv.FormatUint(id, 10) }

func TestMoneyFollowsTheCurrencyAndShippingIsTotalled(t *testing.T) {
	f, _ := newTestFake(t)
	o, err := f.AddOrder(NewOrder{
		ShippingPrice: money.MustParse("500", "JPY"),
		Lines:         []NewLineItem{{SKU: "TEA", Title: "Tea", Quantity: 2, Price: money.MustParse("1999", "JPY")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := client(t, f).Order.Get(context.Background(), o.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.TotalPrice.String() != "4498" || got.SubtotalPrice.String() != "3998" || len(got.ShippingLines) != 1 ||
		got.ShippingLines[0].Price.String() != "500" || got.LineItems[0].VariantId != 0 {
		t.Errorf("order = total %s subtotal %s shipping %+v", got.TotalPrice, got.SubtotalPrice, got.ShippingLines)
	}
	_, body := raw(t, f, "GET", shopURL+"orders/"+u64(o.ID)+".json", DefaultToken, "")
	if !strings.Contains(body, `"total_price":"4498"`) || !strings.Contains(body, `"variant_id":null`) {
		t.Errorf("body: %s", body)
	}
	if _, err := f.AddOrder(NewOrder{Lines: []NewLineItem{{Quantity: 0, Price: money.MustParse("1", "USD")}}}); err == nil {
		t.Error("quantity 0 accepted")
	}
	if _, err := f.AddOrder(NewOrder{Currency: "EUR", Lines: []NewLineItem{{Quantity: 1, Price: money.MustParse("1", "USD")}}}); err == nil {
		t.Error("mixed currencies accepted")
	}
}
