package edifact

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/transport"
)

// The capability suites of internal/connectortest, run against the
// connector on a directory transport (the tests in the other files are
// the connector's own).

type suiteEDIFACT struct {
	c             *Connector
	outbox, inbox string
}

func newSuiteEDIFACT(r *connectortest.Rig) suiteEDIFACT {
	dir := r.T.TempDir()
	s := suiteEDIFACT{outbox: filepath.Join(dir, "outbox"), inbox: filepath.Join(dir, "inbox")}
	cfg := &Config{Partner: partner(), Transport: transport.Config{Type: "directory", Outbox: s.outbox, Inbox: s.inbox}}
	if ps := cfg.Check(); len(ps) > 0 {
		r.T.Fatalf("config: %v", ps)
	}
	c, err := New(r.Env, cfg)
	if err != nil {
		r.T.Fatalf("new: %v", err)
	}
	s.c = c
	return s
}

var unbRE = regexp.MustCompile(`UNB\+[^']*`)

// sent lists the interchange in the outbox named name as
// "<file>#<UNB interchange reference>".
func (s suiteEDIFACT) sent(t connectortest.T, name string) []string {
	data, err := os.ReadFile(filepath.Join(s.outbox, name))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatalf("outbox: %v", err)
	}
	el := strings.Split(unbRE.FindString(string(data)), "+")
	if len(el) < 6 {
		t.Fatalf("%s has no UNB with a reference", name)
	}
	return []string{name + "#" + el[5]}
}

func suitePO(i int) (*model.PurchaseOrder, *model.Order) {
	po, order := samplePO()
	po.Number = fmt.Sprintf("PO%010dE", i)
	po.OrderID = fmt.Sprintf("ord_%d", i)
	return po, order
}

func TestSuitePurchaseOrders(t *testing.T) {
	connectortest.RunPurchaseOrders(t, connectortest.POHarness{Setup: func(r *connectortest.Rig) connectortest.POFixture {
		s := newSuiteEDIFACT(r)
		return connectortest.POFixture{
			Connector:     s.c,
			PO:            suitePO,
			Orders:        func(n string) []string { return s.sent(r.T, n+".orders.edi") },
			Cancellations: func(n string) []string { return s.sent(r.T, n+".cancel.orders.edi") },
			Outage: func() func() {
				if err := os.RemoveAll(s.outbox); err != nil {
					r.T.Fatalf("outage: %v", err)
				}
				if err := os.WriteFile(s.outbox, nil, 0o600); err != nil {
					r.T.Fatalf("outage: %v", err)
				}
				return func() { os.Remove(s.outbox) }
			},
		}
	}})
}

func TestSuiteDocuments(t *testing.T) {
	doc := func(name, ref, typ string, body []string, want connectortest.WantDoc) connectortest.DocumentSample {
		return connectortest.DocumentSample{Name: name, Data: inbound(env{ref: ref}, msg{typ, body}), Want: []connectortest.WantDoc{want}}
	}
	samples := []connectortest.DocumentSample{
		doc("ordrsp.edi", "41", "ORDRSP", []string{"BGM+231+R1+29", "DTM+137:20261122:102", "RFF+ON:PO123", "RFF+VN:SO-77", "CUX+2:EUR:9"},
			connectortest.WantDoc{Kind: connectortest.DocAck, PONumber: "PO123", Check: func(t connectortest.T, d connector.InboundDoc) {
				if d.POAck.SupplierID != "SO-77" {
					t.Errorf("ORDRSP: supplier order %q, want SO-77", d.POAck.SupplierID)
				}
			}}),
		doc("desadv.edi", "51", "DESADV", desadvBody,
			connectortest.WantDoc{Kind: connectortest.DocShipNotice, PONumber: "PO123", Check: func(t connectortest.T, d connector.InboundDoc) {
				if sn := d.ShipNotice; len(sn.Packages) != 2 || sn.Packages[0].TrackingNumber != "00340434161094042557" {
					t.Errorf("DESADV: %+v", sn)
				}
			}}),
		doc("invoic.edi", "61", "INVOIC", []string{"BGM+380+INV-2026-0042+9", "DTM+137:20261123:102", "RFF+ON:PO123", "CUX+2:EUR:4",
			"LIN+1++4006381333931:EN", "PIA+5+ACM-MUG:SA", "QTY+47:2:PCE", "MOA+203:8.40", "PRI+AAA:4.20", "UNS+S", "MOA+77:8.40", "MOA+79:8.40"},
			connectortest.WantDoc{Kind: connectortest.DocInvoice, PONumber: "PO123", Check: func(t connectortest.T, d connector.InboundDoc) {
				if inv := d.Invoice; inv.Number != "INV-2026-0042" || inv.Total != eur("8.40") {
					t.Errorf("INVOIC: %+v", inv)
				}
			}}),
		doc("invrpt.edi", "71", "INVRPT", []string{"BGM+35+INVR-77+9", "DTM+137:20261120:102", "LIN+1++4006381333931:EN", "PIA+5+ACM-MUG:SA", "QTY+145:300"},
			connectortest.WantDoc{Kind: connectortest.DocInventory}),
		doc("contrl.edi", "81", "CONTRL", contrlIn("7"), connectortest.WantDoc{Kind: connectortest.DocFuncAck}),
	}
	connectortest.RunDocuments(t, connectortest.DocumentsHarness{Setup: func(r *connectortest.Rig) connectortest.DocumentsFixture {
		s := newSuiteEDIFACT(r)
		return connectortest.DocumentsFixture{
			Connector: s.c,
			Samples:   samples,
			Deliver: func(name string, data []byte) {
				if err := os.MkdirAll(s.inbox, 0o755); err != nil {
					r.T.Fatalf("inbox: %v", err)
				}
				if err := os.WriteFile(filepath.Join(s.inbox, name), bytes.Clone(data), 0o644); err != nil {
					r.T.Fatalf("deliver: %v", err)
				}
			},
		}
	}})
}
