package edifact

import (
	"reflect"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/model"
)

// TestINVOIC reads an invoice with a UNA advising the decimal comma,
// header, line and summary allowances and charges, taxes and terms.
func TestINVOIC(t *testing.T) {
	r := newRig(t, nil, nil)
	body := []string{
		"BGM+380+INV-2026-0042+9",
		"DTM+137:20261123:102",
		"RFF+ON:PO123",
		"CUX+2:EUR:4",
		"PAT+1++5:3:D:30",
		"PAT+22++5:3:D:10",
		"PCD+12:2,5",
		"ALC+C++++FC",
		"MOA+8:4,95",
		"TAX+7+VAT+++:::19+S",
		"LIN+1++4006381333931:EN",
		"PIA+5+ACM-MUG:SA",
		"QTY+47:2:PCE",
		"MOA+203:8,40",
		"PRI+AAB:4,50",
		"PRI+AAA:4,20",
		"TAX+7+VAT+++:::19+S",
		"MOA+124:1,60",
		"ALC+A++++DI",
		"MOA+204:0,60",
		"LIN+2",
		"PIA+1+TEE-WHT-M:IN",
		"QTY+47:3",
		"MOA+203:23,40",
		"UNS+S",
		"MOA+77:43,47",
		"MOA+79:31,80",
		"TAX+7+VAT+++:::19+S",
		"MOA+125:36,75",
		"MOA+124:6,98",
		"ALC+C++++SH::::gift wrap",
		"MOA+8:1,75",
	}
	doc := oneDoc(t, r.c, inbound(env{ref: "61", una: "UNA:+,? '\n"}, msg{"INVOIC", body}))
	pct := decimal.MustParse("2.5")
	want := model.Invoice{
		Number: "INV-2026-0042", PONumber: "PO123", Supplier: "acme", Date: date(2026, 11, 23), Currency: "EUR",
		Total: eur("43.47"),
		Terms: &model.InvoiceTerms{Type: "1", NetDays: 30, DiscountPercent: &pct, DiscountDays: 10, Description: "net within 30 days; 2.5% discount within 10 days"},
		Charges: []model.Charge{
			{Code: "FC", Description: "freight charge", Amount: eur("4.95")},
			{Code: "tax:VAT", Description: "value added tax 19% (standard rate)", Amount: eur("6.98")},
			{Code: "SH", Description: "gift wrap", Amount: eur("1.75")},
		},
		Lines: []model.InvoiceLine{
			{LineNo: 1, GTIN: "4006381333931", SupplierSKU: "ACM-MUG", Quantity: 2, Unit: "PCE", UnitPrice: eur("4.20"), Charges: []model.Charge{
				{Code: "tax:VAT", Description: "value added tax 19% (standard rate)", Amount: eur("1.60")},
				{Code: "DI", Description: "discount", Amount: eur("-0.60")},
			}},
			// No PRI: MOA+203 / QTY+47.
			{LineNo: 2, SKU: "TEE-WHT-M", Quantity: 3, UnitPrice: eur("7.80")},
		},
	}
	if doc.PONumber != "PO123" || !reflect.DeepEqual(*doc.Invoice, want) {
		t.Errorf("invoice\n got %+v\nwant %+v", *doc.Invoice, want)
	}
}

func TestINVOICCreditNoteAndErrors(t *testing.T) {
	r := newRig(t, nil, nil)
	credit := []string{"BGM+381+CN-7", "DTM+137:20261124:102", "RFF+ON:PO123", "LIN+1", "QTY+47:1", "PRI+AAA:4.20", "UNS+S", "MOA+86:4.20"}
	bad := []string{"BGM+380+INV-8", "RFF+ON:PO123", "CUX+2:XXX:4", "LIN+1", "PRI+AAA:4.20:::10", "LIN+2", "QTY+47:3", "MOA+203:10", "UNS+S"}
	got := parse(t, r.c, "in.edi", inbound(env{ref: "62"}, msg{"INVOIC", credit}, msg{"INVOIC", bad}))
	if len(got.Docs) != 1 || len(got.Rejected) != 1 {
		t.Fatalf("docs = %+v rejected = %+v", got.Docs, got.Rejected)
	}
	inv := got.Docs[0].Invoice
	if !inv.CreditMemo || inv.Number != "CN-7" || inv.Total != eur("4.20") || inv.Currency != "EUR" || len(inv.Lines) != 1 || inv.Lines[0].UnitPrice != eur("4.20") {
		t.Errorf("credit note = %+v", inv)
	}
	want := []string{
		"segment 4 (CUX) element 1 component 2: CUX01-2 \"XXX\" is not an ISO 4217 currency",
		"segment 6 (PRI) element 1 component 5: PRI01-5 unit price basis \"10\"",
		"segment 11 (MOA): no MOA segment: an INVOIC states its amount in MOA+77",
		"segment 5 (LIN): line 1 has no QTY+47",
		"segment 5 (LIN): line 1 has no PRI",
		"segment 7 (LIN): line 2 has no PRI (unit price) and no MOA+203 that divides by its quantity",
	}
	errs := got.Rejected[0].Errors
	if len(errs) != len(want) {
		t.Fatalf("errors = %q", errs)
	}
	for i, w := range want {
		if !strings.Contains(errs[i], w) {
			t.Errorf("error %d = %s, want %s", i, errs[i], w)
		}
	}
}
