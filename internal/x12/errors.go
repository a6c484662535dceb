package x12

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Level says which part of an interchange an error is about, and so which
// acknowledgement segment reports it.
type Level uint8

const (
	// LevelInterchange errors concern ISA/IEA (reported by a TA1).
	LevelInterchange Level = iota + 1
	// LevelGroup errors concern GS/GE (AK9 codes).
	LevelGroup
	// LevelSet errors concern ST/SE (AK5/IK5 codes).
	LevelSet
	// LevelSegment errors concern one segment of a set (AK3/IK3).
	LevelSegment
	// LevelElement errors concern one element of a segment (AK4/IK4).
	LevelElement
)

// String names the level, e.g. "set".
func (l Level) String() string {
	switch l {
	case LevelInterchange:
		return "interchange"
	case LevelGroup:
		return "group"
	case LevelSet:
		return "set"
	case LevelSegment:
		return "segment"
	case LevelElement:
		return "element"
	}
	return "level(" + strconv.Itoa(int(l)) + ")"
}

// Code is an X12 acknowledgement code: TA105 for interchange errors, AK905
// for groups, AK502/IK502 for sets, AK304/IK304 for segments and
// AK403/IK403 for elements. The constants below are the ones the reader
// itself reports; callers validating content may use any code of the
// standard lists (including the 999's "I" codes).
type Code string

// Interchange (TA1 I18) codes.
const (
	CodeInterchangeControlMismatch Code = "001"
	CodeInterchangeDate            Code = "014"
	CodeInterchangeTime            Code = "015"
	CodeInterchangeVersion         Code = "017"
	CodeInterchangeControlInvalid  Code = "018"
	CodeInterchangeAckRequested    Code = "019"
	CodeInterchangeUsage           Code = "020"
	CodeInterchangeCountMismatch   Code = "021"
	CodeInterchangeStructure       Code = "022"
	CodeInterchangeEndOfFile       Code = "023"
)

// Functional group (AK905) codes.
const (
	CodeGroupTrailerMissing  Code = "3"
	CodeGroupControlMismatch Code = "4"
	CodeGroupCountMismatch   Code = "5"
	CodeGroupControlInvalid  Code = "6"
)

// Transaction set (AK502/IK502) codes.
const (
	CodeSetNotSupported     Code = "1"
	CodeSetTrailerMissing   Code = "2"
	CodeSetControlMismatch  Code = "3"
	CodeSetCountMismatch    Code = "4"
	CodeSetSegmentErrors    Code = "5"
	CodeSetIDInvalid        Code = "6"
	CodeSetControlInvalid   Code = "7"
	CodeSetControlNotUnique Code = "23"
)

// Segment (AK304/IK304) codes.
const (
	CodeSegmentUnrecognized     Code = "1"
	CodeSegmentUnexpected       Code = "2"
	CodeSegmentMandatoryMissing Code = "3"
	CodeSegmentLoopExceeded     Code = "4"
	CodeSegmentExceedsMaxUse    Code = "5"
	CodeSegmentNotInSet         Code = "6"
	CodeSegmentOutOfSequence    Code = "7"
	CodeSegmentElementErrors    Code = "8"
)

// Element (AK403/IK403) codes.
const (
	CodeElementMandatoryMissing   Code = "1"
	CodeElementConditionalMissing Code = "2"
	CodeElementTooMany            Code = "3"
	CodeElementTooShort           Code = "4"
	CodeElementTooLong            Code = "5"
	CodeElementInvalidCharacter   Code = "6"
	CodeElementInvalidCode        Code = "7"
	CodeElementInvalidDate        Code = "8"
	CodeElementInvalidTime        Code = "9"
	CodeElementExclusionViolated  Code = "10"
	CodeElementTooManyRepetitions Code = "12"
	CodeElementTooManyComponents  Code = "13"
)

// SyntaxError is one problem found in the input, located as precisely as
// the input allows. Fields that do not apply are zero.
type SyntaxError struct {
	// Offset is the byte offset of the segment in the input (a byte
	// order mark counts), Line its 1-based line.
	Offset int64
	Line   int
	// Interchange, Group and Set are the control numbers (ISA13, GS06,
	// ST02) of the envelopes around the segment.
	Interchange string
	Group       string
	Set         string
	// SegmentIndex is the segment's position in its transaction set (ST is
	// 1), or in its interchange (ISA is 1) when it is outside a set.
	SegmentIndex int
	// SegmentID is the segment's tag, e.g. "SE".
	SegmentID string
	// Loop is the loop identifier reported in AK303/IK303, when known.
	Loop string
	// Element, Component and Repetition locate a value (1-based);
	// ElementRef is its data element reference number (AK402), Value a
	// copy of the bad value (AK404).
	Element    int
	Component  int
	Repetition int
	ElementRef string
	Value      string
	// ContextName and ContextRef fill a 999 business unit CTX after the
	// IK3 (e.g. "CLM01" and the claim number); both empty means no CTX.
	ContextName string
	ContextRef  string
	// Level and Code classify the error for acknowledgements.
	Level Level
	Code  Code
	// Msg says what is wrong, naming the element (e.g. "SE01=4 but the set
	// has 5 segments").
	Msg string
}

// Error reads like
// "line 7, interchange 000000905 group 1 set 0001 segment 5 (SE): SE01=4 but the set has 5 segments".
func (e *SyntaxError) Error() string {
	var b strings.Builder
	b.Grow(64 + len(e.Msg))
	sep := ""
	if e.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(e.Line))
		sep = ", "
	}
	for _, f := range [...]struct{ name, v string }{{"interchange", e.Interchange}, {"group", e.Group}, {"set", e.Set}} {
		if f.v != "" {
			b.WriteString(sep)
			b.WriteString(f.name)
			b.WriteByte(' ')
			b.WriteString(f.v)
			sep = " "
		}
	}
	if e.SegmentIndex > 0 || e.SegmentID != "" {
		b.WriteString(sep)
		b.WriteString("segment")
		if e.SegmentIndex > 0 {
			b.WriteByte(' ')
			b.WriteString(strconv.Itoa(e.SegmentIndex))
		}
		if e.SegmentID != "" {
			fmt.Fprintf(&b, " (%s)", e.SegmentID)
		}
		sep = " "
	}
	if sep != "" {
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every SyntaxError of an input, in the order found. It is
// the error Parse returns, next to the tree, when validation failed.
type ErrorList []*SyntaxError

// Error shows the first error and how many follow.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0].Error(), len(l)-1)
}

// Unwrap lets errors.As find the individual errors.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// ErrNoAck is returned by BuildAck for an interchange that must not be
// acknowledged: one holding only 997/999 groups (acknowledging an
// acknowledgement would loop) or no group at all.
var ErrNoAck = errors.New("x12: nothing to acknowledge (acknowledgements are not acknowledged)")

// elementName is how messages name an element: "SE01", "N104".
func elementName(id string, n int) string {
	if n < 10 {
		return id + "0" + strconv.Itoa(n)
	}
	return id + strconv.Itoa(n)
}
