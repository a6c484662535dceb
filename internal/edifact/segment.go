package edifact

import (
	"slices"
	"strings"

	"github.com/dropgate/dropgate/core/decimal"
)

// Element is one data element of a segment: its components in order. A
// simple data element has one component. Values are UTF-8 text with the
// release character already applied, so "A?+B" in the input is "A+B" here.
type Element []string

// Value returns component i (0-based) or "" when absent.
func (e Element) Value(i int) string {
	if i < 0 || i >= len(e) {
		return ""
	}
	return e[i]
}

// Position says where a segment was read.
type Position struct {
	Offset int64 // byte offset of the segment's first byte (its tag) in the input
	Line   int   // 1-based line of the tag; 1 for files without line breaks
	Index  int   // 1-based position in the message, UNH being 1; 0 outside a message
}

// Segment is one segment: its tag and the data elements that follow it.
//
// Elements are 0-based in Go: Elements[0] is what EDIFACT guides call
// "BGM01" or data element position 1. Error locations use the EDIFACT
// 1-based numbering.
type Segment struct {
	Tag      string
	Elements []Element
	// Repeats holds, in syntax 4 only, the occurrences after the first of a
	// repeated data element, keyed by its 0-based index in Elements. It is
	// nil when no element repeats, which is always the case in syntax 3.
	Repeats map[int][]Element
	Pos     Position
}

// Value returns component 0 of element i (0-based), or "" when absent: the
// value of a simple data element.
func (s *Segment) Value(i int) string { return s.Component(i, 0) }

// Component returns component j of element i (both 0-based), or "" when
// absent. EDIFACT omits trailing empty elements and components, so absence
// and emptiness mean the same.
func (s *Segment) Component(i, j int) string {
	if i < 0 || i >= len(s.Elements) {
		return ""
	}
	return s.Elements[i].Value(j)
}

// Occurrences returns every occurrence of element i (0-based): the element
// itself followed by its syntax 4 repetitions.
func (s *Segment) Occurrences(i int) []Element {
	if i < 0 || i >= len(s.Elements) {
		return nil
	}
	return append([]Element{s.Elements[i]}, s.Repeats[i]...)
}

// Clone returns a deep copy of s, for keeping a segment read with
// Reader.ReuseSegments. The value strings are immutable and shared.
func (s *Segment) Clone() *Segment {
	c := *s
	c.Elements = make([]Element, len(s.Elements))
	for i, e := range s.Elements {
		c.Elements[i] = slices.Clone(e)
	}
	if s.Repeats != nil {
		c.Repeats = make(map[int][]Element, len(s.Repeats))
		for i, reps := range s.Repeats {
			for _, e := range reps {
				c.Repeats[i] = append(c.Repeats[i], slices.Clone(e))
			}
		}
	}
	return &c
}

// Decimal parses component j of element i (0-based) as an EDIFACT number,
// accepting either decimal mark. See ParseDecimal.
func (s *Segment) Decimal(i, j int) (decimal.Decimal, error) {
	return ParseDecimal(s.Component(i, j))
}

// String renders the segment with the default delimiters, releasing
// delimiters in values and omitting trailing empty elements and components
// as a writer would, for logs and test failures.
func (s *Segment) String() string {
	var b strings.Builder
	b.WriteString(s.Tag)
	esc := strings.NewReplacer("?", "??", "+", "?+", ":", "?:", "'", "?'", "*", "?*")
	writeElement := func(e Element) {
		n := len(e)
		for n > 0 && e[n-1] == "" {
			n--
		}
		for j, c := range e[:n] {
			if j > 0 {
				b.WriteByte(':')
			}
			b.WriteString(esc.Replace(c))
		}
	}
	last := len(s.Elements) - 1
	for last >= 0 && isEmpty(s.Elements[last]) && len(s.Repeats[last]) == 0 {
		last--
	}
	for i, e := range s.Elements[:last+1] {
		b.WriteByte('+')
		writeElement(e)
		for _, r := range s.Repeats[i] {
			b.WriteByte('*')
			writeElement(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// validTag reports whether tag is a well-formed segment tag: three upper-case
// letters or digits (ISO 9735 segment tags are an3, alphabetic in practice).
func validTag(tag string) bool {
	if len(tag) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		c := tag[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
