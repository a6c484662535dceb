package httpclient

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
)

// Every answer is classified the same way, named for the connector and
// the operation.
func TestAPISendClassifies(t *testing.T) {
	type reply struct {
		status int
		body   string
		hdr    string // Retry-After
	}
	var next reply
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if next.hdr != "" {
			w.Header().Set("Retry-After", next.hdr)
		}
		w.WriteHeader(next.status)
		_, _ = w.Write([]byte(next.body))
	}))
	defer srv.Close()
	clk := clock.NewFake(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	errText := func(b []byte) string {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(b, &e)
		return e.Error
	}
	api := API{Name: "acme", Clock: clk, ErrorText: errText}
	for _, tc := range []struct {
		name  string
		reply reply
		empty bool
		class fault.Class
		says  string
		want  string // the decoded value
	}{
		{name: "ok", reply: reply{200, `{"v": 12345678901234567.89}`, ""}, class: fault.ClassNone, want: "12345678901234567.89"},
		{name: "empty strict", reply: reply{200, ``, ""}, class: fault.ClassPermanent, says: "acme: get: decode answer: invalid JSON at line 1, column 1"},
		{name: "empty allowed", reply: reply{204, ``, ""}, empty: true, class: fault.ClassNone},
		{name: "broken", reply: reply{200, "{\n\"v\": 1,,}", ""}, class: fault.ClassPermanent, says: "line 2"},
		{name: "refused", reply: reply{404, `{"error": "no such order"}`, ""}, class: fault.ClassPermanent, says: "acme: get: HTTP 404: no such order"},
		{name: "unexplained", reply: reply{400, `plain words`, ""}, class: fault.ClassPermanent, says: "HTTP 400: plain words"},
		{name: "busy", reply: reply{429, `{}`, "30"}, class: fault.ClassRetryable, says: "HTTP 429"},
		{name: "down", reply: reply{503, ``, ""}, class: fault.ClassRetryable, says: "HTTP 503"},
	} {
		next = tc.reply
		a := api
		a.AllowEmpty = tc.empty
		req, _ := http.NewRequest("GET", srv.URL, nil)
		var out struct {
			V json.Number `json:"v"`
		}
		ans, err := a.Send(srv.Client(), req, "get", &out)
		class, notBefore := fault.Classify(err)
		if class != tc.class || !strings.Contains(errString(err), tc.says) || string(out.V) != tc.want || ans.Status != tc.reply.status {
			t.Errorf("%s: status %d, %v (class %v); want class %v saying %q, value %q", tc.name, ans.Status, err, class, tc.class, tc.says, tc.want)
		}
		if tc.reply.hdr != "" && !notBefore.Equal(clk.Now().Add(30*time.Second)) {
			t.Errorf("%s: not before %v; want Retry-After honoured", tc.name, notBefore)
		}
	}

	next = reply{200, `raw,csv`, ""}
	req, _ := http.NewRequest("GET", srv.URL, nil)
	var raw []byte
	if _, err := api.Send(srv.Client(), req, "get", &raw); err != nil || string(raw) != "raw,csv" {
		t.Errorf("raw answer %q, %v; want the body as it came", raw, err)
	}
	srv.Close()
	req, _ = http.NewRequest("GET", srv.URL, nil)
	if _, err := api.Send(srv.Client(), req, "get", nil); fault.IsPermanent(err) || !strings.HasPrefix(errString(err), "acme: get: ") {
		t.Errorf("server gone: %v; want a retryable error named for the call", err)
	}
}

// An empty budget stays throttled, not merely retryable.
func TestAPISendKeepsThrottled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	clk := clock.NewFake(time.Now())
	hc := NewHTTP(Options{Name: "t", Limiter: limiter(t, clk), Key: "k", Limit: store.Limit{Rate: 1, Burst: 1}, Clock: clk})
	api := API{Name: "acme", Clock: clk}
	for i := range 2 {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		_, err := api.Send(hc, req, "get", nil)
		if c, _ := fault.Classify(err); i == 1 && c != fault.ClassThrottled {
			t.Fatalf("call over budget: %v (class %v); want throttled", err, c)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// NewRequest writes a form or JSON with its Content-Type, and refuses a
// body it cannot encode, permanently.
func TestAPINewRequest(t *testing.T) {
	api := API{Name: "acme"}
	for _, tc := range []struct {
		in          any
		ctype, body string
	}{
		{nil, "", ""},
		{url.Values{"a": {"1 2"}}, "application/x-www-form-urlencoded", "a=1+2"},
		{map[string]int{"n": 1}, "application/json", `{"n":1}`},
	} {
		req, err := api.NewRequest(context.Background(), "put", "PUT", "http://x/y", tc.in)
		if err != nil {
			t.Fatal(err)
		}
		var got []byte
		if req.Body != nil {
			got, _ = io.ReadAll(req.Body)
		}
		if string(got) != tc.body || req.Header.Get("Content-Type") != tc.ctype || req.Header.Get("Accept") != "application/json" {
			t.Errorf("%v: body %q, headers %v", tc.in, got, req.Header)
		}
	}
	if _, err := api.NewRequest(context.Background(), "put", "PUT", "http://x/y", func() {}); !fault.IsPermanent(err) || !strings.HasPrefix(err.Error(), "acme: put: encode request") {
		t.Errorf("an unencodable body: %v; want permanent", err)
	}
}

type testErr struct {
	Msg string `json:"msg"`
}

func (e testErr) text() string { return e.Msg }

// ErrorTextOf decodes the body and renders it; a body that is not one
// reads as no text, so Send quotes it.
func TestErrorTextOf(t *testing.T) {
	f := ErrorTextOf(testErr.text)
	if got := f([]byte(`{"msg":"no such order"}`)); got != "no such order" {
		t.Errorf("error body: %q", got)
	}
	if got := f([]byte(`<html>`)); got != "" {
		t.Errorf("not JSON: %q; want no text", got)
	}
}
