package edifact

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/edifact"
	"github.com/dropgate/dropgate/internal/edipartner"
)

// syntaxErrors names the 0085 syntax error codes (code list 0085, ISO
// 9735) a CONTRL may carry, for FunctionalAck error texts.
var syntaxErrors = map[edifact.ErrorCode]string{
	2: "syntax version or level not supported", 7: "interchange recipient not actual recipient",
	12: "invalid value", 13: "missing", 14: "value not supported in this position",
	15: "not supported in this position", 16: "too many constituents", 17: "no agreement",
	18: "unspecified error", 20: "character invalid as service character", 21: "invalid character(s)",
	22: "invalid service character(s)", 23: "unknown interchange sender", 24: "too old",
	25: "test indicator not supported", 26: "duplicate detected", 28: "references do not match",
	29: "control count does not match number of instances received", 30: "functional groups and messages mixed",
	32: "lower level empty", 33: "invalid occurrence outside message, package or group",
	35: "too many repetitions", 36: "too many segment group repetitions", 37: "invalid type of character(s)",
	39: "data element too long", 40: "data element too short",
}

// mapContrl reads an inbound CONTRL, the partner's verdict on one of our
// interchanges (edifact.ReadContrl). InterchangeControl is UCI 0020, our
// UNB 0020 as SendPO recorded it (RefInterchange). Status is the UCI
// action (0083) as sent: 7 accepted, 8 received, 4 rejected. Accepted
// holds when the interchange is accepted or received and no group or
// message is rejected. Each UCM is a set, with its UCS/UCD errors.
func (m *mapper) mapContrl() *model.FunctionalAck {
	rep, err := edifact.ReadContrl(m.msg)
	if err != nil {
		var se *edifact.SyntaxError
		if errors.As(err, &se) {
			m.msg.Errors = append(m.msg.Errors, se)
		} else {
			m.fail(nil, whole, whole, codeInvalidValue, "%v", err)
		}
		return nil
	}
	uci := rep.Interchange
	fa := &model.FunctionalAck{
		Supplier: m.supplier, Kind: "CONTRL", InterchangeControl: uci.Ref,
		Status: strconv.Itoa(int(uci.Action)), Accepted: uci.Action == edifact.ActionAccepted || uci.Action == edifact.ActionReceived,
	}
	if e := responseError("interchange "+uci.Ref, uci.Response); e != "" {
		fa.Errors = append(fa.Errors, e)
	}
	msgs := rep.Messages
	for _, g := range rep.Groups {
		if fa.GroupControl == "" {
			fa.GroupControl = g.Ref
		}
		if g.Rejected() {
			fa.Accepted = false
		}
		if e := responseError("group "+g.Ref, g.Response); e != "" {
			fa.Errors = append(fa.Errors, e)
		}
		msgs = append(msgs, g.Messages...)
	}
	for _, mr := range msgs {
		out := model.SetAckOutcome{ControlNumber: mr.Ref, Accepted: !mr.Rejected()}
		if e := responseError("message "+mr.Ref, mr.Response); e != "" {
			out.Errors = append(out.Errors, e)
		}
		for _, s := range mr.Segments {
			if s.Code != 0 {
				out.Errors = append(out.Errors, fmt.Sprintf("segment %d: %s", s.Position, codeText(s.Code)))
			}
			for _, e := range s.Elements {
				where := fmt.Sprintf("segment %d element %d", s.Position, e.Element)
				if e.Component > 0 {
					where += fmt.Sprintf(" component %d", e.Component)
				}
				out.Errors = append(out.Errors, where+": "+codeText(e.Code))
			}
		}
		if !out.Accepted {
			fa.Accepted = false
		}
		fa.Sets = append(fa.Sets, out)
	}
	return fa
}

// responseError describes the error of a UCI, UCF or UCM, or "".
func responseError(what string, r edifact.Response) string {
	if r.Code == 0 {
		return ""
	}
	s := what + ": " + codeText(r.Code)
	if r.Tag != "" {
		s += " in " + r.Tag
		if r.Element > 0 {
			s += fmt.Sprintf(" element %d", r.Element)
			if r.Component > 0 {
				s += fmt.Sprintf(" component %d", r.Component)
			}
		}
	}
	return s
}

func codeText(c edifact.ErrorCode) string {
	if t, ok := syntaxErrors[c]; ok {
		return fmt.Sprintf("error %d (%s)", c, t)
	}
	return fmt.Sprintf("error %d", c)
}

// acknowledge renders the CONTRL answering each inbound interchange,
// per partner.contrl: every interchange (send), those whose UNB 0031 asks
// for one (requested), or none. An interchange holding only CONTRL
// messages is never answered (edifact.ErrContrlForContrl): acknowledging
// an acknowledgement would loop.
//
// The CONTRL's control reference comes from the partner's interchange
// counter, allocated once per inbound interchange (its sender and UNB
// 0020): parsing the same file again renders the same reference and
// never burns a new one. Failing to allocate one is returned as is (the
// store is down: retry). Each CONTRL is named after the inbound file and
// the interchange it answers (desadv-0042.77.contrl.edi), so a re-parse
// rewrites the same file.
func (c *Connector) acknowledge(ctx context.Context, name string, ics []*edifact.Interchange) ([]connector.Reply, error) {
	p := &c.cfg.Partner
	policy := p.contrl()
	if policy == contrlNone {
		return nil, nil
	}
	var replies []connector.Reply
	for _, ic := range ics {
		h := ic.Header
		if policy == contrlRequested && h.AckRequest != "1" {
			continue
		}
		if onlyContrl(ic) {
			continue
		}
		sender := edipartner.Party{Qualifier: h.Sender.Qualifier, ID: h.Sender.ID}
		ctrl, err := edipartner.Control(ctx, c.env.Counters, edipartner.ReplyKey("contrl", sender, h.ControlRef))
		if err != nil {
			return nil, fmt.Errorf("%s: control reference for the CONTRL of interchange %s: %w", name, h.ControlRef, err)
		}
		ct, err := edifact.BuildContrl(ic, edifact.ContrlOptions{ControlRef: strconv.FormatInt(ctrl, 10), Prepared: c.env.Clock.Now().In(c.loc)})
		if errors.Is(err, edifact.ErrContrlForContrl) {
			continue
		}
		var buf bytes.Buffer
		if err == nil {
			// Our delimiters, as in our ORDERS. The CONTRL carries only
			// codes and the references of the partner's own UNB and UNH,
			// in the partner's syntax: transliteration never changes a
			// value, and a reference is no reason to withhold the answer.
			err = ct.Encode(&buf, edifact.WriterOptions{Delimiters: p.Delimiters.edifact(), UNA: p.UNA, LineEnding: p.lineEnding(), Policy: edifact.Transliterate})
		}
		if err != nil {
			return nil, fault.Permanent(fmt.Errorf("%s: CONTRL for interchange %s: %w", name, h.ControlRef, err))
		}
		replies = append(replies, connector.Reply{Name: names.Reply(name, h.ControlRef, "contrl"), Data: buf.Bytes()})
	}
	return replies, nil
}

// onlyContrl reports an interchange whose messages are all CONTRL.
func onlyContrl(ic *edifact.Interchange) bool {
	msgs := ic.AllMessages()
	for _, m := range msgs {
		if m.Header.Type != "CONTRL" {
			return false
		}
	}
	return len(msgs) > 0
}
