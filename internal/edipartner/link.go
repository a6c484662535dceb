package edipartner

import (
	"context"
	"fmt"
	"strconv"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/stage"
	"github.com/dropgate/dropgate/internal/transport"
)

// Naming names the files a connector writes for its partner.
type Naming struct {
	Doc string // the document kind in a PO's file name: "850", "orders"
	Ext string // the syntax's extension: "x12", "edi"
}

// Order names the file of PO number: <number>.<Doc>.<Ext>, or
// <number>.cancel.<Doc>.<Ext> for its cancellation. The same PO gives the
// same name, so a retried send replaces the file rather than adding one.
// PO numbers are short and alphanumeric (model.PONumber); the transport
// refuses, permanently, a name that is not a plain file name.
func (n Naming) Order(number string, cancel bool) string {
	if cancel {
		return number + ".cancel." + n.Doc + "." + n.Ext
	}
	return number + "." + n.Doc + "." + n.Ext
}

// Batch names the file of a batch of POs (Batcher) after its control
// number: B<ctrl, 9 digits>.<Doc>.<Ext>. A batch retried whole has the
// same number, so it replaces its file.
func (n Naming) Batch(ctrl int64) string {
	return fmt.Sprintf("B%09d.%s.%s", ctrl, n.Doc, n.Ext)
}

// Reply names the answer to an inbound file after that file and the
// envelope it answers: the inbound name without its extension, then
// .<ref>.<kind>.<Ext> (asn-0042.000000049-49.997.x12,
// desadv-0042.77.contrl.edi), so a re-parse rewrites the same file. A
// long or odd inbound name is made safe and cut short with a hash
// (transport.DerivedName): the reply can always be written.
func (n Naming) Reply(inbound, ref, kind string) string {
	return transport.DerivedName(inbound, "."+ref+"."+kind+"."+n.Ext)
}

// Link is a connector's line to its partner over the configured
// transport: the inbox and the reply outbox (transport.Mailbox), the names
// of the files, the delivery of a numbered document, and Close. A
// connector embeds it, so these are written once.
type Link struct {
	transport.Mailbox
	Names Naming
}

var (
	_ connector.Inbox       = (*Link)(nil)
	_ connector.ReplySender = (*Link)(nil)
	_ connector.Closer      = (*Link)(nil)
)

// Open builds the link of the instance name; no I/O (an SFTP transport
// connects on first use).
func Open(name string, cfg transport.Config, names Naming) (*Link, error) {
	t, err := transport.Open(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &Link{Mailbox: transport.Mailbox{Name: name, T: t}, Names: names}, nil
}

// Close ends the transport's connection (an SFTP session); the app calls
// it on shutdown.
func (l *Link) Close() error { return l.T.Close() }

// Outbound is one numbered document for the partner: a PO or its
// cancellation.
type Outbound struct {
	PO     string // the PO number, which names the file (Naming.Order)
	Cancel bool
	// Name, when set, names the file instead: a document that is no
	// purchase order (an X12 180 return request, <return>.180.x12).
	Name string
	// Once is the once-key of its control number (OrderKey): the same
	// document asks with the same key.
	Once string
	// Ref is the system of the ref that records the number on the PO
	// ("x12:isa13"), which the partner's acknowledgement quotes back.
	Ref string
	// Render writes the document with control number ctrl. Its error is
	// returned as is: a value the profile refuses is the connector's to
	// mark permanent.
	Render func(ctrl int64) ([]byte, error)
}

// Deliver allocates the document's control number, renders it and puts it
// in the outbox. The number is allocated once per once-key, so a retry
// rewrites the same file with the same number: the partner sees one
// document, and no number is ever reused for another.
func (l *Link) Deliver(ctx context.Context, counters connector.Counters, d Outbound) (connector.Sent, error) {
	name := l.Names.Order(d.PO, d.Cancel)
	if d.Name != "" {
		name = d.Name
	}
	ctrl, err := Control(ctx, counters, d.Once)
	if err != nil {
		return connector.Sent{}, fmt.Errorf("%s: control number for %s: %w", l.Name, name, err)
	}
	data, err := stage.Call(ctx, stage.Render, func(context.Context) ([]byte, error) { return d.Render(ctrl) })
	if err != nil {
		return connector.Sent{}, err
	}
	if err := stage.Write.Err(ctx, func(ctx context.Context) error { return l.T.Put(ctx, name, data) }); err != nil {
		return connector.Sent{}, fmt.Errorf("%s: put %s: %w", l.Name, name, err)
	}
	id := strconv.FormatInt(ctrl, 10)
	return connector.Sent{Document: name, Refs: []model.Ref{{System: d.Ref, ID: id}}, Control: id}, nil
}
