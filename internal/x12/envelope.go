package x12

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// File is every interchange of an input, as Parse builds it.
type File struct {
	Interchanges []*Interchange
}

// AllWarnings returns every tolerated defect of the file (Set.Warnings),
// interchange by interchange.
func (f *File) AllWarnings() ErrorList {
	var all ErrorList
	for _, ic := range f.Interchanges {
		all = append(all, ic.AllWarnings()...)
	}
	return all
}

// AllErrors returns every validation error of the file, interchange by
// interchange.
func (f *File) AllErrors() ErrorList {
	var all ErrorList
	for _, ic := range f.Interchanges {
		all = append(all, ic.AllErrors()...)
	}
	return all
}

// Interchange is one ISA … IEA envelope. A Reader fills it as the stream
// goes by; NextInterchange returns it complete.
type Interchange struct {
	Header     InterchangeHeader
	Delimiters Delimiters
	// ISA and IEA are the envelope segments; IEA is nil when missing.
	ISA, IEA *Segment
	// Groups are the functional groups, in order (empty when read
	// WithoutSummaries).
	Groups []*Group
	// GroupCount is the number of GS segments seen, what IEA01 must say.
	GroupCount int
	// Errors are the interchange-level errors: ISA fields, IEA count and
	// control number, segments outside any group (TA1 material).
	Errors []*SyntaxError
	// Pos is the position of the ISA.
	Pos Position
	// EBCDIC is true when the interchange was read from EBCDIC (code
	// page 037); BuildAck answers it in EBCDIC.
	EBCDIC bool

	count int // segments so far, for Position.InInterchange
}

// AllErrors returns the errors of the interchange and of everything in
// it, in the order of the envelopes.
func (ic *Interchange) AllErrors() ErrorList {
	all := append(ErrorList(nil), ic.Errors...)
	for _, g := range ic.Groups {
		all = append(all, g.Errors...)
		for _, s := range g.Sets {
			all = append(all, s.Errors...)
		}
	}
	// Input order; at one place, the innermost envelope first (a missing
	// SE is found before the GE and IEA it also leaves missing).
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Offset != all[j].Offset {
			return all[i].Offset < all[j].Offset
		}
		return all[i].Level > all[j].Level
	})
	return all
}

// AllWarnings returns what the reader tolerated in the interchange
// (Set.Warnings), in input order.
func (ic *Interchange) AllWarnings() ErrorList {
	var all ErrorList
	for _, g := range ic.Groups {
		for _, s := range g.Sets {
			all = append(all, s.Warnings...)
		}
	}
	return all
}

// Group is one GS … GE functional group.
type Group struct {
	Header GroupHeader
	// GS and GE are the envelope segments; GE is nil when missing.
	GS, GE *Segment
	// Sets are the transaction sets, in order (empty when read
	// WithoutSummaries).
	Sets []*Set
	// SetCount is the number of ST segments seen, what GE01 must say.
	SetCount int
	// Errors are the group-level errors (reported in AK9).
	Errors []*SyntaxError
	// Interchange is the enclosing interchange.
	Interchange *Interchange
	// Pos is the position of the GS.
	Pos Position
}

// Set is one ST … SE transaction set.
type Set struct {
	Header SetHeader
	// Segments are the segments from ST to SE inclusive, when the reader
	// keeps them (NextSet, Parse); nil in a summary.
	Segments []*Segment
	// SegmentCount is the number of segments ST … SE seen, what SE01
	// must say.
	SegmentCount int
	// Terminated is true when the set ended with its SE.
	Terminated bool
	// Errors are the set's validation results: the reader's, and any the
	// caller adds (Errorf, ElementErrorf) before building a 997/999.
	Errors []*SyntaxError
	// Warnings are defects the reader tolerated (see WithStrict): the set
	// is still accepted, and the 997/999 says "accepted, but errors were
	// noted" (AK501/IK501 E) with their codes.
	Warnings []*SyntaxError
	// Group and Interchange enclose the set; Group is nil for a set that
	// appeared outside any functional group.
	Group       *Group
	Interchange *Interchange
	// Pos is the position of the ST.
	Pos Position
}

// Accepted reports whether the set has no errors.
func (s *Set) Accepted() bool { return len(s.Errors) == 0 }

// Errorf records a segment-level error (AK3/IK3) on seg, a segment of the
// set, and returns it so that the caller may set Loop or the 999 context.
func (s *Set) Errorf(seg *Segment, code Code, format string, args ...any) *SyntaxError {
	e := s.newError(seg, LevelSegment, code, fmt.Sprintf(format, args...))
	s.Errors = append(s.Errors, e)
	return e
}

// ElementErrorf records an element-level error (AK4/IK4) on element n of
// seg and returns it so that the caller may set Component, Repetition or
// ElementRef. Value is a copy of the element.
func (s *Set) ElementErrorf(seg *Segment, n int, code Code, format string, args ...any) *SyntaxError {
	e := s.newError(seg, LevelElement, code, fmt.Sprintf(format, args...))
	e.Element = n
	e.Value = strings.Clone(seg.Element(n))
	s.Errors = append(s.Errors, e)
	return e
}

func (s *Set) newError(seg *Segment, level Level, code Code, msg string) *SyntaxError {
	e := &SyntaxError{Set: s.Header.Control, Level: level, Code: code, Msg: msg}
	if s.Interchange != nil {
		e.Interchange = s.Interchange.Header.Control
	}
	if s.Group != nil {
		e.Group = s.Group.Header.Control
	}
	if seg != nil {
		e.Offset, e.Line = seg.Pos.Offset, seg.Pos.Line
		e.SegmentIndex, e.SegmentID = seg.Pos.InSet, strings.Clone(seg.ID)
	}
	return e
}

// Usage indicators (ISA15).
const (
	UsageProduction  = "P"
	UsageTest        = "T"
	UsageInformation = "I"
)

// InterchangeHeader holds the ISA fields, without their fixed-width
// padding. The Writer pads them; the Reader trims them.
type InterchangeHeader struct {
	AuthQualifier     string // ISA01, "00" when empty on write
	AuthInfo          string // ISA02, up to 10
	SecurityQualifier string // ISA03, "00" when empty on write
	SecurityInfo      string // ISA04, up to 10
	SenderQualifier   string // ISA05
	SenderID          string // ISA06, up to 15
	ReceiverQualifier string // ISA07
	ReceiverID        string // ISA08, up to 15
	// Date is ISA09 (YYMMDD) and ISA10 (HHMM). The standard carries no
	// time zone; the Reader returns UTC and the Writer prints the clock
	// reading of whatever zone it is given.
	Date    time.Time
	Version string // ISA12, e.g. "00401", "00501"
	// Control is ISA13, nine digits; the Writer zero-pads a shorter
	// number. Callers own the sequence (it is persisted per partner).
	Control      string
	AckRequested bool   // ISA14: TA1 requested
	Usage        string // ISA15: UsageProduction, UsageTest or UsageInformation
}

// GroupHeader holds the GS fields.
type GroupHeader struct {
	FunctionalID string // GS01, e.g. "PO", "SH", "FA"
	Sender       string // GS02
	Receiver     string // GS03
	// Date is GS04 (CCYYMMDD; YYMMDD before 004010) and GS05 (HHMM,
	// HHMMSS, HHMMSSD or HHMMSSDD).
	Date    time.Time
	Control string // GS06, 1–9 digits, owned by the caller
	Agency  string // GS07, "X" when empty on write
	Version string // GS08, e.g. "004010", "005010X231A1"
}

// SetHeader holds the ST fields.
type SetHeader struct {
	ID         string // ST01, e.g. "850"
	Control    string // ST02, 4–9 characters, unique within the group
	Convention string // ST03, implementation convention (005010 and later)
}

// parseISAHeader reads the header of an ISA segment, reporting bad fields
// through bad(element, code, msg).
func parseISAHeader(seg *Segment, bad func(int, Code, string)) InterchangeHeader {
	el := func(i int) string { return strings.Clone(strings.TrimRight(seg.Element(i), " ")) }
	h := InterchangeHeader{
		AuthQualifier: el(1), AuthInfo: el(2), SecurityQualifier: el(3), SecurityInfo: el(4),
		SenderQualifier: el(5), SenderID: el(6), ReceiverQualifier: el(7), ReceiverID: el(8),
		Version: el(12), Control: el(13), AckRequested: seg.Element(14) == "1", Usage: el(15),
	}
	date, clock := seg.Element(9), seg.Element(10)
	if d, err := time.Parse("060102", date); err != nil {
		bad(9, CodeInterchangeDate, fmt.Sprintf("ISA09 %q is not a YYMMDD date", date))
	} else if t, err := time.Parse("1504", clock); err != nil {
		bad(10, CodeInterchangeTime, fmt.Sprintf("ISA10 %q is not an HHMM time", clock))
	} else {
		h.Date = d.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute)
	}
	if !isDigits(h.Version) || len(h.Version) != 5 {
		bad(12, CodeInterchangeVersion, fmt.Sprintf("ISA12 %q is not a five-digit version", h.Version))
	}
	if !isDigits(h.Control) || len(h.Control) != 9 {
		bad(13, CodeInterchangeControlInvalid, fmt.Sprintf("ISA13 %q is not a nine-digit control number", h.Control))
	}
	if a := seg.Element(14); a != "0" && a != "1" {
		bad(14, CodeInterchangeAckRequested, fmt.Sprintf("ISA14 %q is neither 0 nor 1", a))
	}
	if u := h.Usage; u != UsageProduction && u != UsageTest && u != UsageInformation {
		bad(15, CodeInterchangeUsage, fmt.Sprintf("ISA15 %q is not P, T or I", u))
	}
	return h
}

// parseGSHeader reads the header of a GS segment.
func parseGSHeader(seg *Segment, bad func(int, Code, string)) GroupHeader {
	el := func(i int) string { return strings.Clone(seg.Element(i)) }
	h := GroupHeader{
		FunctionalID: el(1), Sender: el(2), Receiver: el(3),
		Control: el(6), Agency: el(7), Version: el(8),
	}
	h.Date, _ = parseGSDate(seg.Element(4), seg.Element(5))
	if !isDigits(h.Control) || len(h.Control) > 9 {
		bad(6, CodeGroupControlInvalid, fmt.Sprintf("GS06 %q is not a control number of 1 to 9 digits", h.Control))
	}
	return h
}

// parseGSDate reads GS04/GS05. The date is eight digits from 004010 on
// and six before; the time has two to four optional digits of seconds.
func parseGSDate(date, clock string) (time.Time, error) {
	layout := "20060102"
	if len(date) == 6 {
		layout = "060102"
	}
	d, err := time.Parse(layout, date)
	if err != nil {
		return time.Time{}, err
	}
	if len(clock) < 4 || !isDigits(clock) {
		return d, fmt.Errorf("GS05 %q is not an HHMM time", clock)
	}
	t, err := time.Parse("1504", clock[:4])
	if err != nil {
		return d, err
	}
	d = d.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute)
	if len(clock) >= 6 {
		sec := int(clock[4]-'0')*10 + int(clock[5]-'0')
		d = d.Add(time.Duration(sec) * time.Second)
	}
	return d, nil
}
