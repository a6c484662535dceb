package ui_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dropgate/dropgate/internal/testutil"
)

// ScreenshotsEnv names a directory the browser test saves its screenshots
// to (a test temporary directory when unset).
const ScreenshotsEnv = "DROPGATE_UI_SCREENSHOTS"

func chromium(t *testing.T) string {
	t.Helper()
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	testutil.Unavailable(t, "no chromium on PATH (apt-get install -y chromium)")
	return ""
}

func browser(t *testing.T, width, height int) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, height),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	return bctx
}

func shotDir(t *testing.T) string {
	if d := os.Getenv(ScreenshotsEnv); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

func shot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}

func run(t *testing.T, ctx context.Context, step string, acts ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, acts...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

func text[S chromedp.Selectable](t *testing.T, ctx context.Context, sel S) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("text of %v: %v", sel, err)
	}
	return s
}

// TestBrowserOperatorFlow drives the dashboard in a real headless
// Chromium: log in, find an order by PO number, read its timeline,
// reroute the held order, replay a dead letter, approve a quarantined
// feed import.
func TestBrowserOperatorFlow(t *testing.T) {
	ops := newOps()
	srv := server(t, ops)
	ctx := browser(t, 1280, 800)
	dir := shotDir(t)

	run(t, ctx, "login",
		chromedp.Navigate(srv.URL+"/ui/orders"), // no session: the login form
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), token),
		chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.Search(`//h1[text()="Overview"]`)),
	)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(loc, token) {
		t.Fatalf("token in URL %s", loc)
	}
	shot(t, ctx, dir, "dashboard-overview.png")

	run(t, ctx, "find by PO",
		chromedp.Navigate(srv.URL+"/ui/orders"),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), "PO-ABC"),
		chromedp.Submit(chromedp.ID("q")),
		chromedp.WaitVisible(chromedp.ID("timeline")),
	)
	status, timeline := text(t, ctx, chromedp.ID("order-status")), text(t, ctx, chromedp.ID("timeline"))
	if status != "on_hold" || !strings.Contains(timeline, "order.received") || !strings.Contains(timeline, "by webhook dlv-1") {
		t.Fatalf("order page: status %q timeline %q", status, timeline)
	}
	shot(t, ctx, dir, "dashboard-order-held.png")

	run(t, ctx, "reroute",
		chromedp.Click(chromedp.CSS(`form[action="/ui/orders/o1/reroute"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.ok`)),
	)
	status, timeline = text(t, ctx, chromedp.ID("order-status")), text(t, ctx, chromedp.ID("timeline"))
	if status != "processing" || !strings.Contains(timeline, "by operator ui") {
		t.Fatalf("after reroute: status %q timeline %q", status, timeline)
	}
	shot(t, ctx, dir, "dashboard-order.png")

	run(t, ctx, "replay dead letter",
		chromedp.Navigate(srv.URL+"/ui/dead-letters"),
		chromedp.Click(chromedp.CSS(`form[action="/ui/dead-letters/d1/replay"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.ok`)),
	)
	flash := text(t, ctx, chromedp.CSS(`p.ok`))
	if !strings.Contains(flash, "replayed d1") || !slices.Equal(ops.replayed, []string{"d1"}) {
		t.Fatalf("replay: flash %q, replayed %v", flash, ops.replayed)
	}

	run(t, ctx, "approve feed",
		chromedp.Navigate(srv.URL+"/ui/feeds"),
		chromedp.Click(chromedp.CSS(`form[action="/ui/exceptions/x1/approve"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//td[contains(., "No import waits")]`)),
	)
	if !slices.Equal(ops.resolved, []string{"x1/approve"}) {
		t.Fatalf("approve: resolved %v", ops.resolved)
	}

	// A phone's viewport: the orders list still reads.
	phone := browser(t, 390, 844)
	run(t, phone, "phone login",
		chromedp.Navigate(srv.URL+"/ui/login"),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), token),
		chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.Search(`//h1[text()="Overview"]`)),
		chromedp.Navigate(srv.URL+"/ui/orders"),
		chromedp.WaitVisible(chromedp.ID("q")),
	)
	shot(t, phone, dir, "dashboard-phone-orders.png")
}
