package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/internal/testutil"
)

// TestDemoHintsWorkAsPrinted runs `dropgate demo --keep` and then every
// command it suggests, exactly as printed, from the same directory: the
// right address, the token through --config, the server still up. The
// order `trigger` sends is one the demo's store knows, so it ships and
// leaves no dead letter (it used to end in one: the store did not know it).
func TestDemoHintsWorkAsPrinted(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"demo.yaml", "demo-catalog.csv"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "configs", f))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Join(dir, "configs"), 0o755)
		os.WriteFile(filepath.Join(dir, "configs", f), b, 0o644)
	}
	t.Chdir(dir)
	t.Setenv("DROPGATE_ADMIN_TOKEN", "")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	t.Setenv("SHOPIFY_BASE_URL", "http://"+ln.Addr().String())
	ln.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut testutil.Buffer
	demoDone := make(chan error, 1)
	go func() {
		demoDone <- runDemo(ctx, []string{"--keep", "--ship-after", "300ms", "--listen", "127.0.0.1:0"}, &out, &errOut)
	}()
	deadline := time.Now().Add(90 * time.Second) // hang guard
	for !strings.Contains(out.String(), "curl http://") {
		select {
		case err := <-demoDone:
			t.Fatalf("the demo ended: %v\n%s%s", err, out.String(), errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no hints:\n%s%s", out.String(), errOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	story := out.String()
	prefix := "  " + selfCommand() + " "
	var hints [][]string
	var metricsURL string
	for _, line := range strings.Split(story, "\n") {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			hints = append(hints, strings.Fields(rest))
		}
		if u, ok := strings.CutPrefix(line, "  curl "); ok {
			metricsURL = u
		}
	}
	if len(hints) < 5 || metricsURL == "" {
		t.Fatalf("hints (prefix %q): %q\n%s", prefix, hints, story)
	}
	var listArgs []string
	for _, args := range hints {
		o, e, code := dg(t, args...)
		if code != 0 {
			t.Errorf("hint %q: exit %d\n%s%s", strings.Join(args, " "), code, o, e)
		}
		if args[0] == "orders" && args[1] == "list" {
			listArgs = args
		}
	}
	if listArgs == nil {
		t.Fatalf("no orders list hint: %q", hints)
	}
	// The triggered order ships like the demo's own: two orders, both
	// shipped, nothing dead, nothing for an operator.
	for {
		o, _, _ := dg(t, append(listArgs, "--json")...)
		var res struct{ Orders []struct{ ID, Status string } }
		json.Unmarshal([]byte(o), &res)
		if len(res.Orders) == 2 && res.Orders[0].Status == "shipped" && res.Orders[1].Status == "shipped" {
			break
		}
		if time.Now().After(deadline) {
			d, _, _ := dg(t, append([]string{"dlq", "list"}, listArgs[2:]...)...)
			t.Fatalf("the triggered order did not ship:\n%s\ndead letters:\n%s", o, d)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, what := range []string{"dlq", "exceptions"} {
		o, e, code := dg(t, append([]string{what, "list", "--json"}, listArgs[2:]...)...)
		var res struct {
			DeadLetters []any `json:"dead_letters"`
			Exceptions  []any
		}
		if code != 0 || json.Unmarshal([]byte(o), &res) != nil || len(res.DeadLetters)+len(res.Exceptions) != 0 {
			t.Errorf("%s after the triggered order (exit %d):\n%s%s", what, code, o, e)
		}
	}
	resp, err := http.Get(metricsURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `dropgate_connector_call_duration_seconds_count{connector="shop",outcome="ok"}`) {
		t.Errorf("/metrics has no call latency of the shop's fulfillments:\n%s", grepLines(string(body), "connector"))
	}

	cancel()
	if err := <-demoDone; err != nil {
		t.Errorf("demo --keep after Ctrl-C: %v", err)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
