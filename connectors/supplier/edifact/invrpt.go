package edifact

import (
	"time"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/edifact"
)

// stockQualifiers are the QTY 6063 qualifiers (code list 6063) that state
// stock on hand, best first: 145 actual stock, 17 quantity on hand.
var stockQualifiers = map[string]int{"145": 1, "17": 2}

// invrptItem is one LIN group of an INVRPT.
type invrptItem struct {
	lin    *edifact.Segment
	ids    itemIDs
	levels []invrptQty
}

// invrptQty is one quantity group (QTY, LOC, DTM) of an item.
type invrptQty struct {
	rank     int
	qty      decimal.Decimal
	location string
	asOf     time.Time
}

// mapInvrpt reads an INVRPT into inventory levels, one per item and
// location:
//
//	BGM+35+<report no.>  DTM+366 (inventory report date; 137 without one)
//	NAD…  LOC+<qualifier>+<location>   the default location
//	LIN+<n>++<item>:<type>  PIA
//	    QTY+145:<actual stock>  LOC+…+<location>  DTM+366
//
// An item may report its stock per location (a QTY, LOC pair each); the
// first stock quantity of each location counts, the others being the
// sub-quantities EANCOM lets a report break the total into (per batch,
// per container). Fractional stock is kept in Raw and rounded down in
// Available; negative stock is none available.
func (m *mapper) mapInvrpt(sent time.Time) []model.InventoryLevel {
	var (
		bgm      *edifact.Segment
		asOf     time.Time
		docDate  time.Time
		location string
		items    []*invrptItem
		cur      *invrptItem
		q        *invrptQty
	)
	for _, seg := range m.msg.Body() {
		switch seg.Tag {
		case "BGM":
			bgm = seg
		case "DTM":
			switch qual := seg.Component(0, 0); {
			case qual == "366" && q != nil: // inventory report date of a quantity
				q.asOf, _ = m.date(seg, 0)
			case qual == "366" && cur == nil:
				asOf, _ = m.date(seg, 0)
			case qual == "137" && cur == nil:
				docDate, _ = m.date(seg, 0)
			}
		case "LOC":
			// C517/3225 place/location identification.
			switch {
			case q != nil:
				q.location = seg.Component(1, 0)
			case cur == nil && location == "":
				location = seg.Component(1, 0)
			}
		case "LIN":
			_, ids := readLIN(seg)
			cur, q = &invrptItem{lin: seg, ids: ids}, nil
			items = append(items, cur)
		case "PIA":
			if cur != nil {
				cur.ids.readPIA(seg)
			}
		case "QTY":
			q = nil
			rank := stockQualifiers[seg.Component(0, 0)]
			if cur == nil || rank == 0 {
				continue
			}
			if d, ok := m.number(seg, 0, 1); ok {
				cur.levels = append(cur.levels, invrptQty{rank: rank, qty: d})
				q = &cur.levels[len(cur.levels)-1]
			}
		}
	}
	if bgm == nil {
		m.missingSegment("BGM", "an INVRPT starts with BGM")
		return nil
	}
	for _, t := range []time.Time{asOf, docDate, sent} {
		if !t.IsZero() {
			asOf = t
			break
		}
	}
	var out []model.InventoryLevel
	for _, it := range items {
		if it.ids == (itemIDs{}) {
			m.fail(it.lin, 2, whole, codeMissing, "LIN03 (item number) is missing and no PIA identifies the item")
			continue
		}
		out = append(out, it.result(m.supplier, location, asOf)...)
	}
	return out
}

// result is one level per location: the best-ranked stock quantity, the
// first of its rank.
func (it *invrptItem) result(supplier, location string, asOf time.Time) []model.InventoryLevel {
	var order []string
	best := map[string]invrptQty{}
	for _, q := range it.levels {
		loc := firstNonEmpty(q.location, location)
		b, seen := best[loc]
		if !seen {
			order = append(order, loc)
		}
		if !seen || q.rank < b.rank {
			best[loc] = q
		}
	}
	var out []model.InventoryLevel
	for _, loc := range order {
		q := best[loc]
		when := asOf
		if !q.asOf.IsZero() {
			when = q.asOf
		}
		out = append(out, model.InventoryLevel{
			Supplier: supplier, SupplierSKU: it.ids.SupplierSKU, SKU: it.ids.SKU, GTIN: it.ids.GTIN,
			Location: loc, Available: wholeUnits(q.qty), AsOf: when, Raw: q.qty,
		})
	}
	return out
}

// wholeUnits rounds a stock quantity down to whole units: 7.5 kg of a
// product sold by the piece is 7 sellable pieces, and negative stock (a
// supplier's oversold book) is none.
func wholeUnits(d decimal.Decimal) int64 {
	n, _ := d.IntPart() // truncates toward zero: down for positive values
	if n < 0 || d.Sign() < 0 {
		return 0
	}
	return n
}
