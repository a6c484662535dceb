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
	// GroupVersion overrides GS08 (and a 999's ST03). Empty repeats each
	// inbound group's GS08, as the standard expects; HIPAA partners want
	// "005010X231A1" on their 999s.
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
	var opts []WriterOption
	if p.Newline != "" && !d.isDelimiter('\n') && !d.isDelimiter('\r') {
		opts = append(opts, WithNewline(p.Newline))
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, d, opts...)
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
	return &Ack{Data: buf.Bytes(), Groups: len(groups)}, nil
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
	accepted := 0
	for _, s := range g.Sets {
		if err := writeSetAck(w, s, kind, since5010, version); err != nil {
			return err
		}
		if s.Accepted() {
			accepted++
		}
	}
	if err := w.WriteSegment("AK9", groupAck(g, accepted)...); err != nil {
		return err
	}
	if err := w.EndSet(); err != nil {
		return err
	}
	return w.EndGroup()
}

// groupAck returns the AK9 elements.
func groupAck(g *Group, accepted int) []string {
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
	}
	ak9 := []string{status, strconv.Itoa(included), strconv.Itoa(received), strconv.Itoa(accepted)}
	return append(ak9, uniqueCodes(g.Errors, 5)...)
}

// writeSetAck writes AK2, the AK3/AK4 (IK3/IK4) of each segment in error,
// and AK5 (IK5) for one set.
func writeSetAck(w *Writer, s *Set, kind string, since5010 bool, version string) error {
	ak2 := []string{s.Header.ID, s.Header.Control}
	switch {
	case kind == Kind999 && s.Header.Convention == "":
		ak2 = append(ak2, version)
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
	var setLevel []*SyntaxError
	for _, bad := range bySegment(s.Errors) {
		if err := writeSegmentAck(w, bad, seg3, seg4, kind == Kind999, since5010); err != nil {
			return err
		}
	}
	segmentErrors := false
	for _, e := range s.Errors {
		if e.Level == LevelSet {
			setLevel = append(setLevel, e)
		} else {
			segmentErrors = true
		}
	}
	if s.Accepted() {
		return w.WriteSegment(seg5, "A")
	}
	codes := uniqueCodes(setLevel, 5)
	if segmentErrors && len(codes) < 5 && !contains(codes, string(CodeSetSegmentErrors)) {
		codes = append(codes, string(CodeSetSegmentErrors))
	}
	return w.WriteSegment(seg5, append([]string{"R"}, codes...)...)
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
