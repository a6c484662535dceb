package x12

import (
	"fmt"
	"unicode/utf8"
)

// DataPolicy says what the Writer does with a value holding a character it
// may not write: a delimiter, a control character, or a character outside
// the Charset.
type DataPolicy uint8

const (
	// ReplaceInvalid writes the replacement character (a space unless
	// WithReplacement says otherwise) in its place. It is the default:
	// an order whose address holds a "*" should still reach the supplier.
	ReplaceInvalid DataPolicy = iota
	// RejectInvalid fails the write with a *ValueError naming the segment
	// and element.
	RejectInvalid
)

// Charset is the set of characters the Writer lets through.
type Charset uint8

const (
	// CharsetUTF8 allows printable ASCII and any valid, printable UTF-8
	// (the default: most partners today accept names like "José").
	CharsetUTF8 Charset = iota
	// CharsetExtended is the X12 extended character set: printable ASCII.
	CharsetExtended
	// CharsetBasic is the X12 basic character set: upper-case letters,
	// digits, space and ! " & ' ( ) * + , - . / : ; ? =
	CharsetBasic
)

// ValueError is a value the Writer refused (RejectInvalid) or a segment it
// cannot write.
type ValueError struct {
	// SegmentID and SegmentIndex (in its set, ST being 1; 0 for envelope
	// segments) locate the segment; Element, Component and Repetition
	// (1-based, 0 when not applicable) the value.
	SegmentID    string
	SegmentIndex int
	Element      int
	Component    int
	Repetition   int
	Value        string
	Msg          string
}

// Error reads like "x12: write segment 2 (N1) N102: value contains the
// element separator '*'".
func (e *ValueError) Error() string {
	loc := e.SegmentID
	switch {
	case e.SegmentIndex > 0 && e.Element > 0:
		loc = fmt.Sprintf("segment %d (%s) %s", e.SegmentIndex, e.SegmentID, elementName(e.SegmentID, e.Element))
	case e.SegmentIndex > 0:
		loc = fmt.Sprintf("segment %d (%s)", e.SegmentIndex, e.SegmentID)
	case e.Element > 0:
		loc = elementName(e.SegmentID, e.Element)
	}
	if e.Component > 0 {
		loc += fmt.Sprintf("-%d", e.Component)
	}
	if e.Repetition > 1 {
		loc += fmt.Sprintf(" repetition %d", e.Repetition)
	}
	return fmt.Sprintf("x12: write %s: %s", loc, e.Msg)
}

// charTable lists, for each byte below 0x80, whether it may be written as
// data; bytes above are decided by the charset.
type charTable [128]bool

func newCharTable(cs Charset, d Delimiters) charTable {
	var t charTable
	for c := 0x20; c < 0x7F; c++ {
		t[c] = true
	}
	if cs == CharsetBasic {
		for c := range t {
			t[c] = c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c < 0x7F && c >= 0x20 && isBasicSpecial(byte(c))
		}
	}
	for _, b := range []byte{d.Element, d.Component, d.Repetition, d.Segment} {
		if b < 0x80 {
			t[b] = false
		}
	}
	return t
}

func isBasicSpecial(c byte) bool {
	switch c {
	case ' ', '!', '"', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', ':', ';', '?', '=':
		return true
	}
	return false
}

// appendClean appends s to dst, applying the policy to every character
// the table and charset forbid. It reports the first forbidden character
// when the policy is RejectInvalid.
func (w *Writer) appendClean(dst []byte, s string) ([]byte, string, bool) {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf && !w.chars[c] || c >= utf8.RuneSelf && w.cfg.charset != CharsetUTF8 || c >= utf8.RuneSelf && w.d.isDelimiter(c) {
			clean = false
			break
		}
	}
	if clean && (w.cfg.charset != CharsetUTF8 || utf8.ValidString(s) && !hasC1(s)) {
		return append(dst, s...), "", true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !w.chars[c] {
				if w.cfg.policy == RejectInvalid {
					return dst, w.describe(c), false
				}
				dst = append(dst, w.cfg.replacement)
			} else {
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if w.cfg.charset != CharsetUTF8 || r == utf8.RuneError || r < 0xA0 || w.d.isDelimiter(c) {
			if w.cfg.policy == RejectInvalid {
				return dst, fmt.Sprintf("the character %q is outside the allowed character set", s[i:i+n]), false
			}
			dst = append(dst, w.cfg.replacement)
		} else {
			dst = append(dst, s[i:i+n]...)
		}
		i += n
	}
	return dst, "", true
}

func (w *Writer) describe(c byte) string {
	switch c {
	case w.d.Element:
		return fmt.Sprintf("value contains the element separator %q", c)
	case w.d.Component:
		return fmt.Sprintf("value contains the component separator %q", c)
	case w.d.Segment:
		return fmt.Sprintf("value contains the segment terminator %q", c)
	}
	if w.d.Repetition != 0 && c == w.d.Repetition {
		return fmt.Sprintf("value contains the repetition separator %q", c)
	}
	if c < 0x20 || c == 0x7F {
		return fmt.Sprintf("value contains the control character %q", c)
	}
	return fmt.Sprintf("the character %q is outside the allowed character set", c)
}

// hasC1 reports whether s holds a C1 control (U+0080–U+009F).
func hasC1(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == 0xC2 && s[i+1] >= 0x80 && s[i+1] < 0xA0 {
			return true
		}
	}
	return false
}
