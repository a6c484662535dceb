package edipartner

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
)

// Results gathers what one inbound file gave, unit by unit (an X12
// transaction set, an EDIFACT message): its documents, or its rejection.
// Every error and warning is prefixed with the file's name, so the
// operator reading an exception or a timeline knows where to look.
type Results struct {
	File   string
	parsed connector.Parsed
}

// Refuse is the error of a file that cannot be used at all (no envelope,
// an interchange from another partner): permanent, naming the file. The
// engine dead-letters the raw file, and nothing of it is acknowledged.
func (r *Results) Refuse(err error) error {
	return fault.Permanent(fmt.Errorf("%s: %w", r.File, err))
}

// CheckInterchanges refuses the whole file (Refuse) when it holds no
// interchange (what names the syntax's: "X12 interchange (ISA)") or when
// check refuses one of them: an interchange from another partner, or one
// whose envelope proves it incomplete, must not be half processed.
func CheckInterchanges[I any](r *Results, ics []I, what string, check func(I) error) error {
	if len(ics) == 0 {
		return r.Refuse(fmt.Errorf("no %s found", what))
	}
	for _, ic := range ics {
		if err := check(ic); err != nil {
			return r.Refuse(err)
		}
	}
	return nil
}

// Reject records a unit that yields no document, with every error that
// keeps it from doing so; the partner learns of it through the
// acknowledgement, the operator through an exception.
func (r *Results) Reject(id, typ string, errs []string) {
	rj := connector.RejectedDoc{ID: id, Type: typ}
	for _, e := range errs {
		rj.Errors = append(rj.Errors, r.File+": "+e)
	}
	r.parsed.Rejected = append(r.parsed.Rejected, rj)
}

// Accept records a unit's documents, each carrying the warnings of what
// was tolerated in the unit.
func (r *Results) Accept(docs []connector.InboundDoc, warnings []string) {
	for _, d := range docs {
		for _, w := range warnings {
			d.Warnings = append(d.Warnings, r.File+": "+w)
		}
		r.parsed.Docs = append(r.parsed.Docs, d)
	}
}

// Finish returns the results with the acknowledgements answering the
// file, or the error of rendering them (a store down while numbering
// them: retried).
func (r *Results) Finish(replies []connector.Reply, err error) (*connector.Parsed, error) {
	if err != nil {
		return nil, err
	}
	out := r.parsed
	out.Replies = replies
	return &out, nil
}

// ShipNotices are the documents of one ship notice unit (an 856, a
// DESADV), which may ship several purchase orders: one InboundDoc per
// order, its id the unit's plus ":" and the PO number when there are
// several, so each stays stable and distinct.
func ShipNotices(id string, notices []*model.ShipNotice) []connector.InboundDoc {
	docs := make([]connector.InboundDoc, 0, len(notices))
	for _, sn := range notices {
		d := connector.InboundDoc{ID: id, PONumber: sn.PONumber, ShipNotice: sn}
		if len(notices) > 1 {
			d.ID += ":" + sn.PONumber
		}
		docs = append(docs, d)
	}
	return docs
}

// DocID is the stable id of an inbound unit, its parts joined by ":"
// (syntax, sender, envelope control numbers, the unit's own). A unit
// whose control number an earlier unit of its envelope used (tolerated,
// or rejected when strict) passes its position (from 1) as repeatedAt,
// which adds "#<position>": without it the engine would take it for a
// redelivery of the first and drop it. 0: the number is unique.
func DocID(repeatedAt int, parts ...string) string {
	id := strings.Join(parts, ":")
	if repeatedAt > 0 {
		id += "#" + strconv.Itoa(repeatedAt)
	}
	return id
}

// Messages lists the text of each error of the lists, in order.
func Messages[E error](lists ...[]E) []string {
	var out []string
	for _, l := range lists {
		for _, e := range l {
			out = append(out, e.Error())
		}
	}
	return out
}
