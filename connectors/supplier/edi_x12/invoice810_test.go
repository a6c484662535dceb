package edi_x12

import (
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
)

func chargeList(cs []model.Charge) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Code+"="+c.Amount.String()+"("+c.Description+")")
	}
	return strings.Join(out, ",")
}

func TestMap810(t *testing.T) {
	cases := []struct {
		name    string
		body    string
		number  string
		po      string
		total   string
		credit  bool
		lines   []string // "line/sku qty unit@price [charges]"
		charges string
	}{{
		name: "lines, freight, allowance and tax",
		body: "BIG*20261125*INV-1001**PO7K3M9QX2AB\nCUR*SE*USD\nITD*01*3*2**10**30\n" +
			"IT1*1*2*EA*4.20**VP*ACM-MUG*BP*MUG-BLK\n" +
			"IT1*2*1*EA*7.80**VP*ACM-TEE*UP*085012340003\nSAC*A*C310***50**********Promo\n" +
			"TDS*2245\nTXI*ST*1.05\nSAC*C*D240***795\nSAC*N*D500\nCTT*2",
		number: "INV-1001", po: "PO7K3M9QX2AB", total: "22.45 USD",
		lines:   []string{"1/ACM-MUG 2 EA@4.20 USD []", "2/ACM-TEE 1 EA@7.80 USD [C310=-0.50 USD(Promo)]"},
		charges: "tax:ST=1.05 USD(state sales tax),D240=7.95 USD(freight)",
	}, {
		name:   "credit memo in euros, PO line from PL, price from CTP",
		body:   "BIG*20261125*CM-7**PO1***CR\nCUR*SE*EUR\nIT1**1*EA***VP*ACM-MUG*PL*3\nCTP**UCP*4.20\nTDS*420",
		number: "CM-7", po: "PO1", total: "4.20 EUR", credit: true,
		lines: []string{"3/ACM-MUG 1 EA@4.20 EUR []"},
	}, {
		name:   "zero-decimal currency",
		body:   "BIG*20261125*J-1**PO1\nCUR*SE*JPY\nIT1*1*3*EA*420**VP*A\nTDS*126000",
		number: "J-1", po: "PO1", total: "1260 JPY",
		lines: []string{"1/A 3 EA@420 JPY []"},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newParser(t, nil)
			got := parse(t, c, "inv.x12", interchange(t, "5", 5, group{fid: "IN", sets: []set{{"810", tc.body}}}))
			if len(got.Rejected) > 0 || len(got.Docs) != 1 {
				t.Fatalf("rejected %v docs %d", got.Rejected, len(got.Docs))
			}
			inv := got.Docs[0].Invoice
			if inv.Number != tc.number || inv.PONumber != tc.po || got.Docs[0].PONumber != tc.po || inv.Total.String() != tc.total ||
				inv.CreditMemo != tc.credit || !inv.Date.Equal(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)) || inv.Supplier != "acme" {
				t.Errorf("invoice = %+v", inv)
			}
			if len(inv.Lines) != len(tc.lines) {
				t.Fatalf("%d lines", len(inv.Lines))
			}
			for i, w := range tc.lines {
				l := inv.Lines[i]
				g := itoa(l.LineNo) + "/" + l.SupplierSKU + " " + itoa(int(l.Quantity)) + " " + l.Unit + "@" + l.UnitPrice.String() + " [" + chargeList(l.Charges) + "]"
				if g != w {
					t.Errorf("line %d = %s, want %s", i+1, g, w)
				}
			}
			if g := chargeList(inv.Charges); g != tc.charges {
				t.Errorf("charges = %s, want %s", g, tc.charges)
			}
		})
	}
	t.Run("terms and identifiers", func(t *testing.T) {
		c, _ := newParser(t, nil)
		body := "BIG*20261125*INV-2**PO1\nITD*05*3*2.5*20261205*10*20261225*30*****Net 30\nIT1*1*1*EA*1.00**BP*MUG-BLK*UP*085012340001\nTDS*100"
		got := parse(t, c, "inv.x12", interchange(t, "5", 5, group{fid: "IN", sets: []set{{"810", body}}}))
		inv := got.Docs[0].Invoice
		tm := inv.Terms
		if tm.Type != "05" || tm.DiscountPercent.String() != "2.5" || tm.DiscountDue.Format("20060102") != "20261205" || tm.DiscountDays != 10 ||
			tm.NetDue.Format("20060102") != "20261225" || tm.NetDays != 30 || tm.Description != "Net 30" {
			t.Errorf("terms = %+v", tm)
		}
		if l := inv.Lines[0]; l.SKU != "MUG-BLK" || l.GTIN != "085012340001" || l.SupplierSKU != "" {
			t.Errorf("line = %+v", l)
		}
	})
}

func TestMap810ContentErrors(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"sub-cent unit price", "BIG*20261125*I**PO1\nIT1*1*1*EA*0.125\nTDS*13", "IT104: money: 0.125 USD: more precision"},
		{"no total", "BIG*20261125*I**PO1\nIT1*1*1*EA*1.00", "no TDS segment"},
		{"no price", "BIG*20261125*I**PO1\nIT1*1*1*EA\nTDS*100", "IT104 (unit price) is missing"},
		{"bad SAC01", "BIG*20261125*I**PO1\nIT1*1*1*EA*1.00\nTDS*100\nSAC*X*D240***100", `SAC01 "X" is not A`},
		{"implied total with a point", "BIG*20261125*I**PO1\nIT1*1*1*EA*1.00\nTDS*1.00", "must not contain a point"},
		{"fractional quantity", "BIG*20261125*I**PO1\nIT1*1*0.5*EA*1.00\nTDS*50", "IT102 0.5 is not a whole number of units"},
		{"unknown currency", "BIG*20261125*I**PO1\nCUR*SE*XXX\nIT1*1*1*EA*1.00\nTDS*100", `CUR02 "XXX" is not an ISO 4217 currency`},
		{"no invoice number", "BIG*20261125***PO1\nIT1*1*1*EA*1.00\nTDS*100", "BIG02 (invoice number) is missing"},
		{"IT1 count", "BIG*20261125*I**PO1\nIT1*1*1*EA*1.00\nTDS*100\nCTT*3", "CTT01 says 3 IT1 lines but the set has 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newParser(t, nil)
			got := parse(t, c, "inv.x12", interchange(t, "5", 5, group{fid: "IN", sets: []set{{"810", tc.body}}}))
			if len(got.Docs) != 0 || len(got.Rejected) != 1 {
				t.Fatalf("docs %d rejected %v", len(got.Docs), got.Rejected)
			}
			if e := strings.Join(got.Rejected[0].Errors, "\n"); len(got.Rejected[0].Errors) != 1 || !strings.Contains(e, tc.want) {
				t.Errorf("errors = %s\nwant %q", e, tc.want)
			}
			if ack := onlyAck(t, got); ack.Status != "R" || ack.Sets[0].Accepted() {
				t.Errorf("997 = %+v", ack)
			}
		})
	}
}
