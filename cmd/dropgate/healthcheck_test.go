package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHealthcheck: exit 0 against a ready server, 1 (Docker's
// "unhealthy"; 2 is reserved there) against one that is not ready or not
// there at all.
func TestHealthcheck(t *testing.T) {
	s := startInProcess(t)
	// A config whose server.listen is where the server runs.
	b, _ := os.ReadFile(s.config)
	cfg := filepath.Join(s.dir, "listen.yaml")
	os.WriteFile(cfg, []byte(strings.Replace(string(b), `listen: "127.0.0.1:8080"`, `listen: "`+strings.TrimPrefix(s.url, "http://")+`"`, 1)), 0o644)
	for _, args := range [][]string{
		{"healthcheck", "--url", s.url},
		{"healthcheck", "--url", s.url, "--live"},
		{"healthcheck", "--config", cfg},
	} {
		if out, errOut, code := dg(t, args...); code != 0 || !strings.Contains(out, "answered 200") {
			t.Errorf("%v against a ready server: exit %d\n%s%s", args, code, out, errOut)
		}
	}
	// Inside the image: DROPGATE_LISTEN is what serve listens on.
	t.Setenv("DROPGATE_LISTEN", strings.Replace(strings.TrimPrefix(s.url, "http://"), "127.0.0.1", "0.0.0.0", 1))
	if out, errOut, code := dg(t, "healthcheck"); code != 0 {
		t.Errorf("healthcheck from DROPGATE_LISTEN: exit %d\n%s%s", code, out, errOut)
	}
	t.Setenv("DROPGATE_LISTEN", "")

	notReady := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"status":"unavailable","store":"redis: connection refused"}`))
	}))
	defer notReady.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	gone := "http://" + ln.Addr().String()
	ln.Close()
	for _, url := range []string{notReady.URL, gone} {
		out, errOut, code := dg(t, "healthcheck", "--url", url)
		if code != 1 {
			t.Errorf("healthcheck of %s: exit %d, want 1\n%s%s", url, code, out, errOut)
		}
	}
	out, _, code := dg(t, "healthcheck", "--url", notReady.URL, "--json")
	var v struct {
		Healthy bool
		Status  int
	}
	if code != 1 || json.Unmarshal([]byte(out), &v) != nil || v.Healthy || v.Status != 503 {
		t.Errorf("healthcheck --json of a server that is not ready: exit %d\n%s", code, out)
	}
}

// TestServeRefusesTheDemoTokenBeyondLoopback: the demo config's published
// admin token is refused on a non-loopback address (the image listens on
// 0.0.0.0), unless allowed explicitly or replaced by a secret.
func TestServeRefusesTheDemoTokenBeyondLoopback(t *testing.T) {
	t.Setenv("DROPGATE_ADMIN_TOKEN", "")
	t.Setenv("DROPGATE_ALLOW_DEMO_TOKEN", "")
	cfg := demoConfigIn(t, t.TempDir())
	for _, listen := range []string{"0.0.0.0:0", ":0", "[::]:0"} {
		out, errOut, code := dg(t, "serve", "--config", cfg, "--listen", listen)
		if code != exitUser || !strings.Contains(errOut, "the admin token is the published demo token") || !strings.Contains(errOut, "DROPGATE_ADMIN_TOKEN") {
			t.Errorf("serve --listen %s with the demo token: exit %d\n%s%s", listen, code, out, errOut)
		}
	}
	// Allowed: explicitly, by flag or environment; or with a token of the
	// operator's own; or on loopback. serve then starts (and stops at once:
	// its context is done).
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		env  [2]string
		args []string
	}{
		{args: []string{"--listen", "0.0.0.0:0", "--allow-demo-token"}},
		{env: [2]string{"DROPGATE_ALLOW_DEMO_TOKEN", "true"}, args: []string{"--listen", "0.0.0.0:0"}},
		{env: [2]string{"DROPGATE_ADMIN_TOKEN", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"}, args: []string{"--listen", "0.0.0.0:0"}},
		{args: []string{"--listen", "127.0.0.1:0"}},
	} {
		if tc.env[0] != "" {
			t.Setenv(tc.env[0], tc.env[1])
		}
		dir := t.TempDir()
		err := runServe(done, append([]string{"--config", demoConfigIn(t, dir)}, tc.args...), os.Stdout, &strings.Builder{})
		if err != nil {
			t.Errorf("%v %v: %v", tc.env, tc.args, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "var", "dropgate.db")); err != nil {
			t.Errorf("%v %v: serve did not start: %v", tc.env, tc.args, err)
		}
		if tc.env[0] != "" {
			t.Setenv(tc.env[0], "")
		}
	}
}
