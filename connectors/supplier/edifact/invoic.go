package edifact

import (
	"fmt"
	"strings"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/edifact"
)

// serviceNames describe the ALC C214/7161 special services (code list
// 7161, D96A) suppliers put on drop-ship invoices most; others keep their
// code, and C214/7160 (free text) wins when given.
var serviceNames = map[string]string{
	"ABH": "throughput allowance",
	"ABK": "miscellaneous",
	"ABL": "packaging surcharge",
	"ADO": "efficient logistics",
	"ADR": "other services",
	"ADT": "pick-up",
	"DI":  "discount",
	"DL":  "delivery",
	"FA":  "freight allowance",
	"FC":  "freight charge",
	"HD":  "handling",
	"IN":  "insurance",
	"PAB": "postage charge",
	"PC":  "packing",
	"QD":  "quantity discount",
	"RAD": "returnable container",
	"SAA": "shipping and handling",
	"SH":  "special handling service",
	"TX":  "tax",
}

// taxNames describe TAX C241/5153 duty/tax/fee types (code list 5153).
var taxNames = map[string]string{"VAT": "value added tax", "GST": "goods and services tax", "LOC": "local sales tax", "STT": "state or provincial sales tax", "FRE": "free"}

// taxCategories describe TAX 5305 duty/tax/fee categories (code list 5305).
var taxCategories = map[string]string{"S": "standard rate", "E": "exempt", "Z": "zero rated", "AA": "lower rate", "H": "higher rate", "AE": "reverse charge"}

// creditNotes are the BGM C002/1001 document names (code list 1001) whose
// amounts are owed to us: 381 credit note, 396 factored credit note, 81
// credit note related to goods or services, 83 related to financial
// adjustments.
var creditNotes = map[string]bool{"381": true, "396": true, "81": true, "83": true}

// invoicReader holds the state of one INVOIC mapping: the segment group
// being read decides what an MOA, PCD or DTM is about.
type invoicReader struct {
	*mapper
	inv     *model.Invoice
	line    *model.InvoiceLine
	lines   []*model.InvoiceLine
	lineAmt map[*model.InvoiceLine]money.Money // MOA+203, to derive a missing price
	priced  map[*model.InvoiceLine]bool
	linSeg  map[*model.InvoiceLine]*edifact.Segment
	counted map[*model.InvoiceLine]bool // QTY+47 read
	summary bool                        // UNS read
	group   string                      // PAT, ALC or TAX: the group the last segments belong to
	charge  *model.Charge               // the ALC being read
	alcAll  bool                        // its 5463 is A (allowance)
	tax     *model.Charge               // the TAX group being read
	term    *model.InvoiceTerms         // the PAT being read
	terms   []string                    // every PAT, described
	total   map[string]money.Money
}

// mapInvoic reads an INVOIC into an Invoice:
//
//	BGM+380+<invoice no.>  (381 credit note)  DTM+137  RFF+ON:<our PO>  CUX
//	PAT+22++5:3:D:30  PCD+12:<discount %>     payment terms
//	ALC+A|C++++<7161 code>  MOA+8|23|204      invoice allowances and charges
//	LIN+<n>++<item>:<type>  PIA  QTY+47:<invoiced>  MOA+203  PRI+AAA|INV:<unit price>
//	    TAX+7+VAT+++:::<rate>  MOA+124        line tax
//	    ALC  MOA                              line allowances and charges
//	UNS+S  MOA+77 (invoice amount)  TAX  MOA+124 (tax per rate)  ALC  MOA
//
// Allowances are negative. A TAX right after an ALC is that charge's tax
// category and adds no amount; the taxes of the summary are the invoice's
// tax charges ("tax:VAT"). The total is MOA+77, else 86 (message total)
// or 39 (invoice total amount).
func (m *mapper) mapInvoic() *model.Invoice {
	r := &invoicReader{mapper: m, inv: &model.Invoice{Supplier: m.supplier},
		lineAmt: map[*model.InvoiceLine]money.Money{}, priced: map[*model.InvoiceLine]bool{},
		linSeg: map[*model.InvoiceLine]*edifact.Segment{}, counted: map[*model.InvoiceLine]bool{}, total: map[string]money.Money{}}
	m.firstCurrency()
	var bgm *edifact.Segment
	for _, seg := range m.msg.Body() {
		switch seg.Tag {
		case "BGM":
			bgm = seg
			r.inv.Number = m.required(seg, 1, 0, "invoice number")
			r.inv.CreditMemo = creditNotes[seg.Component(0, 0)]
		case "DTM":
			r.dtm(seg)
		case "RFF":
			if r.line == nil && !r.summary && seg.Component(0, 0) == "ON" && r.inv.PONumber == "" {
				r.inv.PONumber = m.required(seg, 0, 1, "order number") // 1153 ON
			}
		case "PAT":
			r.endGroup()
			r.pat(seg)
		case "PCD":
			// 5245 12: discount, in the terms of payment.
			if r.group == "PAT" && seg.Component(0, 0) == "12" {
				if d, ok := m.number(seg, 0, 1); ok {
					r.term.DiscountPercent = &d
				}
			}
		case "ALC":
			r.endGroup()
			r.alc(seg)
		case "TAX":
			r.taxGroup(seg)
		case "MOA":
			r.moa(seg)
		case "LIN":
			r.endGroup()
			r.lin(seg)
		case "PIA":
			if r.line != nil {
				ids := itemIDs{SupplierSKU: r.line.SupplierSKU, SKU: r.line.SKU, GTIN: r.line.GTIN}
				ids.readPIA(seg)
				r.line.SupplierSKU, r.line.SKU, r.line.GTIN = ids.SupplierSKU, ids.SKU, ids.GTIN
			}
		case "QTY":
			if r.line != nil && seg.Component(0, 0) == "47" { // 6063 47: invoiced quantity
				r.line.Quantity, _ = m.units(seg, 0, 1)
				r.line.Unit = seg.Component(0, 2) // 6411
				r.counted[r.line] = true
			}
		case "PRI":
			r.pri(seg)
		case "UNS":
			r.endGroup()
			r.summary, r.line = true, nil
		}
	}
	r.endGroup()
	return r.finish(bgm)
}

// dtm reads 137 (document date) or 3 (invoice date) at the header, and
// 12/13 (terms discount / net due date) in the terms of payment.
func (r *invoicReader) dtm(seg *edifact.Segment) {
	q := seg.Component(0, 0)
	switch {
	case r.group == "PAT" && (q == "12" || q == "13"):
		if t, ok := r.date(seg, 0); ok {
			if q == "12" {
				r.term.DiscountDue = timePtr(t)
			} else {
				r.term.NetDue = timePtr(t)
			}
		}
	case r.line == nil && !r.summary && (q == "137" || (q == "3" && r.inv.Date.IsZero())):
		if t, ok := r.date(seg, 0); ok {
			r.inv.Date = t
		}
	}
}

// pat reads terms of payment: 4279 type (1 basic, 22 discount), C112
// 2475 time reference, 2009 relation, 2151 period type (D day), 2152
// number of periods. The first discount and the first basic term fill the
// invoice's terms; every term is described.
func (r *invoicReader) pat(seg *edifact.Segment) {
	r.group = "PAT"
	typ := seg.Value(0)
	days := 0
	if seg.Component(2, 2) == "D" {
		days = lineNo(seg.Component(2, 3))
	}
	if r.inv.Terms == nil {
		r.inv.Terms = &model.InvoiceTerms{Type: typ}
	}
	r.term = &model.InvoiceTerms{Type: typ}
	switch typ {
	case "22": // discount
		r.term.DiscountDays = days
	default: // 1 basic and the rest: the net term
		r.term.NetDays = days
	}
}

// endGroup closes the PAT, ALC or TAX group being read.
func (r *invoicReader) endGroup() {
	switch r.group {
	case "PAT":
		t, dst := r.term, r.inv.Terms
		desc := "net"
		if t.Type == "22" {
			desc = "discount"
			if t.DiscountPercent != nil {
				desc = t.DiscountPercent.Normalize().String() + "% discount"
			}
			if dst.DiscountPercent == nil && dst.DiscountDays == 0 {
				dst.DiscountPercent, dst.DiscountDays, dst.DiscountDue = t.DiscountPercent, t.DiscountDays, t.DiscountDue
			}
		} else if dst.NetDays == 0 && dst.NetDue == nil {
			dst.NetDays, dst.NetDue = t.NetDays, t.NetDue
		}
		if n := max(t.DiscountDays, t.NetDays); n > 0 {
			desc += fmt.Sprintf(" within %d days", n)
		}
		r.terms = append(r.terms, desc)
		dst.Description = strings.Join(r.terms, "; ")
	}
	// An ALC still open stated only a percentage: it gives nothing, its
	// amount not being stated exactly.
	r.group, r.term, r.tax, r.charge = "", nil, nil, nil
}

// alc starts an allowance or charge: 5463 A allowance or C charge, C214
// 7161 special service code and 7160 text (C552/5189 without them).
func (r *invoicReader) alc(seg *edifact.Segment) {
	r.group = "ALC"
	ind := r.required(seg, 0, 0, "allowance or charge qualifier")
	switch ind {
	case "A", "C":
	case "":
		return
	default:
		r.fail(seg, 0, 0, codeInvalidValue, "ALC01 %q is not A (allowance) or C (charge)", ind)
		return
	}
	code := firstNonEmpty(seg.Component(4, 0), seg.Component(1, 1))
	desc := firstNonEmpty(strings.TrimSpace(seg.Component(4, 3)+" "+seg.Component(4, 4)), serviceNames[code])
	r.charge, r.alcAll = &model.Charge{Code: code, Description: desc}, ind == "A"
}

// taxGroup reads TAX: 5283 function, C241/5153 type, C243/5278 rate,
// 5305 category. Right after an ALC it is that charge's tax and is left
// alone.
func (r *invoicReader) taxGroup(seg *edifact.Segment) {
	if r.group == "ALC" {
		return
	}
	r.endGroup()
	r.group = "TAX"
	typ := seg.Component(1, 0)
	desc := firstNonEmpty(taxNames[typ], typ)
	if rate := seg.Component(4, 3); rate != "" {
		desc += " " + rate + "%"
	}
	if cat := taxCategories[seg.Value(5)]; cat != "" {
		desc += " (" + cat + ")"
	}
	r.tax = &model.Charge{Code: "tax:" + typ, Description: desc}
}

// moa reads a monetary amount by its 5025 qualifier: 203 line item
// amount; 77 invoice amount, 86 message total, 39 invoice total amount;
// 8 allowance or charge amount, 23 charge amount, 204 allowance amount in
// an ALC; 124 tax amount in a TAX group.
func (r *invoicReader) moa(seg *edifact.Segment) {
	q := seg.Component(0, 0)
	switch {
	case q == "203" && r.line != nil:
		if a, ok := r.amount(seg, 0, 1); ok {
			r.lineAmt[r.line] = a
		}
	case q == "77" || q == "86" || q == "39":
		if a, ok := r.amount(seg, 0, 1); ok {
			if _, seen := r.total[q]; !seen {
				r.total[q] = a
			}
		}
	case r.group == "ALC" && r.charge != nil && (q == "8" || q == "23" || q == "204"):
		a, ok := r.amount(seg, 0, 1)
		if !ok {
			return
		}
		if r.alcAll && a.Amount > 0 {
			a.Amount = -a.Amount
		}
		r.charge.Amount = a
		r.addCharge(*r.charge)
		r.charge = nil
	case r.group == "TAX" && r.tax != nil && q == "124":
		if a, ok := r.amount(seg, 0, 1); ok {
			c := *r.tax
			c.Amount = a
			r.addCharge(c)
		}
	}
}

// addCharge puts c on the current line, or on the invoice at the header
// and in the summary.
func (r *invoicReader) addCharge(c model.Charge) {
	if r.line != nil && !r.summary {
		r.line.Charges = append(r.line.Charges, c)
		return
	}
	r.inv.Charges = append(r.inv.Charges, c)
}

func (r *invoicReader) lin(seg *edifact.Segment) {
	no, ids := readLIN(seg)
	if no == 0 {
		no = len(r.lines) + 1
	}
	r.line = &model.InvoiceLine{LineNo: no, SupplierSKU: ids.SupplierSKU, SKU: ids.SKU, GTIN: ids.GTIN}
	r.lines = append(r.lines, r.line)
	r.linSeg[r.line] = seg
}

// pri reads the unit price: C509 5125 AAA (calculation net) preferred,
// then INV (invoice price), AAB (calculation gross) or any other. 5284
// unit price basis must be 1 (or absent): a price per 10 or per 100
// units is not divided here.
func (r *invoicReader) pri(seg *edifact.Segment) {
	if r.line == nil || (r.priced[r.line] && seg.Component(0, 0) != "AAA") {
		return
	}
	if b := seg.Component(0, 4); b != "" && b != "1" {
		r.fail(seg, 0, 4, codeNotSupported, "PRI01-5 unit price basis %q: only prices per unit are read", b)
		return
	}
	if p, ok := r.amount(seg, 0, 1); ok {
		r.line.UnitPrice, r.priced[r.line] = p, true
	}
}

// finish checks what is required and derives what is missing.
func (r *invoicReader) finish(bgm *edifact.Segment) *model.Invoice {
	inv := r.inv
	inv.Currency = r.currency
	if bgm == nil {
		r.missingSegment("BGM", "an INVOIC starts with BGM")
		return inv
	}
	if inv.PONumber == "" {
		r.missingSegment("RFF", "an INVOIC names our purchase order in RFF+ON")
	}
	for _, q := range []string{"77", "86", "39"} {
		if t, ok := r.total[q]; ok {
			inv.Total = t
			break
		}
	}
	if inv.Total.Currency == "" {
		r.missingSegment("MOA", "an INVOIC states its amount in MOA+77")
	}
	for _, l := range r.lines {
		if !r.counted[l] {
			r.fail(r.linSeg[l], whole, whole, codeMissing, "line %d has no QTY+47 (invoiced quantity)", l.LineNo)
		}
		if !r.priced[l] {
			r.derivePrice(l)
		}
		inv.Lines = append(inv.Lines, *l)
	}
	return inv
}

// derivePrice sets a line's unit price from MOA+203 / QTY+47 when the
// line has no PRI and the division is exact; otherwise the price is
// missing.
func (r *invoicReader) derivePrice(l *model.InvoiceLine) {
	amt, ok := r.lineAmt[l]
	if ok && l.Quantity > 0 && amt.Amount%l.Quantity == 0 {
		l.UnitPrice = money.Money{Amount: amt.Amount / l.Quantity, Currency: amt.Currency}
		return
	}
	r.fail(r.linSeg[l], whole, whole, codeMissing, "line %d has no PRI (unit price) and no MOA+203 that divides by its quantity", l.LineNo)
}
