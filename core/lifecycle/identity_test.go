package lifecycle

import (
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

func partial856() *model.ShipNotice {
	return &model.ShipNotice{PONumber: "A", ShipmentID: "SHIP-77", Carrier: "ups", Packages: []model.Package{
		{TrackingNumber: "1Z999AA10123456784", Lines: []model.ShipmentLine{{SupplierSKU: "A-MUG", Quantity: 1}}},
	}}
}

// TestResentShipNoticeIsADuplicate: a partner re-sends a partial 856 in a
// new envelope (new control numbers, so a new document id). Counting it
// twice would ship the line in full while the customer got one unit.
func TestResentShipNoticeIsADuplicate(t *testing.T) {
	a := agg()
	if _, err := ApplyShipNotice(a, partial856(), "ISA000000101/GS101/ST0001", step(time.Hour)); err != nil {
		t.Fatal(err)
	}
	out, err := ApplyShipNotice(a, partial856(), "ISA000000102/GS102/ST0001", step(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	a.Recompute()
	if got := a.PO("A").Lines[0].Shipped; got != 1 {
		t.Fatalf("shipped = %d after a re-sent 856, want 1", got)
	}
	if len(a.Shipments) != 1 || len(out.Shipments) != 0 || len(out.Exceptions) != 0 {
		t.Fatalf("shipments %d, outcome %+v", len(a.Shipments), out)
	}
	if a.PO("A").Status != model.POPartiallyShipped || a.Order.Status != model.OrderPartiallyShipped {
		t.Errorf("po %s order %s", a.PO("A").Status, a.Order.Status)
	}
	last := a.Timeline[len(a.Timeline)-1]
	if last.Event != "document.duplicate" || !strings.Contains(last.Message, "ISA000000101") || !out.Changed {
		t.Errorf("the duplicate is not on the timeline: %+v (changed %v)", last, out.Changed)
	}
	// The same envelope delivered again is simply ignored, as before.
	n := len(a.Timeline)
	if out, _ := ApplyShipNotice(a, partial856(), "ISA000000102/GS102/ST0001", step(3*time.Hour)); out.Changed || len(a.Timeline) != n {
		t.Error("a redelivered envelope was recorded again")
	}
}

// TestConflictingShipNoticeRaisesAnException: same shipment id and
// tracking, other quantities: nothing applied, a person decides.
func TestConflictingShipNoticeRaisesAnException(t *testing.T) {
	a := agg()
	ApplyShipNotice(a, partial856(), "env1", step(time.Hour))
	sn := partial856()
	sn.Packages[0].Lines[0].Quantity = 2
	out, err := ApplyShipNotice(a, sn, "env2", step(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := a.PO("A").Lines[0].Shipped; got != 1 {
		t.Errorf("shipped = %d, the conflicting notice must not apply", got)
	}
	if len(out.Exceptions) != 1 || out.Exceptions[0].Kind != model.ExDocumentConflict || out.Exceptions[0].PONumber != "A" {
		t.Fatalf("exceptions = %+v", out.Exceptions)
	}
	if !strings.Contains(out.Exceptions[0].Reason, "env1") || !strings.Contains(out.Exceptions[0].Reason, "env2") {
		t.Errorf("reason names neither document: %s", out.Exceptions[0].Reason)
	}
}

// TestNewTrackingIsANewShipment: suppliers that reuse one shipment id per
// PO (BSN02 = PO number) still get each parcel counted.
func TestNewTrackingIsANewShipment(t *testing.T) {
	a := agg()
	ApplyShipNotice(a, partial856(), "env1", step(time.Hour))
	sn := partial856()
	sn.Packages[0].TrackingNumber = "1Z999AA10123456795"
	out, _ := ApplyShipNotice(a, sn, "env2", step(2*time.Hour))
	if a.PO("A").Lines[0].Shipped != 2 || len(out.Shipments) != 1 || len(out.Exceptions) != 0 {
		t.Errorf("shipped %d, outcome %+v", a.PO("A").Lines[0].Shipped, out)
	}
}

func TestResentAckAndInvoiceAreDuplicates(t *testing.T) {
	a := agg()
	date := t0.Add(-time.Hour)
	ack := func() *model.POAck {
		return &model.POAck{PONumber: "A", Status: "accepted_with_changes", Date: date, Lines: []model.AckLine{
			{LineNo: 1, Status: model.AckAccepted, Quantity: 2}, {LineNo: 2, Status: model.AckRejected, Quantity: 1}}}
	}
	if out, _ := ApplyPOAck(a, ack(), "e1", step(time.Hour)); !out.Reroute {
		t.Fatal("the first 855 must release line 2")
	}
	out, _ := ApplyPOAck(a, ack(), "e2", step(2*time.Hour))
	if out.Reroute || len(out.Exceptions) != 0 || a.Timeline[len(a.Timeline)-1].Event != "document.duplicate" {
		t.Errorf("re-sent 855: %+v, last %s", out, a.Timeline[len(a.Timeline)-1].Event)
	}
	// A revised 855 (other answers) is a new document.
	rev := ack()
	rev.Lines[1].Status = model.AckAccepted
	if _, err := ApplyPOAck(a, rev, "e3", step(3*time.Hour)); err != nil || a.PO("A").Lines[1].Rejected != 0 {
		t.Errorf("the revised 855 was not applied: %v %+v", err, a.PO("A").Lines[1])
	}

	ApplyShipNotice(a, &model.ShipNotice{PONumber: "A", ShipmentID: "S1", Packages: []model.Package{{TrackingNumber: "T1",
		Lines: []model.ShipmentLine{{SupplierSKU: "A-MUG", Quantity: 2}, {SupplierSKU: "A-TEE", Quantity: 1}}}}}, "e4", step(4*time.Hour))
	inv := func(total string) *model.Invoice {
		return &model.Invoice{Number: "INV-1", PONumber: "A", Total: money.MustParse(total, "USD"), Lines: []model.InvoiceLine{
			{LineNo: 1, Quantity: 2, UnitPrice: money.MustParse("4.00", "USD")}, {LineNo: 2, Quantity: 1, UnitPrice: money.MustParse("9.00", "USD")}}}
	}
	ApplyInvoice(a, inv("17.00"), "e5", step(5*time.Hour))
	ApplyInvoice(a, inv("17.00"), "e6", step(6*time.Hour))
	if len(a.Invoices) != 1 {
		t.Errorf("invoices = %d after a re-sent 810", len(a.Invoices))
	}
	out, _ = ApplyInvoice(a, inv("19.00"), "e7", step(7*time.Hour))
	if len(a.Invoices) != 1 || len(out.Exceptions) != 1 || out.Exceptions[0].Kind != model.ExDocumentConflict {
		t.Errorf("a second INV-1 with another total: invoices %d, exceptions %+v", len(a.Invoices), out.Exceptions)
	}
}
