package edifact

import (
	"fmt"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/edifact"
)

// Syntax error codes (code list 0085) for content problems, beyond those
// internal/edifact names. A CONTRL is a syntax-level answer, but it is the
// only channel the partner's translator reads, so a value we cannot use is
// reported there too, at its segment, element and component.
const (
	codeInvalidValue                      = edifact.CodeInvalidValue // 12 invalid value
	codeMissing                           = edifact.CodeMissing      // 13 missing
	codeNotSupported    edifact.ErrorCode = 14                       // 14 value not supported in this position
	codeNoAgreement     edifact.ErrorCode = 17                       // 17 no agreement (a message type we never agreed to receive)
	codeTestUnsupported edifact.ErrorCode = 25                       // 25 test indicator not supported
)

// mapper is what every message mapping shares: the message, on which
// content errors are recorded (so the CONTRL reports them in UCS and UCD),
// and the partner's defaults. A mapping reads every segment it knows,
// records every problem rather than stopping at the first, and returns
// what it built; the caller drops the result when the message has errors.
type mapper struct {
	msg      *edifact.Message
	loc      *time.Location
	currency string // CUX C504/6345, or the partner's default_currency
	supplier string // the connector's name, copied into documents
}

func newMapper(msg *edifact.Message, supplier, currency string, loc *time.Location) *mapper {
	if loc == nil {
		loc = time.UTC
	}
	return &mapper{msg: msg, loc: loc, currency: currency, supplier: supplier}
}

// whole marks an error on a whole segment or data element rather than on
// one of its elements or components.
const whole = -1

// fail records a content error on seg, element i and component j (both
// 0-based, as Segment.Component takes them). i may be whole for the
// segment itself. Component 0 is reported without a component position
// (S011/0104), as a simple data element must be: the mappings never find
// fault with the first component of a composite alone.
func (m *mapper) fail(seg *edifact.Segment, i, j int, code edifact.ErrorCode, format string, args ...any) {
	loc := edifact.Location{Message: m.msg.Header.Ref}
	if ic := m.msg.Interchange; ic != nil {
		loc.Interchange = ic.Header.ControlRef
	}
	if g := m.msg.Group; g != nil {
		loc.Group = g.Header.Ref
	}
	if seg != nil {
		loc.Offset, loc.Line, loc.Segment, loc.Tag = seg.Pos.Offset, seg.Pos.Line, seg.Pos.Index, seg.Tag
	}
	if i >= 0 {
		loc.Element = i + 1
		if j > 0 {
			loc.Component = j + 1
		}
	}
	m.msg.Errors = append(m.msg.Errors, &edifact.SyntaxError{Loc: loc, Code: code, Msg: fmt.Sprintf(format, args...)})
}

// missingSegment records that a required segment is absent. The error
// sits on UNT's position, the last place the segment could have been; its
// tag names the missing segment.
func (m *mapper) missingSegment(tag, why string) {
	at := m.msg.Trailer
	if at == nil && len(m.msg.Segments) > 0 {
		at = m.msg.Segments[len(m.msg.Segments)-1]
	}
	m.fail(at, whole, whole, codeMissing, "no %s segment: %s", tag, why)
	if e, ok := m.msg.Errors[len(m.msg.Errors)-1].(*edifact.SyntaxError); ok {
		e.Loc.Tag = tag
	}
}

// required returns component j of element i, recording code 13 when empty.
func (m *mapper) required(seg *edifact.Segment, i, j int, what string) string {
	v := seg.Component(i, j)
	if v == "" {
		m.fail(seg, i, j, codeMissing, "%s (%s) is missing", posName(seg.Tag, i, j), what)
	}
	return v
}

// posName is how messages name a position: "QTY01-2" is component 2 of the
// first data element of QTY, "BGM02" a simple element.
func posName(tag string, i, j int) string {
	if j <= 0 {
		return fmt.Sprintf("%s%02d", tag, i+1)
	}
	return fmt.Sprintf("%s%02d-%d", tag, i+1, j+1)
}

// useCurrency reads CUX C504/6345 (the first currency details), the
// currency of every amount of the message.
func (m *mapper) useCurrency(seg *edifact.Segment) {
	c := strings.ToUpper(seg.Component(0, 1))
	if !money.KnownCurrency(c) {
		m.fail(seg, 0, 1, codeInvalidValue, "CUX01-2 %q is not an ISO 4217 currency", seg.Component(0, 1))
		return
	}
	m.currency = c
}

// firstCurrency applies the message's CUX before the mapping reads any
// amount, wherever the CUX stands.
func (m *mapper) firstCurrency() {
	if cux := m.msg.First("CUX"); cux != nil {
		m.useCurrency(cux)
	}
}

// date reads a DTM C507 in element i: 2005 qualifier, 2380 value, 2379
// format (code list 2379: 102 CCYYMMDD, 203 CCYYMMDDHHMM, 204
// CCYYMMDDHHMMSS, 101 YYMMDD, 201 YYMMDDHHMM, 718 CCYYMMDD-CCYYMMDD, of
// which the start is kept). Without a format the length decides between
// 102 and 203. The time is read in the partner's zone. A bad value
// records code 12 and gives false.
func (m *mapper) date(seg *edifact.Segment, i int) (time.Time, bool) {
	v, format := seg.Component(i, 1), seg.Component(i, 2)
	if v == "" {
		m.fail(seg, i, 1, codeMissing, "%s (date/time/period) is missing", posName(seg.Tag, i, 1))
		return time.Time{}, false
	}
	if format == "" {
		switch len(v) {
		case 8:
			format = "102"
		case 12:
			format = "203"
		}
	}
	layouts := map[string]string{"102": "20060102", "203": "200601021504", "204": "20060102150405", "101": "060102", "201": "0601021504", "718": "20060102"}
	layout, ok := layouts[format]
	if !ok {
		m.fail(seg, i, 2, codeNotSupported, "%s %q is not a date format this connector reads (102, 203, 204, 101, 201, 718)", posName(seg.Tag, i, 2), format)
		return time.Time{}, false
	}
	if format == "718" {
		v, _, _ = strings.Cut(v, "-")
	}
	t, err := time.ParseInLocation(layout, v, m.loc)
	if err != nil || len(v) != len(layout) {
		m.fail(seg, i, 1, codeInvalidValue, "%s %q is not a date in format %s", posName(seg.Tag, i, 1), v, format)
		return time.Time{}, false
	}
	return t, true
}

// number reads component j of element i as an exact decimal (either
// decimal mark). Empty gives false without an error.
func (m *mapper) number(seg *edifact.Segment, i, j int) (decimal.Decimal, bool) {
	v := seg.Component(i, j)
	if v == "" {
		return decimal.Decimal{}, false
	}
	d, err := edifact.ParseDecimal(v)
	if err != nil {
		m.fail(seg, i, j, codeInvalidValue, "%s: %v", posName(seg.Tag, i, j), err)
		return decimal.Decimal{}, false
	}
	return d, true
}

// units reads a quantity that must be a whole, non-negative number of
// units (QTY C186/6060). "13.000" is 13; "2.5" is an error: a drop-ship
// line is counted in pieces, and rounding would ship or bill the wrong
// amount.
func (m *mapper) units(seg *edifact.Segment, i, j int) (int64, bool) {
	d, ok := m.number(seg, i, j)
	if !ok {
		return 0, false
	}
	q, isWhole := d.IntPart()
	switch {
	case !isWhole:
		m.fail(seg, i, j, codeInvalidValue, "%s %s is not a whole number of units", posName(seg.Tag, i, j), d)
		return 0, false
	case q < 0:
		m.fail(seg, i, j, codeInvalidValue, "%s %s is negative", posName(seg.Tag, i, j), d)
		return 0, false
	}
	return q, true
}

// amount reads a monetary value (MOA C516/5004, PRI C509/5118) in the
// message's currency. More decimals than the currency has is an error:
// money is never rounded on the way in.
func (m *mapper) amount(seg *edifact.Segment, i, j int) (money.Money, bool) {
	d, ok := m.number(seg, i, j)
	if !ok {
		return money.Money{}, false
	}
	v, err := money.FromDecimalIn(d, m.currency)
	if err != nil {
		m.fail(seg, i, j, codeInvalidValue, "%s: %v", posName(seg.Tag, i, j), err)
		return money.Money{}, false
	}
	return v, true
}

// text joins the non-empty components of element i: free text (FTX
// C108/4440, IMD C273/7008) split over components to fit an..35/an..70.
func text(seg *edifact.Segment, i, from int) string {
	if i >= len(seg.Elements) {
		return ""
	}
	var parts []string
	for j, c := range seg.Elements[i] {
		if j >= from && strings.TrimSpace(c) != "" {
			parts = append(parts, strings.TrimSpace(c))
		}
	}
	return strings.Join(parts, " ")
}

// lineNo reads LIN 1082 (line item number, n..6) as a PO line number;
// anything but a positive integer gives 0.
func lineNo(s string) int {
	if s == "" || len(s) > 6 {
		return 0
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// itemIDs are the product identifiers of a line.
type itemIDs struct {
	SupplierSKU string // SA supplier's article number, VN vendor item number, VP vendor's part number
	SKU         string // IN buyer's item number, BP buyer's part number, SK stock keeping unit (ours)
	GTIN        string // EN (EAN), UP (UPC), SRV (GS1 GTIN, EANCOM's code)
}

// add reads one C212 item number identification: 7140 item number, 7143
// item number type (code list 7143). The first of each kind wins.
func (ids *itemIDs) add(e edifact.Element) {
	v := strings.TrimSpace(e.Value(0))
	if v == "" {
		return
	}
	set := func(dst *string) {
		if *dst == "" {
			*dst = v
		}
	}
	switch e.Value(1) {
	case "SA", "VN", "VP":
		set(&ids.SupplierSKU)
	case "IN", "BP", "SK":
		set(&ids.SKU)
	case "EN", "UP", "SRV":
		set(&ids.GTIN)
	}
}

// readLIN reads LIN: 1082 line item number, 1229 action, C212 item.
func readLIN(seg *edifact.Segment) (int, itemIDs) {
	var ids itemIDs
	if len(seg.Elements) > 2 {
		ids.add(seg.Elements[2])
	}
	return lineNo(seg.Value(0)), ids
}

// readPIA adds the identifiers of a PIA: 4347 product id function (1
// additional identification, 5 product identification; substitution codes
// 2-4 name other products and are left out) and up to five C212.
func (ids *itemIDs) readPIA(seg *edifact.Segment) {
	switch seg.Value(0) {
	case "", "1", "5":
	default:
		return
	}
	for _, e := range seg.Elements[min(1, len(seg.Elements)):] {
		ids.add(e)
	}
}

// firstNonEmpty returns the first non-empty string.
func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// timePtr returns a pointer to t, or nil for the zero time.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
