package metafake

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
)

func call(t *testing.T, f *Fake, method, path, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, "https://graph.example"+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+AccessToken)
	resp, err := f.Transport().RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, resp.Header, out
}

// TestPagingAndFields: pages follow paging.cursors.after and end without
// paging.next; items come only when expanded.
func TestPagingAndFields(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC))
	f := New(WithClock(clk))
	for i := 0; i < 5; i++ {
		f.AddOrder(NewLine{SKU: "A", Name: "A", Qty: 1, Price: "1.00"})
		clk.Advance(time.Second)
	}
	seen, after := 0, ""
	for page := 0; page < 10; page++ {
		path := "/v21.0/" + CommerceAccountID + "/commerce_orders?state=CREATED&limit=2&fields=id,items{id}"
		if after != "" {
			path += "&after=" + after
		}
		status, _, out := call(t, f, "GET", path, "")
		if status != 200 {
			t.Fatalf("page %d: %d %v", page, status, out)
		}
		data := out["data"].([]any)
		seen += len(data)
		if _, ok := data[0].(map[string]any)["items"]; !ok {
			t.Fatalf("items not expanded: %v", data[0])
		}
		paging := out["paging"].(map[string]any)
		if _, more := paging["next"]; !more {
			break
		}
		after = paging["cursors"].(map[string]any)["after"].(string)
	}
	if seen != 5 {
		t.Errorf("%d orders over the pages, want 5", seen)
	}
}

// TestQuotaAndErrors: the usage header on every answer, a Graph error body
// (code 80014) once the bucket is empty, code 190 for a bad token.
func TestQuotaAndErrors(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC))
	f := New(WithClock(clk), WithLimit(Limit(1, 2)))
	path := "/v21.0/" + CommerceAccountID + "/commerce_orders"
	_, h, _ := call(t, f, "GET", path, "")
	if !strings.Contains(h.Get("X-Business-Use-Case-Usage"), `"call_count":50`) {
		t.Errorf("usage after 1 of 2: %s", h.Get("X-Business-Use-Case-Usage"))
	}
	call(t, f, "GET", path, "")
	status, h, out := call(t, f, "GET", path, "")
	e, _ := out["error"].(map[string]any)
	if status != 429 || e == nil || e["code"] != float64(80014) || h.Get("Retry-After") != "" ||
		!strings.Contains(h.Get("X-Business-Use-Case-Usage"), `"estimated_time_to_regain_access":1`) {
		t.Errorf("over the quota: %d %v %v", status, out, h)
	}
	req, _ := http.NewRequest("GET", "https://graph.example"+path, nil)
	req.Header.Set("Authorization", "Bearer nope")
	clk.Advance(time.Minute)
	resp, _ := f.Transport().RoundTrip(req)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(string(b), `"code":190`) {
		t.Errorf("bad token: %d %s", resp.StatusCode, b)
	}
}

// TestAcknowledgeIdempotent: the same key twice is one acknowledgement;
// a new key on an IN_PROGRESS order is refused.
func TestAcknowledgeIdempotent(t *testing.T) {
	f := New()
	o := f.AddOrder(NewLine{SKU: "A", Name: "A", Qty: 1, Price: "1.00"})
	for i := 0; i < 2; i++ {
		if status, _, out := call(t, f, "POST", "/v21.0/"+o.ID+"/acknowledge_order", `{"idempotency_key": "k1"}`); status != 200 {
			t.Fatalf("ack %d: %d %v", i, status, out)
		}
	}
	if f.Acks(o.ID) != 1 || f.State(o.ID) != "IN_PROGRESS" {
		t.Errorf("%d acks, state %s", f.Acks(o.ID), f.State(o.ID))
	}
	if status, _, _ := call(t, f, "POST", "/v21.0/"+o.ID+"/acknowledge_order", `{"idempotency_key": "k2"}`); status != 400 {
		t.Errorf("a second acknowledgement: %d, want 400", status)
	}
}
