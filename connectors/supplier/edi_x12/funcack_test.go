package edi_x12

import (
	"reflect"
	"testing"

	"github.com/dropgate/dropgate/core/model"
)

func TestMapFunctionalAcks(t *testing.T) {
	cases := []struct {
		name    string
		version string
		id      string
		body    string
		want    model.FunctionalAck
	}{{
		name: "997 accepting our 850",
		id:   "997",
		body: "AK1*PO*905\nAK2*850*0001\nAK5*A\nAK9*A*1*1*1",
		want: model.FunctionalAck{Supplier: "acme", Kind: "997", InterchangeControl: "905", GroupControl: "905", Accepted: true, Status: "A",
			Sets: []model.SetAckOutcome{{ControlNumber: "0001", Accepted: true}}},
	}, {
		name: "997 accepted with errors noted",
		id:   "997",
		body: "AK1*PO*12\nAK2*850*0001\nAK3*N4*9**8\nAK4*2*156*7*TEXAS\nAK5*E\nAK9*E*1*1*1",
		want: model.FunctionalAck{Supplier: "acme", Kind: "997", InterchangeControl: "12", GroupControl: "12", Accepted: true, Status: "E",
			Sets: []model.SetAckOutcome{{ControlNumber: "0001", Accepted: true, Errors: []string{
				`segment N4 at position 9: segment has data element errors (AK304 8); element 2 (156): invalid code value (AK403 7), value "TEXAS"`}}}},
	}, {
		name:    "999 rejecting our 005010 850",
		version: "005010",
		id:      "999",
		body:    "AK1*PO*000000044*005010\nAK2*850*0001*005010\nIK3*PO1*14*PO1*8\nIK4*4*212*6*4,20\nIK5*R*5\nAK9*R*1*1*0*5",
		want: model.FunctionalAck{Supplier: "acme", Kind: "999", InterchangeControl: "44", GroupControl: "000000044", Accepted: false, Status: "R",
			Errors: []string{"group 000000044: number of included transaction sets does not match actual count (AK905 5)"},
			Sets: []model.SetAckOutcome{{ControlNumber: "0001", Accepted: false, Errors: []string{
				`segment PO1 at position 14 in loop PO1: segment has data element errors (AK304 8); element 4 (212): invalid character in data element (AK403 6), value "4,20"`,
				"set 850 0001: one or more segments in error (AK502 5)"}}}},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, st := newParser(t, func(p *Partner) {
				if tc.version != "" {
					p.Version = tc.version
				}
			})
			got := parse(t, c, "fa.x12", interchange(t, "4", 4, group{fid: "FA", version: tc.version, sets: []set{{tc.id, tc.body}}}))
			if len(got.Rejected) > 0 || len(got.Docs) != 1 {
				t.Fatalf("rejected %v docs %d", got.Rejected, len(got.Docs))
			}
			if fa := got.Docs[0].FuncAck; !reflect.DeepEqual(*fa, tc.want) {
				t.Errorf("ack = %+v\nwant  %+v", *fa, tc.want)
			}
			// Never acknowledge an acknowledgement, nor spend a number on it.
			if len(got.Replies) != 0 || st.calls != 0 {
				t.Errorf("%d replies, %d counter calls", len(got.Replies), st.calls)
			}
		})
	}
	t.Run("broken 997", func(t *testing.T) {
		c, _ := newParser(t, nil)
		got := parse(t, c, "fa.x12", interchange(t, "4", 4, group{fid: "FA", sets: []set{{"997", "AK2*850*0001\nAK5*A"}}}))
		if len(got.Docs) != 0 || len(got.Rejected) != 1 || len(got.Replies) != 0 {
			t.Fatalf("docs %d rejected %+v replies %d", len(got.Docs), got.Rejected, len(got.Replies))
		}
	})
}
