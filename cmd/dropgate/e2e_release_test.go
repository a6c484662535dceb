package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/dropgate/dropgate/core/model"
)

// withFinancial returns a Shopify order body with financial_status set.
func withFinancial(body []byte, status string) []byte {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	_ = d.Decode(&m)
	m["financial_status"] = status
	b, _ := json.Marshal(m)
	return b
}

// TestUnpaidOrderWaitsForPayment: through the binary, an order whose
// payment is pending is stored on a payment hold and no 850 is written;
// Shopify's orders/paid webhook releases it, and its PO reaches the
// supplier (TestPendingPaymentWaitsThenPaidUpdateReleases checks that
// further updates send nothing more).
func TestUnpaidOrderWaitsForPayment(t *testing.T) {
	t.Parallel()
	l := newLoop(t, []supplierSpec{{name: "acme", rows: []string{"MUG,3.00,50"}}})
	o, body := l.order(item("MUG", 1, "14.95"))
	id := orderIDOf(o)
	l.webhook("orders/create", withFinancial(body, "pending"))
	a := l.wait(id, "a payment hold", func(a *model.Aggregate) bool { return len(a.Order.Holds) > 0 })
	if a.Order.Holds[0].Code != model.HoldPayment || len(a.POs) != 0 || a.Order.Status != model.OrderOnHold {
		t.Fatalf("holds %+v, POs %d, status %s", a.Order.Holds, len(a.POs), a.Order.Status)
	}
	out := filepath.Join(l.dir, "var", "out", "acme")
	if files, _ := os.ReadDir(out); len(files) != 0 {
		t.Fatalf("an 850 went out before payment: %v", files)
	}
	l.webhook("orders/paid", withFinancial(body, "paid"))
	a = l.wait(id, "its PO sent", func(a *model.Aggregate) bool { return len(a.POs) == 1 && a.POs[0].Status != model.PODraft })
	if len(a.Order.Holds) != 0 || a.Order.PaymentStatus != model.PaymentPaid {
		t.Errorf("after payment: holds %+v, payment %s", a.Order.Holds, a.Order.PaymentStatus)
	}
	if files, _ := filepath.Glob(filepath.Join(out, "*.850.x12")); len(files) != 1 {
		t.Errorf("850s %v, want one", files)
	}
	// The release is on the timeline with the webhook as its cause.
	var released bool
	for _, e := range a.Timeline {
		if e.Event == "order.released" && e.Cause.Kind == model.CauseWebhook {
			released = true
		}
	}
	if !released {
		t.Errorf("no order.released caused by a webhook in %v", events(a))
	}
}
