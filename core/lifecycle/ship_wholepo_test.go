package lifecycle

import (
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
)

// A notice that says "the order has shipped" without items ships every
// unit not yet shipped, keeps every tracking number, and a repeat of it
// changes nothing.
func TestShipNoticeWholePO(t *testing.T) {
	a := agg()
	// One unit of the mug shipped already.
	ApplyShipNotice(a, &model.ShipNotice{PONumber: "A", Packages: []model.Package{{TrackingNumber: "T0", Lines: []model.ShipmentLine{{SKU: "A-MUG", Quantity: 1}}}}}, "first", step(time.Hour))
	sn := &model.ShipNotice{PONumber: "A", Carrier: "ups", WholePO: true, Packages: []model.Package{
		{TrackingNumber: "1Z999AA10123456784", Lines: []model.ShipmentLine{}},
		{TrackingNumber: "1Z12345E6605272234"},
	}}
	out, err := ApplyShipNotice(a, sn, "mail1", step(2*time.Hour))
	if err != nil || len(out.Shipments()) != 1 || len(out.Exceptions()) != 0 {
		t.Fatalf("out %+v err %v", out, err)
	}
	a.Recompute()
	po := a.PO("A")
	if po.Status != model.POShipped || po.Lines[0].Shipped != 2 || po.Lines[1].Shipped != 1 {
		t.Fatalf("po %s lines %+v", po.Status, po.Lines)
	}
	sh := a.Shipments[1]
	if got := sh.TrackingNumbers(); len(got) != 2 || got[0] != "1Z999AA10123456784" || got[1] != "1Z12345E6605272234" {
		t.Errorf("tracking = %v", got)
	}
	// The remaining units (1 mug, 1 tee) are recorded with the first
	// package; the second carries its tracking number only.
	if q := sh.LineQuantities(); q["L1"] != 1 || q["L2"] != 1 || len(sh.Packages[1].Lines) != 0 {
		t.Errorf("lines = %v, second package %+v", q, sh.Packages[1])
	}
	if a.Order.Lines[0].State != model.LineShipped || a.Order.Lines[1].State != model.LineShipped {
		t.Errorf("order lines = %+v", a.Order.Lines)
	}

	// The same e-mail again under another id (a supplier who sends the
	// tracking twice): nothing to ship, nothing new, no exception.
	out, _ = ApplyShipNotice(a, &model.ShipNotice{PONumber: "A", WholePO: true, Packages: []model.Package{{TrackingNumber: "1Z999AA10123456784"}}}, "mail2", step(3*time.Hour))
	if len(out.Shipments()) != 0 || len(out.Exceptions()) != 0 || len(a.Shipments) != 2 {
		t.Errorf("repeat: out %+v shipments %d", out, len(a.Shipments))
	}
	// A new tracking number for a PO with nothing left to ship needs a
	// person.
	out, _ = ApplyShipNotice(a, &model.ShipNotice{PONumber: "A", WholePO: true, Packages: []model.Package{{TrackingNumber: "1ZXF38300382722839"}}}, "mail3", step(4*time.Hour))
	if len(out.Exceptions()) != 1 || out.Exceptions()[0].Kind != model.ExDocumentRejected || !strings.Contains(out.Exceptions()[0].Reason, "already shipped") {
		t.Errorf("late tracking: %+v", out.Exceptions())
	}
}

// Lines stated on a WholePO notice are not counted twice.
func TestShipNoticeWholePOIgnoresLines(t *testing.T) {
	a := agg()
	out, _ := ApplyShipNotice(a, &model.ShipNotice{PONumber: "B", WholePO: true, Packages: []model.Package{
		{TrackingNumber: "T1", Lines: []model.ShipmentLine{{SKU: "B-CAP", Quantity: 3}}},
	}}, "m", step(time.Hour))
	if len(out.Exceptions()) != 0 || a.PO("B").Lines[0].Shipped != 3 {
		t.Errorf("exceptions %+v shipped %d", out.Exceptions(), a.PO("B").Lines[0].Shipped)
	}
}

// Packages without items beside packages with items are kept: a parcel
// count larger than the item list is normal.
func TestShipNoticeKeepsBarePackages(t *testing.T) {
	a := agg()
	out, _ := ApplyShipNotice(a, &model.ShipNotice{PONumber: "A", Packages: []model.Package{
		{TrackingNumber: "T1", Lines: []model.ShipmentLine{{SKU: "A-MUG", Quantity: 2}}},
		{TrackingNumber: "T2"},
	}}, "m", step(time.Hour))
	if len(out.Shipments()) != 1 || len(a.Shipments[0].Packages) != 2 || a.PO("A").Status != model.POPartiallyShipped {
		t.Fatalf("shipments %+v status %s", a.Shipments, a.PO("A").Status)
	}
	// A notice with only bare packages (and not WholePO) ships nothing.
	out, _ = ApplyShipNotice(a, &model.ShipNotice{PONumber: "B", Packages: []model.Package{{TrackingNumber: "T3"}}}, "n", step(time.Hour))
	if len(out.Shipments()) != 0 || len(a.Shipments) != 1 {
		t.Errorf("bare only: %+v", out)
	}
}

// A supplier that ships a PO whose cancellation it confirmed, saying only
// "shipped", is flagged as such.
func TestShipNoticeWholePOAfterCancel(t *testing.T) {
	a := agg()
	po := a.PO("B")
	po.Status = model.POCancelled
	po.Lines[0].Cancelled = 3
	out, _ := ApplyShipNotice(a, &model.ShipNotice{PONumber: "B", WholePO: true, Packages: []model.Package{{TrackingNumber: "T9"}}}, "m", step(time.Hour))
	if len(out.Exceptions()) != 1 || out.Exceptions()[0].Kind != model.ExCancelRejected {
		t.Errorf("exceptions = %+v", out.Exceptions())
	}
}
