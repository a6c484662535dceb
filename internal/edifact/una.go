package edifact

import (
	"errors"
	"fmt"
)

// Delimiters are the service characters of one interchange, as advised by
// its UNA service string or implied by the syntax level.
//
// Any byte may serve; DESIGN.md §4 requires reading them from each
// interchange header, never assuming them. A zero Release or Repetition
// means the interchange has none.
type Delimiters struct {
	Component  byte // UNA1, component data element separator, default ':'
	Element    byte // UNA2, data element separator, default '+'
	Decimal    byte // UNA3, decimal mark the sender uses, default '.'
	Release    byte // UNA4, release (escape) character, default '?'; 0 for none
	Repetition byte // UNA5, repetition separator (syntax 4 only); 0 for none
	Terminator byte // UNA6, segment terminator, default '\''
}

// DefaultDelimiters returns the level A defaults that apply when an
// interchange has no UNA: the UNA would read "UNA:+.? '".
func DefaultDelimiters() Delimiters {
	return Delimiters{Component: ':', Element: '+', Decimal: '.', Release: '?', Terminator: '\''}
}

// levelBDelimiters are the defaults of syntax level B: the information
// separators IS1, IS3, IS4 (and IS2 for repetition) and no release
// character (ISO 9735, annex on syntax level B). A UNB directly followed by
// IS3 announces them.
func levelBDelimiters() Delimiters {
	return Delimiters{Component: 0x1F, Element: 0x1D, Decimal: '.', Repetition: 0x1E, Terminator: 0x1C}
}

// unaLen is the length of the UNA service string advice: "UNA" and six
// service characters, the last being the segment terminator itself.
const unaLen = 9

// ParseUNA reads a 9-byte UNA service string advice ("UNA:+.? '"). A space
// in the release position means "no release character"; a space in the
// reserved/repetition position means "no repetition separator".
func ParseUNA(b []byte) (Delimiters, error) {
	if len(b) < unaLen || string(b[:3]) != "UNA" {
		return Delimiters{}, fmt.Errorf("UNA must be 9 bytes starting with \"UNA\", got %q", b)
	}
	d := Delimiters{
		Component:  b[3],
		Element:    b[4],
		Decimal:    b[5],
		Release:    b[6],
		Repetition: b[7],
		Terminator: b[8],
	}
	if d.Release == ' ' {
		d.Release = 0
	}
	if d.Repetition == ' ' {
		d.Repetition = 0
	}
	if err := d.Validate(); err != nil {
		return Delimiters{}, err
	}
	return d, nil
}

// UNA renders the service string advice for d, for example "UNA:+.? '".
func (d Delimiters) UNA() string {
	orSpace := func(c byte) byte {
		if c == 0 {
			return ' '
		}
		return c
	}
	dec := d.Decimal
	if dec == 0 {
		dec = '.'
	}
	return string([]byte{'U', 'N', 'A', d.Component, d.Element, dec, orSpace(d.Release), orSpace(d.Repetition), d.Terminator})
}

// Validate reports whether d can delimit an interchange unambiguously: the
// separators, terminator and release character must be distinct, and the
// decimal mark must not be one of them.
func (d Delimiters) Validate() error {
	named := []struct {
		name string
		c    byte
	}{
		{"component separator", d.Component},
		{"element separator", d.Element},
		{"release character", d.Release},
		{"repetition separator", d.Repetition},
		{"segment terminator", d.Terminator},
	}
	for i, a := range named {
		if a.c == 0 {
			if a.name == "release character" || a.name == "repetition separator" {
				continue
			}
			return fmt.Errorf("%s is not set", a.name)
		}
		for _, b := range named[i+1:] {
			if a.c == b.c {
				return fmt.Errorf("%s and %s are both %q", a.name, b.name, a.c)
			}
		}
		if a.c == d.Decimal {
			return fmt.Errorf("decimal mark and %s are both %q", a.name, a.c)
		}
	}
	if d.Decimal != '.' && d.Decimal != ',' {
		return errors.New("decimal mark must be '.' or ','")
	}
	return nil
}

// isDefault reports whether d is what a reader assumes without a UNA, so a
// writer can omit the UNA.
func (d Delimiters) isDefault() bool { return d == DefaultDelimiters() }

// Byte classes used by the splitter and the escaper.
const (
	clsData uint8 = iota
	clsComponent
	clsElement
	clsRelease
	clsRepetition
	clsTerminator
)

// classes maps every byte to its role under d.
func (d Delimiters) classes() *[256]uint8 {
	var t [256]uint8
	t[d.Component] = clsComponent
	t[d.Element] = clsElement
	t[d.Terminator] = clsTerminator
	if d.Release != 0 {
		t[d.Release] = clsRelease
	}
	if d.Repetition != 0 {
		t[d.Repetition] = clsRepetition
	}
	return &t
}
