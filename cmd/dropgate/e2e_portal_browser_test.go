package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/testutil/browser"
)

// TestSupplierPortalInBrowser: in headless Chromium a supplier logs into
// the portal, finds the new PO, acknowledges it and ships it with a
// tracking number; the operator's dashboard then shows the order shipped,
// and the fulfilment has reached the channel. Screenshots of the portal
// are kept ($DROPGATE_UI_SCREENSHOTS).
func TestSupplierPortalInBrowser(t *testing.T) {
	// acme answers only in the portal: its EDI partner stays silent.
	l := newLoop(t, []supplierSpec{{name: "acme", rows: []string{"MUG,3.00,50"}, silent: true,
		yaml: "    portal: { enabled: true, users: [{ email: ops@acme.example, password_hash: \"" + portalHash(t) + "\" }] }\n"}})
	s := l.srv
	o, body := l.order(item("MUG", 2, "9.99"))
	l.webhook("orders/create", body)
	orderID := orderIDOf(o)
	po := model.PONumber(orderID, "acme", 1)

	ctx := browser.New(t, 1280, 800)
	shots := browser.ShotDir(t)
	browser.Do(t, ctx, "portal login",
		chromedp.Navigate(s.url+"/portal/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "ops@acme.example"),
		chromedp.SendKeys(chromedp.ID("password"), "acme-portal-password"),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.Search(`//h1[text()="Purchase orders"]`)),
	)
	// The PO is sent by the queue: reload until it is listed (a hang guard).
	listed := waitUntil(time.Minute, func() bool {
		err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/portal/"), chromedp.WaitVisible(chromedp.ID("main")))
		return err == nil && strings.Contains(browser.Text(t, ctx, chromedp.ID("main")), po)
	})
	if !listed {
		t.Fatalf("PO %s never listed in the portal", po)
	}
	if !strings.Contains(browser.Text(t, ctx, chromedp.CSS(`tr.new`)), po) {
		t.Errorf("the unanswered PO %s is not highlighted as new", po)
	}
	browser.Shot(t, ctx, shots, "portal-list.png")
	browser.Do(t, ctx, "open the PO and acknowledge it",
		chromedp.Click(chromedp.Search(`//a[text()="`+po+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/ack"] button`)),
		chromedp.Click(chromedp.CSS(`form[action$="/ack"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice`)),
	)
	acked := waitUntil(time.Minute, func() bool {
		err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/portal/pos/"+po), chromedp.WaitVisible(chromedp.ID("main")))
		return err == nil && strings.Contains(browser.Text(t, ctx, chromedp.ID("main")), "Status: "+string(model.POAcknowledged))
	})
	if !acked {
		t.Fatalf("PO %s never shows acknowledged", po)
	}
	browser.Do(t, ctx, "ship with a tracking number",
		chromedp.SendKeys(chromedp.CSS(`form[action$="/ship"] input[name="tracking"]`), "1Z999AA10123456784"),
		chromedp.Submit(chromedp.CSS(`form[action$="/ship"] input[name="tracking"]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice`)),
	)
	browser.Shot(t, ctx, shots, "portal-po.png")
	checkShippedByPortal(t, s.url, loopAdmin, orderID, true)
	if fs := l.fake.Fulfillments(o.ID); len(fs) != 1 || !strings.Contains(fmt.Sprint(fs[0]), "1Z999AA10123456784") {
		t.Errorf("fulfillments on the shop: %+v; want one with the portal's tracking number", fs)
	}

	// The operator sees it shipped on the dashboard.
	browser.Login(t, ctx, s.url, loopAdmin)
	browser.Do(t, ctx, "the order on the dashboard",
		chromedp.Navigate(s.url+"/ui/orders/"+orderID),
		chromedp.WaitVisible(chromedp.ID("order-status")),
	)
	if st := browser.Text(t, ctx, chromedp.ID("order-status")); st != string(model.OrderShipped) {
		t.Errorf("dashboard shows the order %q, want shipped", st)
	}
	if tl := browser.Text(t, ctx, chromedp.ID("timeline")); !strings.Contains(tl, "portal:acme:ops@acme.example") {
		t.Errorf("the dashboard's timeline does not name the supplier's user:\n%s", tl)
	}
}
