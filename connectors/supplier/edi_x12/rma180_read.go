package edi_x12

import (
	"strings"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/x12"
)

// rdrAnswers maps RDR03 (the response to the reason for return) of an
// answering 180 to the partner's decision. The codes are the ones this
// connector's partners agree on (see README, "Return answers"): the X12
// code list of the element is not checked here.
var rdrAnswers = map[string]bool{"A": true, "AC": true, "R": false, "RJ": false}

// map180 reads the partner's answer to our RMA request (a 180 whose BGN01
// is 11, response):
//
//	BGN*11*<their ref>*<date>***<our return id>   BGN06: the request's BGN02
//	RDR*CR*<reason>*<A|R>*<text>                   RDR03 the decision, RDR04 why
//	PRF*<PO number>                                the purchase order
//	N9*RZ*<RMA number>                             the authorisation number
//
// Without RDR03 an RMA number authorises; a rejection must say so in
// RDR03. Every problem is recorded on the set with its segment and
// element, so the 997 rejects it and the engine keeps the file.
func (m *mapper) map180() (*connector.ReturnAnswer, string) {
	var (
		bgn, rdr, rz *x12.Segment
		po           string
	)
	for _, seg := range m.set.Segments {
		switch seg.ID {
		case "BGN":
			bgn = seg
		case "RDR":
			rdr = seg
		case "PRF":
			po = m.required(seg, 1, "purchase order number")
		case "N9":
			if seg.Element(1) == "RZ" && rz == nil {
				rz = seg
			}
		}
	}
	if bgn == nil {
		m.missingSegment("BGN", "a 180 starts with BGN")
		return nil, ""
	}
	if p := bgn.Element(1); p != "11" {
		m.elementError(bgn, 1, x12.CodeElementInvalidCode, "BGN01 %q: dropgate reads a 180 only as the answer to its RMA request (11, response)", p)
		return nil, ""
	}
	ans := &connector.ReturnAnswer{Return: m.required(bgn, 6, "the return reference our request carried in BGN02")}
	if po == "" {
		m.missingSegment("PRF", "the answer names the purchase order of the return")
	}
	var rma string
	if rz != nil {
		rma = m.required(rz, 2, "RMA number")
	}
	authorized := rz != nil
	if rdr != nil && rdr.Element(3) != "" {
		v, ok := rdrAnswers[strings.ToUpper(rdr.Element(3))]
		if !ok {
			m.elementError(rdr, 3, x12.CodeElementInvalidCode, "RDR03 %q: want A (authorised) or R (rejected)", rdr.Element(3))
			return nil, ""
		}
		authorized = v
	}
	switch {
	case authorized && rma == "":
		if rz == nil {
			m.missingSegment("N9", "an authorisation carries the RMA number in N9*RZ")
		}
	case !authorized && rdr == nil:
		m.missingSegment("RDR", "an answer without an RMA number must reject in RDR03")
	case !authorized:
		ans.Decision.Reason = rdr.Element(4)
	}
	ans.Decision.Authorized, ans.Decision.RMA = authorized, rma
	if !authorized {
		ans.Decision.RMA = ""
	}
	return ans, po
}
