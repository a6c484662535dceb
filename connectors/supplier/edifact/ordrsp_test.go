package edifact

import (
	"reflect"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

func m(v money.Money) *money.Money { return &v }

// ordrsp wraps a header and lines into an ORDRSP answering PO123.
func ordrsp(bgm string, lines ...string) []string {
	body := []string{bgm, "DTM+137:20261122:102", "RFF+ON:PO123", "RFF+VN:SO-77", "CUX+2:EUR:9"}
	return append(body, lines...)
}

func TestORDRSP(t *testing.T) {
	shipDate := date(2026, 11, 25)
	for _, tc := range []struct {
		name string
		body []string
		want model.POAck
	}{
		{
			name: "accepted without lines",
			body: ordrsp("BGM+231+R1+29"),
			want: model.POAck{Status: "accepted", Lines: []model.AckLine{}},
		},
		{
			name: "accepted line by line",
			body: ordrsp("BGM+231+R1+29",
				"LIN+1+5+4006381333931:EN", "PIA+5+ACM-MUG:SA", "QTY+21:2", "PRI+AAA:4.20",
				"LIN+2+5", "PIA+1+TEE-WHT-M:IN", "QTY+21:1"),
			want: model.POAck{Status: "accepted", Lines: []model.AckLine{
				{LineNo: 1, GTIN: "4006381333931", SupplierSKU: "ACM-MUG", Status: model.AckAccepted, Quantity: 2, UnitCost: m(eur("4.20")), ReasonCode: "5", Reason: "accepted without amendment"},
				{LineNo: 2, SKU: "TEE-WHT-M", Status: model.AckAccepted, Quantity: 1, ReasonCode: "5", Reason: "accepted without amendment"},
			}},
		},
		{
			name: "quantity, price and date changed",
			body: ordrsp("BGM+231+R1+4",
				"LIN+1+3", "QTY+21:2", "QTY+113:1", "DTM+69:20261127:102", "DTM+11:20261125:102", "PRI+AAA:4,35", "FTX+ACD+++only one left",
				"LIN+2+5", "QTY+21:1"),
			want: model.POAck{Status: "accepted_with_changes", Lines: []model.AckLine{
				{LineNo: 1, Status: model.AckChanged, Quantity: 1, UnitCost: m(eur("4.35")), ShipDate: &shipDate, ReasonCode: "3", Reason: "changed; only one left"},
				{LineNo: 2, Status: model.AckAccepted, Quantity: 1, ReasonCode: "5", Reason: "accepted without amendment"},
			}},
		},
		{
			name: "a line not accepted",
			body: ordrsp("BGM+231+R1+29",
				"LIN+1+7", "QTY+21:2", "FTX+ACD+++discontinued",
				"LIN+2+5", "QTY+21:1"),
			want: model.POAck{Status: "accepted_with_changes", Lines: []model.AckLine{
				{LineNo: 1, Status: model.AckRejected, Quantity: 2, ReasonCode: "7", Reason: "not accepted; discontinued"},
				{LineNo: 2, Status: model.AckAccepted, Quantity: 1, ReasonCode: "5", Reason: "accepted without amendment"},
			}},
		},
		{
			name: "backorder: part and whole",
			body: ordrsp("BGM+231+R1+30",
				"LIN+1+6", "QTY+21:5", "QTY+83:3", "DTM+11:20261125:102",
				"LIN+2+6", "QTY+21:1", "QTY+83:1"),
			want: model.POAck{Status: "accepted_with_changes", Lines: []model.AckLine{
				{LineNo: 1, Status: model.AckChanged, Quantity: 5, ShipDate: &shipDate, ReasonCode: "6", Reason: "accepted with amendment", SplitAnswers: []model.AckLine{
					{LineNo: 1, Status: model.AckAccepted, Quantity: 2, ShipDate: &shipDate, ReasonCode: "6", Reason: "accepted with amendment"},
					{LineNo: 1, Status: model.AckBackordered, Quantity: 3, ShipDate: &shipDate, ReasonCode: "6", Reason: "accepted with amendment"},
				}},
				{LineNo: 2, Status: model.AckBackordered, Quantity: 1, ReasonCode: "6", Reason: "accepted with amendment"},
			}},
		},
		{
			name: "whole order not accepted",
			body: ordrsp("BGM+231+R1+27", "FTX+AAO+++customer address unknown", "FTX+AAO+++call us"),
			want: model.POAck{Status: "rejected", Reason: "customer address unknown; call us", Lines: []model.AckLine{}},
		},
		{
			name: "whole order rejected by response type, lines follow",
			body: ordrsp("BGM+231+R1+9+RE", "LIN+1", "QTY+21:2"),
			want: model.POAck{Status: "rejected", Lines: []model.AckLine{{LineNo: 1, Status: model.AckRejected, Quantity: 2}}},
		},
		{
			name: "every line not accepted rejects the order",
			body: ordrsp("BGM+231+R1+29", "LIN+1+7", "LIN+2+2"),
			want: model.POAck{Status: "rejected", Lines: []model.AckLine{
				{LineNo: 1, Status: model.AckRejected, ReasonCode: "7", Reason: "not accepted"},
				{LineNo: 2, Status: model.AckRejected, ReasonCode: "2", Reason: "deleted"},
			}},
		},
		{
			name: "cancellation accepted",
			body: ordrsp("BGM+231+R2+1+AP"),
			want: model.POAck{Status: "accepted", CancelResponse: "accepted", Lines: []model.AckLine{}},
		},
		{
			name: "cancellation refused",
			body: ordrsp("BGM+231+R2+1+RE", "FTX+AAO+++already shipped"),
			want: model.POAck{Status: "rejected", CancelResponse: "rejected", Reason: "already shipped", Lines: []model.AckLine{}},
		},
		{
			name: "cancellation refused line by line",
			body: ordrsp("BGM+231+R2+1", "LIN+1+7", "LIN+2+7"),
			want: model.POAck{Status: "rejected", CancelResponse: "rejected", Lines: []model.AckLine{
				{LineNo: 1, Status: model.AckRejected, ReasonCode: "7", Reason: "not accepted"},
				{LineNo: 2, Status: model.AckRejected, ReasonCode: "7", Reason: "not accepted"},
			}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, nil, nil)
			doc := oneDoc(t, r.c, inbound(env{ref: "41"}, msg{"ORDRSP", tc.body}))
			if doc.ID != "edifact:"+theirGLN+":41:1" || doc.PONumber != "PO123" || doc.POAck == nil {
				t.Fatalf("doc = %+v", doc)
			}
			want := tc.want
			want.PONumber, want.Supplier, want.SupplierID, want.Date = "PO123", "acme", "SO-77", date(2026, 11, 22)
			if got := *doc.POAck; !reflect.DeepEqual(got, want) {
				t.Errorf("POAck\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestORDRSPErrors: content errors reject the message, are listed with
// their location and reach the CONTRL as UCS and UCD; the other messages
// of the file still give their documents.
func TestORDRSPErrors(t *testing.T) {
	r := newRig(t, nil, nil)
	data := inbound(env{ref: "42"},
		msg{"ORDRSP", []string{"BGM+231+R1+99", "DTM+137:20261199:102", "LIN+1+42", "QTY+21:2.5", "PRI+AAA:4.205"}},
		msg{"ORDRSP", ordrsp("BGM+231+R2+29")},
	)
	got := parse(t, r.c, "bad.edi", data)
	if len(got.Docs) != 1 || got.Docs[0].ID != "edifact:"+theirGLN+":42:2" {
		t.Fatalf("docs = %+v", got.Docs)
	}
	if len(got.Rejected) != 1 {
		t.Fatalf("rejected = %+v", got.Rejected)
	}
	rj := got.Rejected[0]
	want := []string{
		"bad.edi: line 3, interchange 42 message 1 segment 2 (BGM) element 3: BGM03 \"99\" is not a message function",
		"segment 3 (DTM) element 1 component 2: DTM01-2 \"20261199\" is not a date in format 102",
		"segment 4 (LIN) element 2: LIN02 \"42\" is not a line action",
		"segment 5 (QTY) element 1 component 2: QTY01-2 2.5 is not a whole number of units",
		"segment 6 (PRI) element 1 component 2: PRI01-2: money: 4.205 EUR: more precision than the currency's 2 decimals",
		"no RFF segment: an ORDRSP names our purchase order in RFF+ON",
	}
	if rj.ID != "edifact:"+theirGLN+":42:1" || rj.Type != "ORDRSP" || len(rj.Errors) != len(want) {
		t.Fatalf("rejected = %+v", rj)
	}
	for i, w := range want {
		if !strings.Contains(rj.Errors[i], w) {
			t.Errorf("error %d:\n got %s\nwant it to contain %s", i, rj.Errors[i], w)
		}
	}
	golden(t, "ordrsp_errors.contrl.edi", got.Replies[0].Data)
	_, rep := contrlOf(t, got)
	if rep.Interchange.Ref != "42" || rep.Interchange.Action != 7 || len(rep.Messages) != 2 {
		t.Fatalf("CONTRL = %+v", rep)
	}
	m1, m2 := rep.Messages[0], rep.Messages[1]
	if m1.Ref != "1" || m1.Action != 4 || m2.Ref != "2" || m2.Action != 7 {
		t.Errorf("UCM = %+v / %+v", m1, m2)
	}
	type ucd struct{ pos, code, elem, comp int }
	var gotUCD []ucd
	for _, s := range m1.Segments {
		if s.Code != 0 {
			gotUCD = append(gotUCD, ucd{s.Position, int(s.Code), 0, 0})
		}
		for _, e := range s.Elements {
			gotUCD = append(gotUCD, ucd{s.Position, int(e.Code), e.Element, e.Component})
		}
	}
	wantUCD := []ucd{{2, 14, 3, 0}, {3, 12, 1, 2}, {4, 14, 2, 0}, {5, 12, 1, 2}, {6, 12, 1, 2}, {7, 13, 0, 0}}
	if !reflect.DeepEqual(gotUCD, wantUCD) {
		t.Errorf("UCS/UCD = %v, want %v", gotUCD, wantUCD)
	}
}
