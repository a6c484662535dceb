package edifact

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
)

// desadvBody is a DESADV for PO123 shipped by DHL in two cartons, each
// with an SSCC (GIN+BJ) and a parcel number (RFF+CN).
var desadvBody = []string{
	"BGM+351+DES-9001+9",
	"DTM+137:20261122:102",
	"DTM+11:202611221530:203",
	"RFF+ON:PO123",
	"NAD+SU+" + theirGLN + "::9",
	"TDT+20++30++DHLDE::87:DHL Paket",
	"CPS+1",
	"PAC+2++CT",
	"CPS+2+1",
	"PAC+1++CT",
	"PCI+33E",
	"GIN+BJ+340123450000000017",
	"RFF+CN:00340434161094042557",
	"LIN+1++4006381333931:EN",
	"PIA+5+ACM-MUG:SA",
	"QTY+12:2",
	"RFF+ON:PO123:1",
	"CPS+3+1",
	"PAC+1++CT",
	"PCI+33E",
	"GIN+BJ+340123450000000024",
	"RFF+CN:00340434161094042564",
	"LIN+2",
	"PIA+1+TEE-WHT-M:IN",
	"QTY+12:1",
}

func TestDESADVPackages(t *testing.T) {
	r := newRig(t, nil, nil)
	doc := oneDoc(t, r.c, inbound(env{ref: "51"}, msg{"DESADV", desadvBody}))
	want := model.ShipNotice{
		PONumber: "PO123", Supplier: "acme", ShipmentID: "DES-9001", Carrier: "dhl",
		ShippedAt: time.Date(2026, 11, 22, 15, 30, 0, 0, time.UTC),
		Packages: []model.Package{
			{TrackingNumber: "00340434161094042557", SSCC: "340123450000000017", Lines: []model.ShipmentLine{{POLineNo: 1, GTIN: "4006381333931", SupplierSKU: "ACM-MUG", Quantity: 2}}},
			{TrackingNumber: "00340434161094042564", SSCC: "340123450000000024", Lines: []model.ShipmentLine{{POLineNo: 2, SKU: "TEE-WHT-M", Quantity: 1}}},
		},
	}
	if doc.ID != "edifact:"+theirGLN+":51:1" || doc.PONumber != "PO123" || !reflect.DeepEqual(*doc.ShipNotice, want) {
		t.Errorf("got  %+v\nwant %+v", *doc.ShipNotice, want)
	}
}

// TestDESADVTrackingRef: where the tracking number is read follows
// partner.tracking_ref.
func TestDESADVTrackingRef(t *testing.T) {
	for _, tc := range []struct {
		setting string
		want    []string
	}{
		{"", []string{"00340434161094042557", "00340434161094042564"}},
		{"GIN+BJ", []string{"340123450000000017", "340123450000000024"}},
		{"RFF+BM, GIN+BJ", []string{"340123450000000017", "340123450000000024"}}, // no RFF+BM: the next entry
		{"RFF+AAM", []string{"", ""}},
	} {
		t.Run(tc.setting, func(t *testing.T) {
			r := newRig(t, func(p *Partner) { p.TrackingRef = tc.setting }, nil)
			doc := oneDoc(t, r.c, inbound(env{ref: "52"}, msg{"DESADV", desadvBody}))
			var got []string
			for _, p := range doc.ShipNotice.Packages {
				got = append(got, p.TrackingNumber)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("tracking = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestDESADVHeaderTracking: without CPS the lines form one package; the
// header's tracking numbers go to it and to further packages; a line's
// RFF+ON splits the notice by order; the carrier id maps through
// partner.carriers.
func TestDESADVHeaderTracking(t *testing.T) {
	r := newRig(t, func(p *Partner) {
		p.TrackingRef = "RFF+BM"
		p.Carriers = map[string]string{"4012345000016": "postnl"}
	}, nil)
	body := []string{
		"BGM+351+DES-9002",
		"DTM+137:20261122:102",
		"RFF+ON:PO123",
		"RFF+BM:3SABC1234567",
		"RFF+BM:3SABC1234568",
		"TDT+20++30++4012345000016::9",
		"LIN+1++4006381333931:EN", "QTY+12:2",
		"LIN+2++4006381333948:EN", "QTY+12:3", "RFF+ON:PO456:4",
	}
	got := parse(t, r.c, "in.edi", inbound(env{ref: "53"}, msg{"DESADV", body}))
	if len(got.Rejected) > 0 || len(got.Docs) != 2 {
		t.Fatalf("docs = %+v, rejected = %+v", got.Docs, got.Rejected)
	}
	d1, d2 := got.Docs[0], got.Docs[1]
	if d1.ID != "edifact:"+theirGLN+":53:1:PO123" || d2.ID != "edifact:"+theirGLN+":53:1:PO456" || d1.PONumber != "PO123" || d2.PONumber != "PO456" {
		t.Errorf("ids = %s %s", d1.ID, d2.ID)
	}
	sn1, sn2 := d1.ShipNotice, d2.ShipNotice
	if sn1.Carrier != "postnl" || sn1.ShipmentID != "DES-9002" || !sn1.ShippedAt.Equal(date(2026, 11, 22)) {
		t.Errorf("notice 1 = %+v", sn1)
	}
	want1 := []model.Package{
		{TrackingNumber: "3SABC1234567", Lines: []model.ShipmentLine{{POLineNo: 1, GTIN: "4006381333931", Quantity: 2}}},
		{TrackingNumber: "3SABC1234568", Lines: []model.ShipmentLine{}},
	}
	want2 := []model.Package{{TrackingNumber: "3SABC1234567", Lines: []model.ShipmentLine{{POLineNo: 4, GTIN: "4006381333948", Quantity: 3}}}}
	if !reflect.DeepEqual(sn1.Packages, want1) || !reflect.DeepEqual(sn2.Packages, want2) {
		t.Errorf("packages\n 1: %+v\n 2: %+v", sn1.Packages, sn2.Packages)
	}
}

func TestDESADVErrors(t *testing.T) {
	r := newRig(t, nil, nil)
	body := []string{"BGM+351+DES-1", "DTM+11:2026112:102", "LIN+1++4006381333931:EN", "QTY+12:1.5", "LIN+2++4006381333948:EN"}
	got := parse(t, r.c, "in.edi", inbound(env{ref: "54"}, msg{"DESADV", body}))
	if len(got.Docs) != 0 || len(got.Rejected) != 1 {
		t.Fatalf("docs = %+v rejected = %+v", got.Docs, got.Rejected)
	}
	want := []string{
		"segment 3 (DTM) element 1 component 2: DTM01-2 \"2026112\" is not a date",
		"segment 5 (QTY) element 1 component 2: QTY01-2 1.5 is not a whole number of units",
		"segment 6 (LIN): line 2 has no QTY+12",
		"segment 7 (RFF): no RFF segment: a DESADV names our purchase order in RFF+ON",
	}
	errs := got.Rejected[0].Errors
	if len(errs) != len(want) {
		t.Fatalf("errors = %q", errs)
	}
	for i, w := range want {
		if !strings.Contains(errs[i], w) {
			t.Errorf("error %d = %s, want %s", i, errs[i], w)
		}
	}
}
