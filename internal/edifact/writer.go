package edifact

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// WriterOptions shape a Writer's output. The zero value writes the default
// delimiters, no UNA and no line breaks, and rejects characters the syntax
// identifier cannot represent.
type WriterOptions struct {
	// Delimiters to write with; the zero value means DefaultDelimiters. A
	// UNA is written whenever they differ from the defaults.
	Delimiters Delimiters
	// UNA forces the service string advice even with default delimiters;
	// many partners' guides require it.
	UNA bool
	// LineEnding is written after every segment terminator: "", "\n" or
	// "\r\n". Readers ignore it; people reading files like it.
	LineEnding string
	// Policy decides what happens to characters outside the repertoire of
	// the interchange's syntax identifier.
	Policy CharsetPolicy
}

// Writer writes UN/EDIFACT interchanges: it escapes every value with the
// release character, encodes text in the charset named by the syntax
// identifier, counts segments and messages and writes UNT, UNE and UNZ with
// correct counts and references. Control references come from the caller;
// the Writer never invents one.
//
// Calls go BeginInterchange, [BeginGroup], BeginMessage, WriteSegment...,
// EndMessage, ..., [EndGroup], EndInterchange. The first error is sticky:
// every later call returns it.
type Writer struct {
	bw   *bufio.Writer
	opts WriterOptions
	d    Delimiters
	cls  *[256]uint8
	cs   *charset
	err  error

	icRef    string
	inIC     bool
	groups   int // groups written in this interchange
	messages int // messages written directly under UNB
	grp      *GroupHeader
	grpMsgs  int
	msgRef   string
	segs     int             // segments written in the open message, UNH included
	refs     map[string]bool // message references used in this interchange
	scratch  []byte
}

// NewWriter returns a Writer to w. Call Flush (or EndInterchange, which
// flushes) before w is closed.
func NewWriter(w io.Writer, opts WriterOptions) *Writer {
	d := opts.Delimiters
	if d == (Delimiters{}) {
		d = DefaultDelimiters()
	}
	wr := &Writer{bw: bufio.NewWriter(w), opts: opts, d: d, cls: d.classes()}
	if err := d.Validate(); err != nil {
		wr.err = fmt.Errorf("edifact: writer delimiters: %w", err)
	}
	switch opts.LineEnding {
	case "", "\n", "\r\n":
		if opts.LineEnding != "" && (wr.cls['\n'] != clsData || wr.cls['\r'] != clsData) {
			wr.err = errors.New("edifact: writer line ending collides with a delimiter")
		}
	default:
		wr.err = fmt.Errorf("edifact: writer line ending %q is not \"\", \"\\n\" or \"\\r\\n\"", opts.LineEnding)
	}
	return wr
}

// BeginInterchange writes UNA (when needed) and UNB. Syntax, SyntaxVersion,
// Sender.ID, Recipient.ID, Date, Time (see SetPrepared) and ControlRef are
// required.
func (w *Writer) BeginInterchange(h InterchangeHeader) error {
	if w.err != nil {
		return w.err
	}
	if w.inIC {
		return w.fail(errors.New("BeginInterchange: an interchange is already open"))
	}
	cs, err := lookupCharset(h.Syntax)
	if err != nil {
		return w.fail(fmt.Errorf("UNB: %w", err))
	}
	if err := checkUNB(h); err != nil {
		return w.fail(err)
	}
	if w.d.Repetition != 0 && h.SyntaxVersion != "4" {
		return w.fail(errors.New("UNB: a repetition separator needs syntax version 4"))
	}
	w.cs = cs
	if w.opts.UNA || !w.d.isDefault() {
		w.bw.WriteString(w.d.UNA())
		w.bw.WriteString(w.opts.LineEnding)
	}
	w.inIC, w.icRef = true, h.ControlRef
	w.groups, w.messages = 0, 0
	w.refs = make(map[string]bool)
	return w.segment("UNB", h.elements(), nil)
}

func checkUNB(h InterchangeHeader) error {
	switch {
	case h.SyntaxVersion < "1" || h.SyntaxVersion > "4" || len(h.SyntaxVersion) != 1:
		return fmt.Errorf("UNB: syntax version %q is not 1 to 4", h.SyntaxVersion)
	case h.Sender.ID == "" || h.Recipient.ID == "":
		return errors.New("UNB: sender and recipient identification are required")
	case h.ControlRef == "":
		return errors.New("UNB: the interchange control reference is required (the writer never invents one)")
	case len(h.ControlRef) > 14:
		return fmt.Errorf("UNB: control reference %q is longer than 14 characters", h.ControlRef)
	}
	dateLen := 6
	if h.SyntaxVersion == "4" {
		dateLen = 8
	}
	if len(h.Date) != dateLen || !digits(h.Date) || len(h.Time) != 4 || !digits(h.Time) {
		return fmt.Errorf("UNB: date/time %q:%q must be %d and 4 digits (see SetPrepared)", h.Date, h.Time, dateLen)
	}
	return nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// BeginGroup writes UNG. Ref is required. An interchange holds either groups
// or bare messages, never both.
func (w *Writer) BeginGroup(h GroupHeader) error {
	if w.err != nil {
		return w.err
	}
	switch {
	case !w.inIC:
		return w.fail(errors.New("BeginGroup: no interchange is open"))
	case w.grp != nil || w.msgRef != "":
		return w.fail(errors.New("BeginGroup: a group or message is still open"))
	case w.messages > 0:
		return w.fail(errors.New("BeginGroup: the interchange already has messages outside groups"))
	case h.Ref == "":
		return w.fail(errors.New("UNG: the group reference number is required"))
	}
	w.grp = &h
	w.grpMsgs = 0
	w.groups++
	return w.segment("UNG", h.elements(), nil)
}

// EndGroup writes UNE with the number of messages in the group.
func (w *Writer) EndGroup() error {
	if w.err != nil {
		return w.err
	}
	if w.grp == nil || w.msgRef != "" {
		return w.fail(errors.New("EndGroup: no group is open, or a message is still open"))
	}
	ref := w.grp.Ref
	w.grp = nil
	return w.segment("UNE", []Element{{strconv.Itoa(w.grpMsgs)}, {ref}}, nil)
}

// BeginMessage writes UNH. Ref, Type, Version, Release and Agency are
// required; Ref must be unique in the interchange.
func (w *Writer) BeginMessage(h MessageHeader) error {
	if w.err != nil {
		return w.err
	}
	switch {
	case !w.inIC:
		return w.fail(errors.New("BeginMessage: no interchange is open"))
	case w.msgRef != "":
		return w.fail(fmt.Errorf("BeginMessage: message %s is still open", w.msgRef))
	case w.grp == nil && w.groups > 0:
		return w.fail(errors.New("BeginMessage: the interchange uses groups; open one first"))
	case h.Ref == "" || h.Type == "" || h.Version == "" || h.Release == "" || h.Agency == "":
		return w.fail(errors.New("UNH: reference, type, version, release and agency are required"))
	case len(h.Ref) > 14:
		return w.fail(fmt.Errorf("UNH: message reference %q is longer than 14 characters", h.Ref))
	case w.refs[h.Ref]:
		return w.fail(fmt.Errorf("UNH: message reference %q is already used in interchange %s", h.Ref, w.icRef))
	}
	w.refs[h.Ref] = true
	if w.grp != nil {
		w.grpMsgs++
	} else {
		w.messages++
	}
	w.msgRef = h.Ref
	w.segs = 1
	return w.segment("UNH", h.elements(), nil)
}

// WriteSegment writes one body segment. Trailing empty elements and
// components are omitted, as ISO 9735 requires.
func (w *Writer) WriteSegment(tag string, elements ...Element) error {
	return w.Write(&Segment{Tag: tag, Elements: elements})
}

// Write writes a body segment, including syntax 4 repetitions.
func (w *Writer) Write(seg *Segment) error {
	if w.err != nil {
		return w.err
	}
	switch {
	case w.msgRef == "":
		return w.fail(fmt.Errorf("%s: no message is open", seg.Tag))
	case !validTag(seg.Tag):
		return w.fail(fmt.Errorf("invalid segment tag %q", seg.Tag))
	}
	switch seg.Tag {
	case "UNA", "UNB", "UNG", "UNH", "UNT", "UNE", "UNZ":
		return w.fail(fmt.Errorf("%s is written by the Writer itself", seg.Tag))
	}
	if len(seg.Repeats) > 0 && w.d.Repetition == 0 {
		return w.fail(fmt.Errorf("%s: repeated elements need a repetition separator (syntax 4)", seg.Tag))
	}
	w.segs++
	return w.segment(seg.Tag, seg.Elements, seg.Repeats)
}

// EndMessage writes UNT with the segment count (UNH and UNT included) and
// the message reference.
func (w *Writer) EndMessage() error {
	if w.err != nil {
		return w.err
	}
	if w.msgRef == "" {
		return w.fail(errors.New("EndMessage: no message is open"))
	}
	ref := w.msgRef
	w.msgRef = ""
	return w.segment("UNT", []Element{{strconv.Itoa(w.segs + 1)}, {ref}}, nil)
}

// EndInterchange writes UNZ with the number of messages (or groups) and
// the control reference, then flushes.
func (w *Writer) EndInterchange() error {
	if w.err != nil {
		return w.err
	}
	if !w.inIC || w.grp != nil || w.msgRef != "" {
		return w.fail(errors.New("EndInterchange: no interchange is open, or a group or message is still open"))
	}
	count := w.messages
	if w.groups > 0 {
		count = w.groups
	}
	w.inIC = false
	if err := w.segment("UNZ", []Element{{strconv.Itoa(count)}, {w.icRef}}, nil); err != nil {
		return err
	}
	return w.Flush()
}

// Flush writes buffered output to the underlying writer.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		return w.fail(err)
	}
	return nil
}

func (w *Writer) fail(err error) error {
	w.err = fmt.Errorf("edifact: %w", err)
	return w.err
}

// segment encodes and writes one segment.
func (w *Writer) segment(tag string, elements []Element, repeats map[int][]Element) error {
	for i := 0; i < len(tag); i++ {
		if w.cls[tag[i]] != clsData {
			// Tags cannot be released: a reader would split them.
			return w.fail(fmt.Errorf("tag %s contains a delimiter", tag))
		}
	}
	b := append(w.scratch[:0], tag...)
	last := len(elements) - 1
	for last >= 0 && isEmpty(elements[last]) && len(repeats[last]) == 0 {
		last--
	}
	var err error
	var comp int
	for i := 0; i <= last; i++ {
		b = append(b, w.d.Element)
		if b, comp, err = w.element(b, elements[i]); err != nil {
			return w.fail(fmt.Errorf("%s element %d component %d: %w", tag, i+1, comp, err))
		}
		for _, rep := range repeats[i] {
			b = append(b, w.d.Repetition)
			if b, comp, err = w.element(b, rep); err != nil {
				return w.fail(fmt.Errorf("%s element %d (repetition) component %d: %w", tag, i+1, comp, err))
			}
		}
	}
	b = append(b, w.d.Terminator)
	b = append(b, w.opts.LineEnding...)
	w.scratch = b
	if _, err := w.bw.Write(b); err != nil {
		return w.fail(err)
	}
	return nil
}

func isEmpty(e Element) bool {
	for _, c := range e {
		if c != "" {
			return false
		}
	}
	return true
}

// element appends the components of e, trailing empty ones omitted. On
// error it returns the 1-based position of the component at fault.
func (w *Writer) element(b []byte, e Element) ([]byte, int, error) {
	last := len(e) - 1
	for last >= 0 && e[last] == "" {
		last--
	}
	var err error
	for j := 0; j <= last; j++ {
		if j > 0 {
			b = append(b, w.d.Component)
		}
		if b, err = w.value(b, e[j]); err != nil {
			return b, j + 1, err
		}
	}
	return b, 0, nil
}

// value appends s encoded in the interchange charset, releasing every
// delimiter byte so the value can never end an element or a segment.
func (w *Writer) value(b []byte, s string) ([]byte, error) {
	var buf [utf8.UTFMax * 3]byte
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return b, fmt.Errorf("invalid UTF-8 at byte %d of %q", i, s)
		}
		i += size
		enc, ok := w.cs.encodeRune(buf[:0], r)
		if !ok && r < utf8.RuneSelf && w.cls[r] != clsData {
			// A delimiter is representable whatever the repertoire: the
			// partners agreed on it in the UNA, and it is released below.
			enc, ok = append(buf[:0], byte(r)), true
		}
		if !ok {
			if w.opts.Policy != Transliterate {
				return b, fmt.Errorf("%q cannot be represented in %s", r, w.cs.id)
			}
			enc = w.cs.transliterate(buf[:0], r)
		}
		for _, c := range enc {
			if w.cls[c] != clsData {
				if w.d.Release == 0 {
					return b, fmt.Errorf("%q is a delimiter and there is no release character", c)
				}
				b = append(b, w.d.Release)
			}
			b = append(b, c)
		}
	}
	return b, nil
}
