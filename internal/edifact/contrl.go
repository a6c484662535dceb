package edifact

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Action is a CONTRL action code (data element 0083).
type Action int

// The action codes a CONTRL carries.
const (
	// ActionRejected: this level and all lower levels rejected.
	ActionRejected Action = 4
	// ActionAccepted: this level acknowledged, and lower levels too unless
	// explicitly rejected.
	ActionAccepted Action = 7
	// ActionReceived: the interchange was received; nothing is said about
	// its content (a technical acknowledgement).
	ActionReceived Action = 8
)

// String names the action: "accepted", "rejected", "received".
func (a Action) String() string {
	switch a {
	case ActionRejected:
		return "rejected"
	case ActionAccepted:
		return "accepted"
	case ActionReceived:
		return "received"
	case 0:
		return "unknown"
	}
	return "action " + strconv.Itoa(int(a))
}

// ErrContrlForContrl is returned by BuildContrl for an interchange that
// holds only CONTRL messages: acknowledging an acknowledgement would start
// an endless exchange, so it is never done.
var ErrContrlForContrl = errors.New("edifact: no CONTRL is generated for an inbound CONTRL")

// ContrlOptions are the caller's choices for a generated CONTRL.
type ContrlOptions struct {
	// ControlRef is UNB05 of the CONTRL interchange, from the caller's
	// per-partner counter. Required: the package never invents one.
	ControlRef string
	// MessageRef is UNH01 of the CONTRL message; "1" when empty.
	MessageRef string
	// Prepared is the UNB date and time, from the caller's clock. Required.
	Prepared time.Time
	// ReceiptOnly reports action 8 (received) with no per-message detail,
	// unless the interchange itself is rejected.
	ReceiptOnly bool
	// Version and Release override the CONTRL's S009. By default they
	// follow the inbound syntax version: 4:1 for syntax 4, D:3 before.
	Version, Release string
	// Association is S009/0057, e.g. "EAN002" when the partner's guide asks
	// for it.
	Association string
	// Syntax and SyntaxVersion override the CONTRL's UNB S001. By default
	// they are the inbound interchange's; UNOC:3 when those are unusable.
	Syntax, SyntaxVersion string
}

// Contrl is a generated CONTRL message, ready to encode: the headers of its
// interchange and message, and the body segments (UCI, UCF, UCM, UCS, UCD)
// in order.
type Contrl struct {
	Interchange InterchangeHeader
	Message     MessageHeader
	Body        []*Segment
}

// Limits of the CONTRL message structure (ISO 9735-4): UCS per UCM, UCD per
// UCS.
const (
	maxUCS = 999
	maxUCD = 99
)

// BuildContrl builds the CONTRL answering ic, an interchange read with
// ReadAll or Parse (DiscardSegments is fine: only headers and errors are
// used).
//
// The CONTRL's UNB swaps the inbound sender and recipient. The UCI
// identifies the subject interchange with its reference, sender and
// recipient exactly as they appear in the inbound UNB, as ISO 9735-4
// specifies. Each message gets a UCM (action 7 or 4); errors in UNH/UNT are
// reported on the UCM, errors in other segments as UCS and UCD. A defect the
// reader tolerated (Interchange.Warnings, Message.Warnings) is reported
// with action 7 on the UCI or UCM: CONTRL has no "accepted with errors"
// action since code 2 of list 0083 was withdrawn (2001), and the UCI and
// UCM identify "any error related to" their service segments whatever the
// action (CONTRL D:3, ISO 9735-4). Messages of
// type CONTRL are never acknowledged: ErrContrlForContrl is returned when
// nothing else is left. Whether a CONTRL is wanted at all (UNB09, the
// partner agreement) is the caller's decision.
func BuildContrl(ic *Interchange, opts ContrlOptions) (*Contrl, error) {
	if opts.ControlRef == "" {
		return nil, errors.New("edifact: CONTRL needs a control reference from the caller")
	}
	if opts.Prepared.IsZero() {
		return nil, errors.New("edifact: CONTRL needs a preparation time from the caller")
	}
	if len(ic.Messages) < ic.MessageCount || len(ic.Groups) < ic.GroupCount {
		return nil, errors.New("edifact: CONTRL needs the interchange tree; read it with ReadAll or Parse")
	}
	msgs := ic.AllMessages()
	if len(msgs) > 0 && !slices.ContainsFunc(msgs, func(m *Message) bool { return !isContrl(m) }) {
		return nil, ErrContrlForContrl
	}
	c := &Contrl{Interchange: contrlUNB(ic, opts), Message: contrlUNH(ic, opts)}
	uci := ActionAccepted
	if opts.ReceiptOnly {
		uci = ActionReceived
	}
	uciErr := firstError(ic.Errors)
	if uciErr != nil {
		uci = ActionRejected
	} else {
		uciErr = firstError(ic.Warnings)
	}
	h := ic.Header
	c.Body = append(c.Body, response("UCI", []Element{{h.ControlRef}, h.Sender.element(), h.Recipient.element()}, uci, uciErr))
	if opts.ReceiptOnly && uci != ActionRejected {
		return c, nil
	}
	if len(ic.Groups) > 0 {
		for _, g := range ic.Groups {
			action := ActionAccepted
			gErr := firstError(g.Errors)
			if gErr != nil || uci == ActionRejected {
				action = ActionRejected
			}
			gh := g.Header
			c.Body = append(c.Body, response("UCF", []Element{{gh.Ref}, {gh.Sender.ID, gh.Sender.Qualifier}, {gh.Recipient.ID, gh.Recipient.Qualifier}}, action, gErr))
			c.Body = appendUCMs(c.Body, g.Messages, action == ActionRejected)
		}
		return c, nil
	}
	c.Body = appendUCMs(c.Body, ic.Messages, uci == ActionRejected)
	return c, nil
}

// WriteContrl builds the CONTRL answering ic and writes it as a complete
// interchange to w.
func WriteContrl(w io.Writer, ic *Interchange, opts ContrlOptions, wopts WriterOptions) error {
	c, err := BuildContrl(ic, opts)
	if err != nil {
		return err
	}
	return c.Encode(w, wopts)
}

// Encode writes c as a complete interchange: UNB, UNH, the body, UNT, UNZ.
func (c *Contrl) Encode(w io.Writer, opts WriterOptions) error {
	wr := NewWriter(w, opts)
	if err := wr.BeginInterchange(c.Interchange); err != nil {
		return err
	}
	if err := wr.BeginMessage(c.Message); err != nil {
		return err
	}
	for _, s := range c.Body {
		if err := wr.Write(s); err != nil {
			return err
		}
	}
	if err := wr.EndMessage(); err != nil {
		return err
	}
	return wr.EndInterchange()
}

func isContrl(m *Message) bool { return m.Header.Type == "CONTRL" }

func contrlUNB(ic *Interchange, opts ContrlOptions) InterchangeHeader {
	in := ic.Header
	h := InterchangeHeader{
		Syntax:        in.Syntax,
		SyntaxVersion: in.SyntaxVersion,
		Sender:        in.Recipient,
		Recipient:     in.Sender,
		ControlRef:    opts.ControlRef,
		Test:          contrlTest(in),
	}
	// An inbound syntax this package cannot write (the reason it may be
	// rejected) falls back to UNOC:3, which can carry every value the reader
	// decoded from that UNB.
	switch h.SyntaxVersion {
	case "1", "2", "3", "4":
	default:
		h.Syntax, h.SyntaxVersion = "UNOC", "3"
	}
	if !SupportedSyntax(h.Syntax) {
		h.Syntax, h.SyntaxVersion = "UNOC", "3"
	}
	if opts.Syntax != "" {
		h.Syntax = opts.Syntax
	}
	if opts.SyntaxVersion != "" {
		h.SyntaxVersion = opts.SyntaxVersion
	}
	h.SetPrepared(opts.Prepared)
	return h
}

// contrlTest is the test indicator (UNB 0035) of the CONTRL answering in.
// Code list 0035 (ISO 9735 service code list, syntax 4, "indication that
// the structural level containing the test indicator is a test"): 1
// interchange is a test, 2 syntax only test, 3 echo request ("to be
// returned without change, except for this data element to have the value
// 4"), 4 echo response, 5 service provider test; syntax 1 to 3 define 1
// only ("set = 1 if the interchange is a test, otherwise not used").
//
// The answer to a test belongs to the test, so the CONTRL of any test
// interchange is marked 1, and that of a production one is not marked. The
// indicator is never copied: a CONTRL carrying 2 would ask the partner to
// syntax-check our CONTRL, one carrying 3 would ask it to echo our CONTRL
// back (a CONTRL is not an echo: the reader rejects echo requests with
// code 25), 4 would claim to be an echo, and 5 names the partner's service
// provider arrangement, not ours, and does not exist before syntax 4.
func contrlTest(in InterchangeHeader) string {
	if in.IsTest() {
		return "1"
	}
	return ""
}

func contrlUNH(ic *Interchange, opts ContrlOptions) MessageHeader {
	h := MessageHeader{Ref: opts.MessageRef, Type: "CONTRL", Version: "D", Release: "3", Agency: "UN", Association: opts.Association}
	if h.Ref == "" {
		h.Ref = "1"
	}
	if ic.Header.SyntaxVersion == "4" {
		h.Version, h.Release = "4", "1"
	}
	if opts.Version != "" {
		h.Version = opts.Version
	}
	if opts.Release != "" {
		h.Release = opts.Release
	}
	return h
}

// firstError is the earliest problem in input order, or nil.
func firstError(errs []Error) Error {
	if len(errs) == 0 {
		return nil
	}
	first := errs[0]
	for _, e := range errs[1:] {
		if e.Location().Offset < first.Location().Offset {
			first = e
		}
	}
	return first
}

// response builds a UCI, UCF or UCM: the identifying elements, the action,
// and for a rejection the error code, service segment tag and position.
func response(tag string, id []Element, action Action, e Error) *Segment {
	els := append(id, Element{strconv.Itoa(int(action))})
	if e != nil {
		loc := e.Location()
		els = append(els, Element{strconv.Itoa(int(e.ErrorCode()))})
		if strings.HasPrefix(loc.Tag, "UN") {
			els = append(els, Element{loc.Tag})
			if loc.Element > 0 {
				els = append(els, position(loc))
			}
		}
	}
	return &Segment{Tag: tag, Elements: els}
}

// position is S011: element position and component position.
func position(loc Location) Element {
	e := Element{strconv.Itoa(loc.Element)}
	if loc.Component > 0 {
		e = append(e, strconv.Itoa(loc.Component))
	}
	return e
}

// isEnvelopeError reports errors that belong on the UCM rather than a UCS:
// those in the message's own UNH and UNT.
func isEnvelopeError(e Error) bool {
	tag := e.Location().Tag
	return tag == "UNH" || tag == "UNT"
}

// appendUCMs adds a UCM for every message (CONTRL excepted) and the UCS/UCD
// detail of its segment errors.
func appendUCMs(body []*Segment, msgs []*Message, parentRejected bool) []*Segment {
	for _, m := range msgs {
		if isContrl(m) {
			continue
		}
		action := ActionAccepted
		if parentRejected || len(m.Errors) > 0 {
			action = ActionRejected
		}
		noted := m.Errors
		if action == ActionAccepted {
			noted = m.Warnings
		}
		var envErrs []Error
		for _, e := range noted {
			if isEnvelopeError(e) {
				envErrs = append(envErrs, e)
			}
		}
		h := m.Header
		id := []Element{{h.Ref}, {h.Type, h.Version, h.Release, h.Agency, h.Association}}
		body = append(body, response("UCM", id, action, firstError(envErrs)))
		body = appendUCS(body, m.Errors)
	}
	return body
}

// appendUCS reports segment errors grouped by segment: one UCS per segment
// (carrying the segment-level code, if any) followed by a UCD per element
// error.
func appendUCS(body []*Segment, errs []Error) []*Segment {
	type segErrs struct {
		pos  int
		code ErrorCode
		ucd  []*Segment
	}
	var order []*segErrs
	byPos := map[int]*segErrs{}
	for _, e := range errs {
		loc := e.Location()
		if isEnvelopeError(e) || loc.Segment == 0 {
			continue
		}
		s := byPos[loc.Segment]
		if s == nil {
			if len(order) == maxUCS {
				continue
			}
			s = &segErrs{pos: loc.Segment}
			byPos[loc.Segment] = s
			order = append(order, s)
		}
		switch {
		case loc.Element == 0:
			if s.code == 0 {
				s.code = e.ErrorCode()
			}
		case len(s.ucd) < maxUCD:
			s.ucd = append(s.ucd, &Segment{Tag: "UCD", Elements: []Element{{strconv.Itoa(int(e.ErrorCode()))}, position(loc)}})
		}
	}
	slices.SortStableFunc(order, func(a, b *segErrs) int { return a.pos - b.pos })
	for _, s := range order {
		ucs := &Segment{Tag: "UCS", Elements: []Element{{strconv.Itoa(s.pos)}}}
		if s.code != 0 {
			ucs.Elements = append(ucs.Elements, Element{strconv.Itoa(int(s.code))})
		}
		body = append(body, ucs)
		body = append(body, s.ucd...)
	}
	return body
}

// String summarises the CONTRL for logs: "CONTRL for interchange 12: accepted".
func (c *Contrl) String() string {
	if len(c.Body) == 0 {
		return "CONTRL (empty)"
	}
	uci := c.Body[0]
	a, _ := atoi(uci.Value(3))
	return fmt.Sprintf("CONTRL for interchange %s: %s", uci.Value(0), Action(a))
}
