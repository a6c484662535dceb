package edifact

import (
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/edifact"
)

// POAck header statuses, as lifecycle.ApplyPOAck reads them.
const (
	ackStatusAccepted    = "accepted"
	ackStatusWithChanges = "accepted_with_changes"
	ackStatusRejected    = "rejected"
)

// verdict is what an ORDRSP header says of the order as a whole.
type verdict uint8

const (
	verdictNone     verdict = iota // the code says nothing of the outcome: the lines decide
	verdictAccepted                // the lines follow as ordered
	verdictChanges                 // accepted, and something differs
	verdictRejected                // nothing will ship
	verdictCancel                  // the message answers our cancellation
)

// messageFunctions maps BGM 1225, message function (code list 1225, D96A),
// in an ORDRSP. Codes that describe the transmission rather than the
// answer (9 original, 6 confirmation, 7 duplicate, 11 response, 31 copy,
// 35 retransmission, 5 replace) leave the verdict to BGM 4343 and the
// lines. 1 (cancellation) marks the answer to our cancellation ORDERS.
var messageFunctions = map[string]verdict{
	"29": verdictAccepted, // accepted without amendment
	"44": verdictAccepted, // accepted without reserves
	"4":  verdictChanges,  // change
	"19": verdictChanges,  // seller initiated change
	"28": verdictChanges,  // accepted, with amendment in heading section
	"30": verdictChanges,  // accepted, with amendment in detail section
	"33": verdictChanges,  // change in heading section
	"34": verdictChanges,  // accepted with amendment
	"36": verdictChanges,  // change in detail section
	"45": verdictChanges,  // accepted with reserves
	"27": verdictRejected, // not accepted
	"48": verdictRejected, // accepted, contents rejected
	"1":  verdictCancel,   // cancellation
	"5":  verdictNone,     // replace (a revised ORDRSP)
	"6":  verdictNone,     // confirmation
	"7":  verdictNone,     // duplicate
	"9":  verdictNone,     // original
	"11": verdictNone,     // response
	"31": verdictNone,     // copy
	"35": verdictNone,     // retransmission
}

// responseTypes maps BGM 4343, response type (code list 4343, D96A).
var responseTypes = map[string]verdict{
	"AP": verdictAccepted, // accepted
	"AD": verdictAccepted, // acknowledge - with detail, no change
	"AC": verdictChanges,  // acknowledge - with detail and change
	"CA": verdictChanges,  // conditionally accepted
	"RE": verdictRejected, // rejected
	"AB": verdictNone,     // message acknowledgement
	"AI": verdictNone,     // acknowledge only changes
	"NA": verdictNone,     // no acknowledgement needed
}

// lineAction is what LIN 1229, action request/notification (code list
// 1229), says of one line.
type lineAction struct {
	status model.AckLineStatus // "" follows the header
	text   string
}

var lineActions = map[string]lineAction{
	"5":  {model.AckAccepted, "accepted without amendment"},
	"6":  {model.AckChanged, "accepted with amendment"},
	"3":  {model.AckChanged, "changed"},
	"24": {model.AckChanged, "accepted with amendment, no confirmation required"}, // EANCOM
	"1":  {model.AckChanged, "added by the supplier"},
	"7":  {model.AckRejected, "not accepted"},
	"2":  {model.AckRejected, "deleted"},
	"10": {model.AckRejected, "not found"},
	"4":  {"", "no action"},
	"":   {"", ""},
}

// ship-date qualifiers (2005) of a line DTM, best first: 11 despatch
// date, 79 shipment promised for, 10 shipment requested, 38 ship not
// later than, 37 ship not before. A delivery date (69 promised, 67
// current schedule, 76 scheduled, 17 estimated, 2 requested) stands in
// when the supplier gives no despatch date: delivery comes no earlier
// than shipping, so the ship SLA errs on the late side.
var shipDates = map[string]int{"11": 1, "79": 2, "10": 3, "38": 4, "37": 5, "69": 6, "67": 7, "76": 8, "17": 9, "2": 10}

// ordrspLine is one LIN group of an ORDRSP.
type ordrspLine struct {
	no      int
	action  string
	ids     itemIDs
	qty     map[string]int64 // 6063 qualifier → quantity
	price   *money.Money
	date    time.Time
	rank    int // of date, in shipDates
	reasons []string
}

// mapOrdrsp reads an ORDRSP into a POAck:
//
//	BGM+231+<response no.>+<1225 function>+<4343 response type>
//	DTM+137 (date of the answer)  RFF+ON:<our PO>  RFF+VN:<supplier's order no.>
//	FTX (reason)  CUX
//	LIN+<line>+<1229 action>+<item>:<type>  PIA  QTY+21/113/12/83  DTM  PRI  FTX
//
// QTY+21 is the (amended) ordered quantity, QTY+113 the quantity to be
// delivered, QTY+83 the backorder quantity; a line with a backorder and a
// confirmed part is answered in two parts (SplitAnswers).
func (m *mapper) mapOrdrsp() *model.POAck {
	ack := &model.POAck{Supplier: m.supplier}
	m.firstCurrency()
	var (
		bgm      *edifact.Segment
		head     verdict
		response verdict
		lines    []*ordrspLine
		cur      *ordrspLine
		notes    []string
	)
	for _, seg := range m.msg.Body() {
		switch seg.Tag {
		case "BGM":
			bgm = seg
			head, response = m.readBGM(seg)
		case "DTM":
			m.ordrspDate(seg, ack, cur)
		case "RFF":
			if cur != nil {
				break // a line's references: its own line numbers
			}
			switch seg.Component(0, 0) {
			case "ON": // 1153 ON: order number (purchase), ours
				ack.PONumber = m.required(seg, 0, 1, "order number")
			case "VN": // 1153 VN: order number (vendor)
				ack.SupplierID = seg.Component(0, 1)
			}
		case "FTX":
			if t := text(seg, 3, 0); t != "" && cur == nil {
				notes = append(notes, t)
			} else if t != "" {
				cur.reasons = append(cur.reasons, t)
			}
		case "LIN":
			cur = m.readOrdrspLIN(seg)
			lines = append(lines, cur)
		case "PIA":
			if cur != nil {
				cur.ids.readPIA(seg)
			}
		case "QTY":
			if cur != nil {
				if q, ok := m.units(seg, 0, 1); ok {
					cur.qty[seg.Component(0, 0)] = q
				}
			}
		case "PRI":
			if cur != nil && (cur.price == nil || seg.Component(0, 0) == "AAA") {
				if p, ok := m.amount(seg, 0, 1); ok {
					cur.price = &p
				}
			}
		}
	}
	if bgm == nil {
		m.missingSegment("BGM", "an ORDRSP starts with BGM")
		return ack
	}
	if ack.PONumber == "" {
		m.missingSegment("RFF", "an ORDRSP names our purchase order in RFF+ON")
	}
	ack.Reason = strings.Join(notes, "; ")
	v := head
	if v == verdictNone {
		v = response
	}
	ack.Lines = make([]model.AckLine, 0, len(lines))
	for _, l := range lines {
		ack.Lines = append(ack.Lines, l.result(v))
	}
	if head == verdictCancel {
		// Our cancellation ORDERS answered: 4343 RE, or every line not
		// accepted, keeps the order alive; anything else cancels it.
		ack.CancelResponse = ackStatusAccepted
		if response == verdictRejected || (len(lines) > 0 && allRejected(ack.Lines)) {
			ack.CancelResponse = ackStatusRejected
		}
		ack.Status = ack.CancelResponse
		return ack
	}
	ack.Status = headerStatus(v, ack.Lines)
	return ack
}

// readBGM reads the verdicts of BGM 1225 (element 3) and 4343 (element 4).
func (m *mapper) readBGM(seg *edifact.Segment) (head, response verdict) {
	m.required(seg, 1, 0, "document number")
	f := seg.Value(2)
	head, known := messageFunctions[f]
	if !known && f != "" {
		m.fail(seg, 2, 0, codeNotSupported, "BGM03 %q is not a message function this connector understands in an ORDRSP (29 accepted, 4 change, 27 not accepted, 1 cancellation, …)", f)
	}
	r := seg.Value(3)
	response, known = responseTypes[r]
	if !known && r != "" {
		m.fail(seg, 3, 0, codeNotSupported, "BGM04 %q is not a response type (AP, AC, AD, CA, RE)", r)
	}
	return head, response
}

// ordrspDate reads DTM: 137 at the header is the date of the answer; in a
// line, the ship date (see shipDates).
func (m *mapper) ordrspDate(seg *edifact.Segment, ack *model.POAck, cur *ordrspLine) {
	q := seg.Component(0, 0)
	switch {
	case cur == nil && q == "137":
		if t, ok := m.date(seg, 0); ok {
			ack.Date = t
		}
	case cur != nil && shipDates[q] > 0 && (cur.rank == 0 || shipDates[q] < cur.rank):
		if t, ok := m.date(seg, 0); ok {
			cur.date, cur.rank = t, shipDates[q]
		}
	}
}

func (m *mapper) readOrdrspLIN(seg *edifact.Segment) *ordrspLine {
	no, ids := readLIN(seg)
	l := &ordrspLine{no: no, ids: ids, action: seg.Value(1), qty: map[string]int64{}}
	if _, known := lineActions[l.action]; !known {
		m.fail(seg, 1, 0, codeNotSupported, "LIN02 %q is not a line action this connector understands (5 accepted, 3/6 changed, 7 not accepted, 2 deleted)", l.action)
	}
	return l
}

// result is the line's answer under header verdict v.
func (l *ordrspLine) result(v verdict) model.AckLine {
	a := model.AckLine{LineNo: l.no, SupplierSKU: l.ids.SupplierSKU, SKU: l.ids.SKU, GTIN: l.ids.GTIN, ReasonCode: l.action}
	act := lineActions[l.action]
	a.Status = act.status
	a.Reason = strings.Join(append(nonEmpty(act.text), l.reasons...), "; ")
	if a.Status == "" {
		a.Status = model.AckAccepted
		if v == verdictRejected {
			a.Status = model.AckRejected
		}
	}
	ordered, hasOrdered := l.qty["21"] // 6063 21: ordered quantity
	if a.Status == model.AckRejected {
		a.Quantity = ordered // 0 (absent) means the whole line
		return a
	}
	backorder := l.qty["83"] // 6063 83: backorder quantity
	var confirmed int64
	if q, ok := l.qty["113"]; ok { // 6063 113: quantity to be delivered
		confirmed = q
	} else if q, ok := l.qty["12"]; ok { // 6063 12: despatch quantity
		confirmed = q
	} else if hasOrdered {
		confirmed = max(ordered-backorder, 0)
	}
	a.UnitCost, a.ShipDate = l.price, timePtr(l.date)
	switch {
	case backorder == 0:
		a.Quantity = confirmed
	case confirmed == 0:
		a.Status, a.Quantity = model.AckBackordered, backorder
	default:
		// Part confirmed, part backordered: two answers, the line changed.
		ok := a
		ok.Status, ok.Quantity = model.AckAccepted, confirmed
		bo := a
		bo.Status, bo.Quantity, bo.Reason = model.AckBackordered, backorder, firstNonEmpty(a.Reason, "backordered")
		a.Status, a.Quantity = model.AckChanged, confirmed+backorder
		a.SplitAnswers = []model.AckLine{ok, bo}
	}
	return a
}

// headerStatus decides the POAck status. The lines prevail over the
// header when they disagree with it: an "accepted" ORDRSP with a line not
// accepted changes the order.
func headerStatus(v verdict, lines []model.AckLine) string {
	if v == verdictRejected {
		return ackStatusRejected
	}
	if len(lines) > 0 && allRejected(lines) {
		return ackStatusRejected
	}
	changed := v == verdictChanges
	for _, l := range lines {
		if l.Status != model.AckAccepted {
			changed = true
		}
	}
	if changed {
		return ackStatusWithChanges
	}
	return ackStatusAccepted
}

func allRejected(lines []model.AckLine) bool {
	for _, l := range lines {
		if l.Status != model.AckRejected {
			return false
		}
	}
	return true
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
