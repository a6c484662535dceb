package supplierapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
)

var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

const goodOrder = `{"external_ref":"PO1","currency":"USD","ship_to":{"name":"Ada","address1":"1 Loop","city":"Austin","country":"US"},
 "lines":[{"line":1,"sku":"A","quantity":2,"unit_price":"4.50"},{"line":2,"sku":"Z","quantity":1,"unit_price":"1"}]}`

// call sends one request in process and returns status, headers and body.
func call(t *testing.T, f *Fake, method, path, body string, hdr ...string) (int, http.Header, string) {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+DefaultToken)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	f.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, w.Result().Header, string(b)
}

func orderOf(t *testing.T, body string) Order {
	t.Helper()
	var v struct{ Order Order }
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return v.Order
}

func TestAuth(t *testing.T) {
	f := New()
	r := httptest.NewRequest("GET", "/v2/orders/1", nil)
	r.Header.Set("Authorization", "Bearer nope")
	w := httptest.NewRecorder()
	f.ServeHTTP(w, r)
	if w.Code != 401 || !strings.Contains(w.Body.String(), `"unauthorized"`) || f.Stats().Unauthorized != 1 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestCreateValidation(t *testing.T) {
	for _, tt := range []struct{ name, body, field string }{
		{"unknown field", strings.Replace(goodOrder, `"currency"`, `"colour":1,"currency"`, 1), ""},
		{"no ref", strings.Replace(goodOrder, `"PO1"`, `""`, 1), "external_ref"},
		{"currency", strings.Replace(goodOrder, `"USD"`, `"XXX"`, 1), "currency"},
		{"country", strings.Replace(goodOrder, `"US"`, `"USA"`, 1), "ship_to.country"},
		{"no city", strings.Replace(goodOrder, `"city":"Austin",`, ``, 1), "ship_to.city"},
		{"zero quantity", strings.Replace(goodOrder, `"quantity":2`, `"quantity":0`, 1), "lines[0].quantity"},
		{"fractional quantity", strings.Replace(goodOrder, `"quantity":2`, `"quantity":2.5`, 1), "lines[0].quantity"},
		{"quantity as text", strings.Replace(goodOrder, `"quantity":2`, `"quantity":"2"`, 1), "lines[0].quantity"},
		{"price as a number", strings.Replace(goodOrder, `"4.50"`, `4.5`, 1), "lines[0].unit_price"},
		{"price too precise", strings.Replace(goodOrder, `"4.50"`, `"4.505"`, 1), "lines[0].unit_price"},
		{"line twice", strings.Replace(goodOrder, `"line":2`, `"line":1`, 1), "lines[1].line"},
		{"trailing data", goodOrder + "{}", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := New()
			code, _, body := call(t, f, "POST", "/v2/orders", tt.body)
			var e struct{ Error apiError }
			json.Unmarshal([]byte(body), &e)
			if code != 400 || e.Error.Field != tt.field || e.Error.Message == "" {
				t.Fatalf("%d %s", code, body)
			}
			if f.Stats().Created != 0 {
				t.Fatal("an invalid order was created")
			}
		})
	}
}

func TestCreateVerdicts(t *testing.T) {
	f := New(WithCatalog("A"), WithClock(clock.NewFake(t0)))
	code, _, body := call(t, f, "POST", "/v2/orders", goodOrder)
	o := orderOf(t, body)
	if code != 201 || o.ID != FirstID || o.Status != "partially_accepted" || o.Lines[0].Status != "accepted" ||
		o.Lines[1].Status != "rejected" || o.Lines[1].Reason != "unknown sku Z" || o.Lines[0].UnitPrice != "4.50" || !o.CreatedAt.Equal(t0) {
		t.Fatalf("%d %s", code, body)
	}
	if !strings.Contains(body, `"id":9007199254740993`) {
		t.Errorf("id not written as an exact JSON number: %s", body)
	}
}

func TestIdempotencyAndConflicts(t *testing.T) {
	f := New()
	code, _, first := call(t, f, "POST", "/v2/orders", goodOrder, "Idempotency-Key", "k1")
	if code != 201 {
		t.Fatal(code, first)
	}
	code, hdr, again := call(t, f, "POST", "/v2/orders", goodOrder, "Idempotency-Key", "k1")
	if code != 201 || again != first || hdr.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s", code, again)
	}
	other := strings.Replace(goodOrder, `"quantity":2`, `"quantity":3`, 1)
	if code, _, body := call(t, f, "POST", "/v2/orders", other, "Idempotency-Key", "k1"); code != 422 {
		t.Fatalf("same key, other body: %d %s", code, body)
	}
	code, _, body := call(t, f, "POST", "/v2/orders", goodOrder)
	if code != 409 || !strings.Contains(body, fmt.Sprintf(`"order_id":%d`, FirstID)) {
		t.Fatalf("duplicate ref: %d %s", code, body)
	}
	if f.Created("PO1") != 1 || f.Stats().Replayed != 1 || f.Stats().Conflicts != 1 {
		t.Fatalf("%+v", f.Stats())
	}
	// A 400 is not remembered: the fixed request goes through.
	bad := strings.Replace(strings.Replace(goodOrder, `"PO1"`, `"PO2"`, 1), `"quantity":2`, `"quantity":0`, 1)
	if code, _, _ := call(t, f, "POST", "/v2/orders", bad, "Idempotency-Key", "k2"); code != 400 {
		t.Fatal(code)
	}
	if code, _, _ := call(t, f, "POST", "/v2/orders", strings.Replace(goodOrder, `"PO1"`, `"PO2"`, 1), "Idempotency-Key", "k2"); code != 201 {
		t.Fatal(code)
	}

	dup := New(WithDuplicateRefs())
	call(t, dup, "POST", "/v2/orders", goodOrder)
	call(t, dup, "POST", "/v2/orders", goodOrder)
	if dup.Created("PO1") != 2 {
		t.Fatalf("WithDuplicateRefs created %d", dup.Created("PO1"))
	}
	_, _, list := call(t, dup, "GET", "/v2/orders?external_ref=PO1", "")
	if !strings.Contains(list, `"orders":[{`) || strings.Count(list, `"external_ref":"PO1"`) != 2 {
		t.Fatalf("lookup: %s", list)
	}
}

func TestShipAndCancel(t *testing.T) {
	clk := clock.NewFake(t0)
	f := New(WithClock(clk), WithShipAfter(time.Hour))
	_, _, body := call(t, f, "POST", "/v2/orders", goodOrder)
	id := orderOf(t, body).ID
	path := fmt.Sprintf("/v2/orders/%d", id)
	if _, _, b := call(t, f, "GET", path, ""); orderOf(t, b).Status != "accepted" {
		t.Fatal(b)
	}
	clk.Advance(time.Hour)
	_, _, b := call(t, f, "GET", path, "")
	o := orderOf(t, b)
	if o.Status != "shipped" || len(o.Shipments) != 1 || len(o.Shipments[0].Packages) != 2 || o.Shipments[0].Carrier != "UPS" ||
		o.Shipments[0].Packages[0].TrackingNumber == o.Shipments[0].Packages[1].TrackingNumber {
		t.Fatalf("%s", b)
	}
	if code, _, b := call(t, f, "POST", path+"/cancel", ""); code != 409 || !strings.Contains(b, "already_shipped") {
		t.Fatalf("cancel shipped: %d %s", code, b)
	}

	_, _, body = call(t, f, "POST", "/v2/orders", strings.Replace(goodOrder, `"PO1"`, `"PO2"`, 1))
	id2 := orderOf(t, body).ID
	if code, _, b := call(t, f, "POST", fmt.Sprintf("/v2/orders/%d/cancel", id2), ""); code != 200 || orderOf(t, b).Status != "cancelled" {
		t.Fatalf("cancel: %d %s", code, b)
	}
	if f.Ship(id2) {
		t.Fatal("a cancelled order shipped")
	}
	if code, _, _ := call(t, f, "GET", "/v2/orders/12", ""); code != 404 {
		t.Fatal(code)
	}
}

// TestFaults: the injected failures are repeatable for a seed, happen at
// about the configured share, and a lost answer still creates the order.
func TestFaults(t *testing.T) {
	run := func() (Stats, []int) {
		f := New(WithFaults(Faults{Seed: 3, TooManyRequests: 0.2, Unavailable: 0.1, LostResponse: 0.5}))
		var codes []int
		for i := range 200 {
			code, hdr, _ := call(t, f, "POST", "/v2/orders", strings.Replace(goodOrder, `"PO1"`, fmt.Sprintf(`"PO%d"`, i), 1))
			if code == 429 && hdr.Get("Retry-After") != "1" {
				t.Fatalf("429 without Retry-After: %v", hdr)
			}
			codes = append(codes, code)
		}
		return f.Stats(), codes
	}
	s1, c1 := run()
	s2, c2 := run()
	if fmt.Sprint(c1) != fmt.Sprint(c2) {
		t.Fatal("the same seed gave different failures")
	}
	if s1 != s2 || s1.TooMany < 20 || s1.TooMany > 60 || s1.Unavailable < 5 || s1.Unavailable > 40 {
		t.Fatalf("%+v", s1)
	}
	if s1.Created != 200-s1.TooMany-s1.Unavailable || s1.LostResponses < 30 {
		t.Fatalf("lost answers must still create: %+v", s1)
	}
}

// TestResetClosesTheConnection: over a started server, a lost answer can
// be a connection closed without a word.
func TestResetClosesTheConnection(t *testing.T) {
	f := New(WithFaults(Faults{Seed: 1, LostResponse: 1, Reset: 1}))
	url := f.Start()
	defer f.Close()
	req, _ := http.NewRequest("POST", url+"/v2/orders", strings.NewReader(goodOrder))
	req.Header.Set("Authorization", "Bearer "+DefaultToken)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got HTTP %d, want a closed connection", resp.StatusCode)
	}
	if f.Created("PO1") != 1 || f.Stats().Resets != 1 {
		t.Fatalf("%+v", f.Stats())
	}
}

// TestSeedAndRateLimit: a seeded order costs no request; over the quota
// the fake answers 429 with Retry-After and counts a quota violation,
// and the bucket refills on the fake clock.
func TestSeedAndRateLimit(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	f := New(WithClock(clk), WithRateLimit(1, 2))
	o := f.Seed("PO9", "USD", Address{Name: "Ada", Address1: "1 Loop", City: "Austin", Country: "US"},
		Line{Line: 1, SKU: "A", Quantity: 1, UnitPrice: "1.00"})
	if o.Status != "accepted" || o.Lines[0].Status != "accepted" || f.Created("PO9") != 1 || f.Stats().Requests != 0 {
		t.Fatalf("seeded %+v, stats %+v", o, f.Stats())
	}
	path := fmt.Sprintf("/v2/orders/%d", o.ID)
	for i := range 2 {
		if code, _, _ := call(t, f, "GET", path, ""); code != 200 {
			t.Fatalf("call %d: %d", i+1, code)
		}
	}
	code, hdr, body := call(t, f, "GET", path, "")
	if code != 429 || hdr.Get("Retry-After") != "1" || !strings.Contains(body, `"code":"rate_limited"`) || f.Stats().Throttled != 1 {
		t.Fatalf("over the quota: %d %v %s %+v", code, hdr, body, f.Stats())
	}
	clk.Advance(time.Second)
	if code, _, _ := call(t, f, "GET", path, ""); code != 200 {
		t.Errorf("after a second: %d", code)
	}
}
