package edi_x12

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/edipartner"
	"github.com/dropgate/dropgate/internal/x12"
)

// pendingDoc is what one transaction set gave, kept until the whole file
// is read: a group's envelope errors are known only at its GE.
type pendingDoc struct {
	set  *x12.Set
	id   string
	docs []connector.InboundDoc
}

// ParseDocuments reads an inbound file of any number of interchanges and
// maps every transaction set: 855 → POAck, 856 → one ShipNotice per
// purchase order, 810 → Invoice, 846 → inventory levels, 180 (answer)
// → ReturnAnswer, 997/999 →
// FunctionalAck. It also renders the 997/999 answering each functional
// group (partner.ack), never for a 997/999 (acknowledging an
// acknowledgement would loop).
//
// Three outcomes, by where the problem is:
//   - the file cannot be read (no ISA, a malformed ISA, data where an
//     envelope must be, an interchange with envelope errors such as a
//     missing IEA, or one not exchanged between us and this partner): a
//     fault.Permanent error naming the file, line and control numbers; the
//     engine dead-letters the raw file. No acknowledgement is produced.
//   - a set has envelope or content errors (a bad date, a fractional
//     quantity, an unknown code): it yields no document, is listed in
//     Rejected with every error, and the 997 rejects it with AK3/AK4.
//     The other sets of the file yield their documents.
//   - everything else yields documents whose ID — sender id, ISA13, GS06,
//     ST02 — is stable, so a file delivered twice is deduplicated.
//
// Acknowledgement control numbers come from the partner's interchange
// counter, allocated once per inbound interchange and group: parsing the
// same file again renders the same numbers. Failing to allocate one is
// returned as is (the store is down: retry).
func (c *Connector) ParseDocuments(ctx context.Context, name string, data []byte) (*connector.Parsed, error) {
	var opts []x12.Option
	if c.cfg.Partner.Strict {
		opts = append(opts, x12.WithStrict())
	}
	r := x12.NewReader(bytes.NewReader(data), opts...)
	res := &edipartner.Results{File: name}
	var (
		ics     []*x12.Interchange
		pending []pendingDoc
	)
	seen := func(ic *x12.Interchange) {
		if ic != nil && (len(ics) == 0 || ics[len(ics)-1] != ic) {
			ics = append(ics, ic)
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		set, err := r.NextSet()
		seen(r.Interchange())
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, res.Refuse(err)
		}
		seen(set.Interchange)
		pending = append(pending, c.mapSet(set))
	}
	if err := edipartner.CheckInterchanges(res, ics, "X12 interchange (ISA)", c.checkInterchange); err != nil {
		return nil, err
	}
	for _, p := range pending {
		if errs := setProblems(p.set); len(errs) > 0 {
			res.Reject(p.id, p.set.Header.ID, errs)
			continue
		}
		res.Accept(p.docs, edipartner.Messages(p.set.Warnings))
	}
	return res.Finish(c.acknowledge(ctx, name, ics))
}

// mapSet maps one set. A set the reader found broken is not mapped: its
// content cannot be trusted, and the 997 already rejects it.
func (c *Connector) mapSet(set *x12.Set) pendingDoc {
	p := pendingDoc{set: set, id: docID(set)}
	if !set.Accepted() {
		return p
	}
	m := newMapper(set, c.env.Name, c.currency, c.loc)
	doc := connector.InboundDoc{ID: p.id}
	switch set.Header.ID {
	case "855":
		doc.POAck = m.map855()
		doc.PONumber = doc.POAck.PONumber
	case "856":
		notices := m.map856(c.asn)
		if len(notices) == 0 && set.Accepted() {
			m.segmentError(set.Segments[0], x12.CodeSegmentMandatoryMissing, "the 856 ships no item and no pack of any purchase order")
		}
		p.docs = edipartner.ShipNotices(p.id, notices)
		return p
	case "810":
		doc.Invoice = m.map810()
		doc.PONumber = doc.Invoice.PONumber
	case "846":
		doc.Inventory = m.map846()
	case "180":
		doc.ReturnAnswer, doc.PONumber = m.map180()
	case x12.Kind997, x12.Kind999:
		doc.FuncAck = m.mapFuncAck()
	default:
		// AK502 1: a supplier has no business sending us this set.
		e := set.Errorf(set.Segments[0], x12.CodeSetNotSupported, "transaction set %s is not one this connector reads (855, 856, 810, 846, 180, 997, 999)", set.Header.ID)
		e.Level = x12.LevelSet
		return p
	}
	p.docs = []connector.InboundDoc{doc}
	return p
}

// docID is the stable id of a set: the sender, ISA13, GS06 and ST02, and
// its position in the group when an earlier set used its ST02
// (edipartner.DocID).
func docID(set *x12.Set) string {
	var sender, isa13, gs06 string
	if ic := set.Interchange; ic != nil {
		sender, isa13 = ic.Header.SenderID, ic.Header.Control
	}
	var at int
	if g := set.Group; g != nil {
		gs06 = g.Header.Control
		if repeatedControl(set) {
			at = slices.Index(g.Sets, set) + 1
		}
	}
	return edipartner.DocID(at, "x12", sender, isa13, gs06, set.Header.Control)
}

// repeatedControl reports a set whose ST02 an earlier set of its group
// used.
func repeatedControl(set *x12.Set) bool {
	for _, list := range [][]*x12.SyntaxError{set.Warnings, set.Errors} {
		for _, e := range list {
			if e.Code == x12.CodeSetControlNotUnique {
				return true
			}
		}
	}
	return false
}

// setProblems lists the errors that keep a set from yielding documents:
// its own, and its group's (the 997 rejects the whole group then).
func setProblems(set *x12.Set) []string {
	if g := set.Group; g != nil {
		return edipartner.Messages(g.Errors, set.Errors)
	}
	return edipartner.Messages(set.Errors)
}

// checkInterchange refuses an interchange with envelope errors (the
// counts and control numbers that prove it complete are wrong: a
// truncated upload must not be half processed) or one not exchanged
// between this partner and us (edipartner.Parties).
func (c *Connector) checkInterchange(ic *x12.Interchange) error {
	h := ic.Header
	if len(ic.Errors) > 0 {
		return fmt.Errorf("interchange %s: %w", h.Control, x12.ErrorList(ic.Errors))
	}
	return c.parties().Check("interchange "+h.Control+" ",
		edipartner.Party{Qualifier: h.SenderQualifier, ID: h.SenderID}, edipartner.Party{Qualifier: h.ReceiverQualifier, ID: h.ReceiverID})
}

// parties are us (ISA05/06) and the partner (ISA07/08).
func (c *Connector) parties() edipartner.Parties {
	p := &c.cfg.Partner
	return edipartner.Parties{
		Us: edipartner.Party{Qualifier: p.SenderQualifier, ID: p.SenderID}, UsKey: "partner.sender_id",
		Them: edipartner.Party{Qualifier: p.ReceiverQualifier, ID: p.ReceiverID}, ThemKey: "partner.receiver_id",
		Show: func(p edipartner.Party) string { return p.Qualifier + "/" + p.ID },
	}
}
