package email

import (
	"strings"
	"testing"
)

// rmaReply is the supplier's reply to the RMA request of ret_9 for poA,
// threaded under it as mail clients do.
func rmaReply(body string) []byte {
	return reply("Subject: Re: RETURN request ret_9 for purchase order "+poA+
		"\nIn-Reply-To: <ret_9.rma@dropgate.shop.example>\nReferences: <"+poA+"@dropgate.shop.example> <ret_9.rma@dropgate.shop.example>", body)
}

// TestParseRMAReply: a reply threaded under our RMA request answers the
// return: its RMA number authorises it, a refusal rejects it, a reply
// with neither is kept for an operator; a PO reply is untouched.
func TestParseRMAReply(t *testing.T) {
	p := parseWith(t, Replies{}, rmaReply("Hi,\nreturn approved, your RMA number is RMA-58213.\nShip it to our returns desk.\n\n> Please authorise the return"))
	if len(p.Docs) != 1 || len(p.Rejected) != 0 {
		t.Fatalf("docs %+v rejected %+v", p.Docs, p.Rejected)
	}
	d := p.Docs[0]
	if a := d.ReturnAnswer; a == nil || d.PONumber != poA || a.Return != "ret_9" || !a.Decision.Authorized || a.Decision.RMA != "RMA-58213" || d.ID != "email:r1@acme.example" {
		t.Fatalf("doc %+v answer %+v", d, d.ReturnAnswer)
	}

	p = parseWith(t, Replies{}, rmaReply("Sorry, this return is declined: outside our 30-day window.\n"))
	if len(p.Docs) != 1 || p.Docs[0].ReturnAnswer == nil || p.Docs[0].ReturnAnswer.Decision.Authorized ||
		!strings.Contains(p.Docs[0].ReturnAnswer.Decision.Reason, "30-day window") {
		t.Fatalf("refusal: docs %+v rejected %+v", p.Docs, p.Rejected)
	}

	p = parseWith(t, Replies{}, rmaReply("We will look into the RMA request and get back to you.\n"))
	if r := rejectedReason(t, p); !strings.Contains(r, "ret_9") || !strings.Contains(r, "names no RMA number") {
		t.Fatalf("reason %q", r)
	}

	p = parseWith(t, Replies{}, reply("Subject: Re: Purchase order "+poA, "Shipped via UPS.\nTracking: "+ups1+"\n"))
	if len(p.Docs) != 1 || p.Docs[0].ReturnAnswer != nil || p.Docs[0].ShipNotice == nil {
		t.Fatalf("a PO reply: docs %+v", p.Docs)
	}
}
