package edi_x12

import (
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
)

// line is the expected summary of an AckLine.
type line struct {
	no     int
	status model.AckLineStatus
	qty    int64
	code   string
	cost   int64  // minor units; 0: no unit cost
	ship   string // 20060102; "": none
	sku    string // supplier SKU
	splits int
}

func checkLines(t *testing.T, got []model.AckLine, want []line) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.LineNo != w.no || g.Status != w.status || g.Quantity != w.qty || g.ReasonCode != w.code || len(g.SplitAnswers) != w.splits {
			t.Errorf("line %d = %+v, want %+v", i+1, g, w)
		}
		if w.sku != "" && g.SupplierSKU != w.sku {
			t.Errorf("line %d supplier SKU %q, want %q", i+1, g.SupplierSKU, w.sku)
		}
		switch {
		case w.cost == 0 && g.UnitCost != nil:
			t.Errorf("line %d unit cost %v, want none", i+1, g.UnitCost)
		case w.cost != 0 && (g.UnitCost == nil || g.UnitCost.Amount != w.cost):
			t.Errorf("line %d unit cost %v, want %d", i+1, g.UnitCost, w.cost)
		}
		switch {
		case w.ship == "" && g.ShipDate != nil:
			t.Errorf("line %d ship date %v, want none", i+1, g.ShipDate)
		case w.ship != "" && (g.ShipDate == nil || g.ShipDate.Format("20060102") != w.ship):
			t.Errorf("line %d ship date %v, want %s", i+1, g.ShipDate, w.ship)
		}
	}
}

// TestMap855 covers each BAK02 type family and ACK01 code family.
func TestMap855(t *testing.T) {
	const po1 = "PO1*1*2*EA*4.20**VP*ACM-MUG*BP*MUG-BLK\n"
	const po2 = "PO1*2*5*EA*7.80**VP*ACM-TEE*UP*085012340003\n"
	cases := []struct {
		name     string
		body     string
		status   string
		cancel   string
		currency string
		lines    []line
		check    func(t *testing.T, a *model.POAck)
	}{{
		name:   "AD every line accepted, promised ship date",
		body:   "BAK*00*AD*PO1*20261121*****20261122\n" + po1 + "ACK*IA*2*EA*068*20261125\n" + po2 + "ACK*IA*5*EA\nCTT*2",
		status: ackStatusAccepted,
		lines:  []line{{1, model.AckAccepted, 2, "IA", 420, "20261125", "ACM-MUG", 0}, {2, model.AckAccepted, 5, "IA", 780, "", "ACM-TEE", 0}},
		check: func(t *testing.T, a *model.POAck) {
			if !a.Date.Equal(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)) || a.PONumber != "PO1" {
				t.Errorf("BAK09 date %v PO %q", a.Date, a.PONumber)
			}
			if l := a.Lines[0]; l.SKU != "MUG-BLK" || a.Lines[1].GTIN != "085012340003" {
				t.Errorf("ids %+v %+v", l, a.Lines[1])
			}
		},
	}, {
		name:   "AK without detail",
		body:   "BAK*00*AK*PO1*20261121*****20261121\nREF*VN*SO-9912",
		status: ackStatusAccepted,
		lines:  []line{},
		check: func(t *testing.T, a *model.POAck) {
			if a.SupplierID != "SO-9912" || !a.Date.Equal(when.Truncate(24*time.Hour)) {
				t.Errorf("supplier id %q, date %v (BAK09)", a.SupplierID, a.Date)
			}
		},
	}, {
		name: "AC quantity, price and date changes",
		body: "BAK*00*AC*PO1*20261121\n" +
			"PO1*1*2*EA*5.10**VP*ACM-MUG\nACK*IP*2*EA\n" +
			"PO1*2*5*EA*7.80**VP*ACM-TEE\nACK*IQ*3*EA\n" +
			"PO1*3*1*EA*2.00**VP*ACM-CAP\nDTM*068*20261201\nACK*DR*1*EA*079*20261203\n" +
			"PO1*4*1*EA**\nCTP**UCP*3.33\nACK*IC*1*EA",
		status: ackStatusWithChanges,
		lines: []line{
			{1, model.AckChanged, 2, "IP", 510, "", "ACM-MUG", 0},
			{2, model.AckChanged, 3, "IQ", 780, "", "ACM-TEE", 0},
			{3, model.AckChanged, 1, "DR", 200, "20261203", "ACM-CAP", 0},
			{4, model.AckChanged, 1, "IC", 333, "", "", 0},
		},
	}, {
		name:   "AE exceptions only: unmentioned lines are accepted",
		body:   "BAK*00*AE*PO1*20261121\n" + po1 + po2 + "ACK*IB*5*EA*079*20261215\nCTT*2",
		status: ackStatusWithChanges,
		lines:  []line{{1, model.AckAccepted, 2, "", 420, "", "ACM-MUG", 0}, {2, model.AckBackordered, 5, "IB", 780, "20261215", "ACM-TEE", 0}},
	}, {
		name:   "RJ rejects every line",
		body:   "BAK*00*RJ*PO1*20261121\nNTE*GEN*ACCOUNT ON HOLD\n" + po1 + po2,
		status: ackStatusRejected,
		lines:  []line{{1, model.AckRejected, 2, "", 0, "", "ACM-MUG", 0}, {2, model.AckRejected, 5, "", 0, "", "ACM-TEE", 0}},
		check: func(t *testing.T, a *model.POAck) {
			if a.Reason != "ACCOUNT ON HOLD" {
				t.Errorf("reason %q", a.Reason)
			}
		},
	}, {
		name:   "RD with rejection reasons",
		body:   "BAK*00*RD*PO1*20261121\n" + po1 + "ACK*R2*2*EA\n" + po2 + "ACK*IR",
		status: ackStatusRejected,
		lines:  []line{{1, model.AckRejected, 2, "R2", 0, "", "ACM-MUG", 0}, {2, model.AckRejected, 5, "IR", 0, "", "ACM-TEE", 0}},
		check: func(t *testing.T, a *model.POAck) {
			if a.Lines[0].Reason != "item rejected, invalid item product number" {
				t.Errorf("reason %q", a.Lines[0].Reason)
			}
		},
	}, {
		name:   "AD with every line rejected is a rejection",
		body:   "BAK*00*AD*PO1*20261121\n" + po1 + "ACK*ID*2*EA\n" + po2 + "ACK*R4*5*EA",
		status: ackStatusRejected,
		lines:  []line{{1, model.AckRejected, 2, "ID", 0, "", "ACM-MUG", 0}, {2, model.AckRejected, 5, "R4", 0, "", "ACM-TEE", 0}},
	}, {
		name: "split answers on one line",
		body: "BAK*00*AC*PO1*20261121\n" + po2 + "ACK*IA*3*EA*068*20261124\nACK*IB*2*EA*079*20261220\n" +
			"PO1*3*4*EA*1.00**VP*ACM-PEN\nACK*IA*2*EA\nACK*IA*2*EA\n" +
			"PO1*4*6*EA*1.00**VP*ACM-INK\nACK*IA*1*EA\nACK*IR*5*EA",
		status: ackStatusWithChanges,
		lines: []line{
			{2, model.AckChanged, 5, "IB", 780, "20261124", "ACM-TEE", 2},
			{3, model.AckAccepted, 4, "", 100, "", "ACM-PEN", 2},
			{4, model.AckChanged, 6, "IR", 100, "", "ACM-INK", 2},
		},
		check: func(t *testing.T, a *model.POAck) {
			s := a.Lines[0].SplitAnswers
			if s[0].Status != model.AckAccepted || s[0].Quantity != 3 || s[0].ShipDate.Format("0102") != "1124" || s[0].UnitCost.Amount != 780 {
				t.Errorf("split 1 = %+v", s[0])
			}
			if s[1].Status != model.AckBackordered || s[1].Quantity != 2 || s[1].ShipDate.Format("0102") != "1220" {
				t.Errorf("split 2 = %+v", s[1])
			}
			if r := a.Lines[2].SplitAnswers[1]; r.Status != model.AckRejected || r.Quantity != 5 || r.UnitCost != nil {
				t.Errorf("rejected split = %+v", r)
			}
		},
	}, {
		name:   "substitution, hold and partial backorder",
		body:   "BAK*00*AC*PO1*20261121\n" + po1 + "ACK*IS*2*EA*068*20261126**VP*ACM-MUG-V2\n" + po2 + "ACK*IH*5*EA\nPO1*3*4*EA*1.00**VP*ACM-PEN\nACK*BP*1*EA*079*20261230",
		status: ackStatusWithChanges,
		lines: []line{
			{1, model.AckChanged, 2, "IS", 420, "20261126", "ACM-MUG-V2", 0},
			{2, model.AckBackordered, 5, "IH", 780, "", "ACM-TEE", 0},
			{3, model.AckBackordered, 1, "BP", 100, "20261230", "ACM-PEN", 0},
		},
		check: func(t *testing.T, a *model.POAck) {
			if r := a.Lines[0].Reason; r != "item accepted, substitution made (substitute ACM-MUG-V2)" {
				t.Errorf("reason %q", r)
			}
		},
	}, {
		name:     "currency from CUR",
		body:     "BAK*00*AD*PO1*20261121\nCUR*SE*EUR\n" + po1 + "ACK*IA*2*EA",
		status:   ackStatusAccepted,
		currency: "EUR",
		lines:    []line{{1, model.AckAccepted, 2, "IA", 420, "", "ACM-MUG", 0}},
	}, {
		name:   "cancellation accepted",
		body:   "BAK*01*AT*PO1*20261121\n" + po1 + "ACK*ID*2*EA",
		status: ackStatusAccepted, cancel: "accepted",
		lines: []line{{1, model.AckRejected, 2, "ID", 0, "", "ACM-MUG", 0}},
	}, {
		name:   "cancellation accepted without detail",
		body:   "BAK*01*AK*PO1*20261121",
		status: ackStatusAccepted, cancel: "accepted",
		lines: []line{},
	}, {
		name:   "cancellation rejected: already shipped",
		body:   "BAK*01*RJ*PO1*20261121\nMSG*ORDER ALREADY SHIPPED",
		status: ackStatusRejected, cancel: "rejected",
		lines: []line{},
		check: func(t *testing.T, a *model.POAck) {
			if a.Reason != "ORDER ALREADY SHIPPED" {
				t.Errorf("reason %q", a.Reason)
			}
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newParser(t, nil)
			got := parse(t, c, "855.x12", interchange(t, "1", 1, group{fid: "PR", sets: []set{{"855", tc.body}}}))
			if len(got.Rejected) > 0 || len(got.Docs) != 1 {
				t.Fatalf("rejected %v docs %d", got.Rejected, len(got.Docs))
			}
			a := got.Docs[0].POAck
			if a.Status != tc.status || a.CancelResponse != tc.cancel || a.Supplier != "acme" || got.Docs[0].PONumber != "PO1" {
				t.Errorf("status %q cancel %q supplier %q", a.Status, a.CancelResponse, a.Supplier)
			}
			checkLines(t, a.Lines, tc.lines)
			if tc.currency != "" {
				for _, l := range a.Lines {
					if l.UnitCost != nil && l.UnitCost.Currency != tc.currency {
						t.Errorf("currency %s", l.UnitCost.Currency)
					}
				}
			}
			if tc.check != nil {
				tc.check(t, a)
			}
		})
	}
}

// TestMap855ContentErrors: a set whose content is wrong yields no
// document, and the error names the segment and element.
func TestMap855ContentErrors(t *testing.T) {
	cases := []struct {
		name, body string
		want       string // in the error text
		seg        string // AK3 segment id
		pos        int    // AK302
		elem       int    // AK401, 0: segment-level
		code       string // AK403 (or AK304 when elem is 0)
	}{
		{"unknown ACK01", "BAK*00*AD*PO1*20261121\nPO1*1*2*EA*4.20\nACK*ZZ*2*EA", `ACK01 "ZZ" is not a line item status code`, "ACK", 4, 1, "7"},
		{"fractional quantity", "BAK*00*AD*PO1*20261121\nPO1*1*2*EA*4.20\nACK*IA*1.5*EA", "ACK02 1.5 is not a whole number of units", "ACK", 4, 2, "6"},
		{"bad date", "BAK*00*AD*PO1*20261131", `BAK04 "20261131" is not a CCYYMMDD date`, "BAK", 2, 4, "8"},
		{"unknown BAK02", "BAK*00*XX*PO1*20261121", `BAK02 "XX" is not an acknowledgment type`, "BAK", 2, 2, "7"},
		{"missing PO number", "BAK*00*AD**20261121", "BAK03 (purchase order number) is missing", "BAK", 2, 3, "1"},
		{"sub-cent price", "BAK*00*AD*PO1*20261121\nPO1*1*2*EA*4.125\nACK*IA*2*EA", "more precision than the currency's 2 decimals", "PO1", 3, 4, "6"},
		{"CTT count", "BAK*00*AD*PO1*20261121\nPO1*1*2*EA*4.20\nCTT*2", "CTT01 says 2 PO1 lines but the set has 1", "CTT", 4, 1, "6"},
		{"no BAK", "CUR*SE*EUR", "no BAK segment", "BAK", 3, 0, "3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newParser(t, nil)
			got := parse(t, c, "bad.x12", interchange(t, "7", 7, group{fid: "PR", sets: []set{{"855", tc.body}}}))
			if len(got.Docs) != 0 || len(got.Rejected) != 1 {
				t.Fatalf("docs %d rejected %v", len(got.Docs), got.Rejected)
			}
			rj := got.Rejected[0]
			if rj.ID != "x12:SUPPLIER:000000007:7:0001" || rj.Type != "855" || len(rj.Errors) != 1 {
				t.Fatalf("rejected = %+v", rj)
			}
			// The file name, control numbers and segment come first.
			if e := rj.Errors[0]; !strings.HasPrefix(e, "bad.x12: line ") || !strings.Contains(e, "interchange 000000007 group 7 set 0001 segment") || !strings.Contains(e, tc.want) {
				t.Errorf("error = %q, want %q", e, tc.want)
			}
			ack := onlyAck(t, got)
			s := ack.Sets[0]
			if s.Accepted() || len(s.Segments) != 1 {
				t.Fatalf("AK2 = %+v", s)
			}
			n := s.Segments[0]
			if n.ID != tc.seg || n.Position != tc.pos {
				t.Errorf("AK3 = %+v, want %s at %d", n, tc.seg, tc.pos)
			}
			if tc.elem == 0 {
				if n.Code != tc.code || len(n.Elements) != 0 {
					t.Errorf("AK3 code %s, elements %v", n.Code, n.Elements)
				}
			} else if n.Code != "8" || len(n.Elements) != 1 || n.Elements[0].Position != tc.elem || n.Elements[0].Code != tc.code {
				t.Errorf("AK3 %+v, want element %d code %s", n, tc.elem, tc.code)
			}
		})
	}
}
