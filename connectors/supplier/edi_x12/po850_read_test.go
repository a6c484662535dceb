package edi_x12

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/testutil"
	"github.com/dropgate/dropgate/internal/x12"
)

// TestRoundTrip850: canonical PO → 850 → Read850 → the same PO, in
// currencies of 2, 0 and 3 decimals and with both purposes.
func TestRoundTrip850(t *testing.T) {
	for _, tc := range []struct {
		currency, cost1, cost2 string
		purpose                string
	}{
		{"USD", "4.20", "7.80", purposeOriginal},
		{"JPY", "420", "780", purposeOriginal},
		{"KWD", "1.125", "0.005", purposeOriginal},
		{"USD", "4.20", "7.80", purposeCancel},
	} {
		t.Run(tc.currency+"/"+tc.purpose, func(t *testing.T) {
			c := newConn(t, partner(), t.TempDir(), nil)
			po, o := samplePO()
			po.Currency = tc.currency
			po.ShipTo.Company = "Analytical Engines Ltd" // no delimiter to replace
			po.OrderNumber = o.ChannelOrderNumber        // REF*CO comes from the order
			po.Lines[0].UnitCost = money.MustParse(tc.cost1, tc.currency)
			po.Lines[1].UnitCost = money.MustParse(tc.cost2, tc.currency)
			data, err := c.Render850(po, o, 905, when, tc.purpose)
			if err != nil {
				t.Fatal(err)
			}
			f, err := x12.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Read850(f.Interchanges[0].Groups[0].Sets[0], "", time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			if got.Purpose != tc.purpose || got.Type != "DS" {
				t.Errorf("BEG01/02 = %s/%s", got.Purpose, got.Type)
			}
			want := model.PurchaseOrder{
				Number: po.Number, Currency: po.Currency, ShipTo: po.ShipTo, Lines: po.Lines,
				Created:     time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), // BEG05 is a date
				OrderNumber: po.OrderNumber, ShippingMethod: po.ShippingMethod,
			}
			if !reflect.DeepEqual(got.PO, want) {
				t.Errorf("read back:\n%+v\nwant\n%+v", got.PO, want)
			}
		})
	}
}

// TestRead850Conformance reads a buyer's 850 written by another tool:
// caret component separator, tilde and LF terminators, PO101 empty.
func TestRead850Conformance(t *testing.T) {
	f, err := x12.Parse(testutil.ConformanceFile(t, "edi/x12_850_4010_caret-component_tilde-LF.x12"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Read850(f.Interchanges[0].Groups[0].Sets[0], "USD", time.UTC)
	// The sample's CTT*1 counts one line where it has six PO1s: reported,
	// and everything else is still read.
	var errs x12.ErrorList
	if !errors.As(err, &errs) || len(errs) != 1 || !strings.Contains(errs[0].Error(), "CTT01 says 1 PO1 lines but the set has 6") || errs[0].SegmentID != "CTT" {
		t.Fatalf("err = %v", err)
	}
	po := got.PO
	if got.Purpose != "00" || got.Type != "SA" || po.Number != "2619003" || po.Currency != "USD" || !po.Created.Equal(time.Date(2002, 2, 22, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("header = %+v", got)
	}
	// N1*ST**9*01234567890: a ship-to by code, without a name.
	if po.ShipTo != (model.Address{}) || po.OrderNumber != "" || po.ShippingMethod != "" {
		t.Errorf("ship-to %+v order %q method %q", po.ShipTo, po.OrderNumber, po.ShippingMethod)
	}
	if len(po.Lines) != 6 {
		t.Fatalf("%d lines", len(po.Lines))
	}
	for i, l := range po.Lines {
		qty := int64(26 + i)
		if i == 5 {
			qty = 30
		}
		want := model.POLine{LineNo: i + 1, SKU: "0314281", GTIN: "004184080648", Description: "OATS", Quantity: qty, UnitCost: money.MustParse("21.10", "USD")}
		if !reflect.DeepEqual(l, want) {
			t.Errorf("line %d = %+v, want %+v", i+1, l, want)
		}
	}
}

func TestRead850ShipTo(t *testing.T) {
	body := "BEG*00*DS*PO1**20261121\nCUR*BY*EUR\nN1*BT*Billing Dept\nN3*Somewhere 1\nN1*ST*Grace Hopper\nN2*Navy\nN3*1 Main St*Suite 2\nN4*Arlington*VA*22201-1234*US\nPER*IC*Grace*EM*grace@example.com*TE*555-0100\nPO1*1*1*EA*9.99**VP*X\nCTT*1"
	data := interchange(t, "1", 1, group{fid: "PO", sets: []set{{"850", body}}})
	f, err := x12.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Read850(f.Interchanges[0].Groups[0].Sets[0], "", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := model.Address{Name: "Grace Hopper", Company: "Navy", Line1: "1 Main St", Line2: "Suite 2", City: "Arlington", Region: "VA", PostalCode: "22201-1234", Country: "US", Phone: "555-0100", Email: "grace@example.com"}
	if got.PO.ShipTo != want || got.PO.Currency != "EUR" || got.PO.Lines[0].UnitCost != money.MustParse("9.99", "EUR") {
		t.Errorf("po = %+v", got.PO)
	}
}

// TestCancelPO writes the BEG01=01 850 under its own name and number; a
// retry rewrites it with the same number.
func TestCancelPO(t *testing.T) {
	dir := t.TempDir()
	st := newCounterStore()
	c := newConn(t, partner(), dir, nil)
	c.env.Counters = st
	po, o := samplePO()
	ctx := context.Background()
	sent, err := c.SendPO(ctx, po, o)
	if err != nil {
		t.Fatal(err)
	}
	cancel1, err := c.CancelPO(ctx, po, o)
	if err != nil {
		t.Fatal(err)
	}
	cancel2, err := c.CancelPO(ctx, po, o)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Refs[0].ID != "1" || cancel1.Document != "PO7K3M9QX2AB.cancel.850.x12" || cancel1.Refs[0].ID != "2" || cancel2.Refs[0].ID != "2" {
		t.Errorf("sent %+v, cancel %+v / %+v", sent, cancel1, cancel2)
	}
	data, err := os.ReadFile(filepath.Join(dir, cancel1.Document))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "850-cancel.golden.x12")
	if *update {
		os.WriteFile(golden, data, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if string(data) != string(want) {
		t.Errorf("cancel 850 differs from %s:\n%s", golden, data)
	}
	f, err := x12.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Read850(f.Interchanges[0].Groups[0].Sets[0], "", nil)
	if err != nil || got.Purpose != purposeCancel || got.PO.Number != po.Number || len(got.PO.Lines) != 2 {
		t.Errorf("cancel reads back as %+v, %v", got, err)
	}
}
