package edi_x12

import (
	"fmt"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/x12"
)

// mapper is what every transaction-set mapping shares: the set, on which
// content errors are recorded (so the 997 reports them in AK3/AK4), and
// the partner's defaults. A mapping reads every segment it knows, records
// every problem it finds rather than stopping at the first, and returns
// what it built; the caller drops the result when the set has errors.
type mapper struct {
	set      *x12.Set
	loc      *time.Location
	currency string // CUR02, or the partner's default_currency
	supplier string // the connector's name, copied into documents
}

func newMapper(set *x12.Set, supplier, currency string, loc *time.Location) *mapper {
	if currency == "" {
		currency = "USD"
	}
	if loc == nil {
		loc = time.UTC
	}
	return &mapper{set: set, loc: loc, currency: currency, supplier: supplier}
}

// elementError records a content error on element n of seg (AK4/IK4).
func (m *mapper) elementError(seg *x12.Segment, n int, code x12.Code, format string, args ...any) {
	m.set.ElementErrorf(seg, n, code, format, args...)
}

// segmentError records a content error on seg as a whole (AK3/IK3).
func (m *mapper) segmentError(seg *x12.Segment, code x12.Code, format string, args ...any) {
	m.set.Errorf(seg, code, format, args...)
}

// missingSegment records that a mandatory segment is absent. The error
// sits on the SE, the last place it could have been, which is the
// convention translators follow for AK3 code 3.
func (m *mapper) missingSegment(id, why string) {
	if len(m.set.Segments) == 0 {
		return
	}
	at := m.set.Segments[len(m.set.Segments)-1]
	m.segmentError(at, x12.CodeSegmentMandatoryMissing, "no %s segment: %s", id, why)
	// AK301 names the segment that is missing, not the SE it sits on.
	m.set.Errors[len(m.set.Errors)-1].SegmentID = id
}

// required returns element n of seg, recording AK403 code 1 when empty.
func (m *mapper) required(seg *x12.Segment, n int, what string) string {
	v := seg.Element(n)
	if v == "" {
		m.elementError(seg, n, x12.CodeElementMandatoryMissing, "%s (%s) is missing", elementName(seg.ID, n), what)
	}
	return v
}

// useCurrency reads CUR02, the currency of every amount of the set.
func (m *mapper) useCurrency(seg *x12.Segment) {
	c := strings.ToUpper(seg.Element(2))
	if !money.KnownCurrency(c) {
		m.elementError(seg, 2, x12.CodeElementInvalidCode, "CUR02 %q is not an ISO 4217 currency", seg.Element(2))
		return
	}
	m.currency = c
}

// date reads a date element (CCYYMMDD, or YYMMDD as versions before
// 004010 send) and an optional time element (HHMM, HHMMSS, HHMMSSD,
// HHMMSSDD; ti 0 means none) in the partner's zone. Empty gives the zero
// time and true; a bad value records AK403 code 8 or 9 and gives false.
func (m *mapper) date(seg *x12.Segment, di, ti int) (time.Time, bool) {
	ds := seg.Element(di)
	if ds == "" {
		return time.Time{}, true
	}
	layout := "20060102"
	if len(ds) == 6 {
		layout = "060102"
	}
	d, err := time.ParseInLocation(layout, ds, m.loc)
	if err != nil || (len(ds) != 6 && len(ds) != 8) {
		m.elementError(seg, di, x12.CodeElementInvalidDate, "%s %q is not a CCYYMMDD date", elementName(seg.ID, di), ds)
		return time.Time{}, false
	}
	if ti == 0 || seg.Element(ti) == "" {
		return d, true
	}
	ts := seg.Element(ti)
	clock, ok := parseClock(ts)
	if !ok {
		m.elementError(seg, ti, x12.CodeElementInvalidTime, "%s %q is not an HHMM[SS[DD]] time", elementName(seg.ID, ti), ts)
		return d, false
	}
	return d.Add(clock), true
}

// parseClock reads HHMM, HHMMSS, HHMMSSD or HHMMSSDD.
func parseClock(s string) (time.Duration, bool) {
	if len(s) < 4 || len(s) > 8 || len(s) == 5 || !allDigits(s) {
		return 0, false
	}
	h, mi := atoi2(s[0:2]), atoi2(s[2:4])
	sec := 0
	if len(s) >= 6 {
		sec = atoi2(s[4:6])
	}
	if h > 23 || mi > 59 || sec > 59 {
		return 0, false
	}
	d := time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(sec)*time.Second
	if len(s) > 6 {
		frac := s[6:]
		n := 0
		for _, c := range frac {
			n = n*10 + int(c-'0')
		}
		if len(frac) == 1 {
			n *= 10
		}
		d += time.Duration(n) * 10 * time.Millisecond
	}
	return d, true
}

func atoi2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// units reads an R quantity that must be a whole, non-negative number of
// units (PO102, ACK02, SN102, IT102). Empty gives 0, false without an
// error: the caller decides whether the element is required.
func (m *mapper) units(seg *x12.Segment, n int) (int64, bool) {
	if seg.Element(n) == "" {
		return 0, false
	}
	d, err := seg.Decimal(n)
	if err != nil {
		m.elementError(seg, n, x12.CodeElementInvalidCharacter, "%v", err)
		return 0, false
	}
	q, whole := d.IntPart()
	switch {
	case !whole:
		m.elementError(seg, n, x12.CodeElementInvalidCharacter, "%s %s is not a whole number of units", elementName(seg.ID, n), d)
		return 0, false
	case q < 0:
		m.elementError(seg, n, x12.CodeElementInvalidCharacter, "%s %s is negative", elementName(seg.ID, n), d)
		return 0, false
	}
	return q, true
}

// amount reads an R amount (PO104, IT104, CTP03) in the set's currency.
// Empty gives false without an error. More decimals than the currency has
// ("4.125" USD) is an error: money is never rounded on the way in.
func (m *mapper) amount(seg *x12.Segment, n int) (money.Money, bool) {
	if seg.Element(n) == "" {
		return money.Money{}, false
	}
	d, err := seg.Decimal(n)
	if err != nil {
		m.elementError(seg, n, x12.CodeElementInvalidCharacter, "%v", err)
		return money.Money{}, false
	}
	return m.toMoney(seg, n, d)
}

// impliedAmount reads an N2 amount (TDS01, SAC05): "843202" is 8432.02.
func (m *mapper) impliedAmount(seg *x12.Segment, n int) (money.Money, bool) {
	if seg.Element(n) == "" {
		return money.Money{}, false
	}
	d, err := seg.Implied(n, 2)
	if err != nil {
		m.elementError(seg, n, x12.CodeElementInvalidCharacter, "%v", err)
		return money.Money{}, false
	}
	return m.toMoney(seg, n, d)
}

func (m *mapper) toMoney(seg *x12.Segment, n int, d decimal.Decimal) (money.Money, bool) {
	v, err := money.FromDecimalIn(d, m.currency)
	if err != nil {
		m.elementError(seg, n, x12.CodeElementInvalidCharacter, "%s: %v", elementName(seg.ID, n), err)
		return money.Money{}, false
	}
	return v, true
}

// lineNo reads an assigned identification (PO101, LIN01, SN101, IT101) as
// a PO line number; anything but a positive integer gives 0 (partners use
// the element for their own references too).
func lineNo(s string) int {
	if !allDigits(s) || len(s) > 6 {
		return 0
	}
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// itemIDs are the product identifiers of a line.
type itemIDs struct {
	SupplierSKU string // VP, VN: the vendor's (seller's) part or item number
	SKU         string // BP, IN, SK: the buyer's part or item number (ours)
	GTIN        string // UP, EN, UK, UA: UPC, EAN, GTIN-14, UPC case code
	POLine      int    // PL: purchaser's order line number
}

// readItemIDs reads the qualifier/ID pairs (235/234) of a PO1, LIN, IT1 or
// ACK from element first on. The first of each kind wins.
func readItemIDs(seg *x12.Segment, first int) itemIDs {
	var ids itemIDs
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	for i := first; i+1 <= seg.Len(); i += 2 {
		v := seg.Element(i + 1)
		if v == "" {
			continue
		}
		switch seg.Element(i) {
		case "VP", "VN":
			set(&ids.SupplierSKU, v)
		case "BP", "IN", "SK":
			set(&ids.SKU, v)
		case "UP", "EN", "UK", "UA":
			set(&ids.GTIN, v)
		case "PL":
			if ids.POLine == 0 {
				ids.POLine = lineNo(v)
			}
		}
	}
	return ids
}

// checkCount compares a CTT01 with the count the set holds.
func (m *mapper) checkCount(ctt *x12.Segment, what string, counts ...int) {
	if ctt == nil || ctt.Element(1) == "" {
		return
	}
	n, err := ctt.Int(1)
	if err != nil {
		m.elementError(ctt, 1, x12.CodeElementInvalidCharacter, "%v", err)
		return
	}
	for _, c := range counts {
		if int64(c) == n {
			return
		}
	}
	m.elementError(ctt, 1, x12.CodeElementInvalidCharacter, "CTT01 says %d %s but the set has %d", n, what, counts[0])
}

// elementName is how messages name an element: "BAK02", "TD503".
func elementName(id string, n int) string { return fmt.Sprintf("%s%02d", id, n) }

// timePtr returns a pointer to t, or nil for the zero time.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
