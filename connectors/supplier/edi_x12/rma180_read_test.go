package edi_x12

import (
	"strings"
	"testing"
)

// TestMap180Answer: the partner's 180 answering our RMA request becomes a
// ReturnAnswer naming our return, its PO and the decision.
func TestMap180Answer(t *testing.T) {
	cases := []struct {
		name, body, rma, reason string
		authorized              bool
	}{
		{"authorised with an RMA number", "BGN*11*ANS-1*20261206***ret_abc\nPRF*PO1\nN9*RZ*RMA-4711", "RMA-4711", "", true},
		{"authorised, RDR03 A", "BGN*11*ANS-1*20261206***ret_abc\nRDR*CR**A\nPRF*PO1\nN9*RZ*RMA-9", "RMA-9", "", true},
		{"rejected with a reason", "BGN*11*ANS-2*20261206***ret_abc\nRDR*CR**R*outside the 30-day window\nPRF*PO1", "", "outside the 30-day window", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newParser(t, nil)
			got := parse(t, c, "rma.x12", interchange(t, "7", 7, group{fid: "AN", sets: []set{{"180", tc.body}}}))
			if len(got.Rejected) > 0 || len(got.Docs) != 1 {
				t.Fatalf("rejected %v docs %d", got.Rejected, len(got.Docs))
			}
			d := got.Docs[0]
			a := d.ReturnAnswer
			if a == nil || d.PONumber != "PO1" || a.Return != "ret_abc" || a.Decision.Authorized != tc.authorized ||
				a.Decision.RMA != tc.rma || a.Decision.Reason != tc.reason {
				t.Fatalf("doc %+v answer %+v", d, a)
			}
			if ack := onlyAck(t, got); ack.Status != "A" {
				t.Errorf("997 = %+v", ack)
			}
		})
	}
}

// TestMap180AnswerErrors: a broken answer yields no document, an error
// naming the segment and element, and a 997 that rejects it.
func TestMap180AnswerErrors(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"our request echoed back", "BGN*00*ret_abc*20261206\nPRF*PO1\nN9*RZ*ret_abc", `BGN01 "00"`},
		{"no return reference", "BGN*11*ANS*20261206\nPRF*PO1\nN9*RZ*RMA-1", "BGN06"},
		{"no purchase order", "BGN*11*ANS*20261206***ret_abc\nN9*RZ*RMA-1", "no PRF segment"},
		{"unknown decision", "BGN*11*ANS*20261206***ret_abc\nRDR*CR**X\nPRF*PO1\nN9*RZ*RMA-1", `RDR03 "X"`},
		{"authorised without a number", "BGN*11*ANS*20261206***ret_abc\nRDR*CR**A\nPRF*PO1", "no N9 segment"},
		{"no decision at all", "BGN*11*ANS*20261206***ret_abc\nPRF*PO1", "no RDR segment"},
		{"empty RMA number", "BGN*11*ANS*20261206***ret_abc\nPRF*PO1\nN9*RZ", "N902"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newParser(t, nil)
			got := parse(t, c, "rma.x12", interchange(t, "7", 7, group{fid: "AN", sets: []set{{"180", tc.body}}}))
			if len(got.Docs) != 0 || len(got.Rejected) != 1 {
				t.Fatalf("docs %+v rejected %v", got.Docs, got.Rejected)
			}
			if e := strings.Join(got.Rejected[0].Errors, "\n"); !strings.Contains(e, tc.want) || !strings.Contains(e, "rma.x12") {
				t.Errorf("errors = %s\nwant %q", e, tc.want)
			}
			if ack := onlyAck(t, got); ack.Status != "R" {
				t.Errorf("997 = %+v", ack)
			}
		})
	}
}
