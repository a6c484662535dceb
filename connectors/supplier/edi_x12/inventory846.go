package edi_x12

import (
	"time"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/x12"
)

// QTY01 quantity qualifiers (element 673) an 846 reports stock with.
const (
	qtyAvailable = "33" // quantity available for sale (stock quantity)
	qtyOnHand    = "17" // quantity on hand: used when 33 is not sent
)

// asOfQualifiers are header DTM01 codes that date the report more
// precisely than BIA04: 007 effective, 009 processed, 097 transaction
// creation.
var asOfQualifiers = map[string]bool{"007": true, "009": true, "097": true}

// locationEntities are the N101 entity codes that name a stock location:
// WH warehouse, SF ship from. (SU or VN name the supplier itself.)
var locationEntities = map[string]bool{"WH": true, "SF": true}

// item846 is one LIN loop: the item and its quantities per location.
type item846 struct {
	lin       *x12.Segment
	ids       itemIDs
	cost      *money.Money
	location  string
	locations []string // in order of first quantity
	qty       map[string]map[string]decimal.Decimal
	badQty    bool // a QTY 33/17 was unreadable (an error already recorded)
}

func (it *item846) add(code string, q decimal.Decimal) {
	if it.qty == nil {
		it.qty = map[string]map[string]decimal.Decimal{}
	}
	if _, ok := it.qty[it.location]; !ok {
		it.qty[it.location] = map[string]decimal.Decimal{}
		it.locations = append(it.locations, it.location)
	}
	if _, seen := it.qty[it.location][code]; !seen {
		it.qty[it.location][code] = q
	}
}

// map846 reads an 846 into inventory levels, one per item and location:
//
//	BIA*<purpose>*<report type>*<reference>*<date>*<time>   CUR   DTM   N1*WH*<name>*<qual>*<id>
//	LIN*<n>*VP*<supplier SKU>*UP*<GTIN>…   CTP (cost)   N1*WH (location of what follows)
//	QTY*33*<available>*<unit>   QTY*17*<on hand>
//	CTT*<number of LIN>
//
// Available is QTY 33, else QTY 17. A fractional or negative quantity
// (an oversold item) is floored to whole units ≥ 0; Raw keeps it as sent.
func (m *mapper) map846() []model.InventoryLevel {
	var (
		bia, ctt *x12.Segment
		asOf     time.Time
		location string
		items    []*item846
		cur      *item846
	)
	for _, seg := range m.set.Segments {
		switch seg.ID {
		case "BIA":
			bia = seg
			m.required(seg, 1, "transaction set purpose code")
			m.required(seg, 4, "date")
			if d, ok := m.date(seg, 4, 5); ok && asOf.IsZero() {
				asOf = d
			}
		case "CUR":
			m.useCurrency(seg)
		case "DTM":
			if cur == nil && asOfQualifiers[seg.Element(1)] {
				if d, ok := m.date(seg, 2, 3); ok && !d.IsZero() {
					asOf = d
				}
			}
		case "N1":
			if !locationEntities[seg.Element(1)] {
				continue
			}
			loc := firstNonEmpty(seg.Element(4), seg.Element(2))
			if cur == nil {
				location = loc
			} else {
				cur.location = loc
			}
		case "LIN":
			cur = &item846{lin: seg, ids: readItemIDs(seg, 2), location: location}
			items = append(items, cur)
			if cur.ids.SupplierSKU == "" && cur.ids.GTIN == "" && cur.ids.SKU == "" {
				m.segmentError(seg, x12.CodeSegmentElementErrors, "LIN carries no VP/VN, BP/IN/SK or UP/EN/UK/UA item identifier")
			}
		case "CTP":
			if cur != nil && cur.cost == nil {
				if p, ok := m.amount(seg, 3); ok {
					cur.cost = &p
				}
			}
		case "QTY":
			if cur == nil {
				continue
			}
			if code := seg.Element(1); code == qtyAvailable || code == qtyOnHand {
				q, err := seg.Decimal(2)
				if err != nil {
					m.elementError(seg, 2, x12.CodeElementInvalidCharacter, "%v", err)
					cur.badQty = true
					continue
				}
				cur.add(code, q)
			}
		case "CTT":
			ctt = seg
		}
	}
	if bia == nil {
		m.missingSegment("BIA", "an 846 starts with BIA")
		return nil
	}
	if asOf.IsZero() && m.set.Group != nil {
		asOf = m.set.Group.Header.Date
	}
	m.checkCount(ctt, "LIN items", len(items))
	var out []model.InventoryLevel
	for _, it := range items {
		if len(it.locations) == 0 {
			if it.badQty {
				continue
			}
			m.segmentError(it.lin, x12.CodeSegmentMandatoryMissing, "item %s has no QTY*33 (available) or QTY*17 (on hand)",
				firstNonEmpty(it.ids.SupplierSKU, it.ids.GTIN, it.ids.SKU))
			continue
		}
		for _, loc := range it.locations {
			q, ok := it.qty[loc][qtyAvailable]
			if !ok {
				q = it.qty[loc][qtyOnHand]
			}
			out = append(out, model.InventoryLevel{
				Supplier: m.supplier, SupplierSKU: it.ids.SupplierSKU, SKU: it.ids.SKU, GTIN: it.ids.GTIN,
				Location: loc, Available: wholeUnits(q), Cost: it.cost, AsOf: asOf, Raw: q,
			})
		}
	}
	return out
}

// wholeUnits floors q to whole units, never below zero: 12.5 available
// cases are 12 sellable, an oversold −3 is none.
func wholeUnits(q decimal.Decimal) int64 {
	n, _ := q.IntPart()
	if n < 0 || q.Sign() < 0 {
		return 0
	}
	return n
}
