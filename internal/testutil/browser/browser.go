// Package browser starts a real headless Chromium for the dashboard's
// browser tests (Debian's chromium; .ci/services.sh installs it when
// missing) and saves screenshots as test artefacts.
package browser

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dropgate/dropgate/internal/testutil"
)

// ScreenshotsEnv names a directory screenshots are saved to (a test
// temporary directory when unset).
const ScreenshotsEnv = "DROPGATE_UI_SCREENSHOTS"

// New starts a fresh headless Chromium (its own user-data-dir) with a
// width×height window, stopped when the test ends. Without chromium on
// PATH the test is Unavailable.
func New(t testing.TB, width, height int) context.Context {
	t.Helper()
	path := ""
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		testutil.Unavailable(t, "no chromium on PATH (apt-get install -y chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, height),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	return bctx
}

// ShotDir is where screenshots go: $DROPGATE_UI_SCREENSHOTS or a test
// temporary directory.
func ShotDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv(ScreenshotsEnv); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// Shot saves a full-page PNG of the current page as dir/name.
func Shot(t testing.TB, ctx context.Context, dir, name string) {
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

// Do runs the steps, failing the test with the step's name.
func Do(t testing.TB, ctx context.Context, step string, acts ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, acts...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// Text is the visible text of the first element sel selects.
func Text[S chromedp.Selectable](t testing.TB, ctx context.Context, sel S) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("text of %v: %v", sel, err)
	}
	return s
}

// Login opens base+"/ui/login" and logs in with token, waiting for the
// overview.
func Login(t testing.TB, ctx context.Context, base, token string) {
	t.Helper()
	Do(t, ctx, "login",
		chromedp.Navigate(base+"/ui/login"),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), token),
		chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.Search(`//h1[text()="Overview"]`)),
	)
}
