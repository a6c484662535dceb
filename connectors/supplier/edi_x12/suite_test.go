package edi_x12

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/transport"
)

// The capability suites of internal/connectortest, run against the
// connector on a directory transport (the tests in the other files are
// the connector's own).

// suiteX12 is the connector with its outbox and inbox directories.
type suiteX12 struct {
	c             *Connector
	outbox, inbox string
}

func newSuiteX12(r *connectortest.Rig) suiteX12 {
	dir := r.T.TempDir()
	s := suiteX12{outbox: filepath.Join(dir, "outbox"), inbox: filepath.Join(dir, "inbox")}
	cfg := &Config{Partner: inboundPartner(), Transport: transport.Config{Type: "directory", Outbox: s.outbox, Inbox: s.inbox}}
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

// sent lists the interchanges in the outbox named name, each as
// "<file>#<ISA13>": the identity under which the partner receives it.
func (s suiteX12) sent(t connectortest.T, name string) []string {
	data, err := os.ReadFile(filepath.Join(s.outbox, name))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatalf("outbox: %v", err)
	}
	// ISA is fixed width: its fourth byte is the element separator.
	el := strings.Split(string(data[:106]), string(data[3]))
	return []string{name + "#" + el[13]}
}

func suitePO(i int) (*model.PurchaseOrder, *model.Order) {
	po, order := samplePO()
	po.Number = fmt.Sprintf("PO%010dX", i)
	po.OrderID = fmt.Sprintf("ord_%d", i)
	return po, order
}

func TestSuitePurchaseOrders(t *testing.T) {
	connectortest.RunPurchaseOrders(t, connectortest.POHarness{Setup: func(r *connectortest.Rig) connectortest.POFixture {
		s := newSuiteX12(r)
		return connectortest.POFixture{
			Connector:     s.c,
			PO:            suitePO,
			Orders:        func(n string) []string { return s.sent(r.T, n+".850.x12") },
			Cancellations: func(n string) []string { return s.sent(r.T, n+".cancel.850.x12") },
			// A file where the outbox directory should be: every write fails.
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

// suiteDocuments are the documents a partner sends back, built as
// SUPPLIER would send them to DROPGATE.
func suiteDocuments(t *testing.T) []connectortest.DocumentSample {
	po := "PO7K3M9QX2AB"
	doc := func(name, isa13, fid, id, body string, want ...connectortest.WantDoc) connectortest.DocumentSample {
		return connectortest.DocumentSample{Name: name, Data: interchange(t, isa13, 1, group{fid: fid, sets: []set{{id, body}}}), Want: want}
	}
	return []connectortest.DocumentSample{
		doc("855.x12", "101", "PR", "855", "BAK*00*AC*"+po+"*20261121\nPO1*1*2*EA*4.20**VP*ACM-MUG\nACK*IA*2*EA\nCTT*1",
			connectortest.WantDoc{Kind: connectortest.DocAck, PONumber: po, Check: func(t connectortest.T, d connector.InboundDoc) {
				if a := d.POAck; len(a.Lines) != 1 || a.Lines[0].Status != model.AckAccepted || a.Lines[0].Quantity != 2 {
					t.Errorf("855: %+v", a)
				}
			}}),
		doc("856.x12", "102", "SH", "856", "BSN*00*SHP-77*20261122*0930\nHL*1**S\nTD5*B*2*UPSN*U*UPS GROUND\n"+
			"HL*2*1*O\nPRF*"+po+"\nHL*3*2*P\nREF*CN*1Z999AA10123456784\nHL*4*3*I\nLIN*1*VP*ACM-MUG\nSN1*1*2*EA\nCTT*4",
			connectortest.WantDoc{Kind: connectortest.DocShipNotice, PONumber: po, Check: func(t connectortest.T, d connector.InboundDoc) {
				if sn := d.ShipNotice; len(sn.Packages) != 1 || sn.Packages[0].TrackingNumber != "1Z999AA10123456784" {
					t.Errorf("856: %+v", sn)
				}
			}}),
		doc("810.x12", "103", "IN", "810", "BIG*20261125*INV-1001**"+po+"\nCUR*SE*USD\nIT1*1*2*EA*4.20**VP*ACM-MUG\nTDS*840\nCTT*1",
			connectortest.WantDoc{Kind: connectortest.DocInvoice, PONumber: po, Check: func(t connectortest.T, d connector.InboundDoc) {
				if inv := d.Invoice; inv.Number != "INV-1001" || inv.Total != money.MustParse("8.40", "USD") {
					t.Errorf("810: %+v", inv)
				}
			}}),
		doc("846.x12", "104", "IB", "846", "BIA*00*DD*INV-20261122*20261122*0600\nLIN*1*VP*ACM-MUG\nQTY*33*120*EA\nCTT*1",
			connectortest.WantDoc{Kind: connectortest.DocInventory}),
		doc("997.x12", "105", "FA", "997", "AK1*PO*905\nAK2*850*0001\nAK5*A\nAK9*A*1*1*1",
			connectortest.WantDoc{Kind: connectortest.DocFuncAck}),
	}
}

func TestSuiteDocuments(t *testing.T) {
	samples := suiteDocuments(t)
	connectortest.RunDocuments(t, connectortest.DocumentsHarness{Setup: func(r *connectortest.Rig) connectortest.DocumentsFixture {
		s := newSuiteX12(r)
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
