package main

// The whole drop-ship loop through the real binary (issue 5): routing,
// supplier documents, rerouting, SLA breaches, cancellations and
// fulfillments on a Shopify store that enforces its rate limit.

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/fakes/edisupplier"
)

// TestRejectedLineReroutedAndShipped: a three-line order best served by
// two suppliers → two 850s → alpha rejects one line in its 855 → the line
// goes to the backup, charlie → 856s from every supplier → one Shopify
// fulfillment per shipment with its own lines and tracking → the order is
// shipped, and the timeline shows every step with its cause.
func TestRejectedLineReroutedAndShipped(t *testing.T) {
	t.Parallel()
	l := newLoop(t, []supplierSpec{
		// alpha is cheapest for MUG and TEE, bravo for CAP; charlie
		// carries TEE too, dearer: the backup.
		{name: "alpha", rows: []string{"MUG,4.00,50", "TEE,7.00,50"}, reject: map[string]string{"A-TEE": "discontinued"}},
		{name: "bravo", rows: []string{"CAP,3.00,50"}},
		{name: "charlie", rows: []string{"TEE,9.50,50"}},
	})
	o, body := l.order(item("MUG", 2, "14.95"), item("TEE", 1, "25.00"), item("CAP", 1, "12.00"))
	l.webhook("orders/create", body)
	id := orderIDOf(o)
	a := l.wait(id, "shipped with every fulfillment on the store", func(a *model.Aggregate) bool {
		if a.Order.Status != model.OrderShipped || len(a.Shipments) != 3 {
			return false
		}
		for _, s := range a.Shipments {
			if s.ChannelFulfillmentID == "" {
				return false
			}
		}
		return true
	})

	// Two 850s first, then the reroute's third.
	if len(a.POs) != 3 {
		t.Fatalf("POs = %d", len(a.POs))
	}
	bySupplier := map[string]*model.PurchaseOrder{}
	for i := range a.POs {
		bySupplier[a.POs[i].Supplier] = &a.POs[i]
	}
	alpha, bravo, charlie := bySupplier["alpha"], bySupplier["bravo"], bySupplier["charlie"]
	if alpha == nil || bravo == nil || charlie == nil {
		t.Fatalf("POs went to %v", a.Suppliers())
	}
	if len(alpha.Lines) != 2 || alpha.Lines[1].Rejected != 1 || alpha.Status != model.POShipped {
		t.Errorf("alpha's PO: %+v", alpha)
	}
	if len(charlie.Lines) != 1 || charlie.Lines[0].SKU != "TEE" || charlie.Seq != 1 {
		t.Errorf("charlie's PO: %+v", charlie)
	}
	for _, n := range []string{alpha.Number, bravo.Number} {
		if _, err := os.Stat(filepath.Join(l.dir, "var", "out", strings.ToLower(bySupplierOf(a, n)), n+".850.x12")); err != nil {
			t.Errorf("no 850 for %s: %v", n, err)
		}
	}

	// The store shows one fulfillment per shipment: the right lines,
	// quantities and tracking.
	fs := l.fake.Fulfillments(o.ID)
	if len(fs) != 3 {
		t.Fatalf("fulfillments on the store = %d", len(fs))
	}
	want := map[string]struct {
		sku string
		qty int
		po  string
		sup string
	}{}
	for _, s := range a.Shipments {
		po := a.PO(s.PONumber)
		want[s.ChannelFulfillmentID] = struct {
			sku string
			qty int
			po  string
			sup string
		}{po.Lines[0].SKU, int(s.Packages[0].Lines[0].Quantity), po.Number, po.Supplier}
	}
	lineSKU := map[uint64]string{}
	if ord, ok := l.fake.Order(o.ID); ok {
		for _, li := range ord.Lines {
			lineSKU[li.ID] = li.SKU
		}
	}
	for _, f := range fs {
		w, ok := want[strconv.FormatUint(f.ID, 10)]
		if !ok {
			t.Errorf("fulfillment %d matches no shipment", f.ID)
			continue
		}
		var skus []string
		qty := 0
		for _, fl := range f.Lines {
			skus = append(skus, lineSKU[fl.LineItemID])
			qty += fl.Quantity
		}
		if w.sup == "alpha" {
			if !slices.Equal(skus, []string{"MUG"}) || qty != 2 {
				t.Errorf("alpha's fulfillment: %v × %d", skus, qty)
			}
		} else if len(skus) != 1 || skus[0] != w.sku || qty != w.qty {
			t.Errorf("%s's fulfillment: %v × %d, want %s × %d", w.sup, skus, qty, w.sku, w.qty)
		}
		wantTrk := edisupplier.UPSNumber(w.sup + w.po)
		if f.Tracking.Company != "UPS" || f.Tracking.Number != wantTrk {
			t.Errorf("%s's tracking = %s %s, want UPS %s", w.sup, f.Tracking.Company, f.Tracking.Number, wantTrk)
		}
	}

	// Every step is in the timeline, with its cause.
	for _, ev := range []struct{ event, cause string }{
		{"order.received", model.CauseWebhook},
		{"po.created", model.CauseWebhook},
		{"po.sent", model.CauseSystem},
		{"po.functional_ack_accepted", model.CauseDocument},
		{"po.line_rejected", model.CauseDocument},
		{"po.rerouted", model.CauseDocument},
		{"po.shipped", model.CauseDocument},
		{"fulfillment.created", model.CauseSystem},
	} {
		if !hasEvent(a, ev.event, ev.cause) {
			t.Errorf("timeline lacks %s caused by %s:\n  %s", ev.event, ev.cause, strings.Join(events(a), "\n  "))
		}
	}
	if n := l.fake.Throttled(loopShop); n != 0 {
		t.Errorf("the store answered 429 %d times; dropgate must stay within its rate limit", n)
	}
}

func bySupplierOf(a *model.Aggregate, po string) string { return a.PO(po).Supplier }

// TestSilentSupplierRerouted: a supplier that never acknowledges breaches
// its (short) SLA; its PO is withdrawn with a cancellation and the line
// goes to the backup, which ships.
func TestSilentSupplierRerouted(t *testing.T) {
	t.Parallel()
	l := newLoop(t, []supplierSpec{
		{name: "mute", rows: []string{"MUG,3.00,50"}, sla: "{ acknowledge_within: 2s, on_breach: reroute }", silent: true},
		{name: "backup", rows: []string{"MUG,5.00,50"}},
	})
	o, body := l.order(item("MUG", 1, "14.95"))
	l.webhook("orders/create", body)
	a := l.wait(orderIDOf(o), "rerouted and shipped", func(a *model.Aggregate) bool {
		return a.Order.Status == model.OrderShipped && len(a.Shipments) == 1 && a.Shipments[0].ChannelFulfillmentID != ""
	})
	mute, backup := a.POs[0], a.POs[1]
	if mute.Supplier != "mute" || mute.Status != model.POCancelRequested || !mute.Withdrawn() {
		t.Errorf("mute's PO: %s withdrawn=%v", mute.Status, mute.Withdrawn())
	}
	if backup.Supplier != "backup" || backup.Status != model.POShipped {
		t.Errorf("backup's PO: %s %s", backup.Supplier, backup.Status)
	}
	if !hasEvent(a, "po.ack_overdue", model.CauseTimer) || !hasEvent(a, "po.withdrawn", model.CauseTimer) {
		t.Errorf("timeline: %v", events(a))
	}
	if _, err := os.Stat(filepath.Join(l.dir, "var", "out", "mute", mute.Number+".cancel.850.x12")); err != nil {
		t.Errorf("the silent supplier was not sent a cancellation: %v", err)
	}
}

// TestCancellationBeforeSend: the supplier's outbox is unusable, so the PO
// waits for a retry; the channel cancels meanwhile; the PO is cancelled
// and never sent, even when the retry runs.
func TestCancellationBeforeSend(t *testing.T) {
	t.Parallel()
	l := newLoop(t, []supplierSpec{{name: "slow", rows: []string{"MUG,3.00,50"}}})
	blocker := filepath.Join(l.dir, "var", "out", "slow")
	if err := os.MkdirAll(filepath.Dir(blocker), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(blocker, []byte("not a directory"), 0o644); err != nil { // the outbox path is a file
		t.Fatal(err)
	}
	o, body := l.order(item("MUG", 1, "14.95"))
	l.webhook("orders/create", body)
	id := orderIDOf(o)
	l.wait(id, "the PO drafted", func(a *model.Aggregate) bool { return len(a.POs) == 1 })
	l.webhook("orders/cancelled", cancelled(body))
	a := l.wait(id, "cancelled", func(a *model.Aggregate) bool { return a.Order.Status == model.OrderCancelled })
	if a.POs[0].Status != model.POCancelled || a.POs[0].SentAt != nil {
		t.Fatalf("PO: %s sent %v", a.POs[0].Status, a.POs[0].SentAt)
	}
	os.Remove(blocker) // the retry can now write, and must not
	settled := waitUntil(2*time.Minute, func() bool {
		var q struct {
			Queues []struct{ Ready, Scheduled, InFlight int64 }
		}
		l.admin("/queues", &q)
		busy := int64(0)
		for _, s := range q.Queues {
			busy += s.Ready + s.InFlight
		}
		if files, _ := filepath.Glob(filepath.Join(blocker, "*.850.x12")); len(files) > 0 {
			t.Fatalf("a cancelled PO was sent: %v", files)
		}
		return busy == 0 && !l.hasPendingSend()
	})
	if !settled {
		t.Fatal("the send's retry never settled")
	}
}

// hasPendingSend reports whether a po.send retry is still scheduled: the
// PO was never sent, so no SLA timer exists and any scheduled outbound job
// is the send's retry.
func (l *loop) hasPendingSend() bool {
	var q struct {
		Queues []struct {
			Queue     string
			Scheduled int64
		}
	}
	l.admin("/queues", &q)
	for _, s := range q.Queues {
		if s.Queue == "outbound" && s.Scheduled > 0 {
			return true
		}
	}
	return false
}

// TestCancellationAfterSend: the PO was acknowledged; the cancellation goes
// to the supplier as an 850 with BEG01=01, and its 855 confirms it.
func TestCancellationAfterSend(t *testing.T) {
	t.Parallel()
	l := newLoop(t, []supplierSpec{{name: "acme", rows: []string{"MUG,3.00,50"}, shipAfter: time.Hour}})
	o, body := l.order(item("MUG", 1, "14.95"))
	l.webhook("orders/create", body)
	id := orderIDOf(o)
	l.wait(id, "acknowledged", func(a *model.Aggregate) bool { return len(a.POs) == 1 && a.POs[0].Status == model.POAcknowledged })
	l.webhook("orders/cancelled", cancelled(body))
	a := l.wait(id, "the supplier confirmed the cancellation", func(a *model.Aggregate) bool { return a.POs[0].Status == model.POCancelled })
	if a.Order.Status != model.OrderCancelled || !hasEvent(a, "po.cancel_sent", model.CauseSystem) || !hasEvent(a, "po.cancelled", model.CauseDocument) {
		t.Errorf("order %s, timeline %v", a.Order.Status, events(a))
	}
	b, err := os.ReadFile(filepath.Join(l.dir, "var", "out", "acme", a.POs[0].Number+".cancel.850.x12"))
	if err != nil || !strings.Contains(string(b), "BEG*01*DS*"+a.POs[0].Number) {
		t.Errorf("cancellation 850: %v\n%s", err, b)
	}
}

// TestCancellationRejectedAlreadyShipped: the supplier shipped before the
// channel cancelled; the cancellation is impossible and is flagged as an
// exception an operator sees.
func TestCancellationRejectedAlreadyShipped(t *testing.T) {
	t.Parallel()
	l := newLoop(t, []supplierSpec{{name: "fast", rows: []string{"MUG,3.00,50"}}})
	o, body := l.order(item("MUG", 1, "14.95"))
	l.webhook("orders/create", body)
	id := orderIDOf(o)
	l.wait(id, "shipped", func(a *model.Aggregate) bool { return a.Order.Status == model.OrderShipped })
	l.webhook("orders/cancelled", cancelled(body))
	a := l.wait(id, "the cancellation flagged", func(a *model.Aggregate) bool { return hasEvent(a, "po.cancel_impossible", model.CauseWebhook) })
	if a.POs[0].Status != model.POShipped {
		t.Errorf("PO: %s", a.POs[0].Status)
	}
	var x struct{ Exceptions []model.Exception }
	l.admin("/exceptions?kind="+string(model.ExCancelRejected), &x)
	if len(x.Exceptions) != 1 || x.Exceptions[0].OrderID != id || !strings.Contains(x.Exceptions[0].Reason, "already shipped") {
		t.Errorf("exceptions: %+v", x.Exceptions)
	}
}
