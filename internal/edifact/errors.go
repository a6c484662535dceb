package edifact

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrorCode is a syntax error code from UN/EDIFACT code list 0085, the
// vocabulary a CONTRL uses to tell a sender what was wrong. Only the codes
// this package can detect have names; a CONTRL read from a partner may carry
// any value.
type ErrorCode int

// Syntax error codes (data element 0085) this package reports.
const (
	CodeSyntaxNotSupported     ErrorCode = 2  // syntax identifier or version not supported
	CodeInvalidValue           ErrorCode = 12 // value does not conform to its specification
	CodeMissing                ErrorCode = 13 // required segment or data element missing
	CodeTooManyConstituents    ErrorCode = 16 // too many elements or components
	CodeUnspecified            ErrorCode = 18 // error whose nature is not reported
	CodeInvalidServiceChar     ErrorCode = 20 // character invalid as service character (UNA)
	CodeInvalidCharacter       ErrorCode = 21 // character outside the syntax identifier's repertoire
	CodeTestNotSupported       ErrorCode = 25 // test indicator not supported
	CodeDuplicate              ErrorCode = 26 // duplicate detected
	CodeReferenceMismatch      ErrorCode = 28 // trailer reference differs from header reference
	CodeCountMismatch          ErrorCode = 29 // control count differs from what was received
	CodeGroupsAndMessagesMixed ErrorCode = 30 // functional groups and bare messages in one interchange
	CodeLowerLevelEmpty        ErrorCode = 32 // interchange or group without messages
	CodeInvalidOccurrence      ErrorCode = 33 // segment outside a message or group
)

// Sentinel errors, matched with errors.Is through the typed errors that wrap
// them.
var (
	// ErrUnknownSyntax reports a UNB syntax identifier this package cannot
	// decode (for example UNOX, which needs ISO 2022 code extension).
	ErrUnknownSyntax = errors.New("unknown syntax identifier")
	// ErrSegmentTooLong reports a segment longer than Reader.MaxSegmentLen.
	ErrSegmentTooLong = errors.New("segment too long")
	// ErrNotEDIFACT reports input that does not start with UNA or UNB.
	ErrNotEDIFACT = errors.New("not an EDIFACT interchange")
)

// Error is implemented by every problem the reader finds in an interchange:
// where it is and which CONTRL syntax error code describes it. Use errors.As
// with *SyntaxError, *CountError or *ReferenceError for the details.
type Error interface {
	error
	// Location is where the problem was found.
	Location() Location
	// ErrorCode is the code list 0085 value a CONTRL reports.
	ErrorCode() ErrorCode
}

// Location pins a problem to the input: the byte offset and line of the
// segment, the envelope references that enclose it, and the position of the
// segment in its message and of the element and component in the segment.
type Location struct {
	Offset      int64  // byte offset of the segment's first byte in the input
	Line        int    // 1-based line of the segment's first byte
	Interchange string // UNB05 interchange control reference, "" when unknown
	Group       string // UNG05 group reference, "" outside a functional group
	Message     string // UNH01 message reference, "" outside a message
	Segment     int    // 1-based position in the message (UNH is 1); 0 outside a message
	Tag         string // segment tag, "" when the problem is not in one segment
	Element     int    // 1-based data element position after the tag; 0 for the whole segment
	Component   int    // 1-based component position; 0 for the whole element
}

// String renders the location the way operators read it, for example
// "line 12, interchange 12345 message 2 segment 9 (UNT)".
func (l Location) String() string {
	var b strings.Builder
	if l.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(l.Line))
	} else {
		b.WriteString("offset ")
		b.WriteString(strconv.FormatInt(l.Offset, 10))
	}
	// Envelope context follows a comma; a bare tag follows a space:
	// "line 3, interchange 7 message 1 segment 2 (BGM)", "line 1 (UNA)".
	sep := ", "
	word := func(name, v string) {
		if v == "" {
			return
		}
		b.WriteString(sep)
		b.WriteString(name)
		b.WriteByte(' ')
		b.WriteString(v)
		sep = " "
	}
	word("interchange", l.Interchange)
	word("group", l.Group)
	word("message", l.Message)
	if l.Segment > 0 {
		word("segment", strconv.Itoa(l.Segment))
	}
	if l.Tag != "" {
		tag := l.Tag
		if !validTag(tag) {
			tag = strconv.Quote(tag) // garbage read as a tag stays readable
		}
		b.WriteString(" (" + tag + ")")
		sep = " "
	}
	if l.Element > 0 {
		word("element", strconv.Itoa(l.Element))
		if l.Component > 0 {
			word("component", strconv.Itoa(l.Component))
		}
	}
	return b.String()
}

// segmentOnly renders l without the element position, for messages that
// name the element themselves ("UNT01=...").
func (l Location) segmentOnly() string {
	l.Element, l.Component = 0, 0
	return l.String()
}

// SyntaxError is a structural or lexical problem: a missing trailer, a
// segment outside a message, a character outside the repertoire, a bad UNA.
type SyntaxError struct {
	Loc  Location
	Code ErrorCode
	Msg  string
	Err  error `json:"-"` // optional sentinel such as ErrUnknownSyntax
}

// Error renders the location and the problem.
func (e *SyntaxError) Error() string { return e.Loc.String() + ": " + e.Msg }

// Unwrap returns the sentinel the error was built from, if any.
func (e *SyntaxError) Unwrap() error { return e.Err }

// Location implements Error.
func (e *SyntaxError) Location() Location { return e.Loc }

// ErrorCode implements Error.
func (e *SyntaxError) ErrorCode() ErrorCode { return e.Code }

// CountError reports a trailer control count (UNT01, UNE01, UNZ01) that
// differs from what was actually received.
type CountError struct {
	Loc      Location
	Field    string // "UNT01", "UNE01" or "UNZ01"
	Declared string // the count as written in the trailer
	Actual   int    // what the reader counted
	Unit     string // "segments", "messages" or "groups"
}

// Error renders, for example, "line 12, interchange 12345 message 2
// segment 9 (UNT): UNT01=8 but the message has 9 segments".
func (e *CountError) Error() string {
	return fmt.Sprintf("%s: %s=%s but the %s has %d %s",
		e.Loc.segmentOnly(), e.Field, shown(e.Declared), container(e.Field), e.Actual, e.Unit)
}

// Location implements Error.
func (e *CountError) Location() Location { return e.Loc }

// ErrorCode implements Error: 29, control count does not match.
func (e *CountError) ErrorCode() ErrorCode { return CodeCountMismatch }

// ReferenceError reports a trailer reference (UNT02, UNE02, UNZ02) that
// differs from the reference in its header (UNH01, UNG05, UNB05).
type ReferenceError struct {
	Loc         Location
	Field       string // "UNT02", "UNE02" or "UNZ02"
	Got         string // the trailer's value
	HeaderField string // "UNH01", "UNG05" or "UNB05"
	Want        string // the header's value
}

// Error renders, for example, "line 3, interchange 77 message 1 segment 3
// (UNT): UNT02=9 but UNH01=1".
func (e *ReferenceError) Error() string {
	return fmt.Sprintf("%s: %s=%s but %s=%s", e.Loc.segmentOnly(), e.Field, shown(e.Got), e.HeaderField, shown(e.Want))
}

// Location implements Error.
func (e *ReferenceError) Location() Location { return e.Loc }

// ErrorCode implements Error: 28, references do not match.
func (e *ReferenceError) ErrorCode() ErrorCode { return CodeReferenceMismatch }

func container(field string) string {
	switch {
	case strings.HasPrefix(field, "UNT"):
		return "message"
	case strings.HasPrefix(field, "UNE"):
		return "group"
	}
	return "interchange"
}

// shown makes an empty value visible in a message.
func shown(s string) string {
	if s == "" {
		return `""`
	}
	return s
}
