package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// TestExceptionsListFiltersCombine: every filter given reaches the admin
// API, so the server applies them together.
func TestExceptionsListFiltersCombine(t *testing.T) {
	var got url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Query()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"exceptions": [], "next": ""}`))
	}))
	defer srv.Close()
	_, errOut, code := dg(t, "exceptions", "list", "--url", srv.URL, "--token", "t", "--kind", "sla_breach", "--supplier", "acme", "--order", "ord_1", "--all")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for k, want := range map[string]string{"kind": "sla_breach", "supplier": "acme", "order": "ord_1", "status": "all"} {
		if got.Get(k) != want {
			t.Errorf("%s = %q, want %q (query %v)", k, got.Get(k), want, got)
		}
	}
}
