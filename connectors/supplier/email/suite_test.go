package email

import (
	"bytes"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/connectortest"
)

// The capability suites of internal/connectortest, run against the
// connector over the file transport and over SMTP (the tests in the
// other files are the connector's own).

func suitePO(i int) (*model.PurchaseOrder, *model.Order) {
	po, order := testPO()
	po.Number = model.PONumber(fmt.Sprintf("ord_%d", i), "acme", 1)
	po.OrderID = fmt.Sprintf("ord_%d", i)
	return po, order
}

func suiteNew(r *connectortest.Rig, cfg *Config) *Connector {
	r.T.Helper()
	c, err := New(r.Env, cfg)
	if err != nil {
		r.T.Fatalf("new: %v", err)
	}
	return c
}

// messageIDs returns the distinct Message-IDs of messages, keeping those
// keep accepts: what the supplier's mail system holds, whatever the
// number of copies.
func messageIDs(t connectortest.T, msgs [][]byte, keep func(id string) bool) []string {
	var ids []string
	for _, m := range msgs {
		msg, err := mail.ReadMessage(bytes.NewReader(m))
		if err != nil {
			t.Fatalf("a sent message does not parse: %v", err)
		}
		if id := msg.Header.Get("Message-Id"); keep(id) && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

func order(n string) func(string) bool {
	return func(id string) bool { return strings.HasPrefix(id, "<"+n+"@") }
}

func cancellation(n string) func(string) bool {
	return func(id string) bool { return strings.HasPrefix(id, "<"+n+".cancel@") }
}

// fileSuite is the connector on transport: file.
type fileSuite struct {
	c             *Connector
	outbox, inbox string
}

func newFileSuite(r *connectortest.Rig) fileSuite {
	dir := r.T.TempDir()
	s := fileSuite{outbox: filepath.Join(dir, "outbox"), inbox: filepath.Join(dir, "inbox")}
	cfg := baseConfig()
	cfg.Transport = transportFile
	cfg.File = File{Outbox: s.outbox, Inbox: s.inbox, Archive: filepath.Join(dir, "archive")}
	s.c = suiteNew(r, cfg)
	return s
}

// outboxMessages reads the .eml files of the outbox.
func (s fileSuite) outboxMessages(t connectortest.T) [][]byte {
	entries, _ := os.ReadDir(s.outbox)
	var out [][]byte
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".eml") {
			b, err := os.ReadFile(filepath.Join(s.outbox, e.Name()))
			if err != nil {
				t.Fatalf("outbox: %v", err)
			}
			out = append(out, b)
		}
	}
	return out
}

func TestSuitePurchaseOrdersFile(t *testing.T) {
	connectortest.RunPurchaseOrders(t, connectortest.POHarness{Setup: func(r *connectortest.Rig) connectortest.POFixture {
		s := newFileSuite(r)
		return connectortest.POFixture{
			Connector:     s.c,
			PO:            suitePO,
			Orders:        func(n string) []string { return messageIDs(r.T, s.outboxMessages(r.T), order(n)) },
			Cancellations: func(n string) []string { return messageIDs(r.T, s.outboxMessages(r.T), cancellation(n)) },
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

func TestSuitePurchaseOrdersSMTP(t *testing.T) {
	pki := newPKI(t)
	connectortest.RunPurchaseOrders(t, connectortest.POHarness{Setup: func(r *connectortest.Rig) connectortest.POFixture {
		be, port := startSMTP(t, pki, false)
		c := suiteNew(r, smtpConfig(pki, port))
		received := func() [][]byte {
			var out [][]byte
			for _, m := range be.messages() {
				out = append(out, m.Data)
			}
			return out
		}
		return connectortest.POFixture{
			Connector:     c,
			PO:            suitePO,
			Orders:        func(n string) []string { return messageIDs(r.T, received(), order(n)) },
			Cancellations: func(n string) []string { return messageIDs(r.T, received(), cancellation(n)) },
		}
	}})
}

func TestSuiteDocuments(t *testing.T) {
	shipped := reply("Subject: Re: Purchase order "+poA, "Hello,\nyour order shipped via UPS.\nTracking: "+ups1+"\n")
	confirmed := reply("Subject: Re: "+poB+"\nMessage-ID: <r2@acme.example>", "Order confirmed, ships tomorrow.")
	connectortest.RunDocuments(t, connectortest.DocumentsHarness{Setup: func(r *connectortest.Rig) connectortest.DocumentsFixture {
		s := newFileSuite(r)
		return connectortest.DocumentsFixture{
			Connector: s.c,
			Deliver: func(name string, data []byte) {
				if err := os.MkdirAll(s.inbox, 0o755); err != nil {
					r.T.Fatalf("inbox: %v", err)
				}
				if err := os.WriteFile(filepath.Join(s.inbox, name), bytes.Clone(data), 0o644); err != nil {
					r.T.Fatalf("deliver: %v", err)
				}
			},
			Samples: []connectortest.DocumentSample{
				{Name: "shipped.eml", Data: shipped, Want: []connectortest.WantDoc{{Kind: connectortest.DocShipNotice, PONumber: poA,
					Check: func(t connectortest.T, d connector.InboundDoc) {
						if sn := d.ShipNotice; len(sn.Packages) != 1 || sn.Packages[0].TrackingNumber != ups1 || sn.Packages[0].Carrier != "ups" {
							t.Errorf("ship notice %+v", sn)
						}
					}}}},
				{Name: "confirmed.eml", Data: confirmed, Want: []connectortest.WantDoc{{Kind: connectortest.DocAck, PONumber: poB,
					Check: func(t connectortest.T, d connector.InboundDoc) {
						if d.POAck.Status != ackAccepted {
							t.Errorf("ack %+v", d.POAck)
						}
					}}}},
			},
		}
	}})
}
