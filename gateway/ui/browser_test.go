package ui_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/dropgate/dropgate/internal/testutil/browser"
)

// TestBrowserOperatorFlow drives the dashboard in a real headless
// Chromium: log in, find an order by PO number, read its timeline,
// reroute the held order, replay a dead letter, approve a quarantined
// feed import.
func TestBrowserOperatorFlow(t *testing.T) {
	ops := newOps()
	srv := server(t, ops)
	ctx := browser.New(t, 1280, 800)
	dir := browser.ShotDir(t)

	browser.Do(t, ctx, "login",
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
	browser.Shot(t, ctx, dir, "dashboard-overview.png")

	browser.Do(t, ctx, "find by PO",
		chromedp.Navigate(srv.URL+"/ui/orders"),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), "PO-ABC"),
		chromedp.Submit(chromedp.ID("q")),
		chromedp.WaitVisible(chromedp.ID("timeline")),
	)
	status, timeline := browser.Text(t, ctx, chromedp.ID("order-status")), browser.Text(t, ctx, chromedp.ID("timeline"))
	if status != "on_hold" || !strings.Contains(timeline, "order.received") || !strings.Contains(timeline, "by webhook dlv-1") {
		t.Fatalf("order page: status %q timeline %q", status, timeline)
	}
	browser.Shot(t, ctx, dir, "dashboard-order-held.png")

	browser.Do(t, ctx, "reroute",
		chromedp.Click(chromedp.CSS(`form[action="/ui/orders/o1/reroute"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.ok`)),
	)
	status, timeline = browser.Text(t, ctx, chromedp.ID("order-status")), browser.Text(t, ctx, chromedp.ID("timeline"))
	if status != "processing" || !strings.Contains(timeline, "by operator ui") {
		t.Fatalf("after reroute: status %q timeline %q", status, timeline)
	}
	browser.Shot(t, ctx, dir, "dashboard-order.png")

	browser.Do(t, ctx, "replay dead letter",
		chromedp.Navigate(srv.URL+"/ui/dead-letters"),
		chromedp.Click(chromedp.CSS(`form[action="/ui/dead-letters/d1/replay"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.ok`)),
	)
	flash := browser.Text(t, ctx, chromedp.CSS(`p.ok`))
	if !strings.Contains(flash, "replayed d1") || !slices.Equal(ops.replayed, []string{"d1"}) {
		t.Fatalf("replay: flash %q, replayed %v", flash, ops.replayed)
	}

	browser.Do(t, ctx, "approve feed",
		chromedp.Navigate(srv.URL+"/ui/feeds"),
		chromedp.Click(chromedp.CSS(`form[action="/ui/exceptions/x1/approve"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//td[contains(., "No import waits")]`)),
	)
	if !slices.Equal(ops.resolved, []string{"x1/approve"}) {
		t.Fatalf("approve: resolved %v", ops.resolved)
	}

	// A phone's viewport: the orders list still reads.
	phone := browser.New(t, 390, 844)
	browser.Do(t, phone, "phone login",
		chromedp.Navigate(srv.URL+"/ui/login"),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), token),
		chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.Search(`//h1[text()="Overview"]`)),
		chromedp.Navigate(srv.URL+"/ui/orders"),
		chromedp.WaitVisible(chromedp.ID("q")),
	)
	browser.Shot(t, phone, dir, "dashboard-phone-orders.png")
}
