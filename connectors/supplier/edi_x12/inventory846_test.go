package edi_x12

import (
	"strings"
	"testing"
	"time"
)

func TestMap846(t *testing.T) {
	body := "BIA*00*DD*INV-20261122*20261122*0600\nCUR*SE*USD\nN1*WH*MAIN DC*92*DC1\n" +
		"LIN*1*VP*ACM-MUG*UP*085012340001\nPID*F****Mug\nCTP**UCP*4.20\nQTY*33*120*EA\nQTY*17*130*EA\n" +
		"LIN*2*VP*ACM-TEE\nQTY*17*7*EA\n" +
		"LIN*3*UP*085012340003\nQTY*33*12.5*EA\n" +
		"LIN*4*VP*ACM-CAP\nQTY*33*-3*EA\n" +
		"LIN*5*VP*ACM-PEN\nN1*WH*EAST*92*DC2\nQTY*33*40*EA\nN1*WH*WEST*92*DC3\nQTY*33*0*EA\n" +
		"CTT*5"
	c, _ := newParser(t, nil)
	got := parse(t, c, "846.x12", interchange(t, "8", 8, group{fid: "IB", sets: []set{{"846", body}}}))
	if len(got.Rejected) > 0 || len(got.Docs) != 1 {
		t.Fatalf("rejected %v docs %d", got.Rejected, len(got.Docs))
	}
	asOf := time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC)
	want := []struct {
		sku, gtin, loc string
		avail          int64
		raw            string
		cost           string
	}{
		{"ACM-MUG", "085012340001", "DC1", 120, "120", "4.20 USD"}, // 33 wins over 17
		{"ACM-TEE", "", "DC1", 7, "7", ""},                         // 17 when 33 is not sent
		{"", "085012340003", "DC1", 12, "12.5", ""},                // floored, raw kept
		{"ACM-CAP", "", "DC1", 0, "-3", ""},                        // oversold
		{"ACM-PEN", "", "DC2", 40, "40", ""},
		{"ACM-PEN", "", "DC3", 0, "0", ""},
	}
	levels := got.Docs[0].Inventory
	if len(levels) != len(want) {
		t.Fatalf("%d levels: %+v", len(levels), levels)
	}
	for i, w := range want {
		l := levels[i]
		cost := ""
		if l.Cost != nil {
			cost = l.Cost.String()
		}
		if l.SupplierSKU != w.sku || l.GTIN != w.gtin || l.Location != w.loc || l.Available != w.avail || l.Raw.String() != w.raw ||
			cost != w.cost || !l.AsOf.Equal(asOf) || l.Supplier != "acme" {
			t.Errorf("level %d = %+v, want %+v", i+1, l, w)
		}
	}
	if ack := onlyAck(t, got); ack.GroupID != "IB" || !ack.Sets[0].Accepted() {
		t.Errorf("997 = %+v", ack)
	}
}

func TestMap846AsOfAndErrors(t *testing.T) {
	c, _ := newParser(t, func(p *Partner) { p.Timezone = "America/Chicago" })
	body := "BIA*00*DD*R1*20261122\nDTM*007*20261122*1430\nLIN**VP*A\nQTY*33*1*EA"
	got := parse(t, c, "846.x12", interchange(t, "8", 8, group{fid: "IB", sets: []set{{"846", body}}}))
	chicago, _ := time.LoadLocation("America/Chicago")
	if l := got.Docs[0].Inventory; len(l) != 1 || !l[0].AsOf.Equal(time.Date(2026, 11, 22, 14, 30, 0, 0, chicago)) {
		t.Errorf("levels = %+v (dates are read in the partner's zone)", l)
	}

	for _, tc := range []struct{ name, body, want string }{
		{"no quantity", "BIA*00*DD*R1*20261122\nLIN**VP*A\nQTY*02*5*EA", "item A has no QTY*33"},
		{"no identifier", "BIA*00*DD*R1*20261122\nLIN*1*ZZ*A\nQTY*33*5*EA", "LIN carries no"},
		{"bad quantity", "BIA*00*DD*R1*20261122\nLIN**VP*A\nQTY*33*many*EA", `decimal: "many"`},
		{"no date", "BIA*00*DD*R1", "BIA04 (date) is missing"},
		{"no BIA", "LIN**VP*A\nQTY*33*5*EA", "no BIA segment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newParser(t, nil)
			got := parse(t, c, "846.x12", interchange(t, "8", 8, group{fid: "IB", sets: []set{{"846", tc.body}}}))
			if len(got.Docs) != 0 || len(got.Rejected) != 1 || len(got.Rejected[0].Errors) != 1 || !strings.Contains(got.Rejected[0].Errors[0], tc.want) {
				t.Errorf("docs %d rejected %+v, want %q", len(got.Docs), got.Rejected, tc.want)
			}
		})
	}
}
