package edi_x12

import (
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/testutil"
	"github.com/dropgate/dropgate/internal/x12"
)

// TestConformanceFiles maps every X12 sample of the shared conformance
// folder (written by others, see its SOURCES.txt) and checks each decoded
// value.
func TestConformanceFiles(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		file     string
		from, to string // the sample's ISA06 and ISA08
		check    func(t *testing.T, got *connector.Parsed)
	}{{
		file: "x12_855_4010_ACK-lines_bookseller.edi", from: "1556150", to: "123MILL",
		check: func(t *testing.T, got *connector.Parsed) {
			if len(got.Docs) != 1 || len(got.Rejected) != 0 {
				t.Fatalf("docs %d rejected %v", len(got.Docs), got.Rejected)
			}
			d := got.Docs[0]
			a := d.POAck
			if d.ID != "x12:1556150:000000005:5:0005" || d.PONumber != "POTEST1112" || a.PONumber != "POTEST1112" || a.Supplier != "acme" {
				t.Errorf("doc = %s %s %+v", d.ID, d.PONumber, a)
			}
			// BAK02 AD ("no change") but two lines rejected: the lines prevail.
			if a.Status != ackStatusWithChanges || a.SupplierID != "60169126" || !a.Date.Equal(day(2020, 10, 15)) || a.CancelResponse != "" {
				t.Errorf("header = %q %q %v %q", a.Status, a.SupplierID, a.Date, a.CancelResponse)
			}
			want := []struct {
				no     int
				gtin   string
				status model.AckLineStatus
				qty    int64
				cost   int64 // cents; -1 none
				reason string
			}{
				{1, "9780446360265", model.AckAccepted, 3, 450, "item accepted (BI code AC)"},
				{2, "9780767928427", model.AckRejected, 2, -1, "item rejected (BI code CW)"}, // ACK*IR*0: the whole line
				{3, "9780099599531", model.AckRejected, 1, -1, "item rejected (BI code KK)"},
				{4, "9780446360272", model.AckAccepted, 2, 450, "item accepted (BI code AC)"},
			}
			if len(a.Lines) != len(want) {
				t.Fatalf("%d lines", len(a.Lines))
			}
			for i, w := range want {
				l := a.Lines[i]
				if l.LineNo != w.no || l.GTIN != w.gtin || l.Status != w.status || l.Quantity != w.qty || l.Reason != w.reason {
					t.Errorf("line %d = %+v", i+1, l)
				}
				if (w.cost < 0) != (l.UnitCost == nil) || (l.UnitCost != nil && (l.UnitCost.Amount != w.cost || l.UnitCost.Currency != "USD")) {
					t.Errorf("line %d cost = %v", i+1, l.UnitCost)
				}
				// SCH*…*080 is not a ship-date qualifier this connector reads.
				if l.ShipDate != nil || len(l.SplitAnswers) != 0 {
					t.Errorf("line %d ship date %v split %v", i+1, l.ShipDate, l.SplitAnswers)
				}
			}
			if a.Lines[0].ReasonCode != "IA" || a.Lines[1].ReasonCode != "IR" {
				t.Errorf("reason codes %q %q", a.Lines[0].ReasonCode, a.Lines[1].ReasonCode)
			}
			checkAck(t, got, "997", "PR", "004010", map[string]bool{"0005": true})
		},
	}, {
		file: "x12_856_4060_REF-CN_repetition-dash.edi", from: "4405197800", to: "999999999",
		check: func(t *testing.T, got *connector.Parsed) {
			if len(got.Docs) != 1 || len(got.Rejected) != 0 {
				t.Fatalf("docs %d rejected %v", len(got.Docs), got.Rejected)
			}
			d := got.Docs[0]
			sn := d.ShipNotice
			if d.ID != "x12:4405197800:000000049:49:0008" || d.PONumber != "99999817" || sn.PONumber != "99999817" {
				t.Errorf("doc = %s %s", d.ID, d.PONumber)
			}
			// DTM*011 has no time and is the BSN's day: BSN03/04 keep theirs.
			if sn.ShipmentID != "829716" || !sn.ShippedAt.Equal(time.Date(2011, 12, 6, 14, 24, 28, 0, time.UTC)) {
				t.Errorf("BSN = %q %v", sn.ShipmentID, sn.ShippedAt)
			}
			// TD5**2*XXXX**XXXX: an unknown SCAC is kept as sent.
			if sn.SCAC != "XXXX" || sn.Carrier != "XXXX" || sn.Service != "XXXX" {
				t.Errorf("carrier = %q %q %q", sn.SCAC, sn.Carrier, sn.Service)
			}
			// S/O/I without pack level: one package with the shipment's REF*CN.
			if len(sn.Packages) != 1 {
				t.Fatalf("packages = %+v", sn.Packages)
			}
			p := sn.Packages[0]
			if p.TrackingNumber != "5787970539" || p.Carrier != "" || len(p.Lines) != 2 {
				t.Fatalf("package = %+v", p)
			}
			want := []model.ShipmentLine{
				{POLineNo: 1, SupplierSKU: "87787D", GTIN: "999999310145", Quantity: 24},
				{POLineNo: 2, SupplierSKU: "99887D", GTIN: "999999311746", Quantity: 6},
			}
			for i, w := range want {
				if p.Lines[i] != w {
					t.Errorf("line %d = %+v, want %+v", i+1, p.Lines[i], w)
				}
			}
			checkAck(t, got, "997", "SH", "004060", map[string]bool{"0008": true})
		},
	}, {
		file: "x12_810_4010_TDS.x12", from: "ABYZ000", to: "9251750000",
		check: func(t *testing.T, got *connector.Parsed) {
			if len(got.Docs) != 2 || len(got.Rejected) != 0 {
				t.Fatalf("docs %d rejected %v", len(got.Docs), got.Rejected)
			}
			type line struct {
				gtin       string
				qty, price int64
				gst        int64
			}
			want := []struct {
				id, number string
				total      int64
				lines      []line
			}{
				{"x12:ABYZ000:000000224:224:2240001", "465266", 843202, []line{
					{"001055503223", 16, 5256, 5887}, {"008814405004", 12, 20772, 17448},
					{"001055503761", 18, 16920, 21319}, {"001055503441", 9, 16680, 10508}}},
				{"x12:ABYZ000:000000224:224:2240002", "465267", 112992, []line{{"001055502175", 11, 9600, 7392}}},
			}
			for i, w := range want {
				d := got.Docs[i]
				inv := d.Invoice
				if d.ID != w.id || d.PONumber != "539893" || inv.Number != w.number || inv.PONumber != "539893" || inv.Currency != "CAD" ||
					!inv.Date.Equal(day(2002, 5, 24)) || inv.CreditMemo || len(inv.Charges) != 0 {
					t.Errorf("invoice %d = %s %+v", i+1, d.ID, inv)
				}
				// TDS*843202: N2, 8432.02.
				if inv.Total.Amount != w.total || inv.Total.Currency != "CAD" {
					t.Errorf("invoice %d total = %v", i+1, inv.Total)
				}
				tm := inv.Terms
				if tm == nil || tm.Type != "01" || tm.DiscountPercent.String() != "1" || !tm.DiscountDue.Equal(day(2002, 6, 8)) ||
					tm.DiscountDays != 15 || !tm.NetDue.Equal(day(2002, 6, 23)) || tm.NetDays != 30 {
					t.Errorf("invoice %d terms = %+v", i+1, tm)
				}
				if len(inv.Lines) != len(w.lines) {
					t.Fatalf("invoice %d: %d lines", i+1, len(inv.Lines))
				}
				sum := int64(0)
				for j, wl := range w.lines {
					l := inv.Lines[j]
					if l.GTIN != wl.gtin || l.Quantity != wl.qty || l.Unit != "CA" || l.UnitPrice.Amount != wl.price || l.UnitPrice.Currency != "CAD" || l.LineNo != 0 {
						t.Errorf("invoice %d line %d = %+v", i+1, j+1, l)
					}
					// SAC*C*D360***5887*2*7: a 7 % GST charge of 58.87 on the line.
					if len(l.Charges) != 1 || l.Charges[0].Code != "D360" || l.Charges[0].Amount.Amount != wl.gst || l.Charges[0].Description != "goods and services tax" {
						t.Errorf("invoice %d line %d charges = %+v", i+1, j+1, l.Charges)
					}
					sum += wl.qty*wl.price + wl.gst
				}
				if sum != w.total {
					t.Errorf("invoice %d: lines and charges sum to %d, TDS says %d", i+1, sum, w.total)
				}
			}
			checkAck(t, got, "997", "IN", "004010", map[string]bool{"2240001": true, "2240002": true})
		},
	}, {
		file: "x12_997_4010_AK3-AK4-reject_BOM.txt", from: "TO", to: "FROM",
		check: func(t *testing.T, got *connector.Parsed) {
			if len(got.Docs) != 1 || len(got.Rejected) != 0 || len(got.Replies) != 0 {
				t.Fatalf("docs %d rejected %v replies %d (an acknowledgement is never acknowledged)", len(got.Docs), got.Rejected, len(got.Replies))
			}
			fa := got.Docs[0].FuncAck
			// AK1*IN*000000001 and AK9*R*2*2*1: one AK2 accepted, one rejected.
			if fa.Kind != "997" || fa.GroupControl != "000000001" || fa.InterchangeControl != "1" || fa.Status != "R" || fa.Accepted || len(fa.Errors) != 0 {
				t.Errorf("ack = %+v", fa)
			}
			if len(fa.Sets) != 2 || !fa.Sets[0].Accepted || fa.Sets[0].ControlNumber != "ST02" || len(fa.Sets[0].Errors) != 0 || fa.Sets[1].Accepted {
				t.Fatalf("sets = %+v", fa.Sets)
			}
			wantErrs := []string{
				`segment TXI at position 54: segment has data element errors (AK304 8); element 1 (963): invalid code value (AK403 7), value "C1"`,
				"set 810 ST02: one or more segments in error (AK502 5)",
			}
			if e := fa.Sets[1].Errors; len(e) != 2 || e[0] != wantErrs[0] || e[1] != wantErrs[1] {
				t.Errorf("errors = %q", e)
			}
		},
	}, {
		file: "x12_850_4010_caret-component_tilde-LF.x12", from: "012345678", to: "012341234",
		check: func(t *testing.T, got *connector.Parsed) {
			// A supplier does not send 850s: rejected with AK5*R*1.
			if len(got.Docs) != 0 || len(got.Rejected) != 1 || got.Rejected[0].Type != "850" {
				t.Fatalf("docs %d rejected %+v", len(got.Docs), got.Rejected)
			}
			checkAck(t, got, "997", "PO", "004010", map[string]bool{"000000390": false})
		},
	}}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			c, _ := newParser(t, func(p *Partner) {
				p.ReceiverID, p.SenderID = tc.from, tc.to
				p.DefaultCurrency = "USD"
				if tc.file == "x12_810_4010_TDS.x12" {
					p.DefaultCurrency = "CAD" // a Canadian GST invoice without CUR
				}
			})
			got := parse(t, c, tc.file, testutil.ConformanceFile(t, "edi/"+tc.file))
			tc.check(t, got)
		})
	}
}

// checkAck parses the single reply and checks it acknowledges group fid
// with the given GS08 and per-set verdicts (ST02 → accepted).
func checkAck(t *testing.T, got *connector.Parsed, kind, fid, version string, sets map[string]bool) {
	t.Helper()
	if len(got.Replies) != 1 {
		t.Fatalf("%d replies", len(got.Replies))
	}
	f, err := x12.Parse(got.Replies[0].Data)
	if err != nil {
		t.Fatalf("reply does not parse: %v\n%s", err, got.Replies[0].Data)
	}
	g := f.Interchanges[0].Groups[0]
	if g.Header.FunctionalID != "FA" || g.Header.Version != version {
		t.Errorf("ack GS = %+v", g.Header)
	}
	ack, err := x12.ParseAck(g.Sets[0])
	if err != nil {
		t.Fatal(err)
	}
	if ack.Kind != kind || ack.GroupID != fid || len(ack.Sets) != len(sets) {
		t.Fatalf("ack = %+v", ack)
	}
	for _, s := range ack.Sets {
		want, ok := sets[s.Control]
		if !ok || s.Accepted() != want {
			t.Errorf("AK2 %s accepted=%v, want %v (known %v)", s.Control, s.Accepted(), want, ok)
		}
	}
}
