package x12

import (
	"fmt"
	"strconv"
	"strings"
)

// maxErrors bounds the errors kept per interchange, group and set, so that
// hostile input cannot grow memory through them; a node that reached the
// bound is rejected anyway.
const maxErrors = 100

// envelope follows ISA/GS/ST/SE/GE/IEA as segments go by, numbers the
// segments, builds the Interchange/Group/Set summaries and records every
// envelope violation on the node it belongs to.
type envelope struct {
	ic  *Interchange
	grp *Group
	set *Set
	// controls holds the ST02s of the current group, to find duplicates.
	controls map[string]struct{}

	// keep makes sets collect their segments; summaries records sets in
	// their group; strict turns the tolerated defects into errors.
	keep, summaries, strict bool

	// closedSet and closedIC are the set and interchange the last segment
	// (or the end of input) completed, until the Reader takes them.
	closedSet *Set
	closedIC  *Interchange
	// last is the interchange of the last segment.
	last *Interchange
	// lastSize is the number of segments of the last set kept.
	lastSize int
}

// accept places seg in the envelope structure.
func (e *envelope) accept(seg *Segment) {
	if seg.ID == "ISA" {
		if e.ic != nil {
			e.closeInterchange(seg, "the next ISA")
		}
		e.openInterchange(seg)
		return
	}
	if e.ic == nil {
		// The scanner starts every interchange with an ISA; this is
		// unreachable, but a segment must never be placed in nothing.
		return
	}
	e.ic.count++
	seg.Pos.InInterchange = e.ic.count
	switch seg.ID {
	case "GS":
		e.closeSet(seg, "GS")
		if e.grp != nil {
			e.closeGroup(seg, "GS")
		}
		e.openGroup(seg)
	case "ST":
		e.closeSet(seg, "ST")
		e.openSet(seg)
	case "SE":
		if e.set == nil {
			e.outside(seg, "outside a transaction set")
			return
		}
		e.addToSet(seg)
		e.checkSE(seg)
		e.set.Terminated = true
		e.finishSet()
	case "GE":
		e.closeSet(seg, "GE")
		if e.grp == nil {
			e.outside(seg, "outside a functional group")
			return
		}
		e.checkGE(seg)
		e.grp.GE = seg.Clone()
		e.grp, e.controls = nil, nil
	case "IEA":
		e.closeSet(seg, "IEA")
		if e.grp != nil {
			e.closeGroup(seg, "IEA")
		}
		e.checkIEA(seg)
		e.ic.IEA = seg.Clone()
		e.finishInterchange()
	default:
		if e.set == nil {
			where := "outside a transaction set"
			if e.grp == nil {
				where = "outside a functional group"
			}
			e.outside(seg, where)
			return
		}
		e.addToSet(seg)
		e.checkSegment(seg)
	}
}

// finish closes what the end of input leaves open.
func (e *envelope) finish(offset int64, line int) {
	if e.ic == nil {
		return
	}
	end := &Segment{Pos: Position{Offset: offset, Line: line}}
	e.closeInterchange(end, "the end of the input")
}

func (e *envelope) openInterchange(seg *Segment) {
	seg.Pos.InInterchange = 1
	ic := &Interchange{ISA: seg.Clone(), Delimiters: seg.d, Pos: seg.Pos, count: 1}
	e.ic, e.last = ic, ic
	var bad []*SyntaxError
	ic.Header = parseISAHeader(seg, func(n int, code Code, msg string) {
		er := e.errorAt(seg, LevelInterchange, code, msg)
		er.Element, er.Value = n, strings.Clone(seg.Element(n))
		bad = append(bad, er)
	})
	for _, er := range bad {
		er.Interchange = ic.Header.Control
		e.addTo(&ic.Errors, er)
	}
}

func (e *envelope) openGroup(seg *Segment) {
	g := &Group{GS: seg.Clone(), Interchange: e.ic, Pos: seg.Pos}
	e.ic.GroupCount++
	if e.summaries {
		e.ic.Groups = append(e.ic.Groups, g)
	}
	e.grp, e.controls = g, nil
	var bad []*SyntaxError
	g.Header = parseGSHeader(seg, func(n int, code Code, msg string) {
		er := e.errorAt(seg, LevelGroup, code, msg)
		er.Element, er.Value = n, strings.Clone(seg.Element(n))
		bad = append(bad, er)
	})
	for _, er := range bad {
		er.Group = g.Header.Control
		e.addTo(&g.Errors, er)
	}
}

func (e *envelope) openSet(seg *Segment) {
	seg.Pos.InSet = 1
	s := &Set{
		Header:       SetHeader{ID: strings.Clone(seg.Element(1)), Control: strings.Clone(seg.Element(2)), Convention: strings.Clone(seg.Element(3))},
		SegmentCount: 1,
		Group:        e.grp,
		Interchange:  e.ic,
		Pos:          seg.Pos,
	}
	e.set = s
	if e.keep {
		// Sets of one stream tend to be alike: size the slice like the
		// last one rather than growing it from nothing.
		s.Segments = make([]*Segment, 1, min(max(e.lastSize, 8), 4096))
		s.Segments[0] = seg
	}
	if e.grp == nil {
		e.addTo(&e.ic.Errors, e.errorAt(seg, LevelInterchange, CodeInterchangeStructure, "ST outside a functional group"))
	} else {
		e.grp.SetCount++
		if e.summaries {
			e.grp.Sets = append(e.grp.Sets, s)
		}
	}
	id, control := s.Header.ID, s.Header.Control
	if len(id) != 3 || !isDigits(id) {
		e.setError(seg, 1, CodeSetIDInvalid, fmt.Sprintf("ST01 %q is not a three-digit transaction set identifier", id))
	}
	if n := len(control); n < 4 || n > 9 {
		e.setError(seg, 2, CodeSetControlInvalid, fmt.Sprintf("ST02 %q is not a control number of 4 to 9 characters", control))
	} else if e.grp != nil && e.summaries {
		if e.controls == nil {
			e.controls = make(map[string]struct{})
		}
		if _, dup := e.controls[control]; dup {
			// Partners that number every set 0001 are common and their
			// sets are otherwise sound: accepted with the error noted
			// (AK501 E), unless the reader is strict (WithStrict).
			msg := fmt.Sprintf("ST02 %q is used by an earlier set of the group", control)
			if e.strict {
				e.setError(seg, 2, CodeSetControlNotUnique, msg)
			} else {
				e.setWarning(seg, 2, CodeSetControlNotUnique, msg)
			}
		}
		e.controls[control] = struct{}{}
	}
	e.checkSegment(seg)
}

func (e *envelope) addToSet(seg *Segment) {
	e.set.SegmentCount++
	seg.Pos.InSet = e.set.SegmentCount
	if e.keep {
		e.set.Segments = append(e.set.Segments, seg)
	}
}

func (e *envelope) finishSet() {
	e.lastSize = len(e.set.Segments)
	e.closedSet, e.set = e.set, nil
}

func (e *envelope) finishInterchange() {
	e.closedIC, e.ic, e.grp, e.controls = e.ic, nil, nil, nil
}

// closeSet ends an open set that has no SE, at seg (what was found
// instead, named by what).
func (e *envelope) closeSet(seg *Segment, what string) {
	if e.set == nil {
		return
	}
	er := e.errorAt(seg, LevelSet, CodeSetTrailerMissing, fmt.Sprintf("transaction set %s has no SE trailer before %s", e.set.Header.ID, what))
	er.SegmentIndex, er.SegmentID = 0, ""
	e.addTo(&e.set.Errors, er)
	e.finishSet()
}

func (e *envelope) closeGroup(seg *Segment, what string) {
	er := e.errorAt(seg, LevelGroup, CodeGroupTrailerMissing, fmt.Sprintf("functional group has no GE trailer before %s", what))
	er.SegmentIndex, er.SegmentID = 0, ""
	e.addTo(&e.grp.Errors, er)
	e.grp, e.controls = nil, nil
}

func (e *envelope) closeInterchange(seg *Segment, what string) {
	e.closeSet(seg, what)
	if e.grp != nil {
		e.closeGroup(seg, what)
	}
	er := e.errorAt(seg, LevelInterchange, CodeInterchangeEndOfFile, fmt.Sprintf("interchange has no IEA trailer before %s", what))
	er.SegmentIndex, er.SegmentID = 0, ""
	e.addTo(&e.ic.Errors, er)
	e.finishInterchange()
}

// outside records a segment that is not where the envelopes allow it.
func (e *envelope) outside(seg *Segment, where string) {
	e.addTo(&e.ic.Errors, e.errorAt(seg, LevelInterchange, CodeInterchangeStructure, fmt.Sprintf("segment %s %s", seg.ID, where)))
}

func (e *envelope) checkSE(seg *Segment) {
	n, want := seg.Element(1), e.set.SegmentCount
	if v, err := strconv.Atoi(n); err != nil {
		e.setError(seg, 1, CodeSetCountMismatch, fmt.Sprintf("SE01 %q is not a number (the set has %d segments)", n, want))
	} else if v != want {
		e.setError(seg, 1, CodeSetCountMismatch, fmt.Sprintf("SE01=%d but the set has %d segments", v, want))
	}
	if c := seg.Element(2); c != e.set.Header.Control {
		e.setError(seg, 2, CodeSetControlMismatch, fmt.Sprintf("SE02 %q does not match ST02 %q", c, e.set.Header.Control))
	}
}

func (e *envelope) checkGE(seg *Segment) {
	g := e.grp
	bad := func(n int, code Code, msg string) {
		er := e.errorAt(seg, LevelGroup, code, msg)
		er.Element, er.Value = n, strings.Clone(seg.Element(n))
		e.addTo(&g.Errors, er)
	}
	if v, err := strconv.Atoi(seg.Element(1)); err != nil {
		bad(1, CodeGroupCountMismatch, fmt.Sprintf("GE01 %q is not a number (the group has %s)", seg.Element(1), plural(g.SetCount, "set")))
	} else if v != g.SetCount {
		bad(1, CodeGroupCountMismatch, fmt.Sprintf("GE01=%d but the group has %s", v, plural(g.SetCount, "set")))
	}
	if c := seg.Element(2); c != g.Header.Control {
		bad(2, CodeGroupControlMismatch, fmt.Sprintf("GE02 %q does not match GS06 %q", c, g.Header.Control))
	}
}

func (e *envelope) checkIEA(seg *Segment) {
	ic := e.ic
	bad := func(n int, code Code, msg string) {
		er := e.errorAt(seg, LevelInterchange, code, msg)
		er.Element, er.Value = n, strings.Clone(seg.Element(n))
		e.addTo(&ic.Errors, er)
	}
	if v, err := strconv.Atoi(seg.Element(1)); err != nil {
		bad(1, CodeInterchangeCountMismatch, fmt.Sprintf("IEA01 %q is not a number (the interchange has %s)", seg.Element(1), plural(ic.GroupCount, "group")))
	} else if v != ic.GroupCount {
		bad(1, CodeInterchangeCountMismatch, fmt.Sprintf("IEA01=%d but the interchange has %s", v, plural(ic.GroupCount, "group")))
	}
	if c := seg.Element(2); c != ic.Header.Control {
		bad(2, CodeInterchangeControlMismatch, fmt.Sprintf("IEA02 %q does not match ISA13 %q", c, ic.Header.Control))
	}
}

// checkSegment applies the syntax rules every segment of a set obeys: a
// well-formed tag and no control characters in data.
func (e *envelope) checkSegment(seg *Segment) {
	if !validID(seg.ID) {
		e.addTo(&e.set.Errors, e.errorAt(seg, LevelSegment, CodeSegmentUnrecognized,
			fmt.Sprintf("segment tag %q is not two or three upper-case letters and digits", seg.ID)))
	}
	if seg.flags&flagControl == 0 {
		return
	}
	for n := 1; n <= seg.Len(); n++ {
		v := seg.Element(n)
		if i := controlIndex(v, seg.d); i >= 0 {
			er := e.errorAt(seg, LevelElement, CodeElementInvalidCharacter,
				fmt.Sprintf("%s has the control character %q at position %d", elementName(seg.ID, n), v[i], i+1))
			er.Element, er.Value = n, strings.Clone(v)
			e.addTo(&e.set.Errors, er)
		}
	}
}

// setError records a set-level error about element n of an ST or SE.
func (e *envelope) setError(seg *Segment, n int, code Code, msg string) {
	er := e.errorAt(seg, LevelSet, code, msg)
	er.Element, er.Value = n, strings.Clone(seg.Element(n))
	e.addTo(&e.set.Errors, er)
}

// setWarning records a tolerated defect of element n of an ST or SE.
func (e *envelope) setWarning(seg *Segment, n int, code Code, msg string) {
	er := e.errorAt(seg, LevelSet, code, msg)
	er.Element, er.Value = n, strings.Clone(seg.Element(n))
	e.addTo(&e.set.Warnings, er)
}

// errorAt makes an error located at seg in the current envelopes.
func (e *envelope) errorAt(seg *Segment, level Level, code Code, msg string) *SyntaxError {
	er := &SyntaxError{
		Offset: seg.Pos.Offset, Line: seg.Pos.Line,
		SegmentID: strings.Clone(seg.ID), SegmentIndex: seg.Pos.InInterchange,
		Level: level, Code: code, Msg: msg,
	}
	if e.ic != nil {
		er.Interchange = e.ic.Header.Control
	}
	if e.grp != nil {
		er.Group = e.grp.Header.Control
	}
	if e.set != nil {
		er.Set = e.set.Header.Control
		er.SegmentIndex = seg.Pos.InSet
	}
	return er
}

// locate fills the envelope context of a fatal error from the scanner.
func (e *envelope) locate(er *SyntaxError) {
	if e.ic != nil {
		er.Interchange = e.ic.Header.Control
	}
	if e.grp != nil {
		er.Group = e.grp.Header.Control
	}
	if e.set != nil {
		er.Set = e.set.Header.Control
	}
}

func (e *envelope) addTo(list *[]*SyntaxError, er *SyntaxError) {
	if len(*list) < maxErrors {
		*list = append(*list, er)
	}
}

// validID reports whether id is a segment tag: two or three characters,
// upper-case letters and digits, starting with a letter.
func validID(id string) bool {
	if len(id) < 2 || len(id) > 3 || id[0] < 'A' || id[0] > 'Z' {
		return false
	}
	for i := 1; i < len(id); i++ {
		if c := id[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// controlIndex returns the index of the first control character of v
// (C0, DEL, or a C1 control encoded as UTF-8) that is not one of d, or -1.
func controlIndex(v string, d Delimiters) int {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if (c < 0x20 || c == 0x7F) && !d.isDelimiter(c) || (c == 0xC2 && i+1 < len(v) && v[i+1] >= 0x80 && v[i+1] < 0xA0) {
			return i
		}
	}
	return -1
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
