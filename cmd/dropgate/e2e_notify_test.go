package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestEventsReachMerchantSystem: the demo with a `notifications.events`
// endpoint: a triggered Shopify order reaches the merchant's receiver as
// signed Standard Webhooks deliveries (order.created, then po.sent).
func TestEventsReachMerchantSystem(t *testing.T) {
	key := []byte("e2e-events-key")
	var mu sync.Mutex
	var types []string
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(r.Header.Get("webhook-id") + "." + r.Header.Get("webhook-timestamp") + "." + string(body)))
		if r.Header.Get("webhook-signature") != "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var ev struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(body, &ev)
		mu.Lock()
		types = append(types, ev.Type)
		mu.Unlock()
	}))
	defer recv.Close()

	dir := t.TempDir()
	path := demoConfigIn(t, dir)
	b, _ := os.ReadFile(path)
	block := "\nnotifications:\n  events:\n    - name: erp\n      url: " + recv.URL + "/hooks\n      secret: \"${E2E_EVENTS_SECRET}\"\n      types: [order.created, po.sent]\n"
	if err := os.WriteFile(path, append(b, block...), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("E2E_EVENTS_SECRET", "whsec_"+base64.StdEncoding.EncodeToString(key))
	s := serveIn(t, dir, path, nil)
	if out, errOut, code := dg(t, "trigger", "--config", path, "--connector", "shop", "--event", "orders/create", "--url", s.url); code != 0 {
		t.Fatalf("trigger: %d %s %s", code, out, errOut)
	}
	got := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), types...)
	}
	if !waitUntil(time.Minute, func() bool { return len(got()) >= 2 }) { // a hang guard
		t.Fatalf("deliveries: %v", got())
	}
	if g := strings.Join(got(), ","); !strings.Contains(g, "order.created") || !strings.Contains(g, "po.sent") {
		t.Fatalf("deliveries: %v", g)
	}
}

// TestValidateNotifications: `dropgate validate` reports a bad endpoint
// URL and an unset secret variable at their lines.
func TestValidateNotifications(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("notifications:\n  events:\n    - name: erp\n      url: \"not a url\"\n      secret: \"${NOTIFY_UNSET_SECRET_E2E}\"\n      types: [order.created]\n"), 0o644)
	out, errOut, code := dg(t, "validate", "--config", bad)
	if code != 1 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{bad + ":4: notifications.events[0].url: ", bad + ":5: notifications.events[0].secret", "NOTIFY_UNSET_SECRET_E2E is not set"} {
		if !strings.Contains(out+errOut, want) {
			t.Errorf("output lacks %q:\n%s%s", want, out, errOut)
		}
	}
}
