package x12

import (
	"errors"
	"fmt"
	"io"
)

// The ISA is fixed width: 16 elements of these widths, each preceded by the
// element separator, then the terminator — 106 bytes in all. The widths are
// what lets a reader find the delimiters before it knows them.
var isaWidths = [16]int{2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1}

const (
	// isaLen is the ISA without its terminator ("ISA" … ISA16).
	isaLen = 105
	// repetitionVersion is the first ISA12 in which ISA11 is the repetition
	// separator rather than the standards identifier.
	repetitionVersion = "00402"
)

// isaSeparatorAt[i] is true when byte i of an ISA must be the element
// separator.
var isaSeparatorAt = func() (at [isaLen]bool) {
	p := 3
	for _, w := range isaWidths {
		at[p] = true
		p += 1 + w
	}
	return at
}()

// isaElementStart returns the offset of ISA element n (1-based) in the
// fixed layout.
func isaElementStart(n int) int {
	p := 4
	for _, w := range isaWidths[:n-1] {
		p += w + 1
	}
	return p
}

// errDelimiters is wrapped by every ISA whose separators cannot work.
var errDelimiters = errors.New("unusable delimiters")

// delimitersFromISA derives the delimiters from a fixed-width ISA (without
// its terminator) and the terminator byte.
func delimitersFromISA(isa []byte, term byte) (Delimiters, error) {
	d := Delimiters{Element: isa[3], Component: isa[isaLen-1], Segment: term}
	rep := isa[isaElementStart(11)]
	version := string(isa[isaElementStart(12) : isaElementStart(12)+5])
	if isDigits(version) && version >= repetitionVersion && !isAlnum(rep) && rep != ' ' {
		d.Repetition = rep
	}
	switch {
	case isAlnum(d.Element) || d.Element == ' ':
		return d, fmt.Errorf("%w: element separator %q is a letter, digit or space", errDelimiters, d.Element)
	case isAlnum(d.Segment) || d.Segment == ' ':
		return d, fmt.Errorf("%w: segment terminator %q is a letter, digit or space", errDelimiters, d.Segment)
	case d.Segment == d.Element:
		return d, fmt.Errorf("%w: segment terminator and element separator are both %q", errDelimiters, d.Segment)
	case isAlnum(d.Component) || d.Component == ' ':
		return d, fmt.Errorf("%w: component separator ISA16 %q is a letter, digit or space", errDelimiters, d.Component)
	case d.Component == d.Element || d.Component == d.Segment:
		return d, fmt.Errorf("%w: component separator ISA16 %q repeats another delimiter", errDelimiters, d.Component)
	}
	if d.Repetition == d.Element || d.Repetition == d.Segment || d.Repetition == d.Component {
		// A repetition separator equal to another delimiter cannot be
		// told apart; treat the interchange as having none.
		d.Repetition = 0
	}
	return d, nil
}

// readISA reads the fixed-width ISA and takes the interchange's delimiters
// from it.
func (s *scanner) readISA() (*Segment, error) {
	pos := Position{Offset: s.offset, Line: s.line}
	if !s.atISA() {
		b, _ := s.br.Peek(20)
		where := "the input does not start with an ISA segment"
		if s.d.Segment != 0 {
			where = "expected an ISA segment or the end of the input after IEA"
		}
		return nil, s.fatal(pos, "", fmt.Sprintf("%s: found %q", where, b))
	}
	var isa [isaLen]byte
	n, breaks := 0, false
	for n < isaLen {
		c, err := s.readByte()
		if err != nil {
			return nil, s.truncated(pos, n, err)
		}
		if s.isBreak(c) && s.isaBreak(n, c, &isa, breaks) {
			breaks = true
			continue
		}
		if n > 3 && isaSeparatorAt[n] != (c == isa[3]) && (isaSeparatorAt[n] || n < isaLen-1) {
			return nil, s.fatal(pos, "ISA", isaWidthMessage(n, isa[3], c))
		}
		isa[n] = c
		n++
	}
	if string(isa[:3]) != "ISA" {
		return nil, s.fatal(pos, "ISA", fmt.Sprintf("segment begins %q, not ISA", isa[:3]))
	}
	term, err := s.readByte()
	for err == nil && s.isBreak(term) && (breaks || s.wrapped) {
		term, err = s.readByte()
	}
	if err != nil {
		return nil, s.truncated(pos, isaLen, err)
	}
	s.wrapped = s.wrapped || breaks
	d, err := delimitersFromISA(isa[:], term)
	if err != nil {
		return nil, s.fatal(pos, "ISA", err.Error())
	}
	s.setDelimiters(d)
	return s.isaSegment(isa[:], pos), nil
}

// isaBreak decides whether line break c read at ISA byte n is a hard wrap
// to drop rather than a byte of the ISA. Byte 3 is the element separator,
// which may itself be a line break unless the file is known to be wrapped.
func (s *scanner) isaBreak(n int, c byte, isa *[isaLen]byte, breaks bool) bool {
	switch {
	case n < 3:
		return true
	case n == 3:
		return s.wrapped
	case c == isa[3]:
		return false
	case n == isaLen-1:
		// ISA16 may be any byte; a line break there is a wrap only
		// when the file is wrapped elsewhere.
		return breaks || s.wrapped
	}
	return true
}

func (s *scanner) truncated(pos Position, n int, err error) error {
	if err == io.EOF {
		return s.fatal(pos, "ISA", fmt.Sprintf("ISA is truncated: the input ends after %d of its 106 bytes", n))
	}
	return err
}

// isaWidthMessage explains a separator found where the fixed layout has
// data, or data where it has a separator.
func isaWidthMessage(n int, sep, found byte) string {
	el := 1
	for p := 4; p < n; p++ {
		if isaSeparatorAt[p] {
			el++
		}
	}
	if isaSeparatorAt[n] {
		return fmt.Sprintf("ISA is not 106 characters: ISA%02d should be %d characters, found %q where the element separator %q belongs (ISA character %d)",
			el, isaWidths[el-1], found, sep, n+1)
	}
	return fmt.Sprintf("ISA is not 106 characters: ISA%02d should be %d characters, found the element separator %q at ISA character %d",
		el, isaWidths[el-1], sep, n+1)
}

func (s *scanner) isaSegment(isa []byte, pos Position) *Segment {
	seg := s.arena.segment()
	seg.raw = s.arena.string(isa)
	seg.ID = seg.raw[:3]
	ends := s.arena.spare()
	for p := 3; p < isaLen; p++ {
		if isaSeparatorAt[p] {
			ends = append(ends, int32(p))
		}
	}
	seg.ends = s.arena.commit(append(ends, isaLen))
	seg.d = s.d
	seg.Pos = pos
	return seg
}
