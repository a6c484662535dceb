package edifact

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// EventKind says what an Event reports.
type EventKind uint8

// The events of an interchange, in the order a reader produces them.
const (
	InterchangeStart EventKind = iota + 1 // UNB read (after UNA, if any)
	GroupStart                            // UNG read
	MessageStart                          // UNH read
	BodySegment                           // a segment between UNH and UNT
	MessageEnd                            // UNT read, or the message was cut short
	GroupEnd                              // UNE read, or the group was cut short
	InterchangeEnd                        // UNZ read, or the interchange was cut short
)

var eventNames = [...]string{"", "InterchangeStart", "GroupStart", "MessageStart", "BodySegment", "MessageEnd", "GroupEnd", "InterchangeEnd"}

// String names the kind, e.g. "MessageEnd".
func (k EventKind) String() string {
	if int(k) < len(eventNames) && k > 0 {
		return eventNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", k)
}

// Event is one step through the input. Interchange, Group and Message are
// the envelopes open at that point (Group is nil outside functional
// groups); their Errors grow as problems are found and are complete at
// the matching End event.
type Event struct {
	Kind EventKind
	// Segment is the segment read: UNB, UNG, UNH, a body segment, UNT, UNE
	// or UNZ. It is nil for an End event implied by a missing trailer.
	Segment     *Segment
	Interchange *Interchange
	Group       *Group
	Message     *Message
}

// Reader reads UN/EDIFACT interchanges from a stream, one segment at a
// time, in memory bounded by MaxSegmentLen (see Next). Set the exported
// fields before the first read.
type Reader struct {
	// MaxSegmentLen bounds the length of one segment in bytes; a longer one
	// stops the reader with ErrSegmentTooLong. Zero means
	// DefaultMaxSegmentLen.
	MaxSegmentLen int
	// MaxErrors bounds how many problems are kept per message, group and
	// interchange, so garbage input cannot grow them without limit. Zero
	// means 100.
	MaxErrors int
	// StrictCharset reports characters outside the UNOA/UNOB repertoire as
	// errors (code 21). Without it they are accepted, and bytes above 0x7F
	// are read as Latin-1, because partners often label Latin-1 data UNOA.
	StrictCharset bool
	// Strict rejects what the reader otherwise accepts with a warning
	// (Interchange.Warnings, Message.Warnings): a UNB without its syntax
	// version number, and a message reference (UNH 0062) used twice in one
	// interchange (checked by ReadAll and Parse). Real partners send both
	// with otherwise sound interchanges; strict is for partners who want
	// the rejection the standard prescribes.
	Strict bool
	// DiscardSegments keeps NextMessage, ReadAll and Parse from retaining
	// message segments: headers, counts and errors are still kept, which is
	// all a CONTRL needs, in memory that does not grow with message size.
	DiscardSegments bool
	// ReuseSegments lets Next reuse one Segment, with its element and
	// component slices, from call to call, like encoding/csv's
	// ReuseRecord: a segment is then valid only until the next call (its
	// strings stay valid; Clone keeps the rest). Reading allocates little
	// more than the value strings. NextMessage and ReadAll ignore it
	// unless DiscardSegments is set, since they keep segments.
	ReuseSegments bool

	src          io.Reader
	sc           *scanner
	sp           splitter
	d            Delimiters
	started      bool // the scanner exists and the BOM was handled
	err          error
	queue        []Event
	qi           int
	ic           *Interchange
	grp          *Group
	msg          *Message
	keepSegs     bool // set by NextMessage and ReadAll
	keepTree     bool // set by ReadAll
	probs        []segProblem
	refs         map[string]struct{} // UNH 0062 of the interchange, when keepTree
	interchanges int                 // interchanges started, for messages about trailing data
	fatalInTree  bool                // the error that stopped the reader is recorded on an interchange
}

// NewReader returns a Reader reading from src. It buffers src itself, so
// there is no need for a bufio.Reader in between.
func NewReader(src io.Reader) *Reader { return &Reader{src: src} }

// Parse reads every interchange in data, keeping all segments. The error
// joins every problem found (each an Error with its location) or the
// problem that stopped the reader; the interchanges read so far are
// returned either way, so a CONTRL can still be built from them.
func Parse(data []byte) ([]*Interchange, error) {
	return NewBytesReader(data).ReadAll()
}

// NewBytesReader returns a Reader of data, which it reads in place: what
// Parse uses, for a caller that sets fields (Strict, say) before ReadAll.
// MaxSegmentLen is DefaultMaxSegmentLen.
func NewBytesReader(data []byte) *Reader {
	return &Reader{sc: newBytesScanner(data, DefaultMaxSegmentLen)}
}

// Next returns the next event, or io.EOF after the last one. Any other
// error stops the reader: a read error, ErrSegmentTooLong, input that is not
// EDIFACT, a bad UNA or an unknown syntax identifier (the last three as
// *SyntaxError, also recorded on the open interchange). Problems the reader
// can continue past — wrong counts, missing trailers, misplaced segments —
// are not returned here but recorded on the Message, Group or Interchange
// they belong to.
//
// Next keeps nothing that grows with the input: one segment buffer, and
// the small chunk the latest segments were carved from. Segments stay
// valid after later calls unless ReuseSegments is set.
func (r *Reader) Next() (Event, error) {
	for {
		if r.qi < len(r.queue) {
			ev := r.queue[r.qi]
			r.queue[r.qi] = Event{}
			r.qi++
			return ev, nil
		}
		r.queue, r.qi = r.queue[:0], 0
		if r.err != nil {
			return Event{}, r.err
		}
		r.step()
	}
}

// NextMessage reads up to the end of the next message and returns it with
// its segments (unless DiscardSegments is set). Its Interchange and Group
// point to the enclosing envelopes; the interchange's own errors are
// complete once a later call has moved past it. It returns io.EOF after the
// last message.
func (r *Reader) NextMessage() (*Message, error) {
	r.keepSegs = !r.DiscardSegments
	for {
		ev, err := r.Next()
		if err != nil {
			return nil, err
		}
		if ev.Kind == MessageEnd {
			return ev.Message, nil
		}
	}
}

// ReadAll reads every remaining interchange into a tree. See Parse for the
// error.
func (r *Reader) ReadAll() ([]*Interchange, error) {
	r.keepSegs, r.keepTree = !r.DiscardSegments, true
	var out []*Interchange
	for {
		ev, err := r.Next()
		if err != nil {
			var all []Error
			for _, ic := range out {
				if e := ic.Err(); e != nil {
					all = append(all, flatten(e)...)
				}
			}
			joined := joinByOffset(all)
			if errors.Is(err, io.EOF) {
				return out, joined
			}
			if r.fatalInTree {
				return out, joined // the fatal problem is among the joined ones
			}
			return out, errors.Join(joined, err)
		}
		if ev.Kind == InterchangeStart {
			out = append(out, ev.Interchange)
		}
	}
}

func flatten(err error) []Error {
	var out []Error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if x, ok := e.(Error); ok {
				out = append(out, x)
			}
		}
	}
	return out
}

func (r *Reader) emit(kind EventKind, seg *Segment) {
	r.queue = append(r.queue, Event{Kind: kind, Segment: seg, Interchange: r.ic, Group: r.grp, Message: r.msg})
}

func (r *Reader) maxErrors() int {
	if r.MaxErrors > 0 {
		return r.MaxErrors
	}
	return 100
}

// step reads one segment (or the UNA) and queues its events, or sets r.err.
func (r *Reader) step() {
	if !r.started {
		r.started = true
		max := r.MaxSegmentLen
		if max <= 0 {
			max = DefaultMaxSegmentLen
		}
		if r.sc == nil {
			r.sc = newScanner(r.src, max)
		}
		if bytes.HasPrefix(r.sc.peek(3), []byte("\xEF\xBB\xBF")) {
			r.sc.advance(3)
		}
	}
	if r.ic == nil {
		r.startInterchange()
		return
	}
	r.sc.skip(r.isLineBreak)
	if string(r.sc.peek(3)) == "UNA" {
		// A new interchange begins without this one having ended.
		r.closeAll(&Segment{Tag: "UNA", Pos: Position{Offset: r.sc.offset(), Line: r.sc.line}})
		return
	}
	raw, err := r.sc.segment(r.d.Terminator, r.d.Release)
	if err != nil {
		r.readFailed(err)
		return
	}
	seg := r.parseSegment(raw)
	r.dispatch(seg, raw)
}

// isLineBreak reports bytes skipped between segments: CR and LF, unless the
// interchange uses them as delimiters.
func (r *Reader) isLineBreak(c byte) bool {
	return (c == '\n' || c == '\r') && !r.isDelimiter(c)
}

func (r *Reader) isDelimiter(c byte) bool {
	d := r.d
	return c == d.Terminator || c == d.Element || c == d.Component ||
		(d.Release != 0 && c == d.Release) || (d.Repetition != 0 && c == d.Repetition)
}

// isPadding reports bytes tolerated between interchanges: whitespace, NUL
// and the DOS end-of-file mark some systems append.
func isPadding(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '\f', '\v', 0, 0x1A:
		return true
	}
	return false
}

// startInterchange reads UNA (if any) and UNB.
func (r *Reader) startInterchange() {
	r.sc.skip(isPadding)
	head := r.sc.peek(unaLen)
	if len(head) == 0 {
		if r.sc.rerr != nil {
			r.err = fmt.Errorf("edifact: read: %w", r.sc.rerr)
			return
		}
		r.err = io.EOF
		return
	}
	ic := &Interchange{}
	r.d = DefaultDelimiters()
	switch {
	case bytes.HasPrefix(head, []byte("UNA")):
		line, off := r.sc.line, r.sc.offset()
		d, err := ParseUNA(head)
		if err != nil {
			r.fatal(&SyntaxError{Loc: Location{Offset: off, Line: line, Tag: "UNA"}, Code: CodeInvalidServiceChar, Msg: err.Error()})
			return
		}
		r.sc.advance(unaLen)
		r.d, ic.UNA = d, true
		r.sc.skip(r.isLineBreak)
	case bytes.HasPrefix(head, []byte("UNB\x1D")):
		r.d = levelBDelimiters()
	case bytes.HasPrefix(head, []byte("UNB")):
	default:
		what := "expected UNA or UNB"
		if r.interchanges > 0 {
			what = "unexpected data after UNZ"
		}
		r.fatal(&SyntaxError{
			Loc:  Location{Offset: r.sc.offset(), Line: r.sc.line},
			Code: CodeMissing,
			Msg:  fmt.Sprintf("%s: %q", what, head),
			Err:  ErrNotEDIFACT,
		})
		return
	}
	r.sp.cs, _ = lookupCharset("UNOB") // until UNB names the charset
	r.sp.cls = r.d.classes()
	raw, err := r.sc.segment(r.d.Terminator, r.d.Release)
	if errors.Is(err, io.EOF) {
		err = &SyntaxError{Loc: Location{Offset: r.sc.offset(), Line: r.sc.line}, Code: CodeMissing, Msg: "UNB missing after UNA", Err: ErrNotEDIFACT}
	}
	if err != nil {
		r.readFailed(err)
		return
	}
	seg := r.parseSegment(raw)
	if seg.Tag != "UNB" {
		r.fatal(&SyntaxError{
			Loc:  Location{Offset: seg.Pos.Offset, Line: seg.Pos.Line, Tag: seg.Tag},
			Code: CodeMissing,
			Msg:  fmt.Sprintf("expected UNB, found %q", seg.Tag),
			Err:  ErrNotEDIFACT,
		})
		return
	}
	r.interchanges++
	r.openInterchange(ic, seg, raw)
}

// readFailed handles a scanner error or the end of input.
func (r *Reader) readFailed(err error) {
	switch {
	case errors.Is(err, io.EOF):
		if r.ic != nil {
			r.closeAll(nil)
			return
		}
		r.err = io.EOF
	case errors.Is(err, ErrSegmentTooLong):
		max := r.sc.max
		r.fatal(&SyntaxError{
			Loc:  Location{Offset: r.sc.offset(), Line: r.sc.line, Interchange: r.icRef(), Group: r.grpRef(), Message: r.msgRef()},
			Code: CodeUnspecified,
			Msg:  fmt.Sprintf("no segment terminator %q within %d bytes", r.d.Terminator, max),
			Err:  ErrSegmentTooLong,
		})
	default:
		var se *SyntaxError
		if errors.As(err, &se) {
			r.fatal(se)
			return
		}
		r.err = fmt.Errorf("edifact: read: %w", err)
	}
}

// fatal stops the reader with e, recording it on the open interchange.
func (r *Reader) fatal(e *SyntaxError) {
	if r.ic != nil {
		// Bypass MaxErrors: the problem that stopped the reader must be
		// on record for the CONTRL.
		r.ic.Errors = append(r.ic.Errors, e)
		r.fatalInTree = true
	}
	r.err = e
}
