package edifact

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/edifact"
	"github.com/dropgate/dropgate/internal/edipartner"
)

// ParseDocuments reads an inbound file of any number of interchanges and
// maps every message: ORDRSP → POAck, DESADV → one ShipNotice per purchase
// order, INVOIC → Invoice, INVRPT → inventory levels, CONTRL →
// FunctionalAck. It also renders the CONTRL answering each interchange
// (partner.contrl), never for one of CONTRL messages only.
//
// Three outcomes, by where the problem is:
//   - the file cannot be read (no UNA or UNB, a bad UNA, a syntax
//     identifier or encoding this reader cannot decode, a segment without
//     terminator), or an interchange is not exchanged between this partner
//     and us: a fault.Permanent error naming the file, line, interchange
//     and segment; the engine dead-letters the raw file. No CONTRL.
//   - a message has syntax or content errors (a wrong UNT count, a bad
//     date, a fractional quantity, an unknown code), or its interchange
//     or group has envelope errors: it yields no document, is listed in
//     Rejected with every error, and the CONTRL rejects it with UCM, UCS
//     and UCD. The other messages of the file yield their documents.
//   - everything else yields documents whose ID (sender, UNB 0020, UNH
//     0062) is stable, so a file delivered twice is deduplicated. What the
//     reader tolerated (partner.strict unset) travels with them as
//     warnings.
//
// A syntax only test interchange (UNB 0035 = 2) is answered with its
// CONTRL and nothing else: its sender asked for the syntax check only.
func (c *Connector) ParseDocuments(ctx context.Context, name string, data []byte) (*connector.Parsed, error) {
	r := edifact.NewBytesReader(data)
	r.Strict = c.cfg.Partner.Strict
	res := &edipartner.Results{File: name}
	ics, err := r.ReadAll()
	if f := fatal(err); f != nil {
		return nil, res.Refuse(f)
	}
	if err := edipartner.CheckInterchanges(res, ics, "EDIFACT interchange (UNA or UNB)", c.checkParties); err != nil {
		return nil, err
	}
	for _, ic := range ics {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c.checkTest(ic)
		if ic.Header.SyntaxOnly() {
			continue
		}
		for _, msg := range ic.AllMessages() {
			var docs []connector.InboundDoc
			if len(problems(msg)) == 0 {
				// A message the reader found broken is not mapped: its
				// content cannot be trusted, and the CONTRL rejects it.
				docs = c.mapMessage(msg)
			}
			if errs := problems(msg); len(errs) > 0 {
				res.Reject(docID(msg), msg.Header.Type, edipartner.Messages(errs))
				continue
			}
			res.Accept(docs, edipartner.Messages(warnings(msg)))
		}
	}
	return res.Finish(c.acknowledge(ctx, name, ics))
}

// mapMessage maps one message by its type (UNH S009/0065), recording
// content errors on it.
func (c *Connector) mapMessage(msg *edifact.Message) []connector.InboundDoc {
	m := newMapper(msg, c.env.Name, c.cfg.Partner.currency(), c.loc)
	doc := connector.InboundDoc{ID: docID(msg)}
	switch msg.Header.Type {
	case "ORDRSP":
		doc.POAck = m.mapOrdrsp()
		doc.PONumber = doc.POAck.PONumber
	case "DESADV":
		return edipartner.ShipNotices(doc.ID, m.mapDesadv(c.tracking, c.carriers))
	case "INVOIC":
		doc.Invoice = m.mapInvoic()
		doc.PONumber = doc.Invoice.PONumber
	case "INVRPT":
		doc.Inventory = m.mapInvrpt(c.prepared(msg.Interchange))
	case "CONTRL":
		doc.FuncAck = m.mapContrl()
	default:
		// 0085 17, no agreement: a supplier has no business sending us
		// this message type. Reported on the UCM (UNH S009/0065).
		m.fail(msg.Segments[0], 1, 0, codeNoAgreement, "message type %s is not one this connector reads (ORDRSP, DESADV, INVOIC, INVRPT, CONTRL)", msg.Header.Type)
		return nil
	}
	return []connector.InboundDoc{doc}
}

// problems lists what keeps a message from yielding documents: its own
// errors, its group's and its interchange's (the CONTRL rejects all the
// lower levels of a rejected interchange or group).
func problems(msg *edifact.Message) []edifact.Error {
	var out []edifact.Error
	if ic := msg.Interchange; ic != nil {
		out = append(out, ic.Errors...)
	}
	if g := msg.Group; g != nil {
		out = append(out, g.Errors...)
	}
	return append(out, msg.Errors...)
}

// warnings lists what the reader tolerated in msg and its interchange.
func warnings(msg *edifact.Message) []edifact.Error {
	var out []edifact.Error
	if ic := msg.Interchange; ic != nil {
		out = append(out, ic.Warnings...)
	}
	return append(out, msg.Warnings...)
}

// docID is the stable id of a message: the sender, UNB 0020 and UNH 0062,
// and its position in the interchange when an earlier message used its
// reference (edipartner.DocID).
func docID(msg *edifact.Message) string {
	var sender, ref string
	var at int
	if ic := msg.Interchange; ic != nil {
		sender, ref = ic.Header.Sender.ID, ic.Header.ControlRef
		if repeatedRef(msg) {
			at = slices.Index(ic.AllMessages(), msg) + 1
		}
	}
	return edipartner.DocID(at, "edifact", sender, ref, msg.Header.Ref)
}

// repeatedRef reports a message whose UNH 0062 an earlier message of the
// interchange used.
func repeatedRef(msg *edifact.Message) bool {
	for _, e := range append(slices.Clone(msg.Warnings), msg.Errors...) {
		if e.ErrorCode() == edifact.CodeDuplicate && e.Location().Tag == "UNH" {
			return true
		}
	}
	return false
}

// fatal returns the problem that stopped the reader, if any: input that is
// not EDIFACT, a bad UNA, a syntax identifier or encoding it cannot
// decode, a segment longer than the limit. Problems the reader read past
// are recorded on the interchange, group or message and are not fatal.
func fatal(err error) error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if f := fatal(e); f != nil {
				return f
			}
		}
		return nil
	}
	var se *edifact.SyntaxError
	switch {
	case errors.Is(err, edifact.ErrNotEDIFACT), errors.Is(err, edifact.ErrUnknownSyntax), errors.Is(err, edifact.ErrSegmentTooLong):
		return err
	case errors.As(err, &se):
		if se.Loc.Tag == "UNA" && se.Code == edifact.CodeInvalidServiceChar {
			return err
		}
		return nil
	}
	var e edifact.Error
	if errors.As(err, &e) {
		return nil
	}
	return err // a read error
}

// checkParties refuses an interchange not exchanged between this partner
// and us (edipartner.Parties).
func (c *Connector) checkParties(ic *edifact.Interchange) error {
	p, h := &c.cfg.Partner, ic.Header
	parties := edipartner.Parties{
		Us: edipartner.Party{Qualifier: p.Sender.Qualifier, ID: p.Sender.ID}, UsKey: "partner.sender.id",
		Them: edipartner.Party{Qualifier: p.Recipient.Qualifier, ID: p.Recipient.ID}, ThemKey: "partner.recipient.id",
		Show: party,
	}
	where := fmt.Sprintf("line %d, interchange %s (UNB): ", ic.Pos.Line, h.ControlRef)
	return parties.Check(where, edipartner.Party{Qualifier: h.Sender.Qualifier, ID: h.Sender.ID},
		edipartner.Party{Qualifier: h.Recipient.Qualifier, ID: h.Recipient.ID})
}

// party writes a party as UNB does: id, then ":" and the qualifier.
func party(p edipartner.Party) string {
	if p.Qualifier == "" {
		return p.ID
	}
	return p.ID + ":" + p.Qualifier
}

// checkTest rejects a test interchange (UNB 0035 set) on a production
// profile: test orders must not move real goods. The CONTRL rejects the
// interchange with code 25 (test indicator not supported). A syntax only
// test (2) is answered on any profile: nothing of it is processed.
func (c *Connector) checkTest(ic *edifact.Interchange) {
	if c.cfg.Partner.isTest() || !ic.Header.IsTest() || ic.Header.SyntaxOnly() {
		return
	}
	if slices.ContainsFunc(ic.Errors, func(e edifact.Error) bool { l := e.Location(); return l.Tag == "UNB" && l.Element == 11 }) {
		return // the reader rejected the indicator itself (an echo request, say)
	}
	loc := edifact.Location{Offset: ic.Pos.Offset, Line: ic.Pos.Line, Interchange: ic.Header.ControlRef, Tag: "UNB", Element: 11}
	ic.Errors = append(ic.Errors, &edifact.SyntaxError{Loc: loc, Code: codeTestUnsupported,
		Msg: "test interchange (UNB 0035 = 1) received on a production profile (partner.test: false)"})
}

// prepared is the UNB date and time of preparation in the partner's zone,
// or the zero time.
func (c *Connector) prepared(ic *edifact.Interchange) time.Time {
	if ic == nil {
		return time.Time{}
	}
	t, err := ic.Header.Prepared()
	if err != nil {
		return time.Time{}
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, c.loc)
}
