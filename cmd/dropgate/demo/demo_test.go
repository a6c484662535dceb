package demo

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/dropgate/dropgate/connectors/all"
	"github.com/dropgate/dropgate/internal/config"
)

// TestDemoShipsTheOrder runs the guided tour on the repository's demo
// config, as a newcomer would, and checks the story it tells: the order
// goes from the store's webhook to an 850, is acknowledged and shipped by
// the simulated supplier, and shows up on the store with UPS tracking.
func TestDemoShipsTheOrder(t *testing.T) {
	repo, _ := filepath.Abs("../../..")
	dir := t.TempDir()
	for _, f := range []string{"demo.yaml", "demo-catalog.csv"} {
		b, err := os.ReadFile(filepath.Join(repo, "configs", f))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Join(dir, "configs"), 0o755)
		os.WriteFile(filepath.Join(dir, "configs", f), b, 0o644)
	}
	wd, _ := os.Getwd()
	t.Cleanup(func() { os.Chdir(wd) })
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	// A free port for the store, instead of the config's 8081.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	fakeAddr := ln.Addr().String()
	ln.Close()
	t.Setenv("SHOPIFY_BASE_URL", "http://"+fakeAddr)
	cfg, probs, err := config.Load("configs/demo.yaml", config.Options{})
	if err != nil || len(probs.Errors()) > 0 {
		t.Fatalf("demo config: %v %v", err, probs)
	}
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := Run(ctx, Options{Config: cfg, Listen: "127.0.0.1:0", Out: &out, ShipAfter: 500 * time.Millisecond}); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	story := out.String()
	for _, want := range []string{"order.received", "po.sent", "po.functional_ack_accepted", "po.acknowledged", "po.shipped", "fulfillment.created", "✔ order #1001: shipped, with tracking on the store"} {
		if !strings.Contains(story, want) {
			t.Errorf("the demo did not tell %q:\n%s", want, story)
		}
	}
	if !regexp.MustCompile(`✔ on the store: fulfillment #1001\.1, 2 line\(s\), UPS 1Z[0-9A-Z]{16}`).MatchString(story) {
		t.Errorf("no fulfillment with UPS tracking on the store:\n%s", story)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "var", "outbox", "acme", "PO*.850.x12")); len(files) != 1 {
		t.Errorf("850s in the outbox: %v", files)
	}
}
