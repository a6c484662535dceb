package edi_x12

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/x12"
)

func sampleReturn() *model.Return {
	return &model.Return{ID: "ret_abc", OrderID: "ord_x", Supplier: "acme", PONumber: "PO7K3M9QX2AB", Reason: "arrived broken",
		Lines: []model.ReturnLine{{OrderLineID: "1", SKU: "MUG-BLK-11", SupplierSKU: "ACM-MUG-11-BK", Quantity: 1, Description: "Mug"}}}
}

// The 180 is a valid interchange in its own AN group naming the return,
// the PO, the customer's order and each returned item.
func TestRender180ParsesBack(t *testing.T) {
	c := newConn(t, partner(), t.TempDir(), nil)
	po, o := samplePO()
	data, err := c.Render180(sampleReturn(), po, o, 77, when)
	if err != nil {
		t.Fatal(err)
	}
	f, err := x12.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if errs := f.AllErrors(); len(errs) > 0 {
		t.Fatalf("envelope errors: %v", errs)
	}
	g := f.Interchanges[0].Groups[0]
	if g.Header.FunctionalID != "AN" || g.Header.Control != "77" {
		t.Errorf("GS = %+v", g.Header)
	}
	set := g.Sets[0]
	seg := map[string][]*x12.Segment{}
	for _, s := range set.Segments {
		seg[s.ID] = append(seg[s.ID], s)
	}
	if set.Header.ID != "180" {
		t.Fatalf("ST01 = %s", set.Header.ID)
	}
	if b := seg["BGN"][0]; b.Element(1) != "00" || b.Element(2) != "ret_abc" {
		t.Errorf("BGN = %s", b)
	}
	if p := seg["PRF"][0]; p.Element(1) != "PO7K3M9QX2AB" {
		t.Errorf("PRF = %s", p)
	}
	if r := seg["RDR"][0]; r.Element(4) != "arrived broken" {
		t.Errorf("RDR = %s", r)
	}
	if b := seg["BLI"]; len(b) != 1 || b[0].Element(2) != "ACM-MUG-11-BK" || b[0].Element(3) != "1" {
		t.Errorf("BLI = %v", b)
	}
}

// Only a partner with rma: edi_180 offers return requests; its request is
// <return>.180.x12 in the outbox, and a retry rewrites the same file.
func TestRequestReturnOnlyWhenEnabled(t *testing.T) {
	if _, ok := connector.As[connector.ReturnRequester](newConn(t, partner(), t.TempDir(), nil)); ok {
		t.Fatal("a partner without rma: edi_180 offers return requests")
	}
	p := partner()
	p.RMA = rma180
	outbox := t.TempDir()
	c := newConn(t, p, outbox, nil)
	c.env.Counters = newCounterStore()
	rq, ok := connector.As[connector.ReturnRequester](c)
	if !ok {
		t.Fatal("rma: edi_180 does not offer return requests")
	}
	po, o := samplePO()
	first, err := rq.RequestReturn(context.Background(), sampleReturn(), po, o)
	if err != nil {
		t.Fatal(err)
	}
	again, err := rq.RequestReturn(context.Background(), sampleReturn(), po, o)
	if err != nil || again.Document != first.Document || first.Document != "ret_abc.180.x12" {
		t.Fatalf("documents %q then %q (%v)", first.Document, again.Document, err)
	}
	entries, _ := os.ReadDir(outbox)
	if len(entries) != 1 {
		t.Fatalf("outbox holds %d files, want 1", len(entries))
	}
	b, _ := os.ReadFile(filepath.Join(outbox, "ret_abc.180.x12"))
	if f, err := x12.Parse(b); err != nil || len(f.AllErrors()) > 0 {
		t.Fatalf("outbox file does not parse: %v", err)
	}
}

func TestRMAKeyIsChecked(t *testing.T) {
	p := partner()
	p.RMA = "edi_181"
	cfg := &Config{Partner: p}
	for _, pr := range cfg.Check() {
		if pr.Path == "partner.rma" {
			return
		}
	}
	t.Fatal("partner.rma: edi_181 accepted")
}

// Capabilities are worked out once in New; each caller gets its own
// list, so one changing it changes nothing for the next.
func TestCapabilitiesAreTheCallersOwn(t *testing.T) {
	p := partner()
	p.RMA = rma180
	c := newConn(t, p, t.TempDir(), nil)
	caps := c.Capabilities()
	if !caps.Has(connector.CapReturns) || !caps.Has(connector.CapSendPO) {
		t.Fatalf("offers %v", caps.Offers)
	}
	for i := range caps.Offers {
		caps.Offers[i] = "changed"
	}
	if again := c.Capabilities(); !again.Has(connector.CapReturns) || slices.Contains(again.Offers, "changed") {
		t.Fatalf("a caller's change reached the connector: %v", again.Offers)
	}
}
