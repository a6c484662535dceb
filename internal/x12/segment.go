package x12

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dropgate/dropgate/core/decimal"
)

// Position locates a segment in the input.
type Position struct {
	// Offset is the byte offset of the segment's first byte; a byte order
	// mark counts. For EBCDIC input it is the offset in the original file.
	Offset int64
	// Line is the 1-based line of that byte (CR, LF and CRLF each end a
	// line).
	Line int
	// InSet is the segment's position in its transaction set, ST being 1,
	// as SE01 counts and AK302 reports; 0 outside a set.
	InSet int
	// InInterchange is the position in the interchange, ISA being 1.
	InInterchange int
}

// Segment is one segment: its tag and elements. Element, component and
// repetition numbers are 1-based, as the standard writes them (N104 is
// Element(4) of an N1), and reading past the end gives "" rather than an
// error, because trailing empty elements are omitted on the wire.
//
// Segments returned by a Reader share storage in blocks of a few KiB; a
// caller that keeps a few segments of a long stream should Clone them.
type Segment struct {
	// ID is the segment tag, e.g. "ISA", "N1".
	ID string
	// Pos is where the segment is in the input.
	Pos Position

	raw   string  // the segment without its terminator
	ends  []int32 // ends[k] is the offset in raw just past field k; field 0 is the ID
	d     Delimiters
	flags uint8
}

// flagControl marks a segment holding a control character that is not a
// delimiter, which the envelope check reports per element.
const flagControl = 1

// Len returns the number of elements, not counting the ID.
func (s *Segment) Len() int { return len(s.ends) - 1 }

// Element returns element i as it appears on the wire, components and
// repetitions included ("" when absent).
func (s *Segment) Element(i int) string {
	if i < 1 || i >= len(s.ends) {
		return ""
	}
	return s.raw[s.ends[i-1]+1 : s.ends[i]]
}

// Elements returns all elements as they appear on the wire.
func (s *Segment) Elements() []string {
	out := make([]string, s.Len())
	for i := range out {
		out[i] = s.Element(i + 1)
	}
	return out
}

// Repetitions returns the occurrences of a repeating element i; an element
// that does not repeat has one. It is nil when the element is empty.
func (s *Segment) Repetitions(i int) []string {
	e := s.Element(i)
	if e == "" {
		return nil
	}
	if s.d.Repetition == 0 || s.ID == "ISA" {
		return []string{e}
	}
	return splitByte(e, s.d.Repetition)
}

// Components returns the components of element i (its first repetition).
// It is nil when the element is empty.
func (s *Segment) Components(i int) []string {
	e := s.firstRepetition(i)
	if e == "" {
		return nil
	}
	if s.ID == "ISA" {
		return []string{e}
	}
	return splitByte(e, s.d.Component)
}

// Component returns component j of element i (its first repetition).
// Component(i, 1) of a simple element is the element itself.
func (s *Segment) Component(i, j int) string {
	if s.ID == "ISA" {
		// ISA elements are fixed-width simple values; ISA11 and ISA16
		// are delimiters themselves.
		if j != 1 {
			return ""
		}
		return s.Element(i)
	}
	return nthField(s.firstRepetition(i), s.d.Component, j)
}

// RepetitionComponent returns component j of repetition r of element i.
func (s *Segment) RepetitionComponent(i, r, j int) string {
	if s.ID == "ISA" || s.d.Repetition == 0 {
		if r != 1 {
			return ""
		}
		return s.Component(i, j)
	}
	return nthField(nthField(s.Element(i), s.d.Repetition, r), s.d.Component, j)
}

// Value returns element i split into repetitions and components.
func (s *Segment) Value(i int) Value {
	reps := s.Repetitions(i)
	if reps == nil {
		return nil
	}
	v := make(Value, len(reps))
	for k, r := range reps {
		if s.ID == "ISA" {
			v[k] = []string{r}
			continue
		}
		v[k] = splitByte(r, s.d.Component)
	}
	return v
}

// Delimiters returns the delimiters the segment was read with.
func (s *Segment) Delimiters() Delimiters { return s.d }

// String returns the segment as it was on the wire, without its
// terminator (line breaks of a wrapped file removed).
func (s *Segment) String() string { return s.raw }

// Clone returns a copy with its own storage, so that keeping it does not
// keep the reader's block alive.
func (s *Segment) Clone() *Segment {
	c := *s
	c.raw = strings.Clone(s.raw)
	c.ID = c.raw[:len(s.ID)]
	c.ends = append([]int32(nil), s.ends...)
	return &c
}

// Decimal parses element i as an X12 "R" (explicit decimal) value.
func (s *Segment) Decimal(i int) (decimal.Decimal, error) {
	d, err := decimal.Parse(s.Element(i))
	if err != nil {
		return d, fmt.Errorf("%s: %w", elementName(s.ID, i), err)
	}
	return d, nil
}

// Implied parses element i as an X12 "Nn" value with n implied decimal
// places: TDS01 "843202" with n=2 is 8432.02.
func (s *Segment) Implied(i int, n uint8) (decimal.Decimal, error) {
	d, err := decimal.ParseImplied(s.Element(i), n)
	if err != nil {
		return d, fmt.Errorf("%s: %w", elementName(s.ID, i), err)
	}
	return d, nil
}

// Int parses element i as an X12 "N0" (integer) value.
func (s *Segment) Int(i int) (int64, error) {
	n, err := strconv.ParseInt(s.Element(i), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not an integer", elementName(s.ID, i), s.Element(i))
	}
	return n, nil
}

func (s *Segment) firstRepetition(i int) string {
	e := s.Element(i)
	if s.d.Repetition == 0 || s.ID == "ISA" {
		return e
	}
	if k := strings.IndexByte(e, s.d.Repetition); k >= 0 {
		return e[:k]
	}
	return e
}

// splitByte splits s at every sep. (strings.Split with string(sep) would
// be wrong for a separator above 0x7F, which string() encodes as UTF-8.)
func splitByte(s string, sep byte) []string {
	out := make([]string, 0, strings.Count(s, string([]byte{sep}))+1)
	for {
		k := strings.IndexByte(s, sep)
		if k < 0 {
			return append(out, s)
		}
		out = append(out, s[:k])
		s = s[k+1:]
	}
}

// nthField returns the n-th (1-based) sep-separated field of s.
func nthField(s string, sep byte, n int) string {
	if n < 1 {
		return ""
	}
	for ; n > 1; n-- {
		k := strings.IndexByte(s, sep)
		if k < 0 {
			return ""
		}
		s = s[k+1:]
	}
	if k := strings.IndexByte(s, sep); k >= 0 {
		return s[:k]
	}
	return s
}

// Value is an element in structure: Value[r][c] is component c of
// repetition r (both 0-based here, as Go slices are). A simple element is
// Value{{"text"}}; build values with Simple, Composite and Repeated.
type Value [][]string

// Simple returns a one-component, one-repetition value.
func Simple(s string) Value { return Value{{s}} }

// Composite returns a composite value of the given components.
func Composite(components ...string) Value { return Value{components} }

// Repeated returns a value of several repetitions, each a list of
// components.
func Repeated(reps ...[]string) Value { return Value(reps) }
