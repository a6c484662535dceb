package x12

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// Acknowledgement kinds.
const (
	Kind997 = "997"
	Kind999 = "999"
)

// Version999 is the implementation guide of the 999 (ASC X12N
// 005010X231A1). Its GS08 and ST03 always carry this value, whatever the
// version of the group acknowledged (X12 RFI 1330: "the value of ST03 and
// GS08 must be 005010X231A1"); AK103 names the inbound GS08 instead.
const Version999 = "005010X231A1"

// AckParams are the envelope values of an acknowledgement interchange.
// The control numbers belong to the caller, who persists them per partner.
type AckParams struct {
	// Kind is Kind997, Kind999, or "" to choose by each group's version:
	// a 999 from 005010 on, a 997 before.
	Kind string
	// InterchangeControl is ISA13 of the acknowledgement.
	InterchangeControl string
	// GroupControl is GS06 of the first FA group. BuildAck writes one FA
	// group per acknowledged group, numbered GroupControl, GroupControl+1…;
	// Ack.Groups says how many numbers were used.
	GroupControl int64
	// Date is ISA09/ISA10 and GS04/GS05.
	Date time.Time
	// Usage is ISA15; empty repeats the inbound one.
	Usage string
	// AckRequested is ISA14 (a TA1 requested for the acknowledgement).
	AckRequested bool
	// Version is ISA12; empty repeats the inbound one.
	Version string
	// GroupVersion overrides GS08 (and a 999's ST03). Empty means
	// Version999 for a 999 and the inbound group's GS08 for a 997.
	GroupVersion string
	// Delimiters are the acknowledgement's; the zero value repeats the
	// inbound ones.
	Delimiters Delimiters
	// Newline, "\n" or "\r\n", follows each terminator unless the
	// terminator is itself a line break.
	Newline string
}

// Ack is a built acknowledgement interchange.
type Ack struct {
	// Data is the interchange, ISA to IEA.
	Data []byte
	// Groups is the number of FA groups written, so the group control
	// numbers GroupControl … GroupControl+Groups-1 were used.
	Groups int
}

// BuildAck builds the 997/999 acknowledging every functional group of ic
// from the errors recorded on it: the reader's envelope and syntax
// findings and whatever the caller added to Set.Errors. Sender and
// receiver are swapped (ISA05/06 ↔ ISA07/08, GS02 ↔ GS03).
//
// A set the reader accepted with warnings (Set.Warnings) is acknowledged
// "accepted, but errors were noted" (AK501 E) with their codes, and its
// group AK901 E when no set is rejected.
//
// The acknowledgement is written in the inbound interchange's encoding:
// an EBCDIC interchange is answered in EBCDIC (code page 037), so a
// mainframe partner reads its answer as it wrote its file, with the
// inbound delimiters (or p.Delimiters) even where they are not ASCII
// (EBCDIC NL, 0x15, is a common segment terminator). Values are then
// written in printable ASCII (CharsetExtended), and p.Newline becomes
// EBCDIC NL.
//
// Groups of acknowledgements (GS01 "FA") are never acknowledged; when
// nothing else is left, BuildAck returns ErrNoAck.
func BuildAck(ic *Interchange, p AckParams) (*Ack, error) {
	if len(ic.Groups) < ic.GroupCount {
		return nil, errors.New("x12: build ack: the interchange summary has no groups (read WithoutSummaries)")
	}
	var groups []*Group
	for _, g := range ic.Groups {
		if g.Header.FunctionalID == "FA" {
			continue
		}
		if len(g.Sets) < g.SetCount {
			return nil, errors.New("x12: build ack: the interchange summary has no sets (read WithoutSummaries)")
		}
		groups = append(groups, g)
	}
	if len(groups) == 0 {
		return nil, ErrNoAck
	}
	d, version, err := ackDelimiters(ic, p)
	if err != nil {
		return nil, err
	}
	enc := newAckEncoding(d, ic.EBCDIC, p.Newline)
	var buf bytes.Buffer
	w, err := NewWriter(&buf, enc.writer, enc.options()...)
	if err != nil {
		return nil, fmt.Errorf("x12: build ack: %w", err)
	}
	in := ic.Header
	usage := p.Usage
	if usage == "" {
		usage = in.Usage
	}
	if err := w.BeginInterchange(InterchangeHeader{
		AuthQualifier: "00", SecurityQualifier: "00",
		SenderQualifier: in.ReceiverQualifier, SenderID: in.ReceiverID,
		ReceiverQualifier: in.SenderQualifier, ReceiverID: in.SenderID,
		Date: p.Date, Version: version, Control: p.InterchangeControl,
		AckRequested: p.AckRequested, Usage: usage,
	}); err != nil {
		return nil, fmt.Errorf("x12: build ack: %w", err)
	}
	for i, g := range groups {
		if err := writeAckGroup(w, g, p, p.GroupControl+int64(i)); err != nil {
			return nil, fmt.Errorf("x12: build ack for group %s: %w", g.Header.Control, err)
		}
	}
	if err := w.EndInterchange(); err != nil {
		return nil, fmt.Errorf("x12: build ack: %w", err)
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return &Ack{Data: enc.encode(buf.Bytes()), Groups: len(groups)}, nil
}

// ackDelimiters picks the acknowledgement's delimiters and ISA12.
func ackDelimiters(ic *Interchange, p AckParams) (Delimiters, string, error) {
	d := p.Delimiters
	if d == (Delimiters{}) {
		d = ic.Delimiters
	}
	version := p.Version
	if version == "" {
		version = ic.Header.Version
	}
	if len(version) != 5 || !isDigits(version) {
		return d, "", fmt.Errorf("x12: build ack: interchange version %q is not five digits", version)
	}
	if version >= repetitionVersion && d.Repetition == 0 {
		// The inbound interchange predates repetition separators; pick a
		// free one for ISA11.
		for _, c := range []byte("^{|!") {
			if !d.isDelimiter(c) {
				d.Repetition = c
				break
			}
		}
	}
	if version < repetitionVersion {
		d.Repetition = 0
	}
	return d, version, nil
}

func writeAckGroup(w *Writer, g *Group, p AckParams, control int64) error {
	kind := p.Kind
	if kind == "" {
		kind = Kind997
		if g.Header.Version >= "005010" {
			kind = Kind999
		}
	}
	if kind != Kind997 && kind != Kind999 {
		return fmt.Errorf("unknown acknowledgement kind %q", kind)
	}
	version := g.Header.Version
	if kind == Kind999 {
		version = Version999
	}
	if p.GroupVersion != "" {
		version = p.GroupVersion
	}
	if version == "" {
		version = "004010"
	}
	if err := w.BeginGroup(GroupHeader{
		FunctionalID: "FA", Sender: g.Header.Receiver, Receiver: g.Header.Sender,
		Date: p.Date, Control: strconv.FormatInt(control, 10), Version: version,
	}); err != nil {
		return err
	}
	st := SetHeader{ID: kind, Control: "0001"}
	if kind == Kind999 {
		st.Convention = version
	}
	if err := w.BeginSet(st); err != nil {
		return err
	}
	since5010 := g.Header.Version >= "005010"
	ak1 := []string{g.Header.FunctionalID, g.Header.Control}
	if kind == Kind999 || since5010 {
		ak1 = append(ak1, g.Header.Version)
	}
	if err := w.WriteSegment("AK1", ak1...); err != nil {
		return err
	}
	accepted, noted := 0, false
	for _, s := range g.Sets {
		if err := writeSetAck(w, s, kind, since5010, g.Header.Version); err != nil {
			return err
		}
		if s.Accepted() {
			accepted++
		}
		noted = noted || len(s.Warnings) > 0
	}
	if err := w.WriteSegment("AK9", groupAck(g, accepted, noted)...); err != nil {
		return err
	}
	if err := w.EndSet(); err != nil {
		return err
	}
	return w.EndGroup()
}

// groupAck returns the AK9 elements. noted says a set was accepted with
// warnings: the group is then "accepted, but errors were noted" (E)
// unless something was rejected.
func groupAck(g *Group, accepted int, noted bool) []string {
	received := g.SetCount
	included := received
	if g.GE != nil {
		if n, err := strconv.Atoi(g.GE.Element(1)); err == nil && n >= 0 {
			included = n
		}
	}
	status := "A"
	switch {
	case len(g.Errors) > 0 || (received > 0 && accepted == 0):
		status = "R"
	case accepted < received:
		status = "P"
	case noted:
		status = "E"
	}
	ak9 := []string{status, strconv.Itoa(included), strconv.Itoa(received), strconv.Itoa(accepted)}
	return append(ak9, uniqueCodes(g.Errors, 5)...)
}

// writeSetAck writes AK2, the AK3/AK4 (IK3/IK4) of each segment in error,
// and AK5 (IK5) for one set. groupVersion is the inbound GS08.
func writeSetAck(w *Writer, s *Set, kind string, since5010 bool, groupVersion string) error {
	ak2 := []string{s.Header.ID, s.Header.Control}
	switch {
	case kind == Kind999 && s.Header.Convention == "":
		// AK203 is what the sender put in ST03 (X12 RFI 1438); without
		// one, the GS08 the set was sent under, which an ST03 would only
		// have overridden (ST03 semantic note).
		ak2 = append(ak2, groupVersion)
	case kind == Kind999 || since5010:
		ak2 = append(ak2, s.Header.Convention)
	}
	if err := w.WriteSegment("AK2", ak2...); err != nil {
		return err
	}
	seg3, seg4, seg5 := "AK3", "AK4", "AK5"
	if kind == Kind999 {
		seg3, seg4, seg5 = "IK3", "IK4", "IK5"
	}
	// Warnings are reported like errors; only AK501 tells them apart.
	noted := append(append([]*SyntaxError(nil), s.Errors...), s.Warnings...)
	var setLevel []*SyntaxError
	for _, bad := range bySegment(noted) {
		if err := writeSegmentAck(w, bad, seg3, seg4, kind == Kind999, since5010); err != nil {
			return err
		}
	}
	segmentErrors := false
	for _, e := range noted {
		if e.Level == LevelSet {
			setLevel = append(setLevel, e)
		} else {
			segmentErrors = true
		}
	}
	status := "R"
	switch {
	case len(noted) == 0:
		return w.WriteSegment(seg5, "A")
	case s.Accepted():
		status = "E" // accepted, but errors were noted
	}
	codes := uniqueCodes(setLevel, 5)
	if segmentErrors && len(codes) < 5 && !contains(codes, string(CodeSetSegmentErrors)) {
		codes = append(codes, string(CodeSetSegmentErrors))
	}
	return w.WriteSegment(seg5, append([]string{status}, codes...)...)
}

// bySegment groups the segment- and element-level errors by segment, in
// segment order.
func bySegment(errs []*SyntaxError) [][]*SyntaxError {
	var out [][]*SyntaxError
	index := map[int]int{}
	for _, e := range errs {
		if e.Level != LevelSegment && e.Level != LevelElement {
			continue
		}
		i, ok := index[e.SegmentIndex]
		if !ok {
			i = len(out)
			index[e.SegmentIndex] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i][0].SegmentIndex < out[j][0].SegmentIndex })
	return out
}

func writeSegmentAck(w *Writer, errs []*SyntaxError, seg3, seg4 string, is999, since5010 bool) error {
	first := errs[0]
	code, loop := string(CodeSegmentElementErrors), first.Loop
	var ctx *SyntaxError
	for _, e := range errs {
		if e.Level == LevelSegment {
			code = string(e.Code)
			break
		}
	}
	for _, e := range errs {
		if e.ContextName != "" && ctx == nil {
			ctx = e
		}
	}
	if err := w.WriteSegment(seg3, first.SegmentID, positive(first.SegmentIndex), loop, code); err != nil {
		return err
	}
	if is999 && ctx != nil {
		if err := w.WriteValues("CTX", Composite(ctx.ContextName, ctx.ContextRef)); err != nil {
			return err
		}
	}
	written := 0
	for _, e := range errs {
		if e.Level != LevelElement || written == 99 {
			continue
		}
		written++
		pos := []string{positive(e.Element), positive(e.Component)}
		if since5010 || is999 {
			pos = append(pos, positive(e.Repetition))
		}
		value := e.Value
		if len(value) > 99 {
			value = value[:99]
		}
		if err := w.WriteValues(seg4, Composite(pos...), Simple(e.ElementRef), Simple(string(e.Code)), Simple(value)); err != nil {
			return err
		}
	}
	return nil
}

// uniqueCodes returns the distinct non-empty codes of errs, at most n.
func uniqueCodes(errs []*SyntaxError, n int) []string {
	var codes []string
	for _, e := range errs {
		if c := string(e.Code); c != "" && !contains(codes, c) && len(codes) < n {
			codes = append(codes, c)
		}
	}
	return codes
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func positive(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}
