package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/internal/app"
	"github.com/dropgate/dropgate/internal/transport"
	"github.com/dropgate/dropgate/internal/x12"
)

// shippedPO is an order of 2 mugs at 20.00 (tax 2.00) whose PO to acme
// (2 × 4.00) shipped: waiting for its invoice.
func shippedPO(now time.Time) *model.Aggregate {
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	sent := now.Add(-48 * time.Hour)
	return &model.Aggregate{
		Order: model.Order{ID: "ord_inv", Channel: "shop", ChannelOrderID: "inv1", Currency: "USD",
			Totals: model.Totals{Total: usd("42.00"), Tax: usd("2.00")},
			Lines:  []model.OrderLine{{ID: "l1", SKU: "MUG-BLK-11", Quantity: 2, UnitPrice: usd("20.00")}}},
		POs: []model.PurchaseOrder{{Number: "POINV1", OrderID: "ord_inv", Supplier: "acme", Status: model.POShipped, Currency: "USD", SentAt: &sent,
			Lines: []model.POLine{{LineNo: 1, OrderLineID: "l1", SKU: "MUG-BLK-11", SupplierSKU: "ACME-MUG-BLK-11", Quantity: 2, Shipped: 2, UnitCost: usd("4.00")}}}},
		Created: sent.Add(-time.Minute),
	}
}

// invoice810 is acme's 810 for POINV1, dated 2026-11-20, net 15 days.
func invoice810(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := x12.NewWriter(&buf, x12.Delimiters{Element: '*', Component: '>', Segment: '~'}, x12.WithNewline("\n"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	_ = w.BeginInterchange(x12.InterchangeHeader{SenderQualifier: "ZZ", SenderID: "ACMESUPPLY", ReceiverQualifier: "ZZ", ReceiverID: "DROPGATEDEMO",
		Date: now, Version: "00401", Control: "810001", Usage: "T"})
	_ = w.BeginGroup(x12.GroupHeader{FunctionalID: "IN", Sender: "ACMESUPPLY", Receiver: "DROPGATEDEMO", Date: now, Control: "810001", Version: "004010"})
	_ = w.BeginSet(x12.SetHeader{ID: "810", Control: "0001"})
	for _, seg := range []string{"BIG*20261120*INV-E2E**POINV1", "ITD*01*3*****15", "IT1*1*2*EA*4.00**VP*ACME-MUG-BLK-11", "TDS*800", "CTT*1"} {
		el := strings.Split(seg, "*")
		if err := w.WriteSegment(el[0], el[1:]...); err != nil {
			t.Fatal(err)
		}
	}
	_ = w.EndSet()
	_ = w.EndGroup()
	_ = w.EndInterchange()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestInvoiceBecomesPayable: an 810 dropped in acme's inbox for a shipped
// PO becomes a payable due 15 days after the invoice date (its ITD), which
// payables list and export show and paid settles; orders show prints the
// order's margin on the invoiced cost.
func TestInvoiceBecomesPayable(t *testing.T) {
	dir := t.TempDir()
	s := serveIn(t, dir, demoConfigIn(t, dir), func(ctx context.Context, a *app.App) {
		orders := repo.NewOrders(a.Store, clock.Real{})
		agg := shippedPO(time.Now().UTC())
		if err := orders.Create(ctx, agg); err != nil {
			t.Fatal(err)
		}
		if err := orders.IndexPO(ctx, &agg.POs[0]); err != nil {
			t.Fatal(err)
		}
	})
	adm := s.admin()
	inbox := filepath.Join(dir, "var", "inbox", "acme")
	if err := os.MkdirAll(inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := transport.WriteFileAtomic(filepath.Join(inbox, "inv-e2e.x12"), invoice810(t)); err != nil {
		t.Fatal(err)
	}

	v := waitJSON(t, func(v map[string]any) bool { return len(list(v, "payables")) == 1 },
		append([]string{"payables", "list", "--supplier", "acme", "--status", "open", "--json"}, adm...)...)
	p := list(v, "payables")[0]
	if field(p, "invoice_number") != "INV-E2E" || field(p, "po_number") != "POINV1" || field(p, "order_id") != "ord_inv" ||
		!strings.HasPrefix(field(p, "due_date"), "2026-12-05") || p.(map[string]any)["mismatches"] != nil {
		t.Fatalf("payable = %v", p)
	}
	id := field(p, "id")

	out, errOut, code := dg(t, append([]string{"payables", "list"}, adm...)...)
	if code != 0 || !strings.Contains(out, "INV-E2E") || !strings.Contains(out, "2026-12-05") || !strings.Contains(out, "8.00 USD") {
		t.Errorf("payables list (exit %d):\n%s%s", code, out, errOut)
	}
	out, errOut, code = dg(t, append([]string{"payables", "export", "--format", "csv"}, adm...)...)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) != 2 || rows[0][0] != "id" || rows[1][2] != "INV-E2E" || rows[1][7] != "8.00" || rows[1][8] != "USD" {
		t.Errorf("payables export (exit %d, %v): %q\n%s", code, err, rows, errOut)
	}
	// revenue 42.00 - 2.00 = 40.00; cost the invoice's 8.00; margin 32.00
	out, errOut, code = dg(t, append([]string{"orders", "show", "ord_inv"}, adm...)...)
	if code != 0 || !strings.Contains(out, "USD: revenue 40.00 USD (refunds 0.00 USD) − cost 8.00 USD = 32.00 USD") ||
		!strings.Contains(out, "POINV1 → acme: 8.00 USD (invoice)") {
		t.Errorf("orders show (exit %d): want the margin\n%s%s", code, out, errOut)
	}

	out, errOut, code = dg(t, append([]string{"payables", "paid", id}, adm...)...)
	if code != 0 || !strings.Contains(out, "marked paid") {
		t.Fatalf("payables paid (exit %d):\n%s%s", code, out, errOut)
	}
	v = waitJSON(t, func(v map[string]any) bool { return true }, append([]string{"payables", "list", "--status", "open", "--json"}, adm...)...)
	if n := len(list(v, "payables")); n != 0 {
		t.Errorf("%d open payables after paid", n)
	}
}
