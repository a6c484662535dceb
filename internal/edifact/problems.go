package edifact

import "fmt"

// This file turns raw segments into Segments and attaches the problems
// found on the way to the message or envelope they belong to.

// segProblem is a problem found while splitting a segment, attached to its
// message or envelope once the reader knows where the segment belongs.
type segProblem struct {
	element, component int
	code               ErrorCode
	msg                string
}

// parseSegment splits a raw segment, leaving character and tag problems in
// r.probs for place to attach.
func (r *Reader) parseSegment(raw rawSegment) *Segment {
	data := raw.data
	if !raw.terminated {
		// The final segment lacks its terminator: what follows it up to
		// the end of the input is padding, not data.
		for len(data) > 0 && isPadding(data[len(data)-1]) {
			data = data[:len(data)-1]
		}
	}
	if r.d.Terminator == '\n' && len(data) > 0 && data[len(data)-1] == '\r' && !r.isDelimiter('\r') {
		data = data[:len(data)-1] // CRLF line endings with LF as terminator
	}
	r.sp.strict = r.StrictCharset
	r.sp.reuse = r.ReuseSegments && !r.keepSegs
	seg := r.sp.split(data)
	seg.Pos = Position{Offset: raw.offset, Line: raw.line}
	r.probs = r.probs[:0]
	tagOK := validTag(seg.Tag)
	for i, b := range r.sp.bad {
		if b.element == 0 && !tagOK && !b.danglingRelease {
			continue // reported once below, as an invalid tag
		}
		if i > 0 && r.sp.bad[i-1].element == b.element && r.sp.bad[i-1].component == b.component {
			continue // one report per component is enough for a UCD
		}
		msg := fmt.Sprintf("character %q is not in the %s repertoire", b.b, r.sp.cs.id)
		if b.danglingRelease {
			msg = "release character at the end of the segment releases nothing"
		}
		r.probs = append(r.probs, segProblem{b.element, b.component, CodeInvalidCharacter, msg})
	}
	if r.sp.cs.kind == kindUTF8 && !r.sp.validUTF8() {
		elem, comp := sanitize(seg)
		r.probs = append(r.probs, segProblem{elem, comp, CodeInvalidCharacter, "invalid UTF-8 in a " + r.sp.cs.id + " interchange"})
	}
	switch {
	case !tagOK:
		r.probs = append(r.probs, segProblem{0, 0, CodeInvalidValue, fmt.Sprintf("invalid segment tag %q", seg.Tag)})
	case r.sp.tagComponents() > 1:
		r.probs = append(r.probs, segProblem{0, 0, CodeTooManyConstituents, "explicit nesting in the segment tag is not supported"})
	}
	if !raw.terminated && seg.Tag != "UNZ" {
		r.probs = append(r.probs, segProblem{0, 0, CodeMissing, "segment terminator missing at the end of the input"})
	}
	return seg
}

// place attaches the problems found in seg to the innermost open envelope,
// once the reader has decided where seg belongs.
func (r *Reader) place(seg *Segment) {
	for _, p := range r.probs {
		loc := r.loc(seg)
		loc.Element = p.element
		if p.element > 0 {
			loc.Component = p.component
		}
		r.record(&SyntaxError{Loc: loc, Code: p.code, Msg: p.msg})
	}
	r.probs = r.probs[:0]
}

// record adds e to the innermost open envelope.
func (r *Reader) record(e Error) {
	switch {
	case r.msg != nil:
		r.addError(&r.msg.Errors, e)
	case r.grp != nil:
		r.addError(&r.grp.Errors, e)
	case r.ic != nil:
		r.addError(&r.ic.Errors, e)
	}
}

// warn adds a tolerated defect to the innermost open message or
// interchange.
func (r *Reader) warn(e Error) {
	switch {
	case r.msg != nil:
		r.addError(&r.msg.Warnings, e)
	case r.ic != nil:
		r.addError(&r.ic.Warnings, e)
	}
}

// tolerate records e as a warning, or as an error when the reader is
// strict.
func (r *Reader) tolerate(e Error) {
	if r.Strict {
		r.record(e)
		return
	}
	r.warn(e)
}

func (r *Reader) addError(list *[]Error, e Error) {
	if len(*list) < r.maxErrors() {
		*list = append(*list, e)
	}
}

// loc is the location of seg within the open envelopes.
func (r *Reader) loc(seg *Segment) Location {
	l := Location{Interchange: r.icRef(), Group: r.grpRef(), Message: r.msgRef()}
	if seg != nil {
		l.Offset, l.Line, l.Tag = seg.Pos.Offset, seg.Pos.Line, seg.Tag
		if r.msg != nil {
			l.Segment = seg.Pos.Index
		}
	} else {
		l.Offset, l.Line = r.sc.offset(), r.sc.line
	}
	return l
}

func (r *Reader) icRef() string {
	if r.ic == nil {
		return ""
	}
	return r.ic.Header.ControlRef
}

func (r *Reader) grpRef() string {
	if r.grp == nil {
		return ""
	}
	return r.grp.Header.Ref
}

func (r *Reader) msgRef() string {
	if r.msg == nil {
		return ""
	}
	return r.msg.Header.Ref
}
