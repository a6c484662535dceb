package edi_x12

import (
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/x12"
)

// PO850 is an 850 read back into the canonical model: what Render850
// wrote, or a buyer's 850 shown by `dropgate edi parse --json`.
type PO850 struct {
	Purpose string // BEG01: 00 original, 01 cancellation, 05 replace …
	Type    string // BEG02: DS drop-ship, SA stand-alone …
	PO      model.PurchaseOrder
}

// Read850 maps an 850 transaction set (read with its segments) to a
// canonical purchase order:
//
//	BEG*<purpose>*<type>*<PO number>**<date>   CUR*…*<currency>   REF*CO*<order no.>
//	TD5*…*<shipping method in TD505>   N1*ST N2 N3 N4 PER   ship-to
//	PO1*<line>*<qty>*<unit>*<unit cost>*<basis>*<qualifier>*<id>…   PID*F****<description>
//	CTT*<number of PO1>
//
// Amounts are in CUR02, else currency; dates in loc (nil: UTC). A PO1
// without PO101 takes its position as line number. Content problems are
// recorded on set and returned as an x12.ErrorList next to the order
// read as far as possible.
func Read850(set *x12.Set, currency string, loc *time.Location) (*PO850, error) {
	m := newMapper(set, "", currency, loc)
	before := len(set.Errors)
	out := m.map850()
	if errs := set.Errors[before:]; len(errs) > 0 {
		return out, x12.ErrorList(errs)
	}
	return out, nil
}

func (m *mapper) map850() *PO850 {
	out := &PO850{}
	po := &out.PO
	var (
		beg, ctt *x12.Segment
		entity   string // N101 of the current N1 loop
		pos      int
		cur      *model.POLine
	)
	for _, seg := range m.set.Segments {
		if seg.ID == "CUR" {
			m.useCurrency(seg)
		}
	}
	for _, seg := range m.set.Segments {
		switch seg.ID {
		case "BEG":
			beg = seg
			out.Purpose = m.required(seg, 1, "transaction set purpose code")
			out.Type = seg.Element(2)
			po.Number = m.required(seg, 3, "purchase order number")
			m.required(seg, 5, "purchase order date")
			po.Created, _ = m.date(seg, 5, 0)
		case "REF":
			if seg.Element(1) == "CO" && cur == nil {
				po.OrderNumber = seg.Element(2)
			}
		case "TD5":
			if cur == nil && po.ShippingMethod == "" {
				po.ShippingMethod = seg.Element(5)
			}
		case "N1":
			entity = seg.Element(1)
			if entity == "ST" {
				po.ShipTo.Name = seg.Element(2)
			}
		case "N2", "N3", "N4", "PER":
			if entity == "ST" && cur == nil {
				readAddress(seg, &po.ShipTo)
			}
		case "PO1":
			entity = ""
			pos++
			po.Lines = append(po.Lines, m.readPOLine(seg, pos))
			cur = &po.Lines[len(po.Lines)-1]
		case "PID":
			// PID01 F: free-form description in PID05.
			if cur != nil && seg.Element(1) == "F" && cur.Description == "" {
				cur.Description = seg.Element(5)
			}
		case "CTT":
			ctt = seg
		}
	}
	if beg == nil {
		m.missingSegment("BEG", "an 850 starts with BEG")
	}
	po.Currency = m.currency
	m.checkCount(ctt, "PO1 lines", len(po.Lines))
	return out
}

func (m *mapper) readPOLine(seg *x12.Segment, pos int) model.POLine {
	ids := readItemIDs(seg, 6)
	l := model.POLine{LineNo: firstPositive(lineNo(seg.Element(1)), pos), SKU: ids.SKU, SupplierSKU: ids.SupplierSKU, GTIN: ids.GTIN}
	if q, ok := m.units(seg, 2); ok {
		l.Quantity = q
	} else {
		m.required(seg, 2, "quantity ordered")
	}
	if c, ok := m.amount(seg, 4); ok {
		l.UnitCost = c
	}
	return l
}

// readAddress fills a from the N2/N3/N4/PER of an N1 loop. N403 is read
// whole: in 00406 files a "-" repetition separator must not split a
// ZIP+4.
func readAddress(seg *x12.Segment, a *model.Address) {
	switch seg.ID {
	case "N2":
		a.Company = seg.Element(1)
	case "N3":
		a.Line1, a.Line2 = seg.Element(1), seg.Element(2)
	case "N4":
		a.City, a.Region, a.PostalCode, a.Country = seg.Element(1), seg.Element(2), seg.Element(3), seg.Element(4)
	case "PER":
		// PER03/04, 05/06, 07/08: communication number qualifier and number.
		for i := 3; i+1 <= 8; i += 2 {
			switch seg.Element(i) {
			case "TE":
				if a.Phone == "" {
					a.Phone = seg.Element(i + 1)
				}
			case "EM":
				if a.Email == "" {
					a.Email = seg.Element(i + 1)
				}
			}
		}
	}
}
