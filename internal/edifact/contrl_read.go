package edifact

import (
	"fmt"
	"strconv"
)

// Response is what a CONTRL says about one level (interchange, group or
// message): the action taken and, for a rejection, the first error.
type Response struct {
	Action    Action
	Code      ErrorCode // 0085, 0 when none was given
	Tag       string    // 0013 service segment tag in error, e.g. "UNT"
	Element   int       // S011/0098, 0 when none was given
	Component int       // S011/0104
}

// Rejected reports whether this level was rejected.
func (r Response) Rejected() bool { return r.Action == ActionRejected }

// InterchangeResponse is the UCI: which of our interchanges the partner is
// answering, and what they did with it.
type InterchangeResponse struct {
	Ref       string // 0020, our UNB05
	Sender    Party  // S002 as in our UNB (normally us)
	Recipient Party  // S003 as in our UNB (normally them)
	Response
}

// GroupResponse is a UCF and the messages reported under it.
type GroupResponse struct {
	Ref       string // 0048, our UNG05
	Sender    Party
	Recipient Party
	Response
	Messages []MessageResponse
}

// MessageResponse is a UCM and its segment errors.
type MessageResponse struct {
	Ref string // 0062, our UNH01
	// Type, Version, Release, Agency and Association are S009 as echoed.
	Type, Version, Release, Agency, Association string
	Response
	Segments []SegmentError
}

// SegmentError is a UCS and its UCDs.
type SegmentError struct {
	Position int       // 0096, 1-based segment position in the message (UNH is 1)
	Code     ErrorCode // 0, when only element errors are given
	Elements []ElementError
}

// ElementError is a UCD.
type ElementError struct {
	Code      ErrorCode
	Element   int // 1-based data element position
	Component int // 1-based component position, 0 for the whole element
}

// ContrlReport is an inbound CONTRL, read: the partner's verdict on one of
// our interchanges and, when they said more, on its groups and messages.
type ContrlReport struct {
	Interchange InterchangeResponse
	Groups      []GroupResponse   // when our interchange had functional groups
	Messages    []MessageResponse // when it did not
}

// MessageAction returns the partner's verdict on our message ref: its UCM
// when there is one, otherwise what the UCI (or its UCF) implies — action 7
// covers every message not explicitly rejected, 4 rejects them all.
func (r *ContrlReport) MessageAction(ref string) Action {
	for _, m := range r.Messages {
		if m.Ref == ref {
			return m.Action
		}
	}
	for _, g := range r.Groups {
		for _, m := range g.Messages {
			if m.Ref == ref {
				return m.Action
			}
		}
	}
	return r.Interchange.Action
}

// Rejected returns the messages the partner explicitly rejected.
func (r *ContrlReport) Rejected() []MessageResponse {
	var out []MessageResponse
	all := append([]MessageResponse(nil), r.Messages...)
	for _, g := range r.Groups {
		all = append(all, g.Messages...)
	}
	for _, m := range all {
		if m.Rejected() {
			out = append(out, m)
		}
	}
	return out
}

// ReadContrl reads a CONTRL message (with its segments, as NextMessage,
// ReadAll and Parse return it). Problems are *SyntaxError with the position
// of the offending segment.
func ReadContrl(m *Message) (*ContrlReport, error) {
	if m.Header.Type != "CONTRL" {
		return nil, fmt.Errorf("edifact: message %s is %s, not CONTRL", m.Header.Ref, m.Header.Type)
	}
	body := m.Body()
	if len(m.Segments) == 0 {
		return nil, fmt.Errorf("edifact: CONTRL %s was read without its segments", m.Header.Ref)
	}
	cr := contrlReader{m: m}
	if len(body) == 0 || body[0].Tag != "UCI" {
		return nil, cr.fail(m.Segments[0], "the CONTRL does not start with UCI")
	}
	rep := &ContrlReport{}
	uci := body[0]
	rep.Interchange = InterchangeResponse{
		Ref:       uci.Value(0),
		Sender:    partyFrom(uci.element(1)),
		Recipient: partyFrom(uci.element(2)),
	}
	var err error
	if rep.Interchange.Response, err = cr.response(uci, 3); err != nil {
		return nil, err
	}
	var group *GroupResponse
	var msg *MessageResponse
	var seg *SegmentError
	for _, s := range body[1:] {
		switch s.Tag {
		case "UCF":
			if len(rep.Messages) > 0 {
				return nil, cr.fail(s, "UCF after UCM outside groups")
			}
			g := GroupResponse{Ref: s.Value(0), Sender: partyFrom(s.element(1)), Recipient: partyFrom(s.element(2))}
			if g.Response, err = cr.response(s, 3); err != nil {
				return nil, err
			}
			rep.Groups = append(rep.Groups, g)
			group, msg, seg = &rep.Groups[len(rep.Groups)-1], nil, nil
		case "UCM":
			mr := MessageResponse{
				Ref: s.Value(0), Type: s.Component(1, 0), Version: s.Component(1, 1),
				Release: s.Component(1, 2), Agency: s.Component(1, 3), Association: s.Component(1, 4),
			}
			if mr.Response, err = cr.response(s, 2); err != nil {
				return nil, err
			}
			if group != nil {
				group.Messages = append(group.Messages, mr)
				msg = &group.Messages[len(group.Messages)-1]
			} else {
				rep.Messages = append(rep.Messages, mr)
				msg = &rep.Messages[len(rep.Messages)-1]
			}
			seg = nil
		case "UCS":
			if msg == nil {
				return nil, cr.fail(s, "UCS before any UCM")
			}
			pos, ok := atoi(s.Value(0))
			if !ok {
				return nil, cr.fail(s, fmt.Sprintf("segment position %q is not a number", s.Value(0)))
			}
			code, err := cr.code(s, s.Value(1))
			if err != nil {
				return nil, err
			}
			msg.Segments = append(msg.Segments, SegmentError{Position: pos, Code: code})
			seg = &msg.Segments[len(msg.Segments)-1]
		case "UCD":
			if seg == nil {
				return nil, cr.fail(s, "UCD before any UCS")
			}
			code, err := cr.code(s, s.Value(0))
			if err != nil {
				return nil, err
			}
			elem, comp, err := cr.s011(s, s.element(1))
			if err != nil {
				return nil, err
			}
			seg.Elements = append(seg.Elements, ElementError{Code: code, Element: elem, Component: comp})
		default:
			return nil, cr.fail(s, fmt.Sprintf("unexpected segment %s in a CONTRL", s.Tag))
		}
	}
	return rep, nil
}

// contrlReader carries the message being read, for error locations.
type contrlReader struct{ m *Message }

func (cr contrlReader) fail(s *Segment, msg string) error {
	loc := Location{Offset: s.Pos.Offset, Line: s.Pos.Line, Message: cr.m.Header.Ref, Segment: s.Pos.Index, Tag: s.Tag}
	if cr.m.Interchange != nil {
		loc.Interchange = cr.m.Interchange.Header.ControlRef
	}
	if cr.m.Group != nil {
		loc.Group = cr.m.Group.Header.Ref
	}
	return &SyntaxError{Loc: loc, Code: CodeInvalidValue, Msg: msg}
}

// response reads action, error code, tag and S011 starting at element i.
func (cr contrlReader) response(s *Segment, i int) (Response, error) {
	a, ok := atoi(s.Value(i))
	if !ok {
		return Response{}, cr.fail(s, fmt.Sprintf("action code %q is not a number", s.Value(i)))
	}
	r := Response{Action: Action(a), Tag: s.Value(i + 2)}
	var err error
	if r.Code, err = cr.code(s, s.Value(i+1)); err != nil {
		return Response{}, err
	}
	if r.Element, r.Component, err = cr.s011(s, s.element(i+3)); err != nil {
		return Response{}, err
	}
	return r, nil
}

func (cr contrlReader) code(s *Segment, v string) (ErrorCode, error) {
	if v == "" {
		return 0, nil
	}
	n, ok := atoi(v)
	if !ok {
		return 0, cr.fail(s, fmt.Sprintf("syntax error code %q is not a number", v))
	}
	return ErrorCode(n), nil
}

// s011 reads a data element identification: position and component.
func (cr contrlReader) s011(s *Segment, e Element) (elem, comp int, err error) {
	for i, dst := range []*int{&elem, &comp} {
		v := e.Value(i)
		if v == "" {
			continue
		}
		n, ok := atoi(v)
		if !ok {
			return 0, 0, cr.fail(s, "data element position "+strconv.Quote(v)+" is not a number")
		}
		*dst = n
	}
	return elem, comp, nil
}
