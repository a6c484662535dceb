package edifact

import "fmt"

// This file is the envelope state machine: where each segment belongs, and
// the checks made when an envelope opens and closes.

// dispatch places a body or service segment read inside an interchange.
func (r *Reader) dispatch(seg *Segment, raw rawSegment) {
	switch seg.Tag {
	case "UNB":
		r.closeAll(seg)
		r.openInterchange(&Interchange{}, seg, raw)
	case "UNG":
		r.closeMessage(nil, seg)
		r.closeGroup(nil, seg)
		r.openGroup(seg)
	case "UNE":
		r.closeMessage(nil, seg)
		r.place(seg)
		if r.grp == nil {
			r.record(r.misplaced(seg, "UNE outside a functional group"))
			return
		}
		r.closeGroup(seg, nil)
	case "UNH":
		r.closeMessage(nil, seg)
		r.openMessage(seg)
	case "UNT":
		if r.msg == nil {
			r.place(seg)
			r.record(r.misplaced(seg, "UNT outside a message"))
			return
		}
		r.addSegment(seg) // counted and positioned before its problems are placed
		r.place(seg)
		r.closeMessage(seg, nil)
	case "UNZ":
		r.closeMessage(nil, seg)
		r.closeGroup(nil, seg)
		r.place(seg)
		r.closeInterchange(seg)
	default:
		if r.msg == nil {
			r.place(seg)
			r.record(r.misplaced(seg, fmt.Sprintf("segment %s outside a message", seg.Tag)))
			return
		}
		r.addSegment(seg)
		r.place(seg)
		r.emit(BodySegment, seg)
	}
}

// addSegment counts seg into the open message.
func (r *Reader) addSegment(seg *Segment) {
	r.msg.SegmentCount++
	seg.Pos.Index = r.msg.SegmentCount
	if r.keepSegs {
		r.msg.Segments = append(r.msg.Segments, seg)
	}
}

// missing is the error for a trailer that never came: before is the segment
// that implied it (nil at the end of input).
func (r *Reader) missing(tag string, before *Segment) *SyntaxError {
	loc := r.loc(before)
	loc.Tag = tag
	loc.Segment = 0
	where := "at the end of the input"
	if before != nil {
		where = "before " + before.Tag
	}
	if tag == "UNT" && r.msg != nil {
		loc.Segment = r.msg.SegmentCount + 1
	}
	return &SyntaxError{Loc: loc, Code: CodeMissing, Msg: tag + " missing " + where}
}

func (r *Reader) misplaced(seg *Segment, what string) *SyntaxError {
	return &SyntaxError{Loc: r.loc(seg), Code: CodeInvalidOccurrence, Msg: what}
}

// closeAll ends every open envelope, recording the missing trailers. before
// is the segment that implied the end, nil at the end of the input.
func (r *Reader) closeAll(before *Segment) {
	r.closeMessage(nil, before)
	r.closeGroup(nil, before)
	if r.ic != nil {
		r.addError(&r.ic.Errors, r.missing("UNZ", before))
		r.closeInterchange(nil)
	}
}

// openInterchange starts ic from its UNB. raw is still the UNB's bytes, so
// the header can be split again once its syntax identifier names the
// charset.
func (r *Reader) openInterchange(ic *Interchange, seg *Segment, raw rawSegment) {
	syntax := seg.Component(0, 0)
	cs, csErr := lookupCharset(syntax)
	errComponent := 1
	switch seg.Component(0, 3) {
	case "", "1", "2", "7", "ZZZ":
		// ASCII and UTF-8 keep the delimiters single bytes; ZZZ is
		// whatever the partners agreed, read as the syntax identifier says.
	default:
		// EBCDIC, code page 850, UCS-2/4 and UTF-16 need a transcoding
		// this package does not do.
		csErr = fmt.Errorf("%w: character encoding %q (S001/0133)", ErrUnknownSyntax, seg.Component(0, 3))
		errComponent = 4
	}
	if csErr == nil {
		r.sp.cs = cs
		seg = r.parseSegment(raw)
	}
	ic.Header = interchangeHeaderFrom(seg)
	inferred := ""
	if ic.Header.SyntaxVersion == "" && !r.Strict {
		inferred = inferSyntaxVersion(&ic.Header)
	}
	if ic.Header.SyntaxVersion != "4" {
		// UNA5 is reserved (and should be a space) before syntax 4: a
		// character there must not split syntax 3 data.
		r.d.Repetition = 0
		r.sp.cls = r.d.classes()
	}
	ic.Delimiters = r.d
	ic.Pos = seg.Pos
	r.ic = ic
	r.refs = nil
	r.place(seg)
	r.checkUNB(seg)
	if inferred != "" {
		loc := r.loc(seg)
		loc.Element, loc.Component = 1, 2
		r.warn(&SyntaxError{Loc: loc, Code: CodeMissing, Msg: "UNB01 (syntax version) is missing; read as " + inferred})
	}
	r.emit(InterchangeStart, seg)
	if csErr != nil {
		loc := r.loc(seg)
		loc.Element, loc.Component = 1, errComponent
		r.fatal(&SyntaxError{Loc: loc, Code: CodeSyntaxNotSupported, Msg: csErr.Error(), Err: ErrUnknownSyntax})
	}
}

// checkUNB records the mandatory UNB data that is missing.
func (r *Reader) checkUNB(seg *Segment) {
	h := r.ic.Header
	required := []struct {
		v          string
		elem, comp int
		name       string
	}{
		{h.Syntax, 1, 1, "syntax identifier"},
		{h.SyntaxVersion, 1, 2, "syntax version"},
		{h.Sender.ID, 2, 1, "sender identification"},
		{h.Recipient.ID, 3, 1, "recipient identification"},
		{h.Date, 4, 1, "date of preparation"},
		{h.Time, 4, 2, "time of preparation"},
		{h.ControlRef, 5, 0, "interchange control reference"},
	}
	for _, f := range required {
		if f.v == "" {
			r.requiredMissing(seg, f.elem, f.comp, f.name)
		}
	}
	switch h.SyntaxVersion {
	case "", "1", "2", "3", "4":
	default:
		loc := r.loc(seg)
		loc.Element, loc.Component = 1, 2
		r.record(&SyntaxError{Loc: loc, Code: CodeSyntaxNotSupported, Msg: fmt.Sprintf("syntax version %q is not 1 to 4", h.SyntaxVersion)})
	}
	r.checkTestIndicator(seg)
}

// inferSyntaxVersion fills the syntax version a sloppy UNB left out from
// what only one version allows: an eight-digit date (CCYYMMDD) or the
// UTF-8 identifiers UNOW and UNOY are syntax 4; otherwise syntax 3, by far
// the most common. It returns how it decided, for the warning.
func inferSyntaxVersion(h *InterchangeHeader) string {
	switch {
	case len(h.Date) == 8:
		h.SyntaxVersion = "4"
		return "syntax version 4 (the date has eight digits)"
	case h.Syntax == "UNOW" || h.Syntax == "UNOY":
		h.SyntaxVersion = "4"
		return "syntax version 4 (" + h.Syntax + " exists from syntax 4 on)"
	}
	h.SyntaxVersion = "3"
	return "syntax version 3"
}

// checkTestIndicator checks UNB 0035 against code list 0035: 1 test, 2
// syntax only test, 5 service provider test are read; 3 (echo request, "to
// be returned without change, except for this data element to have the
// value 4") and 4 (echo response) ask for an echo this package does not
// produce, so the interchange is rejected with 25, test indicator not
// supported; any other value is invalid (12), since whether goods move
// depends on it.
func (r *Reader) checkTestIndicator(seg *Segment) {
	code, msg := ErrorCode(0), ""
	switch t := r.ic.Header.Test; t {
	case "", "1", "2", "5":
		return
	case "3", "4":
		code, msg = CodeTestNotSupported, fmt.Sprintf("UNB11 (test indicator) %s asks for an echo, which is not supported", t)
	default:
		code, msg = CodeInvalidValue, fmt.Sprintf("UNB11 (test indicator) %q is not a code of list 0035 (1 to 5)", t)
	}
	loc := r.loc(seg)
	loc.Element = 11
	r.record(&SyntaxError{Loc: loc, Code: code, Msg: msg})
}

func (r *Reader) requiredMissing(seg *Segment, elem, comp int, name string) {
	loc := r.loc(seg)
	loc.Element, loc.Component = elem, comp
	r.record(&SyntaxError{Loc: loc, Code: CodeMissing, Msg: fmt.Sprintf("%s%02d (%s) is missing", seg.Tag, elem, name)})
}

// closeInterchange checks UNZ against what was read and ends ic.
func (r *Reader) closeInterchange(unz *Segment) {
	ic := r.ic
	if ic == nil {
		return
	}
	ic.Trailer = r.retain(unz)
	if unz != nil {
		count, unit := ic.MessageCount, "messages"
		if ic.GroupCount > 0 {
			count, unit = ic.GroupCount, "groups"
		}
		r.checkCount(unz, "UNZ01", count, unit)
		r.checkRef(unz, "UNZ02", "UNB05", ic.Header.ControlRef)
	}
	if ic.MessageCount == 0 && ic.GroupCount == 0 {
		r.addError(&ic.Errors, &SyntaxError{Loc: r.loc(unz), Code: CodeLowerLevelEmpty, Msg: "the interchange has no messages"})
	}
	r.emit(InterchangeEnd, unz)
	r.ic = nil
}

// openGroup starts a functional group from its UNG.
func (r *Reader) openGroup(seg *Segment) {
	ic := r.ic
	if ic.MessageCount > 0 {
		r.record(&SyntaxError{Loc: r.loc(seg), Code: CodeGroupsAndMessagesMixed, Msg: "UNG after messages outside groups"})
	}
	ic.GroupCount++
	r.grp = &Group{Header: groupHeaderFrom(seg), Pos: seg.Pos, Interchange: ic}
	if r.keepTree {
		ic.Groups = append(ic.Groups, r.grp)
	}
	r.place(seg)
	if r.grp.Header.Ref == "" {
		r.requiredMissing(seg, 5, 0, "group reference number")
	}
	r.emit(GroupStart, seg)
}

// closeGroup checks UNE (nil when missing; before is the segment that
// implied the end) and ends the group.
func (r *Reader) closeGroup(une, before *Segment) {
	g := r.grp
	if g == nil {
		return
	}
	g.Trailer = r.retain(une)
	if une == nil {
		r.addError(&g.Errors, r.missing("UNE", before))
	} else {
		r.checkCount(une, "UNE01", g.MessageCount, "messages")
		r.checkRef(une, "UNE02", "UNG05", g.Header.Ref)
	}
	if g.MessageCount == 0 {
		r.addError(&g.Errors, &SyntaxError{Loc: r.loc(une), Code: CodeLowerLevelEmpty, Msg: "the group has no messages"})
	}
	r.emit(GroupEnd, une)
	r.grp = nil
}

// openMessage starts a message from its UNH.
func (r *Reader) openMessage(seg *Segment) {
	ic := r.ic
	seg.Pos.Index = 1
	m := &Message{Header: messageHeaderFrom(seg), SegmentCount: 1, Pos: seg.Pos, Interchange: ic, Group: r.grp}
	if r.grp != nil {
		r.grp.MessageCount++
		if r.keepTree {
			r.grp.Messages = append(r.grp.Messages, m)
		}
	} else {
		if ic.GroupCount > 0 {
			r.record(&SyntaxError{Loc: r.loc(seg), Code: CodeGroupsAndMessagesMixed, Msg: "UNH outside a group in an interchange that uses groups"})
		}
		ic.MessageCount++
		if r.keepTree {
			ic.Messages = append(ic.Messages, m)
		}
	}
	if r.keepSegs {
		m.Segments = append(m.Segments, seg)
	}
	r.msg = m
	r.place(seg)
	r.checkRefUnique(seg)
	h := m.Header
	required := []struct {
		v          string
		elem, comp int
		name       string
	}{
		{h.Ref, 1, 0, "message reference number"},
		{h.Type, 2, 1, "message type"},
		{h.Version, 2, 2, "message version number"},
		{h.Release, 2, 3, "message release number"},
		{h.Agency, 2, 4, "controlling agency"},
	}
	for _, f := range required {
		if f.v == "" {
			r.requiredMissing(seg, f.elem, f.comp, f.name)
		}
	}
	r.emit(MessageStart, seg)
}

// checkRefUnique tolerates (or, strict, rejects) a message reference
// used by an earlier message of the interchange: ISO 9735 wants 0062
// unique within the interchange, and partners that number every message 1
// are common. Only ReadAll and Parse check it: the set of references grows
// with the interchange, which Next promises not to do.
func (r *Reader) checkRefUnique(seg *Segment) {
	if !r.keepTree || r.msg.Header.Ref == "" {
		return
	}
	ref := r.msg.Header.Ref
	if _, dup := r.refs[ref]; dup {
		loc := r.loc(seg)
		loc.Element = 1
		r.tolerate(&SyntaxError{Loc: loc, Code: CodeDuplicate, Msg: fmt.Sprintf("UNH01 %q is used by an earlier message of the interchange", ref)})
		return
	}
	if r.refs == nil {
		r.refs = make(map[string]struct{})
	}
	r.refs[ref] = struct{}{}
}

// closeMessage checks UNT (nil when missing; before is the segment that
// implied the end) and ends the message.
func (r *Reader) closeMessage(unt, before *Segment) {
	m := r.msg
	if m == nil {
		return
	}
	m.Trailer = r.retain(unt)
	if unt == nil {
		r.addError(&m.Errors, r.missing("UNT", before))
	} else {
		r.checkCount(unt, "UNT01", m.SegmentCount, "segments")
		r.checkRef(unt, "UNT02", "UNH01", m.Header.Ref)
	}
	r.emit(MessageEnd, unt)
	r.msg = nil
}

// checkCount compares a trailer's control count (element 1) with n.
func (r *Reader) checkCount(trailer *Segment, field string, n int, unit string) {
	declared := trailer.Value(0)
	if got, ok := atoi(declared); ok && got == n {
		return
	}
	loc := r.loc(trailer)
	loc.Element = 1
	r.record(&CountError{Loc: loc, Field: field, Declared: declared, Actual: n, Unit: unit})
}

// checkRef compares a trailer's reference (element 2) with its header's.
func (r *Reader) checkRef(trailer *Segment, field, headerField, want string) {
	got := trailer.Value(1)
	if got == want {
		return
	}
	loc := r.loc(trailer)
	loc.Element = 2
	r.record(&ReferenceError{Loc: loc, Field: field, Got: got, HeaderField: headerField, Want: want})
}

// retain returns a segment the reader may keep after returning it: seg
// itself, or a copy when ReuseSegments recycles seg.
func (r *Reader) retain(seg *Segment) *Segment {
	if seg == nil || !r.sp.reuse {
		return seg
	}
	return seg.Clone()
}
