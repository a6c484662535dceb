package edi_x12

import (
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// TestResent856InNewEnvelopeCountsOnce is the real-partner case behind
// business-identity dedupe: the same partial 856 arrives twice, each time
// in a new interchange (ISA13) and group (GS06). The documents' ids differ;
// applying both must ship one unit, not two.
func TestResent856InNewEnvelopeCountsOnce(t *testing.T) {
	c, _ := newParser(t, nil)
	asn := group{fid: "SH", sets: []set{{id: "856", body: "BSN*00*SHP-77*20261122*0930\n" +
		"HL*1**S\nTD5*B*2*UPSN*U*UPS GROUND\nDTM*011*20261122*1615\n" +
		"HL*2*1*O\nPRF*PO7K3M9QX2AB\n" +
		"HL*3*2*P\nMAN*CP*1Z999AA10123456784\n" +
		"HL*4*3*I\nLIN*1*VP*ACM-MUG\nSN1*1*1*EA\n" +
		"CTT*4"}}}
	first := parse(t, c, "asn-1.x12", interchange(t, "000000101", 101, asn))
	again := parse(t, c, "asn-2.x12", interchange(t, "000000102", 102, asn))
	if len(first.Docs) != 1 || len(again.Docs) != 1 || first.Docs[0].ID == again.Docs[0].ID {
		t.Fatalf("want one document per file with different envelope ids: %+v / %+v", first.Docs, again.Docs)
	}

	a := &model.Aggregate{
		Order: model.Order{ID: "o1", Currency: "USD", Lines: []model.OrderLine{{ID: "L1", SKU: "MUG", Quantity: 2}}},
		POs: []model.PurchaseOrder{{Number: "PO7K3M9QX2AB", Supplier: "acme", Status: model.POAcknowledged, Lines: []model.POLine{
			{LineNo: 1, OrderLineID: "L1", SKU: "MUG", SupplierSKU: "ACM-MUG", Quantity: 2, Acknowledged: 2, UnitCost: money.MustParse("4.00", "USD")}}}},
	}
	at := time.Date(2026, 11, 22, 17, 0, 0, 0, time.UTC)
	for i, d := range []string{first.Docs[0].ID, again.Docs[0].ID} {
		doc := first.Docs[0]
		if i == 1 {
			doc = again.Docs[0]
		}
		if _, err := lifecycle.ApplyShipNotice(a, doc.ShipNotice, d, lifecycle.Step{At: at}); err != nil {
			t.Fatal(err)
		}
	}
	a.Recompute()
	if got := a.Order.Lines[0].Qty.Shipped; got != 1 || a.Order.Status != model.OrderPartiallyShipped || len(a.Shipments) != 1 {
		t.Fatalf("shipped %d, order %s, %d shipments; want 1 unit, partially shipped, 1 shipment", got, a.Order.Status, len(a.Shipments))
	}
	if last := a.Timeline[len(a.Timeline)-1]; last.Event != "document.duplicate" {
		t.Errorf("the re-sent 856 is not on the timeline: %+v", last)
	}
}
