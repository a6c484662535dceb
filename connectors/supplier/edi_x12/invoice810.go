package edi_x12

import (
	"strconv"
	"strings"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/x12"
)

// sacNames describes the SAC02 allowance/charge codes (element 1300)
// drop-ship suppliers use most; others keep their code only.
var sacNames = map[string]string{
	"C310": "discount",
	"D240": "freight",
	"D360": "goods and services tax",
	"D500": "handling",
	"F050": "other",
	"G830": "shipping and handling",
	"H090": "special handling",
	"H850": "tax",
	"I530": "insurance",
}

// taxNames describes TXI01 tax type codes (element 963).
var taxNames = map[string]string{
	"CA": "city tax", "CT": "county tax", "GS": "goods and services tax", "LS": "state and local sales tax",
	"SP": "state or provincial tax", "ST": "state sales tax", "VA": "value added tax", "TX": "all taxes",
}

// map810 reads an 810 into an Invoice:
//
//	BIG*<date>*<invoice no.>*<PO date>*<PO number>***<type: CR credit memo>
//	CUR*…*<currency>   ITD terms
//	IT1*<line>*<qty>*<unit>*<unit price>**<qualifier>*<id>…   CTP PID SAC TXI
//	TDS*<total, 2 implied decimals>   SAC TXI (invoice level)   CTT*<number of IT1>
//
// SAC and TXI inside an IT1 loop are the line's; before the first IT1 or
// after TDS they are the invoice's. Amounts are exact: IT104 is an "R"
// decimal, TDS01 and SAC05 are "N2" (843202 is 8432.02). TDS01 is the
// total as the supplier states it; matching it against lines, receipts
// and the PO is the engine's invoice match.
func (m *mapper) map810() *model.Invoice {
	inv := &model.Invoice{Supplier: m.supplier}
	var (
		big, tds, ctt *x12.Segment
		cur           *model.InvoiceLine
		lines         []*model.InvoiceLine
		it1s          []*x12.Segment
	)
	// The currency may come after BIG; read it first so that every
	// amount, whatever its position, is in it.
	for _, seg := range m.set.Segments {
		if seg.ID == "CUR" {
			m.useCurrency(seg)
			break
		}
	}
	for _, seg := range m.set.Segments {
		switch seg.ID {
		case "BIG":
			big = seg
			m.readBIG(seg, inv)
		case "ITD":
			inv.Terms = m.readITD(seg)
		case "IT1":
			cur = m.readIT1(seg)
			lines, it1s = append(lines, cur), append(it1s, seg)
		case "CTP":
			if cur != nil && cur.UnitPrice.Currency == "" {
				if p, ok := m.amount(seg, 3); ok {
					cur.UnitPrice = p
				}
			}
		case "SAC", "TXI":
			c, ok := m.readCharge(seg)
			switch {
			case !ok:
			case cur != nil && tds == nil:
				cur.Charges = append(cur.Charges, c)
			default:
				inv.Charges = append(inv.Charges, c)
			}
		case "TDS":
			tds = seg
			if t, ok := m.impliedAmount(seg, 1); ok {
				inv.Total = t
			} else {
				m.required(seg, 1, "total invoice amount")
			}
		case "CTT":
			ctt = seg
		}
	}
	if big == nil {
		m.missingSegment("BIG", "an 810 starts with BIG")
		return inv
	}
	if tds == nil {
		m.missingSegment("TDS", "an 810 states its total in TDS")
	}
	m.checkCount(ctt, "IT1 lines", len(lines))
	inv.Currency = m.currency
	for i, l := range lines {
		if l.UnitPrice.Currency == "" && it1s[i].Element(4) == "" {
			m.required(it1s[i], 4, "unit price") // neither IT104 nor CTP03
		}
		inv.Lines = append(inv.Lines, *l)
	}
	return inv
}

func (m *mapper) readBIG(seg *x12.Segment, inv *model.Invoice) {
	m.required(seg, 1, "invoice date")
	inv.Date, _ = m.date(seg, 1, 0)
	inv.Number = m.required(seg, 2, "invoice number")
	m.date(seg, 3, 0)
	inv.PONumber = seg.Element(4)
	inv.CreditMemo = seg.Element(7) == "CR" // BIG07 640: CR credit memo
}

func (m *mapper) readIT1(seg *x12.Segment) *model.InvoiceLine {
	ids := readItemIDs(seg, 6)
	l := &model.InvoiceLine{LineNo: firstPositive(ids.POLine, lineNo(seg.Element(1))),
		SupplierSKU: ids.SupplierSKU, SKU: ids.SKU, GTIN: ids.GTIN, Unit: seg.Element(3)}
	if q, ok := m.units(seg, 2); ok {
		l.Quantity = q
	} else {
		m.required(seg, 2, "quantity invoiced")
	}
	if p, ok := m.amount(seg, 4); ok {
		l.UnitPrice = p
	}
	return l
}

// readCharge reads a SAC (SAC01 A allowance / C charge / N none, SAC02
// code, SAC05 N2 amount, SAC15 description) or a TXI (TXI01 tax type,
// TXI02 R amount). Allowances are negative. A SAC without an amount (a
// percentage only) gives nothing: its amount is not stated exactly.
func (m *mapper) readCharge(seg *x12.Segment) (model.Charge, bool) {
	if seg.ID == "TXI" {
		typ := m.required(seg, 1, "tax type code")
		amt, ok := m.amount(seg, 2)
		if !ok {
			return model.Charge{}, false
		}
		return model.Charge{Code: "tax:" + typ, Description: taxNames[typ], Amount: amt}, true
	}
	indicator := m.required(seg, 1, "allowance or charge indicator")
	switch indicator {
	case "A", "C":
	case "N", "":
		return model.Charge{}, false
	default:
		m.elementError(seg, 1, x12.CodeElementInvalidCode, "SAC01 %q is not A (allowance), C (charge) or N", indicator)
		return model.Charge{}, false
	}
	amt, ok := m.impliedAmount(seg, 5)
	if !ok {
		return model.Charge{}, false
	}
	if indicator == "A" && amt.Amount > 0 {
		amt.Amount = -amt.Amount
	}
	code := seg.Element(2)
	desc := strings.TrimSpace(seg.Element(15))
	if desc == "" {
		desc = sacNames[code]
	}
	return model.Charge{Code: code, Description: desc, Amount: amt}, true
}

// readITD reads payment terms: ITD01 type, ITD03 discount percent, ITD04
// discount due date, ITD05 discount days, ITD06 net due date, ITD07 net
// days, ITD12 description.
func (m *mapper) readITD(seg *x12.Segment) *model.InvoiceTerms {
	t := &model.InvoiceTerms{Type: seg.Element(1), Description: strings.TrimSpace(seg.Element(12))}
	if seg.Element(3) != "" {
		if d, err := seg.Decimal(3); err != nil {
			m.elementError(seg, 3, x12.CodeElementInvalidCharacter, "%v", err)
		} else {
			t.DiscountPercent = &d
		}
	}
	if d, ok := m.date(seg, 4, 0); ok {
		t.DiscountDue = timePtr(d)
	}
	if d, ok := m.date(seg, 6, 0); ok {
		t.NetDue = timePtr(d)
	}
	t.DiscountDays = m.days(seg, 5)
	t.NetDays = m.days(seg, 7)
	return t
}

func (m *mapper) days(seg *x12.Segment, n int) int {
	s := seg.Element(n)
	if s == "" {
		return 0
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		m.elementError(seg, n, x12.CodeElementInvalidCharacter, "%s %q is not a number of days", elementName(seg.ID, n), s)
		return 0
	}
	return v
}
