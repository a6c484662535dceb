package edi_x12

import (
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/x12"
)

// POAck header statuses.
const (
	ackStatusAccepted    = "accepted"
	ackStatusWithChanges = "accepted_with_changes"
	ackStatusRejected    = "rejected"
)

// bakVerdict is what a BAK02 acknowledgment type (element 587) says of
// the order as a whole.
type bakVerdict uint8

const (
	verdictAccepted   bakVerdict = iota + 1 // the lines follow as ordered
	verdictExceptions                       // only the lines that differ are sent
	verdictChanges                          // accepted, and something differs
	verdictRejected                         // nothing will ship
)

var bakTypes = map[string]bakVerdict{
	"AD": verdictAccepted,   // acknowledge with detail, no change
	"AK": verdictAccepted,   // acknowledge, no detail or change
	"AT": verdictAccepted,   // accepted
	"AP": verdictAccepted,   // acknowledge, product replenishment
	"NA": verdictAccepted,   // no acknowledgment needed
	"AE": verdictExceptions, // acknowledge with exception detail only
	"AC": verdictChanges,    // acknowledge with detail and change
	"AH": verdictChanges,    // acknowledge, hold status: accepted, not yet committed
	"RD": verdictRejected,   // reject with detail
	"RF": verdictRejected,   // reject with exception detail only
	"RJ": verdictRejected,   // rejected, no detail
	"RO": verdictRejected,   // rejected with counter offer: a new order is needed
}

// ackCode is what an ACK01 line item status code (element 668) means.
type ackCode struct {
	status model.AckLineStatus
	text   string
}

// ackCodes maps ACK01. Holds (IH, IW, IF) are "backordered": the units are
// not refused but will not ship now, which is what the engine must plan
// around. Accepted-with-a-change codes are "changed"; the new quantity is
// ACK02, the new price PO104/CTP03, the new date ACK05.
var ackCodes = map[string]ackCode{
	"IA": {model.AckAccepted, "item accepted"},
	"AC": {model.AckAccepted, "item accepted and shipped"},
	"AR": {model.AckAccepted, "item accepted and released for shipment"},
	"IE": {model.AckAccepted, "item accepted, price pending"},
	"SP": {model.AckAccepted, "item accepted, schedule date pending"},
	"IB": {model.AckBackordered, "item backordered"},
	"BP": {model.AckBackordered, "partial shipment, balance backordered"},
	"IH": {model.AckBackordered, "item on hold"},
	"IW": {model.AckBackordered, "item on hold, waiver required"},
	"IF": {model.AckBackordered, "item on hold, incomplete description"},
	"IC": {model.AckChanged, "item accepted, changes made"},
	"IQ": {model.AckChanged, "item accepted, quantity changed"},
	"IP": {model.AckChanged, "item accepted, price changed"},
	"DR": {model.AckChanged, "item accepted, date rescheduled"},
	"IS": {model.AckChanged, "item accepted, substitution made"},
	"ID": {model.AckRejected, "item deleted"},
	"IR": {model.AckRejected, "item rejected"},
	"R1": {model.AckRejected, "item rejected, not a contract item"},
	"R2": {model.AckRejected, "item rejected, invalid item product number"},
	"R3": {model.AckRejected, "item rejected, invalid unit of issue"},
	"R4": {model.AckRejected, "item rejected, contract item not available"},
	"R5": {model.AckRejected, "item rejected, reorder as a just-in-time order"},
	"R6": {model.AckRejected, "item rejected, reorder as an extended delivery order"},
	"R7": {model.AckRejected, "item rejected, reorder as a drop shipment"},
	"R8": {model.AckRejected, "item rejected, reorder as a marketplace order"},
}

// shipDateQualifiers are the date/time qualifiers (element 374) of an
// ACK04, DTM01 or SCH05 that give the date the line will ship: 010
// requested ship, 011 shipped, 037 ship not before, 038 ship no later,
// 068 current schedule ship, 079 promised for shipment.
var shipDateQualifiers = map[string]bool{"010": true, "011": true, "037": true, "038": true, "068": true, "079": true}

// line855 is one PO1 loop of an 855.
type line855 struct {
	po1     *x12.Segment
	no      int
	ids     itemIDs
	ordered int64
	price   *money.Money
	date    time.Time // line-level DTM or SCH ship date
	answers []model.AckLine
}

// map855 reads an 855 into a POAck:
//
//	BAK*<purpose>*<type>*<PO>*<PO date>*…*<seller order no. BAK08>*<ack date BAK09>
//	CUR*…*<currency>   REF*VN*<vendor order no.>   NTE/MSG text → Reason
//	PO1*<line>*<qty>*<unit>*<price>**<qualifier>*<id>…   CTP   DTM   SCH
//	ACK*<status>*<qty>*<unit>*<date qualifier>*<date>*…   (one or more)
//	CTT*<number of PO1>
func (m *mapper) map855() *model.POAck {
	ack := &model.POAck{Supplier: m.supplier}
	var (
		bak     *x12.Segment
		verdict bakVerdict
		lines   []*line855
		cur     *line855
		ctt     *x12.Segment
		notes   []string
	)
	for _, seg := range m.set.Segments {
		switch seg.ID {
		case "BAK":
			bak = seg
			verdict = m.readBAK(seg, ack)
		case "CUR":
			m.useCurrency(seg)
		case "REF":
			if seg.Element(1) == "VN" && ack.SupplierID == "" {
				ack.SupplierID = seg.Element(2)
			}
		case "NTE", "MSG":
			if cur == nil {
				notes = appendText(notes, noteText(seg))
			}
		case "PO1":
			cur = m.readPO1(seg)
			lines = append(lines, cur)
		case "CTP":
			if cur != nil && cur.price == nil {
				if p, ok := m.amount(seg, 3); ok {
					cur.price = &p
				}
			}
		case "DTM":
			if cur != nil && shipDateQualifiers[seg.Element(1)] {
				if d, ok := m.date(seg, 2, 3); ok && !d.IsZero() {
					cur.date = d
				}
			}
		case "SCH":
			if cur != nil && shipDateQualifiers[seg.Element(5)] {
				if d, ok := m.date(seg, 6, 7); ok && !d.IsZero() && cur.date.IsZero() {
					cur.date = d
				}
			}
		case "ACK":
			if cur == nil {
				m.segmentError(seg, x12.CodeSegmentOutOfSequence, "ACK before any PO1")
				continue
			}
			m.readACK(seg, cur)
		case "CTT":
			ctt = seg
		}
	}
	if bak == nil {
		m.missingSegment("BAK", "an 855 starts with BAK")
		return ack
	}
	ack.Reason = strings.Join(notes, "; ")
	m.checkCount(ctt, "PO1 lines", len(lines))
	ack.Lines = make([]model.AckLine, 0, len(lines))
	for _, l := range lines {
		ack.Lines = append(ack.Lines, l.result(verdict))
	}
	ack.Status = headerStatus(verdict, ack.Lines)
	if bak.Element(1) == "01" {
		// BAK01 01 (cancellation): the 855 answers our BEG01=01 850, and
		// BAK02 is the verdict on the cancellation: a rejection type keeps
		// the order alive, anything else cancels it. Lines answered ID
		// (deleted) are the cancelled ones. Status then carries the same
		// verdict, so that no reader takes "every line deleted" for a
		// refused order.
		ack.CancelResponse = ackStatusAccepted
		if verdict == verdictRejected {
			ack.CancelResponse = ackStatusRejected
		}
		ack.Status = ack.CancelResponse
	}
	return ack
}

// readBAK fills the header and returns the verdict of BAK02.
func (m *mapper) readBAK(seg *x12.Segment, ack *model.POAck) bakVerdict {
	m.required(seg, 1, "transaction set purpose code")
	ack.PONumber = m.required(seg, 3, "purchase order number")
	m.required(seg, 4, "purchase order date")
	m.date(seg, 4, 0) // checked only: our PO has it already
	// BAK08 is the seller's order number; booksellers put it in BAK06
	// (request reference number).
	ack.SupplierID = seg.Element(8)
	if ack.SupplierID == "" {
		ack.SupplierID = seg.Element(6)
	}
	if d, ok := m.date(seg, 9, 0); ok && !d.IsZero() {
		ack.Date = d // BAK09: the date of the acknowledgment
	} else if g := m.set.Group; g != nil && ok {
		ack.Date = g.Header.Date // when the partner sent it
	}
	t := m.required(seg, 2, "acknowledgment type")
	v, known := bakTypes[t]
	if !known && t != "" {
		m.elementError(seg, 2, x12.CodeElementInvalidCode, "BAK02 %q is not an acknowledgment type this connector understands (AC, AD, AE, AH, AK, AT, RD, RF, RJ, RO)", t)
	}
	return v
}

func (m *mapper) readPO1(seg *x12.Segment) *line855 {
	l := &line855{po1: seg, no: lineNo(seg.Element(1)), ids: readItemIDs(seg, 6)}
	if l.ids.POLine != 0 && l.no == 0 {
		l.no = l.ids.POLine
	}
	l.ordered, _ = m.units(seg, 2)
	if p, ok := m.amount(seg, 4); ok {
		l.price = &p
	}
	return l
}

// readACK adds one answer to the line. ACK02 is the quantity the status
// applies to; empty means the whole line. A rejection or backorder of 0
// (booksellers send ACK*IR*0) also means the whole line: zero units
// refused would not be worth saying.
func (m *mapper) readACK(seg *x12.Segment, l *line855) {
	code := m.required(seg, 1, "line item status code")
	c, known := ackCodes[code]
	if !known {
		if code != "" {
			m.elementError(seg, 1, x12.CodeElementInvalidCode, "ACK01 %q is not a line item status code", code)
		}
		return
	}
	a := model.AckLine{LineNo: l.no, SupplierSKU: l.ids.SupplierSKU, SKU: l.ids.SKU, GTIN: l.ids.GTIN,
		Status: c.status, ReasonCode: code, Reason: c.text}
	q, ok := m.units(seg, 2)
	if !ok && seg.Element(2) != "" {
		return // the error is recorded
	}
	a.Quantity = q
	if !ok || (q == 0 && (c.status == model.AckRejected || c.status == model.AckBackordered)) {
		a.Quantity = l.ordered
	}
	if seg.Element(5) != "" && (seg.Element(4) == "" || shipDateQualifiers[seg.Element(4)]) {
		if d, ok := m.date(seg, 5, 0); ok {
			a.ShipDate = timePtr(d)
		}
	}
	if code == "IS" {
		// ACK07… name the substitute: what will ship in place of the line.
		if sub := readItemIDs(seg, 7); sub != (itemIDs{}) {
			a.SupplierSKU, a.SKU, a.GTIN = sub.SupplierSKU, sub.SKU, sub.GTIN
			a.Reason += " (substitute " + firstNonEmpty(sub.SupplierSKU, sub.GTIN, sub.SKU) + ")"
		}
	}
	if agency, industry := seg.Element(27), seg.Element(29); industry != "" {
		// ACK27/ACK29: an industry code list's reason (BISAC for books).
		a.Reason += " (" + strings.TrimSpace(agency+" code "+industry) + ")"
	}
	l.answers = append(l.answers, a)
}

// result is the line's answer. With one ACK it is that ACK; with several
// (split answers: 3 accepted, 2 backordered) it sums them, its status is
// theirs when they agree and "changed" otherwise, and SplitAnswers holds
// each one. Without ACK the header decides: an order accepted with detail
// or exceptions only accepts the lines it does not mention.
func (l *line855) result(v bakVerdict) model.AckLine {
	base := model.AckLine{LineNo: l.no, SupplierSKU: l.ids.SupplierSKU, SKU: l.ids.SKU, GTIN: l.ids.GTIN, Quantity: l.ordered}
	switch len(l.answers) {
	case 0:
		base.Status = model.AckAccepted
		if v == verdictRejected {
			base.Status = model.AckRejected
		}
		l.decorate(&base)
		return base
	case 1:
		a := l.answers[0]
		l.decorate(&a)
		return a
	}
	base.Quantity = 0
	base.Status = l.answers[0].Status
	for i := range l.answers {
		a := &l.answers[i]
		l.decorate(a)
		base.Quantity += a.Quantity
		if a.Status != base.Status {
			base.Status = model.AckChanged
		}
		if base.ShipDate == nil {
			base.ShipDate = a.ShipDate
		}
		if base.ReasonCode == "" && a.Status != model.AckAccepted {
			base.ReasonCode, base.Reason = a.ReasonCode, a.Reason
		}
	}
	if base.Status != model.AckRejected {
		base.UnitCost = l.price
	}
	base.SplitAnswers = l.answers
	return base
}

// decorate adds the line's price and date to an answer that will ship.
func (l *line855) decorate(a *model.AckLine) {
	if a.Status == model.AckRejected {
		return
	}
	if a.UnitCost == nil {
		a.UnitCost = l.price
	}
	if a.ShipDate == nil && !l.date.IsZero() {
		a.ShipDate = timePtr(l.date)
	}
}

// headerStatus decides the POAck status. The lines prevail over BAK02
// when they disagree with it: partners send BAK*00*AD ("no change") with
// rejected lines, and what ships is what the lines say.
func headerStatus(v bakVerdict, lines []model.AckLine) string {
	if v == verdictRejected {
		return ackStatusRejected
	}
	rejected, changed := 0, false
	for _, l := range lines {
		switch l.Status {
		case model.AckRejected:
			rejected++
			changed = true
		case model.AckAccepted:
		default:
			changed = true
		}
	}
	switch {
	case len(lines) > 0 && rejected == len(lines):
		return ackStatusRejected
	case changed || v == verdictChanges:
		return ackStatusWithChanges
	}
	return ackStatusAccepted
}

// noteText is the free text of an NTE (NTE02) or MSG (MSG01).
func noteText(seg *x12.Segment) string {
	if seg.ID == "NTE" {
		return strings.TrimSpace(seg.Element(2))
	}
	return strings.TrimSpace(seg.Element(1))
}

func appendText(list []string, s string) []string {
	if s == "" {
		return list
	}
	return append(list, s)
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
