package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/app"
	"github.com/dropgate/dropgate/internal/config"
	"github.com/dropgate/dropgate/internal/testutil"
)

const serverToken = "feed-test-token"

// serveInProcess runs the server of cfgPath in this process (it holds the
// embedded store, as `dropgate serve` would) until the returned stop.
func serveInProcess(t *testing.T, cfgPath string) (*app.App, func()) {
	t.Helper()
	cfg, probs, err := config.Load(cfgPath, config.Options{})
	if err != nil || len(probs.Errors()) > 0 {
		t.Fatalf("config: %v %v", err, probs)
	}
	a, err := app.Build(context.Background(), app.Options{Config: cfg, Logger: newLogger(&strings.Builder{})})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	wait, cancelWait := context.WithTimeout(ctx, 30*time.Second) // a hang guard only
	defer cancelWait()
	if _, err := a.Addr(wait); err != nil {
		t.Fatalf("server did not listen: %v", err)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
		a.Close()
	}
	t.Cleanup(stop)
	return a, stop
}

// feedServerWorkdir is feedWorkdir with a listen address of its own and
// the admin token from the environment, for a server to run on.
func feedServerWorkdir(t *testing.T) (dir, cfg, url string) {
	t.Helper()
	dir = feedWorkdir(t)
	cfg = filepath.Join(dir, "config.yaml")
	addr := testutil.ClosedAddr(t)
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "server: { listen: %q, admin_token: \"${DROPGATE_ADMIN_TOKEN}\" }\n", addr)
	f.Close()
	return dir, cfg, "http://" + addr
}

// TestFeedImportThroughARunningServer: while a server holds the embedded
// store, `feed import` (dry run, real, and with --file) runs in it, through
// the admin API, and says so; the server's catalog has the feed at once.
func TestFeedImportThroughARunningServer(t *testing.T) {
	dir, cfg, url := feedServerWorkdir(t)
	t.Setenv("DROPGATE_ADMIN_TOKEN", serverToken)
	t.Setenv("DROPGATE_URL", "")
	writeStock(t, dir, stockV1)
	a, _ := serveInProcess(t, cfg)

	out, errOut, code := runCLI("feed", "import", "--config", cfg, "--supplier", "acme", "--dry-run")
	if code != 0 || !strings.Contains(out, "dry run: nothing stored; this import would be applied") ||
		!strings.Contains(errOut, "feed import: through the server at "+url+", which holds the store") {
		t.Fatalf("dry run (exit %d):\n%s\n%s", code, out, errOut)
	}
	if _, ok := a.Catalog.Feed("acme"); ok {
		t.Fatal("the dry run applied a snapshot")
	}

	out, errOut, code = runCLI("feed", "import", "--config", cfg, "--supplier", "acme")
	if code != 0 || !strings.Contains(out, "applied: routing uses it now") || !strings.Contains(out, "read 4 rows") {
		t.Fatalf("import (exit %d):\n%s\n%s", code, out, errOut)
	}
	if offers := a.Catalog.Offers("4006381333931"); len(offers) != 1 || offers[0].Supplier != "acme" || offers[0].Stock != 10 {
		t.Fatalf("the server's catalog after the import: %+v", offers)
	}

	// --file is uploaded: its rows, its bad row, its diff.
	writeStock(t, dir, stockV2)
	override := filepath.Join(dir, "stock-v2.csv")
	if err := os.Rename(filepath.Join(dir, "stock.csv"), override); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runCLI("feed", "import", "--config", cfg, "--supplier", "acme", "--file", override, "--dry-run")
	for _, want := range []string{"feed acme: upload stock-v2.csv", `upload stock-v2.csv:6: column "Bestand" (quantity): "x"`,
		"  changed               2\n  zeroed                1\n  new                   1\n  missing               1\n", "dry run: nothing stored"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("upload (exit %d) lacks %q:\n%s\n%s", code, want, out, errOut)
		}
	}

	// A wrong token is said as such, not taken for a missing server.
	t.Setenv("DROPGATE_ADMIN_TOKEN", "wrong")
	_, errOut, code = runCLI("feed", "import", "--config", cfg, "--supplier", "acme", "--dry-run")
	if code != exitUser || !strings.Contains(errOut, "refused the admin token") {
		t.Errorf("wrong token (exit %d): %s", code, errOut)
	}
}

// TestRouteExplainUsesFeedOffers: a SKU only the feed offers routes to
// its supplier, with the server's live catalog while it runs and with the
// snapshot applied in the store once it stopped; each time the output
// says where the offers came from.
func TestRouteExplainUsesFeedOffers(t *testing.T) {
	dir, cfg, url := feedServerWorkdir(t)
	t.Setenv("DROPGATE_ADMIN_TOKEN", serverToken)
	t.Setenv("DROPGATE_URL", "")
	writeStock(t, dir, stockV1)
	order := model.Order{ID: "ord_feed", ChannelOrderID: "1", Currency: "EUR",
		ShippingAddress: &model.Address{Name: "Ada", Line1: "1 Road", City: "Berlin", PostalCode: "10115", Country: "DE"},
		Lines: []model.OrderLine{{ID: "1", SKU: "4006381333931", Quantity: 2, UnitPrice: money.MustParse("24.99", "EUR")},
			{ID: "2", SKU: "TEE-L", Quantity: 1, UnitPrice: money.MustParse("15.00", "EUR")}}}
	b, _ := json.Marshal(order)
	orderFile := filepath.Join(dir, "order.json")
	os.WriteFile(orderFile, b, 0o644)

	// Before any import: the feed's SKU is carried by nobody.
	out, _, code := runCLI("route", "--config", cfg, "--explain", orderFile)
	if code != 0 || !strings.Contains(out, "unroutable: SKU 4006381333931 is carried by no supplier") ||
		!strings.Contains(out, "offers: catalog files only — acme: catalog file\n") {
		t.Fatalf("before the import (exit %d):\n%s", code, out)
	}

	_, stop := serveInProcess(t, cfg)
	if out, errOut, code := runCLI("feed", "import", "--config", cfg, "--supplier", "acme"); code != 0 {
		t.Fatalf("import (exit %d):\n%s\n%s", code, out, errOut)
	}
	out, errOut, code := runCLI("route", "--config", cfg, "--explain", orderFile)
	for _, want := range []string{"offers: the live catalog of the server at " + url + " — acme: catalog file + feed snapshot fs_",
		"winner   acme (A-1)", "winner   acme (A-4)"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("with the server (exit %d) lacks %q:\n%s\n%s", code, want, out, errOut)
		}
	}
	out, _, code = runCLI("route", "--config", cfg, "--explain", orderFile, "--json")
	var ex struct {
		Source, Catalog string
		Lines           []struct{ Winner *struct{ Supplier string } }
	}
	if code != 0 || json.Unmarshal([]byte(out), &ex) != nil || ex.Source != "server" || len(ex.Lines) != 2 || ex.Lines[0].Winner == nil {
		t.Errorf("--json with the server (exit %d):\n%.600s", code, out)
	}

	// The server stopped: the snapshot it applied is read from the store.
	stop()
	out, errOut, code = runCLI("route", "--config", cfg, "--explain", orderFile)
	for _, want := range []string{"offers: catalog files and the feed snapshots applied in the store " + filepath.Join(dir, "var", "dropgate.db") + ", which no server holds — acme: catalog file + feed snapshot fs_",
		"winner   acme (A-1)"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("from the store (exit %d) lacks %q:\n%s\n%s", code, want, out, errOut)
		}
	}
}

// TestRouteExplainStoreHeldWithoutServer: a store held by a process that
// serves no admin API leaves the feed offers out, and says so.
func TestRouteExplainStoreHeldWithoutServer(t *testing.T) {
	dir, cfg, _ := feedServerWorkdir(t)
	t.Setenv("DROPGATE_ADMIN_TOKEN", serverToken)
	t.Setenv("DROPGATE_URL", "")
	os.WriteFile(filepath.Join(dir, "order.json"), []byte(`{"id":"o","channel_order_id":"1","currency":"EUR","lines":[{"id":"1","sku":"TEE-L","quantity":1}]}`), 0o644)
	cfgv, _, _ := config.Load(cfg, config.Options{})
	st, err := app.OpenStore(context.Background(), cfgv, nil, newLogger(&strings.Builder{}))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	out, errOut, code := runCLI("route", "--config", cfg, "--explain", filepath.Join(dir, "order.json"))
	if code != 0 || !strings.Contains(out, "offers: catalog files only — acme: catalog file\nnote: the store ") ||
		!strings.Contains(errOut, "is held by another dropgate process and no server answers at http://") {
		t.Errorf("exit %d:\n%s\n%s", code, out, errOut)
	}
}
