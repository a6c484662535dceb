package apptest_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/dropgate/dropgate/core/app/purchasing"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/gateway/portal"
	"github.com/dropgate/dropgate/gateway/portal/portaltest"
)

// portalOn serves the supplier portal over the rig's services, with one
// login for supplier (ann@<supplier>.example), and returns a logged-in
// browser.
func portalOn(t *testing.T, r *rig, supplier string) *portaltest.Client {
	t.Helper()
	hash, _ := bcrypt.GenerateFromPassword([]byte("a-long-password"), bcrypt.MinCost)
	p := &portal.Portal{Ops: r.S.Operator(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: r.Clock.Now,
		Users: []portal.User{{Supplier: supplier, Email: "ann@" + supplier + ".example", PasswordHash: string(hash)}},
		Submit: func(ctx context.Context, supplier, actor string, d connector.InboundDoc) error {
			err := r.S.Purchasing.SubmitAs(ctx, supplier, actor, d)
			if err == purchasing.ErrNotYours {
				return portal.ErrNotYours
			}
			return err
		}}
	h, err := p.Handler()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := portaltest.New(t, srv.URL)
	c.MustLogin("ann@"+supplier+".example", "a-long-password")
	return c
}

// TestPortalDrivesTheOrderLikeEDI: a supplier acknowledges, ships and
// invoices in the portal, and the order moves as it would on an 855, an
// 856 and an 810: PO acknowledged, then shipped, the order shipped, the
// channel told, the invoice matched — each step on the timeline as done
// by that supplier's user.
func TestPortalDrivesTheOrderLikeEDI(t *testing.T) {
	r := newRig(t)
	r.intake(testOrder("p1", line("1", "MUG", 2)))
	r.Drain()
	po := r.order("p1").POs[0]
	if po.Supplier != "a" || po.Status != model.POSent {
		t.Fatalf("PO %s to %s is %s", po.Number, po.Supplier, po.Status)
	}
	c := portalOn(t, r, "a")
	page := "/portal/pos/" + po.Number
	if g := c.Get(page); g.Status != http.StatusOK {
		t.Fatalf("PO page: %d", g.Status)
	}
	step := func(action string, form url.Values) {
		t.Helper()
		c.Get(page)
		if res := c.Post(page+"/"+action, form); res.Status != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", action, res.Status, res.Body)
		}
		r.Drain()
	}
	actor := "portal:a:ann@a.example"
	byActor := func(a *model.Aggregate, event string) bool {
		for _, e := range a.Timeline {
			if e.Event == event && e.Cause.Kind == model.CauseDocument && e.Cause.Ref == actor {
				return true
			}
		}
		return false
	}

	step("ack", url.Values{"line_1": {"accept"}, "supplier_order_id": {"SO-77"}})
	a := r.order("p1")
	if got := a.PO(po.Number).Status; got != model.POAcknowledged || !byActor(a, "po.acknowledged") {
		t.Fatalf("after ack: PO %s\n%s", got, timeline(a))
	}

	step("ship", url.Values{"carrier": {"ups"}, "tracking": {"1Z999AA10123456784"}})
	a = r.order("p1")
	if a.PO(po.Number).Status != model.POShipped || a.Order.Status != model.OrderShipped || len(a.Shipments) != 1 {
		t.Fatalf("after ship: PO %s, order %s, %d shipments\n%s", a.PO(po.Number).Status, a.Order.Status, len(a.Shipments), timeline(a))
	}
	if pk := a.Shipments[0].Packages[0]; pk.TrackingNumber != "1Z999AA10123456784" || a.Shipments[0].Carrier != "ups" {
		t.Fatalf("shipment %+v", a.Shipments[0])
	}
	if !byActor(a, "po.shipped") {
		t.Fatalf("the shipment is not on the timeline as the supplier's:\n%s", timeline(a))
	}
	if r.channel.pushed[a.Shipments[0].ID] != 1 {
		t.Fatalf("the channel was not told of the shipment: %v", r.channel.pushed)
	}

	step("invoice", url.Values{"invoice_number": {"INV-1"}, "qty_1": {"2"}})
	a = r.order("p1")
	if len(a.Invoices) != 1 || a.Invoices[0].Number != "INV-1" || !byActor(a, "invoice.matched") {
		t.Fatalf("after invoice: %+v\n%s", a.Invoices, timeline(a))
	}
	// The same form posted again (a double click) is one invoice.
	step("invoice", url.Values{"invoice_number": {"INV-1"}, "qty_1": {"2"}})
	if n := len(r.order("p1").Invoices); n != 1 {
		t.Fatalf("a re-posted invoice made %d invoices", n)
	}
	if body := c.Get(page).Body; !strings.Contains(body, "1Z999AA10123456784") || !strings.Contains(body, "INV-1") {
		t.Errorf("the PO page must show the shipment and the invoice:\n%s", body)
	}
}

// TestPortalRejectReroutes: a line rejected in the portal, with its
// reason, goes to the next supplier as after a rejecting 855.
func TestPortalRejectReroutes(t *testing.T) {
	r := newRig(t)
	r.intake(testOrder("p2", line("1", "TEE", 1)))
	r.Drain()
	a := r.order("p2")
	var po model.PurchaseOrder
	for _, p := range a.POs {
		if p.Supplier == "b" {
			po = p
		}
	}
	if po.Number == "" {
		t.Fatalf("TEE did not go to supplier b (the cheaper) first: %+v", a.POs)
	}
	c := portalOn(t, r, "b")
	c.Get("/portal/pos/" + po.Number)
	if res := c.Post("/portal/pos/"+po.Number+"/ack", url.Values{"line_1": {"reject"}}); res.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "say why") {
		t.Fatalf("a rejection without a reason: %d", res.Status)
	}
	if res := c.Post("/portal/pos/"+po.Number+"/ack", url.Values{"line_1": {"reject"}, "reason_1": {"discontinued"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("reject: %d\n%s", res.Status, res.Body)
	}
	r.Drain()
	a = r.order("p2")
	if a.PO(po.Number).Status != model.PORejected || a.PO(po.Number).Lines[0].RejectReason != "discontinued" {
		t.Fatalf("PO %s\n%s", a.PO(po.Number).Status, timeline(a))
	}
	rerouted := false
	for _, p := range a.POs {
		rerouted = rerouted || p.Supplier == "a"
	}
	if !rerouted {
		t.Fatalf("the rejected line was not rerouted:\n%s", timeline(a))
	}
}
