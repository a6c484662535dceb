package edifact

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Party identifies an interchange sender or recipient (UNB S002/S003) or an
// application sender or recipient (UNG S006/S007).
type Party struct {
	ID        string // 0004 / 0010 / 0040 / 0044
	Qualifier string // 0007 partner identification code qualifier, e.g. "14" (GLN)
	// Internal is the third component: the address for (reverse) routing in
	// syntax 3, the internal identification in syntax 4. UNB only.
	Internal string
	// InternalSub is the syntax 4 internal sub-identification. UNB only.
	InternalSub string
}

func partyFrom(e Element) Party {
	return Party{ID: e.Value(0), Qualifier: e.Value(1), Internal: e.Value(2), InternalSub: e.Value(3)}
}

func (p Party) element() Element { return Element{p.ID, p.Qualifier, p.Internal, p.InternalSub} }

// InterchangeHeader is the content of UNB.
type InterchangeHeader struct {
	Syntax        string // S001/0001 syntax identifier, e.g. "UNOC"
	SyntaxVersion string // S001/0002 syntax version number, e.g. "3"
	// CodeListVersion (S001/0080) and Encoding (S001/0133, e.g. "7" for
	// UTF-8) exist from syntax 4 on.
	CodeListVersion string
	Encoding        string
	Sender          Party  // S002
	Recipient       Party  // S003
	Date            string // S004/0017: YYMMDD (syntax 1-3) or CCYYMMDD (syntax 4)
	Time            string // S004/0019: HHMM
	ControlRef      string // 0020 interchange control reference, unique per sender
	// RecipientRef and RecipientRefQualifier are S005, the recipient's
	// reference or password agreed between the partners.
	RecipientRef          string
	RecipientRefQualifier string
	ApplicationRef        string // 0026 application reference, often the message type
	Priority              string // 0029 processing priority code
	AckRequest            string // 0031 "1" when the sender asks for a CONTRL
	AgreementID           string // 0032 interchange agreement identifier
	Test                  string // 0035 "1" for a test interchange
}

// IsTest reports whether the interchange is marked as a test: UNB 0035
// (UNB11) holds any test indicator of code list 0035 — 1 interchange is a
// test, 2 syntax only test, 3 echo request, 4 echo response, 5 service
// provider test (syntax 1 to 3 define 1 only). Anything set there means the
// interchange must not be processed as production.
func (h InterchangeHeader) IsTest() bool { return h.Test != "" }

// SyntaxOnly reports a syntax only test (UNB 0035 = 2): the sender wants
// the CONTRL, not its messages processed.
func (h InterchangeHeader) SyntaxOnly() bool { return h.Test == "2" }

// Prepared returns UNB S004 as a time in UTC. A two-digit year is read in
// the window 1970-2069.
func (h InterchangeHeader) Prepared() (time.Time, error) {
	layout := ""
	switch len(h.Date) {
	case 6:
		layout = "060102"
	case 8:
		layout = "20060102"
	default:
		return time.Time{}, fmt.Errorf("edifact: UNB date %q is neither YYMMDD nor CCYYMMDD", h.Date)
	}
	if len(h.Time) != 4 {
		return time.Time{}, fmt.Errorf("edifact: UNB time %q is not HHMM", h.Time)
	}
	t, err := time.Parse(layout+"1504", h.Date+h.Time)
	if err != nil {
		return time.Time{}, fmt.Errorf("edifact: UNB date/time: %w", err)
	}
	return t, nil
}

// SetPrepared fills Date and Time from t in the form the syntax version
// requires: CCYYMMDD for syntax 4, YYMMDD before. Set SyntaxVersion first.
// The caller supplies t (from its injected clock); the writer never reads the
// wall clock.
func (h *InterchangeHeader) SetPrepared(t time.Time) {
	if h.SyntaxVersion == "4" {
		h.Date = t.Format("20060102")
	} else {
		h.Date = t.Format("060102")
	}
	h.Time = t.Format("1504")
}

func (h InterchangeHeader) elements() []Element {
	return []Element{
		{h.Syntax, h.SyntaxVersion, h.CodeListVersion, h.Encoding},
		h.Sender.element(),
		h.Recipient.element(),
		{h.Date, h.Time},
		{h.ControlRef},
		{h.RecipientRef, h.RecipientRefQualifier},
		{h.ApplicationRef},
		{h.Priority},
		{h.AckRequest},
		{h.AgreementID},
		{h.Test},
	}
}

func interchangeHeaderFrom(s *Segment) InterchangeHeader {
	return InterchangeHeader{
		Syntax:                s.Component(0, 0),
		SyntaxVersion:         s.Component(0, 1),
		CodeListVersion:       s.Component(0, 2),
		Encoding:              s.Component(0, 3),
		Sender:                partyFrom(s.element(1)),
		Recipient:             partyFrom(s.element(2)),
		Date:                  s.Component(3, 0),
		Time:                  s.Component(3, 1),
		ControlRef:            s.Value(4),
		RecipientRef:          s.Component(5, 0),
		RecipientRefQualifier: s.Component(5, 1),
		ApplicationRef:        s.Value(6),
		Priority:              s.Value(7),
		AckRequest:            s.Value(8),
		AgreementID:           s.Value(9),
		Test:                  s.Value(10),
	}
}

// GroupHeader is the content of UNG, the optional functional group header.
type GroupHeader struct {
	ID          string // 0038 message group identification (the message type in syntax 4)
	Sender      Party  // S006 application sender (ID and qualifier)
	Recipient   Party  // S007 application recipient (ID and qualifier)
	Date        string // S004/0017
	Time        string // S004/0019
	Ref         string // 0048 group reference number
	Agency      string // 0051 controlling agency
	Version     string // S008/0052 message version
	Release     string // S008/0054 message release
	Association string // S008/0057 association assigned code
	Password    string // 0058 application password
}

func (h GroupHeader) elements() []Element {
	return []Element{
		{h.ID},
		{h.Sender.ID, h.Sender.Qualifier},
		{h.Recipient.ID, h.Recipient.Qualifier},
		{h.Date, h.Time},
		{h.Ref},
		{h.Agency},
		{h.Version, h.Release, h.Association},
		{h.Password},
	}
}

func groupHeaderFrom(s *Segment) GroupHeader {
	return GroupHeader{
		ID:          s.Value(0),
		Sender:      Party{ID: s.Component(1, 0), Qualifier: s.Component(1, 1)},
		Recipient:   Party{ID: s.Component(2, 0), Qualifier: s.Component(2, 1)},
		Date:        s.Component(3, 0),
		Time:        s.Component(3, 1),
		Ref:         s.Value(4),
		Agency:      s.Value(5),
		Version:     s.Component(6, 0),
		Release:     s.Component(6, 1),
		Association: s.Component(6, 2),
		Password:    s.Value(7),
	}
}

// MessageHeader is the content of UNH.
type MessageHeader struct {
	Ref         string // 0062 message reference number, unique in the interchange
	Type        string // S009/0065, e.g. "ORDERS"
	Version     string // S009/0052, e.g. "D"
	Release     string // S009/0054, e.g. "96A"
	Agency      string // S009/0051, e.g. "UN"
	Association string // S009/0057, e.g. "EAN008"
	AccessRef   string // 0068 common access reference
}

// Identifier renders S009 as written: "ORDERS:D:96A:UN:EAN008".
func (h MessageHeader) Identifier() string {
	s := h.Type + ":" + h.Version + ":" + h.Release + ":" + h.Agency
	if h.Association != "" {
		s += ":" + h.Association
	}
	return s
}

func (h MessageHeader) elements() []Element {
	return []Element{
		{h.Ref},
		{h.Type, h.Version, h.Release, h.Agency, h.Association},
		{h.AccessRef},
	}
}

func messageHeaderFrom(s *Segment) MessageHeader {
	return MessageHeader{
		Ref:         s.Value(0),
		Type:        s.Component(1, 0),
		Version:     s.Component(1, 1),
		Release:     s.Component(1, 2),
		Agency:      s.Component(1, 3),
		Association: s.Component(1, 4),
		AccessRef:   s.Value(2),
	}
}

// Interchange is one UNB..UNZ envelope.
//
// When read with Reader.Next, only the header, counts and errors are kept;
// ReadAll and Parse also fill Groups and Messages.
type Interchange struct {
	Header     InterchangeHeader
	Delimiters Delimiters
	UNA        bool       // a UNA service string advice preceded UNB
	Groups     []*Group   // functional groups, when the interchange uses UNG
	Messages   []*Message // messages directly under UNB, when it does not
	// GroupCount and MessageCount are what the reader counted, groups and
	// messages directly under UNB: the numbers UNZ01 is checked against.
	GroupCount   int
	MessageCount int
	Trailer      *Segment // UNZ; nil when missing
	Errors       []Error  // problems with UNA, UNB, UNZ and the envelope structure
	// Warnings are defects of UNA, UNB and UNZ the reader tolerated (see
	// Reader.Strict): the interchange stays accepted, and its CONTRL UCI
	// reports the first one with action 7.
	Warnings []Error
	Pos      Position // of UNB
}

// AllMessages returns the messages of the interchange whether or not they
// are in functional groups, in input order.
func (ic *Interchange) AllMessages() []*Message {
	if len(ic.Groups) == 0 {
		return ic.Messages
	}
	all := slices.Clone(ic.Messages) // bare messages, in an interchange that mixes (an error)
	for _, g := range ic.Groups {
		all = append(all, g.Messages...)
	}
	if len(ic.Messages) > 0 {
		slices.SortStableFunc(all, func(a, b *Message) int { return cmp.Compare(a.Pos.Offset, b.Pos.Offset) })
	}
	return all
}

// AllWarnings returns what the reader tolerated in the interchange and its
// messages, in input order.
func (ic *Interchange) AllWarnings() []Error {
	all := slices.Clone(ic.Warnings)
	for _, m := range ic.AllMessages() {
		all = append(all, m.Warnings...)
	}
	slices.SortStableFunc(all, func(a, b Error) int { return cmp.Compare(a.Location().Offset, b.Location().Offset) })
	return all
}

// Err joins every problem of the interchange, its groups and its messages,
// in input order, or returns nil when it is clean.
func (ic *Interchange) Err() error {
	// Inner levels first, so that at one offset (a trailer implied by the
	// end of input) the message's problem precedes the interchange's.
	var all []Error
	for _, g := range ic.Groups {
		for _, m := range g.Messages {
			all = append(all, m.Errors...)
		}
		all = append(all, g.Errors...)
	}
	for _, m := range ic.Messages {
		all = append(all, m.Errors...)
	}
	all = append(all, ic.Errors...)
	return joinByOffset(all)
}

func joinByOffset(all []Error) error {
	if len(all) == 0 {
		return nil
	}
	slices.SortStableFunc(all, func(a, b Error) int {
		return cmp.Compare(a.Location().Offset, b.Location().Offset)
	})
	errs := make([]error, len(all))
	for i, e := range all {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// Group is one UNG..UNE functional group.
type Group struct {
	Header       GroupHeader
	Messages     []*Message   // filled by ReadAll and Parse
	MessageCount int          // messages counted, what UNE01 is checked against
	Trailer      *Segment     // UNE; nil when missing
	Errors       []Error      // problems with UNG and UNE
	Pos          Position     // of UNG
	Interchange  *Interchange `json:"-"`
}

// Message is one UNH..UNT message.
type Message struct {
	Header MessageHeader
	// Segments are UNH..UNT inclusive, so Segments[i].Pos.Index == i+1.
	// Filled by NextMessage, ReadAll and Parse unless
	// Reader.DiscardSegments is set.
	Segments []*Segment
	// SegmentCount is the number of segments read, UNH and UNT included:
	// what UNT01 is checked against.
	SegmentCount int
	Trailer      *Segment // UNT; nil when missing
	// Errors are the problems found in this message, with positions, for
	// the CONTRL's UCM, UCS and UCD segments.
	Errors []Error
	// Warnings are defects the reader tolerated (see Reader.Strict): the
	// message stays accepted, and its UCM reports the first one with
	// action 7.
	Warnings    []Error
	Pos         Position     // of UNH
	Interchange *Interchange `json:"-"`
	Group       *Group       `json:"-"` // nil when the interchange has no groups
}

// Body returns the segments between UNH and UNT.
func (m *Message) Body() []*Segment {
	s := m.Segments
	if len(s) > 0 && s[0].Tag == "UNH" {
		s = s[1:]
	}
	if len(s) > 0 && s[len(s)-1].Tag == "UNT" {
		s = s[:len(s)-1]
	}
	return s
}

// Find returns the body segments with the given tag, in order.
func (m *Message) Find(tag string) []*Segment {
	var out []*Segment
	for _, s := range m.Body() {
		if s.Tag == tag {
			out = append(out, s)
		}
	}
	return out
}

// First returns the first body segment with the given tag, or nil.
func (m *Message) First(tag string) *Segment {
	for _, s := range m.Body() {
		if s.Tag == tag {
			return s
		}
	}
	return nil
}

// Err joins the message's problems, or returns nil when it is clean.
func (m *Message) Err() error { return joinByOffset(slices.Clone(m.Errors)) }

// element returns element i or nil.
func (s *Segment) element(i int) Element {
	if i < 0 || i >= len(s.Elements) {
		return nil
	}
	return s.Elements[i]
}

// atoi reads a control count; ok is false for anything but plain digits.
func atoi(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || s[0] == '+' || s[0] == '-' {
		return 0, false
	}
	return n, true
}
