package x12

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriterOption configures a Writer.
type WriterOption func(*writerConfig)

type writerConfig struct {
	policy      DataPolicy
	replacement byte
	charset     Charset
	newline     string
}

// WithDataPolicy sets what happens to values holding a character that may
// not be written (default ReplaceInvalid).
func WithDataPolicy(p DataPolicy) WriterOption { return func(c *writerConfig) { c.policy = p } }

// WithReplacement sets the character ReplaceInvalid writes (default ' ').
func WithReplacement(b byte) WriterOption { return func(c *writerConfig) { c.replacement = b } }

// WithCharset sets the characters allowed in values (default CharsetUTF8).
func WithCharset(cs Charset) WriterOption { return func(c *writerConfig) { c.charset = cs } }

// WithNewline writes nl ("\n" or "\r\n") after every segment terminator,
// which many partners like for readability. Not allowed when the
// terminator is itself a line break.
func WithNewline(nl string) WriterOption { return func(c *writerConfig) { c.newline = nl } }

// Writer writes interchanges. Envelope segments come from Begin… and
// End… calls, which supply the counts and repeat the control numbers the
// caller gave: SE01/SE02, GE01/GE02 and IEA01/IEA02 are always right.
// Errors are sticky: after one, every call returns it.
//
// A Writer buffers; call Flush or Close at the end.
type Writer struct {
	bw    *bufio.Writer
	d     Delimiters
	cfg   writerConfig
	chars charTable
	err   error

	isa    InterchangeHeader // current interchange; Control "" when none is open
	groups int
	gs     GroupHeader // current group; Control "" when none is open
	sets   int
	st     SetHeader // current set; Control "" when none is open
	segs   int
	line   []byte
}

// NewWriter returns a Writer of w using delimiters d, which must pass
// Delimiters.Validate.
func NewWriter(w io.Writer, d Delimiters, opts ...WriterOption) (*Writer, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	cfg := writerConfig{replacement: ' '}
	for _, o := range opts {
		o(&cfg)
	}
	if r := cfg.replacement; r < 0x20 || r >= 0x7F || d.isDelimiter(r) {
		return nil, fmt.Errorf("x12: replacement character %q must be printable ASCII and not a delimiter", r)
	}
	switch cfg.newline {
	case "", "\n", "\r\n":
	default:
		return nil, fmt.Errorf("x12: newline %q must be \"\\n\" or \"\\r\\n\"", cfg.newline)
	}
	if cfg.newline != "" && (d.isDelimiter('\n') || d.isDelimiter('\r')) {
		return nil, errors.New("x12: no newline may follow the terminator when a delimiter is CR or LF")
	}
	return &Writer{bw: bufio.NewWriter(w), d: d, cfg: cfg, chars: newCharTable(cfg.charset, d)}, nil
}

// BeginInterchange writes the ISA. Control (ISA13), Version (ISA12),
// Usage (ISA15), Date and the sender and receiver are required; the
// writer pads the fixed-width fields. Before version 00402 ISA11 is "U"
// and values cannot repeat.
func (w *Writer) BeginInterchange(h InterchangeHeader) error {
	if w.err != nil {
		return w.err
	}
	if w.isa.Control != "" {
		return w.fail("ISA", 0, "an interchange is already open")
	}
	if h.AuthQualifier == "" {
		h.AuthQualifier = "00"
	}
	if h.SecurityQualifier == "" {
		h.SecurityQualifier = "00"
	}
	if len(h.Control) > 9 || !isDigits(h.Control) {
		return w.fail("ISA", 13, fmt.Sprintf("control number %q must be 1 to 9 digits", h.Control))
	}
	h.Control = zeroPad(h.Control, 9)
	if len(h.Version) != 5 || !isDigits(h.Version) {
		return w.fail("ISA", 12, fmt.Sprintf("version %q must be five digits, e.g. 00401", h.Version))
	}
	if h.Date.IsZero() {
		return w.fail("ISA", 9, "the interchange date is required (the writer has no clock)")
	}
	if h.Usage != UsageProduction && h.Usage != UsageTest && h.Usage != UsageInformation {
		return w.fail("ISA", 15, fmt.Sprintf("usage indicator %q must be P, T or I", h.Usage))
	}
	rep := "U"
	if h.Version >= repetitionVersion {
		if w.d.Repetition == 0 {
			return w.fail("ISA", 11, fmt.Sprintf("version %s needs a repetition separator in ISA11", h.Version))
		}
		rep = string([]byte{w.d.Repetition})
	}
	ack := "0"
	if h.AckRequested {
		ack = "1"
	}
	fields := []struct {
		v     string
		width int
		req   bool
	}{
		{h.AuthQualifier, 2, true}, {h.AuthInfo, 10, false}, {h.SecurityQualifier, 2, true}, {h.SecurityInfo, 10, false},
		{h.SenderQualifier, 2, true}, {h.SenderID, 15, true}, {h.ReceiverQualifier, 2, true}, {h.ReceiverID, 15, true},
	}
	line := append(w.line[:0], "ISA"...)
	for i, f := range fields {
		if f.req && strings.TrimSpace(f.v) == "" || len(f.v) > f.width {
			return w.fail("ISA", i+1, fmt.Sprintf("%q must be 1 to %d characters", f.v, f.width))
		}
		line = append(line, w.d.Element)
		var ok bool
		var msg string
		if line, msg, ok = w.appendClean(line, f.v); !ok {
			return w.fail("ISA", i+1, msg)
		}
		line = append(line, strings.Repeat(" ", f.width-len(f.v))...)
	}
	for _, f := range []string{h.Date.Format("060102"), h.Date.Format("1504"), rep, h.Version, h.Control, ack, h.Usage, string([]byte{w.d.Component})} {
		line = append(line, w.d.Element)
		line = append(line, f...)
	}
	if len(line) != isaLen {
		// A multi-byte character in a padded field would break the
		// fixed width that readers rely on to find the delimiters.
		return w.fail("ISA", 0, "ISA fields must be ASCII so that the ISA is 106 characters")
	}
	w.isa, w.groups = h, 0
	return w.emit(line)
}

// BeginGroup writes a GS. FunctionalID, Sender, Receiver, Date, Control
// (GS06, digits) and Version are required; Agency defaults to "X".
func (w *Writer) BeginGroup(h GroupHeader) error {
	if w.err != nil {
		return w.err
	}
	switch {
	case w.isa.Control == "":
		return w.fail("GS", 0, "no interchange is open")
	case w.gs.Control != "":
		return w.fail("GS", 0, "a functional group is already open")
	case len(h.Control) > 9 || !isDigits(h.Control):
		return w.fail("GS", 6, fmt.Sprintf("control number %q must be 1 to 9 digits", h.Control))
	case h.Date.IsZero():
		return w.fail("GS", 4, "the group date is required (the writer has no clock)")
	case h.FunctionalID == "" || h.Version == "":
		return w.fail("GS", 0, "GS01 and GS08 are required")
	case len(h.Sender) < 2 || len(h.Sender) > 15:
		return w.fail("GS", 2, fmt.Sprintf("application sender %q must be 2 to 15 characters", h.Sender))
	case len(h.Receiver) < 2 || len(h.Receiver) > 15:
		return w.fail("GS", 3, fmt.Sprintf("application receiver %q must be 2 to 15 characters", h.Receiver))
	}
	if h.Agency == "" {
		h.Agency = "X"
	}
	if err := w.segment("GS", h.FunctionalID, h.Sender, h.Receiver, h.Date.Format("20060102"), h.Date.Format("1504"),
		h.Control, h.Agency, h.Version); err != nil {
		return err
	}
	w.gs, w.sets = h, 0
	w.groups++
	return nil
}

// BeginSet writes an ST. ID is three digits and Control (ST02) 4 to 9
// characters; a shorter number is zero-padded to four.
func (w *Writer) BeginSet(h SetHeader) error {
	if w.err != nil {
		return w.err
	}
	if isDigits(h.Control) {
		h.Control = zeroPad(h.Control, 4)
	}
	switch {
	case w.gs.Control == "":
		return w.fail("ST", 0, "no functional group is open")
	case w.st.Control != "":
		return w.fail("ST", 0, "a transaction set is already open")
	case len(h.ID) != 3 || !isDigits(h.ID):
		return w.fail("ST", 1, fmt.Sprintf("transaction set identifier %q must be three digits", h.ID))
	case len(h.Control) < 4 || len(h.Control) > 9:
		return w.fail("ST", 2, fmt.Sprintf("control number %q must be 4 to 9 characters", h.Control))
	}
	w.segs = 1
	if err := w.segment("ST", h.ID, h.Control, h.Convention); err != nil {
		return err
	}
	w.st = h
	w.sets++
	return nil
}

// WriteSegment writes a segment of simple elements inside the open set.
// Trailing empty elements are left out, as the standard requires. Use
// WriteValues for composite or repeated elements.
func (w *Writer) WriteSegment(id string, elements ...string) error {
	if err := w.checkBody(id); err != nil {
		return err
	}
	w.segs++
	return w.segment(id, elements...)
}

// WriteValues writes a segment whose elements may be composite or
// repeated, inside the open set.
func (w *Writer) WriteValues(id string, elements ...Value) error {
	if err := w.checkBody(id); err != nil {
		return err
	}
	w.segs++
	line := append(w.line[:0], id...)
	end := len(line)
	for i, v := range elements {
		line = append(line, w.d.Element)
		if len(v) > 1 && w.isa.Version < repetitionVersion {
			return w.failValue(id, i+1, 0, 0, "", fmt.Sprintf("version %s has no repetition separator", w.isa.Version))
		}
		var err error
		if line, err = w.appendValue(line, id, i+1, v); err != nil {
			return err
		}
		if line[len(line)-1] != w.d.Element {
			end = len(line)
		}
	}
	return w.emit(line[:end])
}

// EndSet writes the SE with the segment count and ST02.
func (w *Writer) EndSet() error {
	if w.err != nil {
		return w.err
	}
	if w.st.Control == "" {
		return w.fail("SE", 0, "no transaction set is open")
	}
	w.segs++
	if err := w.segment("SE", strconv.Itoa(w.segs), w.st.Control); err != nil {
		return err
	}
	w.st = SetHeader{}
	return nil
}

// EndGroup writes the GE with the set count and GS06.
func (w *Writer) EndGroup() error {
	if w.err != nil {
		return w.err
	}
	if w.gs.Control == "" || w.st.Control != "" {
		return w.fail("GE", 0, "no functional group is open, or a set in it is")
	}
	if err := w.segment("GE", strconv.Itoa(w.sets), w.gs.Control); err != nil {
		return err
	}
	w.gs = GroupHeader{}
	return nil
}

// EndInterchange writes the IEA with the group count and ISA13.
func (w *Writer) EndInterchange() error {
	if w.err != nil {
		return w.err
	}
	if w.isa.Control == "" || w.gs.Control != "" {
		return w.fail("IEA", 0, "no interchange is open, or a group in it is")
	}
	if err := w.segment("IEA", strconv.Itoa(w.groups), w.isa.Control); err != nil {
		return err
	}
	w.isa = InterchangeHeader{}
	return nil
}

// Flush writes buffered data to the underlying writer.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("x12: write: %w", err)
	}
	return w.err
}

// Close flushes, and fails when an envelope is still open. It does not
// close the underlying writer.
func (w *Writer) Close() error {
	if w.err == nil && w.isa.Control != "" {
		_ = w.fail("IEA", 0, "the interchange was not ended")
	}
	return w.Flush()
}

func (w *Writer) checkBody(id string) error {
	if w.err != nil {
		return w.err
	}
	switch {
	case w.st.Control == "":
		return w.fail(id, 0, "no transaction set is open")
	case !validID(id):
		return w.fail(id, 0, fmt.Sprintf("segment tag %q must be two or three upper-case letters and digits", id))
	}
	switch id {
	case "ISA", "GS", "ST", "SE", "GE", "IEA":
		return w.fail(id, 0, "envelope segments are written by Begin… and End…")
	}
	return nil
}

// segment writes a segment of simple elements.
func (w *Writer) segment(id string, elements ...string) error {
	line := append(w.line[:0], id...)
	end := len(line)
	for i, e := range elements {
		line = append(line, w.d.Element)
		var ok bool
		var msg string
		if line, msg, ok = w.appendClean(line, e); !ok {
			return w.failValue(id, i+1, 0, 0, e, msg)
		}
		if e != "" {
			end = len(line)
		}
	}
	return w.emit(line[:end])
}

// appendValue appends the repetitions and components of v, leaving out
// trailing empty ones.
func (w *Writer) appendValue(line []byte, id string, n int, v Value) ([]byte, error) {
	repEnd := len(line)
	for r, comps := range v {
		if r > 0 {
			line = append(line, w.d.Repetition)
		}
		start := len(line)
		compEnd := start
		for c, s := range comps {
			if c > 0 {
				line = append(line, w.d.Component)
			}
			var ok bool
			var msg string
			if line, msg, ok = w.appendClean(line, s); !ok {
				return line, w.failValue(id, n, c+1, r+1, s, msg)
			}
			if s != "" {
				compEnd = len(line)
			}
		}
		line = line[:compEnd]
		if compEnd > start {
			repEnd = compEnd
		}
	}
	return line[:repEnd], nil
}

func (w *Writer) emit(line []byte) error {
	line = append(line, w.d.Segment)
	line = append(line, w.cfg.newline...)
	w.line = line[:0]
	if _, err := w.bw.Write(line); err != nil {
		w.err = fmt.Errorf("x12: write: %w", err)
	}
	return w.err
}

func (w *Writer) fail(id string, n int, msg string) error {
	return w.failValue(id, n, 0, 0, "", msg)
}

func (w *Writer) failValue(id string, n, comp, rep int, v, msg string) error {
	idx := 0
	switch {
	case id == "ST":
		idx = 1
	case w.st.Control != "":
		idx = w.segs
	}
	w.err = &ValueError{SegmentID: id, SegmentIndex: idx, Element: n, Component: comp, Repetition: rep, Value: v, Msg: msg}
	return w.err
}

func zeroPad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return strings.Repeat("0", n-len(s)) + s
}
