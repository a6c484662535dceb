package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/testutil/browser"
)

// TestDashboardInBrowser runs the dashboard of a real `dropgate serve` on
// the demo config in headless Chromium: the address is logged at start;
// log in; find an order by its PO number and read its timeline; reroute
// a held order; replay a dead letter.
func TestDashboardInBrowser(t *testing.T) {
	dir := workdir(t)
	s := startServer(t, dir)
	// The address is logged just after "gateway listening", which is
	// what startServer waits for: wait for it too (a hang guard).
	for deadline := time.Now().Add(time.Minute); !strings.Contains(s.Logs(), "/ui/"); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("serve does not log the dashboard's address:\n%s", s.Logs())
		}
	}
	good := newDelivery(t, shop(t))
	heldBody := `{"id": 6006, "currency": "USD", "line_items": [{"id": 1, "sku": "NOT-SOLD", "quantity": 1, "price": "1.00"}], "shipping_address": {"name": "A", "address1": "1 Rd", "city": "X", "country_code": "US"}}`
	for _, d := range []delivery{good, signedDelivery(t, heldBody), signedDelivery(t, "{\"id\": 4243, \"line_items\": [}")} {
		if code, err := d.post(s.url); err != nil || code != http.StatusOK {
			t.Fatalf("post: %d %v", code, err)
		}
	}
	waitUntil(time.Minute, func() bool { return demoSettled(s.url, 2) })
	held := model.OrderID("shop", "6006")

	ctx := browser.New(t, 1280, 800)
	dir2 := browser.ShotDir(t)
	browser.Login(t, ctx, s.url, "demo-admin-token")
	browser.Shot(t, ctx, dir2, "e2e-overview.png")

	po := model.PONumber(good.orderID, "acme", 1)
	browser.Do(t, ctx, "find by PO",
		chromedp.Navigate(s.url+"/ui/orders"),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), po),
		chromedp.Submit(chromedp.ID("q")),
		chromedp.WaitVisible(chromedp.ID("timeline")),
	)
	if tl := browser.Text(t, ctx, chromedp.ID("timeline")); !strings.Contains(tl, "order.received") || !strings.Contains(tl, "po.sent") {
		t.Fatalf("timeline of the order of %s:\n%s", po, tl)
	}
	browser.Shot(t, ctx, dir2, "e2e-order.png")

	browser.Do(t, ctx, "reroute the held order",
		chromedp.Navigate(s.url+"/ui/orders/"+held),
		chromedp.WaitVisible(chromedp.ID("order-status")),
	)
	if st := browser.Text(t, ctx, chromedp.ID("order-status")); st != "on_hold" {
		t.Fatalf("held order status %q", st)
	}
	browser.Do(t, ctx, "reroute",
		chromedp.Click(chromedp.CSS(`form[action$="/reroute"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.ok`)),
	)
	if tl := browser.Text(t, ctx, chromedp.ID("timeline")); !strings.Contains(tl, "by operator ui") {
		t.Errorf("the reroute is not on the timeline as the operator's:\n%s", tl)
	}

	browser.Do(t, ctx, "replay the dead letter",
		chromedp.Navigate(s.url+"/ui/dead-letters"),
		chromedp.Click(chromedp.CSS(`form[action$="/replay"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.ok`)),
	)
	if f := browser.Text(t, ctx, chromedp.CSS(`p.ok`)); !strings.Contains(f, "replayed") {
		t.Fatalf("replay: %q", f)
	}
	browser.Shot(t, ctx, dir2, "e2e-dead-letters.png")
}
