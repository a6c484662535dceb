package lifecycle

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func step(d time.Duration) Step {
	return Step{At: t0.Add(d), Cause: model.Cause{Kind: model.CauseDocument, Ref: "test"}}
}

// agg is an order of three lines: lines 1 and 2 on PO "A" (sent), line 3
// on PO "B" (sent).
func agg() *model.Aggregate {
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	due := t0.Add(4 * time.Hour)
	shipDue := t0.Add(48 * time.Hour)
	a := &model.Aggregate{
		Order: model.Order{ID: "o1", Channel: "shop", Currency: "USD", Lines: []model.OrderLine{
			{ID: "L1", SKU: "MUG", Quantity: 2}, {ID: "L2", SKU: "TEE", Quantity: 1}, {ID: "L3", SKU: "CAP", Quantity: 3},
		}},
		POs: []model.PurchaseOrder{
			{Number: "A", Supplier: "a", Status: model.POSent, AckDueAt: &due, ShipDueAt: &shipDue, Lines: []model.POLine{
				{LineNo: 1, OrderLineID: "L1", SKU: "MUG", SupplierSKU: "A-MUG", Quantity: 2, UnitCost: usd("4.00")},
				{LineNo: 2, OrderLineID: "L2", SKU: "TEE", SupplierSKU: "A-TEE", Quantity: 1, UnitCost: usd("9.00")},
			}},
			{Number: "B", Supplier: "b", Status: model.POSent, AckDueAt: &due, Lines: []model.POLine{
				{LineNo: 1, OrderLineID: "L3", SKU: "CAP", SupplierSKU: "B-CAP", Quantity: 3, UnitCost: usd("2.00")},
			}},
		},
	}
	a.Recompute()
	return a
}

func events(a *model.Aggregate) string {
	var e []string
	for _, t := range a.Timeline {
		e = append(e, t.Event)
	}
	return strings.Join(e, ",")
}

func TestAckAcceptAll(t *testing.T) {
	a := agg()
	out, err := ApplyPOAck(a, &model.POAck{PONumber: "A", Status: "accepted", SupplierID: "SO-9"}, "doc1", step(time.Hour))
	if err != nil || out.Reroute {
		t.Fatalf("out %+v err %v", out, err)
	}
	a.Recompute()
	po := a.PO("A")
	if po.Status != model.POAcknowledged || po.Lines[0].Acknowledged != 2 || po.RefValue("supplier:a") != "SO-9" {
		t.Errorf("po = %+v", po)
	}
	if a.Order.Lines[0].State != model.LineAcknowledged || a.Order.Lines[0].Qty.Acknowledged != 2 {
		t.Errorf("line = %s %+v", a.Order.Lines[0].State, a.Order.Lines[0].Qty)
	}
	// The same document again changes nothing.
	n := len(a.Timeline)
	if out, _ := ApplyPOAck(a, &model.POAck{PONumber: "A", Status: "rejected"}, "doc1", step(2*time.Hour)); out.Changed || len(a.Timeline) != n || a.PO("A").Status != model.POAcknowledged {
		t.Error("a duplicate document changed the order")
	}
}

func TestAckLineRejectAndBackorder(t *testing.T) {
	a := agg()
	out, err := ApplyPOAck(a, &model.POAck{PONumber: "A", Status: "accepted_with_changes", Lines: []model.AckLine{
		{LineNo: 1, Status: model.AckBackordered, Quantity: 2, ReasonCode: "IB"},
		{LineNo: 2, Status: model.AckRejected, Quantity: 1, Reason: "discontinued"},
	}}, "doc", step(time.Hour))
	if err != nil || !out.Reroute {
		t.Fatalf("reroute expected: %+v %v", out, err)
	}
	a.Recompute()
	po := a.PO("A")
	if po.Status != model.POAckWithChanges || po.Lines[0].Backordered != 2 || po.Lines[1].Rejected != 1 || po.Lines[1].RejectReason != "discontinued" {
		t.Errorf("po = %s %+v", po.Status, po.Lines)
	}
	if open := OpenLines(a); open["L2"] != 1 || len(open) != 1 {
		t.Errorf("open = %v, want L2:1", open)
	}
	if ex := Excluded(a); len(ex["L2"]) != 1 || ex["L2"][0] != "a" || len(ex["L1"]) != 0 {
		t.Errorf("excluded = %v", ex)
	}
	if a.Order.Lines[0].State != model.LineBackordered {
		t.Errorf("L1 state = %s", a.Order.Lines[0].State)
	}
}

func TestAckQuantityChangeReleasesTheRest(t *testing.T) {
	a := agg()
	_, err := ApplyPOAck(a, &model.POAck{PONumber: "B", Status: "accepted_with_changes", Lines: []model.AckLine{
		{LineNo: 1, Status: model.AckChanged, Quantity: 1, ReasonCode: "IQ"},
	}}, "d", step(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	a.Recompute()
	l := a.PO("B").Lines[0]
	if l.Acknowledged != 1 || l.Rejected != 2 || OpenLines(a)["L3"] != 2 {
		t.Errorf("line = %+v open %v", l, OpenLines(a))
	}
}

func TestAckHeaderRejectRejectsEverything(t *testing.T) {
	a := agg()
	out, _ := ApplyPOAck(a, &model.POAck{PONumber: "B", Status: "rejected", Reason: "account on hold"}, "d", step(time.Hour))
	a.Recompute()
	if a.PO("B").Status != model.PORejected || !out.Reroute || OpenLines(a)["L3"] != 3 {
		t.Errorf("status %s open %v", a.PO("B").Status, OpenLines(a))
	}
	if !strings.Contains(a.Timeline[len(a.Timeline)-1].Message, "account on hold") {
		t.Errorf("timeline: %+v", a.Timeline[len(a.Timeline)-1])
	}
}

// TestShipNoticeBeforeAck: the 856 overtakes the 855 that rejects a line;
// once the 855 arrives, everything still due has shipped.
func TestShipNoticeBeforeAck(t *testing.T) {
	a := agg()
	ApplyShipNotice(a, &model.ShipNotice{PONumber: "A", Packages: []model.Package{{TrackingNumber: "T", Lines: []model.ShipmentLine{{SupplierSKU: "A-MUG", Quantity: 2}}}}}, "856", step(time.Hour))
	if a.PO("A").Status != model.POPartiallyShipped {
		t.Fatalf("after the 856: %s", a.PO("A").Status)
	}
	out, err := ApplyPOAck(a, &model.POAck{PONumber: "A", Status: "accepted_with_changes", Lines: []model.AckLine{
		{LineNo: 1, Status: model.AckAccepted, Quantity: 2}, {LineNo: 2, Status: model.AckRejected, Quantity: 1}}}, "855", step(2*time.Hour))
	if err != nil || !out.Reroute {
		t.Fatalf("out %+v err %v", out, err)
	}
	a.Recompute()
	if a.PO("A").Status != model.POShipped || OpenLines(a)["L2"] != 1 {
		t.Errorf("after the late 855: %s, open %v", a.PO("A").Status, OpenLines(a))
	}
}

func TestAckUnknownPO(t *testing.T) {
	if _, err := ApplyPOAck(agg(), &model.POAck{PONumber: "ZZ"}, "d", step(0)); !errors.Is(err, ErrUnknownPO) {
		t.Errorf("err = %v", err)
	}
}

func TestShipNoticePartialThenFull(t *testing.T) {
	a := agg()
	sn := &model.ShipNotice{PONumber: "A", Carrier: "ups", ShipmentID: "BSN1", Packages: []model.Package{
		{TrackingNumber: "1Z999AA10123456784", Lines: []model.ShipmentLine{{SKU: "A-MUG", Quantity: 1}}},
	}}
	out, err := ApplyShipNotice(a, sn, "asn1", step(time.Hour))
	if err != nil || len(out.Shipments()) != 1 {
		t.Fatalf("out %+v err %v", out, err)
	}
	a.Recompute()
	if a.PO("A").Status != model.POPartiallyShipped || a.Order.Status != model.OrderPartiallyShipped || a.Order.Lines[0].Qty.Shipped != 1 {
		t.Fatalf("po %s order %s line %+v", a.PO("A").Status, a.Order.Status, a.Order.Lines[0].Qty)
	}
	sn2 := &model.ShipNotice{PONumber: "A", Carrier: "fedex", Packages: []model.Package{
		{TrackingNumber: "T2", Lines: []model.ShipmentLine{{POLineNo: 1, Quantity: 1}}},
		{TrackingNumber: "T3", Lines: []model.ShipmentLine{{SKU: "TEE", Quantity: 1}}},
	}}
	if _, err := ApplyShipNotice(a, sn2, "asn2", step(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Redelivery of the second notice does not double the quantities.
	ApplyShipNotice(a, sn2, "asn2", step(3*time.Hour))
	a.Recompute()
	if a.PO("A").Status != model.POShipped || len(a.Shipments) != 2 || a.Order.Lines[0].Qty.Shipped != 2 || a.Order.Lines[1].State != model.LineShipped {
		t.Fatalf("po %s shipments %d lines %+v", a.PO("A").Status, len(a.Shipments), a.Order.Lines)
	}
	if got := a.Shipments[1].TrackingNumbers(); len(got) != 2 || got[0] != "T2" {
		t.Errorf("tracking = %v", got)
	}
	// Order still waits for PO B.
	if a.Order.Status != model.OrderPartiallyShipped {
		t.Errorf("order = %s", a.Order.Status)
	}
	ApplyShipNotice(a, &model.ShipNotice{PONumber: "B", Packages: []model.Package{{TrackingNumber: "T4", Lines: []model.ShipmentLine{{Quantity: 3}}}}}, "asn3", step(4*time.Hour))
	a.Recompute()
	if a.Order.Status != model.OrderShipped {
		t.Errorf("order = %s, want shipped (one-line PO matched without a SKU)", a.Order.Status)
	}
	if ShipmentID("asn2", "A") != a.Shipments[1].ID {
		t.Error("shipment ids must derive from the document")
	}
}

func TestShipNoticeMatchesByGTIN(t *testing.T) {
	a := agg()
	a.PO("A").Lines[1].GTIN = "8712345678906"
	_, err := ApplyShipNotice(a, &model.ShipNotice{PONumber: "A", Packages: []model.Package{{TrackingNumber: "SSCC1",
		Lines: []model.ShipmentLine{{GTIN: "8712345678906", Quantity: 1}, {SupplierSKU: "A-MUG", Quantity: 2}}}}}, "desadv", step(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if l := a.PO("A").Lines; l[0].Shipped != 2 || l[1].Shipped != 1 || a.PO("A").Status != model.POShipped {
		t.Errorf("lines = %+v status %s", l, a.PO("A").Status)
	}
}

func TestInvoiceMatchAndMismatch(t *testing.T) {
	a := agg()
	ApplyShipNotice(a, &model.ShipNotice{PONumber: "B", Packages: []model.Package{{Lines: []model.ShipmentLine{{SKU: "B-CAP", Quantity: 3}}}}}, "s", step(time.Hour))
	good := &model.Invoice{Number: "INV1", PONumber: "B", Total: money.MustParse("6.00", "USD"),
		Lines: []model.InvoiceLine{{SupplierSKU: "B-CAP", Quantity: 3, UnitPrice: money.MustParse("2.00", "USD")}}}
	out, err := ApplyInvoice(a, good, "i1", step(2*time.Hour))
	if err != nil || len(out.Exceptions()) != 0 || a.PO("B").Status != model.POClosed {
		t.Fatalf("clean invoice: %+v %v status %s", out, err, a.PO("B").Status)
	}
	a = agg()
	ApplyShipNotice(a, &model.ShipNotice{PONumber: "A", Packages: []model.Package{{Lines: []model.ShipmentLine{{SKU: "A-MUG", Quantity: 2}}}}}, "s", step(time.Hour))
	bad := &model.Invoice{Number: "INV2", PONumber: "A", Lines: []model.InvoiceLine{
		{LineNo: 1, Quantity: 3, UnitPrice: money.MustParse("4.50", "USD")},
	}}
	out, _ = ApplyInvoice(a, bad, "i2", step(2*time.Hour))
	if len(out.Exceptions()) != 1 || out.Exceptions()[0].Kind != model.ExInvoiceMismatch {
		t.Fatalf("exceptions = %+v", out.Exceptions())
	}
	r := out.Exceptions()[0].Reason
	for _, want := range []string{"MUG: price 4.50 USD, agreed 4.00 USD", "MUG: invoiced 3, shipped 2"} {
		if !strings.Contains(r, want) {
			t.Errorf("reason %q lacks %q", r, want)
		}
	}
}

func TestCancelByState(t *testing.T) {
	a := agg()
	a.POs = append(a.POs, model.PurchaseOrder{Number: "C", Supplier: "c", Status: model.PODraft, Lines: []model.POLine{{LineNo: 1, OrderLineID: "L3", Quantity: 1}}})
	a.PO("B").Status = model.POShipped
	out := RequestCancel(a, "customer", step(time.Hour))
	if a.PO("C").Status != model.POCancelled || a.PO("A").Status != model.POCancelRequested {
		t.Errorf("C %s A %s", a.PO("C").Status, a.PO("A").Status)
	}
	if len(out.Cancel()) != 1 || out.Cancel()[0] != "A" {
		t.Errorf("cancel requests = %v", out.Cancel())
	}
	if len(out.Exceptions()) != 1 || out.Exceptions()[0].Kind != model.ExCancelRejected || out.Exceptions()[0].PONumber != "B" {
		t.Errorf("exceptions = %+v", out.Exceptions())
	}
	// The supplier answers.
	ApplyPOAck(a, &model.POAck{PONumber: "A", CancelResponse: "accepted"}, "c1", step(2*time.Hour))
	if a.PO("A").Status != model.POCancelled {
		t.Errorf("A = %s", a.PO("A").Status)
	}
	a2 := agg()
	RequestCancel(a2, "", step(0))
	out, _ = ApplyPOAck(a2, &model.POAck{PONumber: "A", CancelResponse: "rejected", Reason: "already picked"}, "c2", step(time.Hour))
	if a2.PO("A").Status != model.POCancelRejected || len(out.Exceptions()) != 1 || !strings.Contains(out.Exceptions()[0].Reason, "already picked") {
		t.Errorf("A = %s exceptions %+v", a2.PO("A").Status, out.Exceptions())
	}
	// Shipping while the cancellation is pending: rejected, flagged.
	a3 := agg()
	RequestCancel(a3, "", step(0))
	out, _ = ApplyShipNotice(a3, &model.ShipNotice{PONumber: "B", Packages: []model.Package{{TrackingNumber: "X", Lines: []model.ShipmentLine{{Quantity: 3}}}}}, "s", step(time.Hour))
	if a3.PO("B").Status != model.POShipped || len(out.Exceptions()) != 1 || out.Exceptions()[0].Kind != model.ExCancelRejected {
		t.Errorf("B = %s exceptions %+v", a3.PO("B").Status, out.Exceptions())
	}
	if !strings.Contains(events(a3), "po.cancel_rejected") {
		t.Errorf("timeline = %s", events(a3))
	}
}

func TestAckSLA(t *testing.T) {
	a := agg()
	if out := CheckAckSLA(a, "A", BreachException, step(3*time.Hour)); out.Changed {
		t.Error("not due yet")
	}
	out := CheckAckSLA(a, "A", BreachException, step(5*time.Hour))
	if a.PO("A").Status != model.POAckOverdue || len(out.Exceptions()) != 1 || out.Exceptions()[0].Kind != model.ExAckOverdue || out.Reroute {
		t.Fatalf("status %s out %+v", a.PO("A").Status, out)
	}
	// A late acknowledgement still counts.
	ApplyPOAck(a, &model.POAck{PONumber: "A", Status: "accepted"}, "late", step(6*time.Hour))
	if a.PO("A").Status != model.POAcknowledged {
		t.Errorf("late ack: %s", a.PO("A").Status)
	}

	a = agg()
	out = CheckAckSLA(a, "B", BreachReroute, step(5*time.Hour))
	a.Recompute()
	if !out.Reroute || len(out.Cancel()) != 1 || !a.PO("B").Withdrawn() || a.PO("B").Status != model.POCancelRequested {
		t.Fatalf("out %+v po %+v", out, a.PO("B"))
	}
	if OpenLines(a)["L3"] != 3 || Excluded(a)["L3"][0] != "b" {
		t.Errorf("open %v excluded %v", OpenLines(a), Excluded(a))
	}
	// An acknowledged PO is not overdue.
	a = agg()
	ApplyPOAck(a, &model.POAck{PONumber: "A", Status: "accepted"}, "d", step(time.Hour))
	if out := CheckAckSLA(a, "A", BreachReroute, step(5*time.Hour)); out.Changed {
		t.Error("an acknowledged PO breached its ack SLA")
	}
}

func TestShipSLA(t *testing.T) {
	a := agg()
	ApplyPOAck(a, &model.POAck{PONumber: "A", Status: "accepted"}, "d", step(time.Hour))
	out := CheckShipSLA(a, "A", BreachException, step(49*time.Hour))
	if len(out.Exceptions()) != 1 || out.Exceptions()[0].Kind != model.ExSLABreach || !strings.Contains(events(a), "po.ship_late") {
		t.Fatalf("out %+v", out)
	}
	a = agg()
	ApplyShipNotice(a, &model.ShipNotice{PONumber: "A", Packages: []model.Package{{Lines: []model.ShipmentLine{{SKU: "MUG", Quantity: 2}, {SKU: "TEE", Quantity: 1}}}}}, "s", step(time.Hour))
	if out := CheckShipSLA(a, "A", BreachException, step(49*time.Hour)); out.Changed {
		t.Error("a shipped PO cannot be late")
	}
}

func TestMachineRefusesRegressions(t *testing.T) {
	for _, c := range []struct {
		from, to model.POStatus
		ok       bool
	}{
		{model.PODraft, model.POSent, true},
		{model.POShipped, model.POAcknowledged, false},
		{model.POCancelled, model.POSent, false},
		{model.POAckOverdue, model.POAcknowledged, true},
		{model.POCancelRequested, model.POCancelled, true},
		{model.PORejected, model.POShipped, false},
	} {
		if CanMove(c.from, c.to) != c.ok {
			t.Errorf("%s → %s: %v", c.from, c.to, !c.ok)
		}
	}
}
