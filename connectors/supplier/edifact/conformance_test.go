package edifact

import (
	"reflect"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/edifact"
	"github.com/dropgate/dropgate/internal/testutil"
)

// The conformance samples (DROPGATE_CONFORMANCE_DIR, see
// ../shared/conformance/edi/SOURCES.txt), read in place: every message is
// mapped and every value checked.

// TestConformanceORDERS reads the 12 ORDERS (UNA, UNOC, EAN008) of a SAP
// system's interchange.
func TestConformanceORDERS(t *testing.T) {
	data := testutil.ConformanceFile(t, "edi/edifact_ORDERS_D96A_UNOC_multi-message.edi")
	r := newRig(t, nil, nil)
	got, err := r.c.ReadOrders(data)
	if err != nil {
		t.Fatal(err)
	}
	type line struct {
		no  int
		sku string
		qty int64
	}
	type order struct {
		ref, name, number, created, delivery, dp string
		lines                                    []line
	}
	three := []line{{10, "10000029", 100}, {20, "10000026", 100}, {30, "9600001", 100}}
	want := []order{
		{"107", "352", "4200000064", "20070910", "20071012", "0007", []line{{10, "10000029", 13}, {20, "10000026", 25}}},
		{"108", "352", "4200001051", "20070906", "20070907", "0001", []line{{10, "10000029", 32}}},
		{"109", "352", "4200006016", "20070907", "20070910", "0001", []line{{10, "82102002", 2}}},
		{"110", "220", "4200000063", "20070907", "20070910", "0001", []line{{10, "82102201", 100}}},
		{"111", "220", "4200003095", "20070910", "20070912", "0001", three},
		{"112", "352", "4200001051", "20070906", "20070907", "0001", []line{{10, "10000029", 32}}},
		{"113", "352", "4200000064", "20070910", "20071012", "0007", []line{{10, "10000029", 13}, {20, "10000026", 25}}},
		{"114", "220", "4200003095", "20070910", "20070912", "0001", three},
		{"115", "220", "4200003091", "20070907", "20070910", "0001", []line{{10, "82102002", 100}}},
		{"116", "220", "4200003091", "20070907", "20070910", "0001", []line{{10, "82102002", 100}}},
		{"117", "220", "4200000063", "20070907", "20070910", "0001", []line{{10, "82102201", 100}}},
		{"118", "352", "4200006016", "20070907", "20070910", "0001", []line{{10, "82102002", 2}}},
	}
	if len(got) != len(want) {
		t.Fatalf("%d messages, want %d", len(got), len(want))
	}
	for i, w := range want {
		om := got[i]
		if len(om.Errors) > 0 {
			t.Errorf("message %s: %v", w.ref, om.Errors)
		}
		po := om.PO
		if om.ID != "edifact:HID032:2:"+w.ref || om.DocumentName != w.name || om.Function != "" || po.Number != w.number ||
			po.Created.Format("20060102") != w.created || om.DeliveryRequested.Format("20060102") != w.delivery {
			t.Errorf("message %s: %s %s/%q %s created %s delivery %s", w.ref, om.ID, om.DocumentName, om.Function, po.Number, po.Created, om.DeliveryRequested)
		}
		// No CUX: the profile's currency; no PRI: no cost; DP gives an
		// identification, no address.
		if po.Currency != "EUR" || po.ShipTo != (model.Address{}) || po.OrderNumber != "" || po.ShippingMethod != "" {
			t.Errorf("message %s: %+v", w.ref, po)
		}
		refs := []model.Ref{{System: "edifact:NAD+BY", ID: "0001"}, {System: "edifact:NAD+SU", ID: "8710934000008"}, {System: "edifact:NAD+DP", ID: w.dp}}
		if !reflect.DeepEqual(po.Refs, refs) {
			t.Errorf("message %s: parties %v", w.ref, po.Refs)
		}
		var lines []line
		for _, l := range po.Lines {
			if l.SupplierSKU != "" || l.GTIN != "" || l.Description != "" || l.UnitCost.Currency != "" {
				t.Errorf("message %s line %d: %+v", w.ref, l.LineNo, l)
			}
			lines = append(lines, line{l.LineNo, l.SKU, l.Quantity})
		}
		if !reflect.DeepEqual(lines, w.lines) {
			t.Errorf("message %s: lines %v, want %v", w.ref, lines, w.lines)
		}
	}
}

// eanPartner is the profile of the DESADV and INVOIC samples: GLN
// 8712345678910 sends to 8712345678920.
func eanPartner(p *Partner) { p.Sender.ID, p.Recipient.ID = "8712345678920", "8712345678910" }

// TestConformanceDESADV reads the 8 DESADV (EAN005, UNOA). The first
// despatches 121212121212.121 units of an item counted in pieces: it is
// rejected with the QTY's position, the other seven map.
func TestConformanceDESADV(t *testing.T) {
	data := testutil.ConformanceFile(t, "edi/edifact_DESADV_D96A_EAN005.edi")
	r := newRig(t, eanPartner, nil)
	got := parse(t, r.c, "dutchic_desadv1.edi", data)
	if len(got.Rejected) != 1 {
		t.Fatalf("rejected = %+v", got.Rejected)
	}
	rj := got.Rejected[0]
	if rj.ID != "edifact:8712345678910:1:1" || rj.Type != "DESADV" || len(rj.Errors) != 1 ||
		rj.Errors[0] != "dutchic_desadv1.edi: line 38, interchange 1 message 1 segment 37 (QTY) element 1 component 2: QTY01-2 121212121212.121 is not a whole number of units" {
		t.Errorf("rejected = %+v", rj)
	}
	const a, b, c = "8712345003906", "8712345003913", "8712345003920"
	type want struct {
		ref, number, po string
		gtin2           string
		qty2            int64
	}
	wants := []want{
		{"2", "VERZENDVB7", "123", b, 250}, {"3", "VERZENDVB6", "122", b, 250}, {"4", "VERZENDVB5", "121", c, 5},
		{"5", "VERZENDVB4", "120", b, 250}, {"6", "VERZENDVB3", "119", b, 250}, {"7", "VERZENDVB2", "118", b, 250}, {"8", "VERZENDVB1", "117", b, 250},
	}
	if len(got.Docs) != len(wants) {
		t.Fatalf("%d documents, want %d", len(got.Docs), len(wants))
	}
	for i, w := range wants {
		d := got.Docs[i]
		sn := d.ShipNotice
		wantSN := model.ShipNotice{
			PONumber: w.po, Supplier: "acme", ShipmentID: w.number, ShippedAt: date(2013, 1, 23),
			Packages: []model.Package{{Lines: []model.ShipmentLine{{POLineNo: 1, GTIN: a, Quantity: 48}, {POLineNo: 2, GTIN: w.gtin2, Quantity: w.qty2}}}},
		}
		if d.ID != "edifact:8712345678910:1:"+w.ref || d.PONumber != w.po || !reflect.DeepEqual(*sn, wantSN) {
			t.Errorf("message %s:\n got %+v\nwant %+v", w.ref, *sn, wantSN)
		}
	}
	ic, rep := contrlOf(t, got)
	if ic.Header.Syntax != "UNOA" || ic.Header.Sender.ID != "8712345678920" || rep.Interchange.Ref != "1" || rep.Interchange.Action != edifact.ActionAccepted || len(rep.Messages) != 8 {
		t.Fatalf("CONTRL = %+v %+v", ic.Header, rep)
	}
	m1 := rep.Messages[0]
	if m1.Action != edifact.ActionRejected || len(m1.Segments) != 1 || m1.Segments[0].Position != 37 ||
		!reflect.DeepEqual(m1.Segments[0].Elements, []edifact.ElementError{{Code: edifact.CodeInvalidValue, Element: 1, Component: 2}}) {
		t.Errorf("UCM 1 = %+v", m1)
	}
	for _, m := range rep.Messages[1:] {
		if m.Action != edifact.ActionAccepted || m.Type != "DESADV" || m.Association != "EAN005" {
			t.Errorf("UCM %s = %+v", m.Ref, m)
		}
	}
}

// TestConformanceINVOIC reads the 2 INVOIC (EAN008): header, line and
// summary allowances and charges, VAT per rate, two discount terms.
func TestConformanceINVOIC(t *testing.T) {
	data := testutil.ConformanceFile(t, "edi/edifact_INVOIC_D96A_EAN008.edi")
	r := newRig(t, eanPartner, nil)
	got := parse(t, r.c, "invoic01.edi", data)
	if len(got.Rejected) > 0 || len(got.Docs) != 2 {
		t.Fatalf("docs = %d, rejected = %+v", len(got.Docs), got.Rejected)
	}
	five := decimal.MustParse("5")
	vat := func(desc, amt string) model.Charge {
		return model.Charge{Code: "tax:VAT", Description: "value added tax " + desc, Amount: eur(amt)}
	}
	for i, number := range []string{"20051098", "20051099"} {
		d := got.Docs[i]
		want := model.Invoice{
			Number: number, PONumber: "4500094576", Supplier: "acme", Date: date(2005, 8, 29), Currency: "EUR", Total: eur("286.20"),
			Terms: &model.InvoiceTerms{Type: "22", DiscountPercent: &five, DiscountDays: 30, Description: "5% discount within 30 days; 10% discount within 60 days"},
			Charges: []model.Charge{
				{Code: "ABH", Description: "throughput allowance", Amount: eur("-600")},
				{Code: "ADO", Description: "efficient logistics", Amount: eur("250")},
				vat("19% (standard rate)", "11.11"), vat("6% (standard rate)", "22.20"), vat("0% (standard rate)", "33.30"), vat("(exempt)", "44.40"),
			},
			Lines: []model.InvoiceLine{
				{LineNo: 1, GTIN: "8712345678906", Quantity: 2, UnitPrice: eur("6.50"), Charges: []model.Charge{
					{Code: "ADR", Description: "other services", Amount: eur("-70")},
					{Code: "ADR", Description: "other services", Amount: eur("50")},
					{Code: "RAD", Description: "returnable container", Amount: eur("100")},
				}},
				{LineNo: 2, GTIN: "8709876543210", Quantity: 1, UnitPrice: eur("6.50"), Charges: []model.Charge{
					{Code: "ADR", Description: "other services", Amount: eur("25")},
					{Code: "ADR", Description: "other services", Amount: eur("-10")},
					{Code: "RAD", Description: "returnable container", Amount: eur("25")},
				}},
				{LineNo: 3, GTIN: "8755555555555", Quantity: 2, UnitPrice: eur("6.50"), Charges: []model.Charge{
					{Code: "RAD", Description: "returnable container", Amount: eur("-75")},
					{Code: "SH", Description: "special handling service", Amount: eur("-15")},
				}},
			},
		}
		wantID := "edifact:8712345678910:4:" + []string{"111424", "111425"}[i]
		if d.ID != wantID || d.PONumber != "4500094576" || !reflect.DeepEqual(*d.Invoice, want) {
			t.Errorf("invoice %s (%s):\n got %+v\nwant %+v", number, d.ID, *d.Invoice, want)
		}
	}
	_, rep := contrlOf(t, got)
	if rep.Interchange.Ref != "4" || rep.Interchange.Action != edifact.ActionAccepted || len(rep.Messages) != 2 ||
		rep.Messages[0].Ref != "111424" || rep.Messages[1].Ref != "111425" || rep.Messages[0].Action != edifact.ActionAccepted {
		t.Errorf("CONTRL = %+v", rep)
	}
}

// TestConformanceFilesAsOtherPartner: the samples dropped in another
// partner's inbox are refused whole, naming the interchange.
func TestConformanceFilesAsOtherPartner(t *testing.T) {
	r := newRig(t, nil, nil)
	for _, f := range []string{"edi/edifact_DESADV_D96A_EAN005.edi", "edi/edifact_INVOIC_D96A_EAN008.edi", "edi/edifact_ORDERS_D96A_UNOC_multi-message.edi"} {
		_, err := r.c.ParseDocuments(t.Context(), "f.edi", testutil.ConformanceFile(t, f))
		if err == nil || !strings.Contains(err.Error(), "not from this partner") {
			t.Errorf("%s: %v", f, err)
		}
	}
}
