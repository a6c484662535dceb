package apptest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/internal/apptest"
)

// Accounts payable: an invoice applied to an order's PO (the 810 path)
// becomes a payable with its due date and amount; an operator marks it paid.

func TestInvoicedPOBecomesPayable(t *testing.T) {
	net := 45
	r := newRig(t, func(o *apptest.Options, _ *rig) {
		o.Profiles["a"] = routing.SupplierProfile{Name: "a", PaymentTerms: routing.PaymentTerms{NetDays: &net}}
	})
	ctx := context.Background()
	r.intake(testOrder("pay1", line("1", "MUG", 2)))
	r.Drain()
	po := r.order("pay1").POs[0]
	r.doc("a", connector.InboundDoc{ID: "856-p", PONumber: po.Number, ShipNotice: &model.ShipNotice{PONumber: po.Number, Carrier: "ups",
		Packages: []model.Package{{TrackingNumber: "1Z999AA10123456784", Lines: []model.ShipmentLine{{SKU: "A-MUG", Quantity: 2}}}}}})
	invDate := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	inv := &model.Invoice{Number: "INV-77", PONumber: po.Number, Supplier: "a", Date: invDate, Currency: "USD", Total: usd("8.00"),
		Lines: []model.InvoiceLine{{LineNo: 1, SupplierSKU: "A-MUG", Quantity: 2, UnitPrice: usd("4.00")}}}
	r.doc("a", connector.InboundDoc{ID: "810-p", PONumber: po.Number, Invoice: inv})
	r.doc("a", connector.InboundDoc{ID: "810-p", PONumber: po.Number, Invoice: inv}) // redelivered: still one payable

	ps, _, err := r.S.Payables.List(ctx, map[string]string{"supplier": "a", "status": "open"}, repo.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 {
		t.Fatalf("payables = %+v", ps)
	}
	p := ps[0]
	if p.InvoiceNumber != "INV-77" || p.PONumber != po.Number || p.OrderID != model.OrderID("shop", "pay1") ||
		p.Amount != usd("8.00") || !p.DueDate.Equal(invDate.AddDate(0, 0, 45)) || len(p.Mismatches) != 0 {
		t.Fatalf("payable = %+v", p)
	}
	if _, err := r.S.Payables.MarkPaid(ctx, p.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	if ps, _, _ := r.S.Payables.List(ctx, map[string]string{"status": "open"}, repo.Page{}); len(ps) != 0 {
		t.Errorf("open after paid: %+v", ps)
	}
	got, err := r.S.Payables.Get(ctx, p.ID)
	if err != nil || got.Status != model.PayablePaid || got.PaidBy != "alice" {
		t.Fatalf("paid = %+v, %v", got, err)
	}
}

func TestMismatchedInvoiceIsFlaggedWithItsTerms(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.intake(testOrder("pay2", line("1", "MUG", 2)))
	r.Drain()
	po := r.order("pay2").POs[0]
	invDate := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	inv := &model.Invoice{Number: "INV-78", PONumber: po.Number, Supplier: "a", Date: invDate, Currency: "USD", Total: usd("9.00"),
		Terms: &model.InvoiceTerms{NetDays: 10},
		Lines: []model.InvoiceLine{{LineNo: 1, SupplierSKU: "A-MUG", Quantity: 2, UnitPrice: usd("4.50")}}}
	r.doc("a", connector.InboundDoc{ID: "810-q", PONumber: po.Number, Invoice: inv})
	ps, _, err := r.S.Payables.List(ctx, map[string]string{"order": model.OrderID("shop", "pay2")}, repo.Page{})
	if err != nil || len(ps) != 1 {
		t.Fatalf("payables = %+v, %v", ps, err)
	}
	p := ps[0]
	if !p.DueDate.Equal(invDate.AddDate(0, 0, 10)) || p.Amount != usd("9.00") {
		t.Errorf("payable = %+v", p)
	}
	if m := strings.Join(p.Mismatches, "; "); !strings.Contains(m, "price 4.50 USD") || !strings.Contains(m, "invoiced 2, shipped 0") {
		t.Errorf("mismatches = %q", m)
	}
}
