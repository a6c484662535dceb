package edi_x12

import (
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
)

// pkg is the expected summary of a Package: tracking, carrier override
// and "line×quantity" of each line.
type pkg struct {
	tracking, carrier string
	lines             []string
}

func summarize(p model.Package) pkg {
	out := pkg{tracking: p.TrackingNumber, carrier: p.Carrier}
	for _, l := range p.Lines {
		id := firstNonEmpty(l.SupplierSKU, l.GTIN, l.SKU)
		if l.POLineNo > 0 {
			id = itoa(l.POLineNo) + "/" + id
		}
		out.lines = append(out.lines, id+"×"+itoa(int(l.Quantity)))
	}
	return out
}

func checkPackages(t *testing.T, got []model.Package, want []pkg) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d packages, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := summarize(got[i])
		if g.tracking != w.tracking || g.carrier != w.carrier || strings.Join(g.lines, ",") != strings.Join(w.lines, ",") {
			t.Errorf("package %d = %+v, want %+v", i+1, g, w)
		}
	}
}

// notice is the expected ShipNotice of one order.
type notice struct {
	po, carrier, scac, service string
	packages                   []pkg
}

func TestMap856(t *testing.T) {
	const header = "BSN*00*SHP-77*20261122*0930\n"
	cases := []struct {
		name     string
		refs     string
		carriers map[string]string
		body     string
		shipped  time.Time
		notices  []notice
	}{{
		name: "pack level, MAN*CP per pack",
		refs: "MAN*CP",
		body: header +
			"HL*1**S\nTD1*CTN25*2\nTD5*B*2*UPSN*U*UPS GROUND\nREF*BM*BOL-1\nDTM*011*20261122*1615\n" +
			"HL*2*1*O\nPRF*PO7K3M9QX2AB\n" +
			"HL*3*2*P\nMAN*GM*00008501234000000017**CP*1Z999AA10123456784\n" +
			"HL*4*3*I\nLIN*1*VP*ACM-MUG*UP*085012340001\nSN1*1*2*EA\n" +
			"HL*5*2*P\nMAN*CP*1Z999AA10123456795\n" +
			"HL*6*5*I\nLIN*2*VP*ACM-TEE*BP*TEE-WHT-M\nSN1*2*1*EA\n" +
			"CTT*6",
		shipped: time.Date(2026, 11, 22, 16, 15, 0, 0, time.UTC),
		notices: []notice{{"PO7K3M9QX2AB", "ups", "UPSN", "UPS GROUND", []pkg{
			{"1Z999AA10123456784", "", []string{"1/ACM-MUG×2"}},
			{"1Z999AA10123456795", "", []string{"2/ACM-TEE×1"}},
		}}},
	}, {
		name: "no pack level, REF*2I at the order level",
		refs: "REF*2I",
		body: header +
			"HL*1**S\nTD5**2*FDEG**FEDEX HOME\n" +
			"HL*2*1*O\nPRF*PO1\nREF*2I*794612345678\n" +
			"HL*3*2*I\nLIN**VP*ACM-MUG\nSN1**3*EA\n" +
			"HL*4*2*I\nLIN**VP*ACM-TEE*PL*7\nSN1**1*EA\n",
		shipped: time.Date(2026, 11, 22, 9, 30, 0, 0, time.UTC),
		notices: []notice{{"PO1", "fedex", "FDEG", "FEDEX HOME", []pkg{
			{"794612345678", "", []string{"ACM-MUG×3", "7/ACM-TEE×1"}},
		}}},
	}, {
		name: "several orders in one 856",
		body: header +
			"HL*1**S\nTD5**2*USPS\n" +
			"HL*2*1*O\nPRF*PO1\nREF*CN*9400100000000000000001\nHL*3*2*I\nLIN*1*VP*A\nSN1*1*1*EA\n" +
			"HL*4*1*O\nPRF*PO2\nREF*CN*9400100000000000000002\nHL*5*4*I\nLIN*1*VP*B\nSN1*1*2*EA\nHL*6*4*I\nLIN*2*VP*C\nSN1*2*3*EA\n",
		shipped: time.Date(2026, 11, 22, 9, 30, 0, 0, time.UTC),
		notices: []notice{
			{"PO1", "usps", "USPS", "", []pkg{{"9400100000000000000001", "", []string{"1/A×1"}}}},
			{"PO2", "usps", "USPS", "", []pkg{{"9400100000000000000002", "", []string{"1/B×2", "2/C×3"}}}},
		},
	}, {
		name: "REF*BM on a tare: packs inherit the pallet's bill of lading",
		refs: "REF*BM",
		body: header +
			"HL*1**S\nTD5**2*ODFL\n" +
			"HL*2*1*O\nPRF*PO1\n" +
			"HL*3*2*T\nREF*BM*BOL-5512\n" +
			"HL*4*3*P\nHL*5*4*I\nLIN*1*VP*A\nSN1*1*10*EA\n" +
			"HL*6*3*P\nHL*7*6*I\nLIN*2*VP*B\nSN1*2*4*EA\n",
		shipped: time.Date(2026, 11, 22, 9, 30, 0, 0, time.UTC),
		notices: []notice{{"PO1", "olddominion", "ODFL", "", []pkg{
			{"BOL-5512", "", []string{"1/A×10"}}, {"BOL-5512", "", []string{"2/B×4"}},
		}}},
	}, {
		name: "MAN*SM shipper-assigned numbers, pack carrier differs",
		refs: "MAN*SM",
		body: header +
			"HL*1**S\nTD5**2*UPSN\n" +
			"HL*2*1*O\nPRF*PO1\n" +
			"HL*3*2*P\nMAN*SM*SHIP-0001\nHL*4*3*I\nLIN*1*VP*A\nSN1*1*1*EA\n" +
			"HL*5*2*P\nTD5**2*FDEN\nMAN*SM*SHIP-0002\nHL*6*5*I\nLIN*2*VP*B\nSN1*2*1*EA\n",
		shipped: time.Date(2026, 11, 22, 9, 30, 0, 0, time.UTC),
		notices: []notice{{"PO1", "ups", "UPSN", "", []pkg{
			{"SHIP-0001", "", []string{"1/A×1"}}, {"SHIP-0002", "fedex", []string{"2/B×1"}},
		}}},
	}, {
		name:     "REF*CN default; several numbers without pack level; partner carrier table",
		carriers: map[string]string{"ABCD": "ontrac"},
		body: header +
			"HL*1**S\nTD5**2*ABCD\nREF*CN*C11111111111111\nREF*CN*C22222222222222\n" +
			"HL*2*1*O\nPRF*PO1\nHL*3*2*I\nLIN*1*VP*A\nSN1*1*2*EA\n",
		shipped: time.Date(2026, 11, 22, 9, 30, 0, 0, time.UTC),
		notices: []notice{{"PO1", "ontrac", "ABCD", "", []pkg{
			{"C11111111111111", "", []string{"1/A×2"}}, {"C22222222222222", "", nil},
		}}},
	}, {
		name: "preference list: MAN*CP before REF*CN; unknown SCAC named in TD505",
		refs: "MAN*CP, REF*CN",
		body: header +
			"HL*1**S\nTD5**2*ZZZZ**UPS 2ND DAY AIR\nREF*CN*PRO-1\n" +
			"HL*2*1*O\nPRF*PO1\n" +
			"HL*3*2*P\nMAN*CP*1Z999AA10123456784\nHL*4*3*I\nLIN*1*VP*A\nSN1*1*1*EA\n" +
			"HL*5*2*P\nHL*6*5*I\nLIN*2*VP*B\nSN1*2*1*EA\n",
		shipped: time.Date(2026, 11, 22, 9, 30, 0, 0, time.UTC),
		notices: []notice{{"PO1", "ups", "ZZZZ", "UPS 2ND DAY AIR", []pkg{
			{"1Z999AA10123456784", "", []string{"1/A×1"}}, {"PRO-1", "", []string{"2/B×1"}},
		}}},
	}, {
		name: "pick and pack: orders below packs, PRF on the shipment",
		body: header +
			"HL*1**S\nPRF*PO9\nTD5**2*UPSN\n" +
			"HL*2*1*P\nREF*CN*1Z999AA10123456784\n" +
			"HL*3*2*I\nLIN*1*VP*A\nSN1*1*1*EA\n",
		shipped: time.Date(2026, 11, 22, 9, 30, 0, 0, time.UTC),
		notices: []notice{{"PO9", "ups", "UPSN", "", []pkg{{"1Z999AA10123456784", "", []string{"1/A×1"}}}}},
	}, {
		name: "packs without items still carry tracking",
		refs: "MAN*CP",
		body: header +
			"HL*1**S\nTD5**2*UPSN\nHL*2*1*O\nPRF*PO1\nHL*3*2*P\nMAN*CP*1Z1\nHL*4*2*P\nMAN*CP*1Z2\n",
		shipped: time.Date(2026, 11, 22, 9, 30, 0, 0, time.UTC),
		notices: []notice{{"PO1", "ups", "UPSN", "", []pkg{{"1Z1", "", nil}, {"1Z2", "", nil}}}},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newParser(t, func(p *Partner) { p.TrackingRef, p.Carriers = tc.refs, tc.carriers })
			got := parse(t, c, "asn.x12", interchange(t, "12", 12, group{fid: "SH", sets: []set{{"856", tc.body}}}))
			if len(got.Rejected) > 0 || len(got.Docs) != len(tc.notices) {
				t.Fatalf("rejected %v docs %d", got.Rejected, len(got.Docs))
			}
			for i, w := range tc.notices {
				d := got.Docs[i]
				sn := d.ShipNotice
				wantID := "x12:SUPPLIER:000000012:12:0001"
				if len(tc.notices) > 1 {
					wantID += ":" + w.po
				}
				if d.ID != wantID || d.PONumber != w.po || sn.PONumber != w.po || sn.ShipmentID != "SHP-77" || sn.Supplier != "acme" {
					t.Errorf("doc %d = %s %s %+v", i+1, d.ID, d.PONumber, sn)
				}
				if !sn.ShippedAt.Equal(tc.shipped) {
					t.Errorf("shipped at %v, want %v", sn.ShippedAt, tc.shipped)
				}
				if sn.Carrier != w.carrier || sn.SCAC != w.scac || sn.Service != w.service {
					t.Errorf("carrier %q scac %q service %q", sn.Carrier, sn.SCAC, sn.Service)
				}
				checkPackages(t, sn.Packages, w.packages)
			}
			if tc.name == "pack level, MAN*CP per pack" {
				if s := got.Docs[0].ShipNotice.Packages; s[0].SSCC != "00008501234000000017" || s[1].SSCC != "" {
					t.Errorf("SSCC = %q, %q", s[0].SSCC, s[1].SSCC)
				}
			}
			if ack := onlyAck(t, got); ack.GroupID != "SH" || !ack.Sets[0].Accepted() {
				t.Errorf("997 = %+v", ack)
			}
		})
	}
}

func TestMap856Identifiers(t *testing.T) {
	c, _ := newParser(t, nil)
	body := "BSN*00*S1*20261122\nHL*1**S\nHL*2*1*O\nPRF*PO1\nREF*CN*T1\nHL*3*2*I\nLIN*4*VP*ACM-MUG*BP*MUG-BLK*UP*085012340001\nSN1*4*2*EA\n"
	got := parse(t, c, "asn.x12", interchange(t, "1", 1, group{fid: "SH", sets: []set{{"856", body}}}))
	l := got.Docs[0].ShipNotice.Packages[0].Lines[0]
	want := model.ShipmentLine{POLineNo: 4, SKU: "MUG-BLK", SupplierSKU: "ACM-MUG", GTIN: "085012340001", Quantity: 2}
	if l != want {
		t.Errorf("line = %+v, want %+v", l, want)
	}
}

func TestMap856ContentErrors(t *testing.T) {
	const ok = "BSN*00*S1*20261122\nHL*1**S\nHL*2*1*O\nPRF*PO1\n"
	cases := []struct{ name, body, want string }{
		{"fractional quantity", ok + "HL*3*2*I\nLIN*1*VP*A\nSN1*1*1.5*EA", "SN102 1.5 is not a whole number of units"},
		{"no SN1", ok + "HL*3*2*I\nLIN*1*VP*A", "item level HL 3 has no SN1"},
		{"no LIN", ok + "HL*3*2*I\nSN1*1*1*EA", "item level HL 3 has no LIN"},
		{"unknown level", ok + "HL*3*2*X\nHL*4*3*I\nLIN*1*VP*A\nSN1*1*1*EA", `HL03 "X" is not a level`},
		{"unknown parent", ok + "HL*3*9*I\nLIN*1*VP*A\nSN1*1*1*EA", `HL02 "9" names no earlier HL`},
		{"no purchase order", "BSN*00*S1*20261122\nHL*1**S\nHL*2*1*O\nHL*3*2*I\nLIN*1*VP*A\nSN1*1*1*EA", "belongs to no purchase order"},
		{"no shipment level", "BSN*00*S1*20261122\nHL*1**O\nPRF*PO1", "needs a shipment level"},
		{"no BSN", "HL*1**S", "no BSN segment"},
		{"CTT", ok + "HL*3*2*I\nLIN*1*VP*A\nSN1*1*1*EA\nCTT*7", "CTT01 says 7 hierarchical levels but the set has 3"},
		{"bad shipped date", ok + "DTM*011*20261340\nHL*3*2*I\nLIN*1*VP*A\nSN1*1*1*EA", `DTM02 "20261340" is not a CCYYMMDD date`},
		{"nothing shipped", "BSN*00*S1*20261122\nHL*1**S", "ships no item"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newParser(t, nil)
			// The second set of the group is fine and still gives its notice.
			good := ok + "REF*CN*T1\nHL*3*2*I\nLIN*1*VP*A\nSN1*1*1*EA"
			got := parse(t, c, "asn.x12", interchange(t, "3", 3, group{fid: "SH", sets: []set{{"856", tc.body}, {"856", good}}}))
			if len(got.Rejected) != 1 || len(got.Docs) != 1 || got.Docs[0].ShipNotice.Packages[0].TrackingNumber != "T1" {
				t.Fatalf("rejected %+v docs %+v", got.Rejected, got.Docs)
			}
			if e := strings.Join(got.Rejected[0].Errors, "\n"); len(got.Rejected[0].Errors) != 1 || !strings.Contains(e, tc.want) || !strings.HasPrefix(e, "asn.x12: ") {
				t.Errorf("errors = %s\nwant %q", e, tc.want)
			}
			ack := onlyAck(t, got)
			if ack.Status != "P" || ack.Sets[0].Accepted() || !ack.Sets[1].Accepted() || ack.Accepted != 1 {
				t.Errorf("997 = %+v", ack)
			}
		})
	}
}

// TestTrackingRefConfig checks the partner.tracking_ref syntax.
func TestTrackingRefConfig(t *testing.T) {
	for in, want := range map[string]string{
		"": "REF*CN", "REF*2I": "REF*2I", "man*cp": "MAN*CP", "MAN*CP, REF*BM": "MAN*CP,REF*BM", "REF*08,MAN*SM": "REF*08,MAN*SM",
	} {
		refs, err := parseTrackingRef(in)
		var got []string
		for _, r := range refs {
			got = append(got, r.String())
		}
		if err != nil || strings.Join(got, ",") != want {
			t.Errorf("%q = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"CN", "REF-CN", "TD5*CN", "MAN*ABC", "REF*", "REF*CN,"} {
		if _, err := parseTrackingRef(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	var _ connector.DocumentParser = (*Connector)(nil)
}
