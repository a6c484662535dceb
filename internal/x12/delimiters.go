package x12

import "fmt"

// Delimiters are the four separators of an interchange. X12 declares them
// in the ISA itself, so every interchange may use different ones.
type Delimiters struct {
	// Element separates the elements of a segment (ISA byte 3).
	Element byte
	// Component separates the components of a composite element (ISA16).
	Component byte
	// Repetition separates repeated occurrences of an element (ISA11 from
	// version 00402 on). Zero means the interchange has none: before 00402
	// ISA11 is the standards identifier "U".
	Repetition byte
	// Segment terminates every segment (the byte after ISA16).
	Segment byte
}

// DefaultDelimiters returns the delimiters most partners use:
// * : ^ and ~.
func DefaultDelimiters() Delimiters {
	return Delimiters{Element: '*', Component: ':', Repetition: '^', Segment: '~'}
}

// Validate reports whether d can delimit an interchange the Writer
// produces: every delimiter set, none of them a letter, a digit or a space
// (they would be taken for data), all ASCII (a byte above 0x7F could be
// part of a UTF-8 character), and no two equal. The repetition separator
// may be zero. (The Reader accepts whatever an ISA declares.)
func (d Delimiters) Validate() error {
	named := []struct {
		name string
		b    byte
	}{{"element", d.Element}, {"component", d.Component}, {"segment", d.Segment}, {"repetition", d.Repetition}}
	for i, n := range named {
		if n.b == 0 && n.name == "repetition" {
			continue
		}
		if n.b == 0 {
			return fmt.Errorf("x12: %s separator is not set", n.name)
		}
		if isAlnum(n.b) || n.b == ' ' || n.b >= 0x80 {
			return fmt.Errorf("x12: %s separator %q must be ASCII and not a letter, a digit or a space", n.name, n.b)
		}
		for _, m := range named[:i] {
			if m.b == n.b {
				return fmt.Errorf("x12: %s and %s separators are both %q", m.name, n.name, n.b)
			}
		}
	}
	return nil
}

// String shows the delimiters in a form that stays readable when they are
// control characters, e.g. `element='*' component=':' repetition=none segment='\n'`.
func (d Delimiters) String() string {
	rep := "none"
	if d.Repetition != 0 {
		rep = fmt.Sprintf("%q", d.Repetition)
	}
	return fmt.Sprintf("element=%q component=%q repetition=%s segment=%q", d.Element, d.Component, rep, d.Segment)
}

// isDelimiter reports whether b is one of d's separators.
func (d Delimiters) isDelimiter(b byte) bool {
	return b == d.Element || b == d.Component || b == d.Segment || (d.Repetition != 0 && b == d.Repetition)
}

func isAlnum(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z'
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
