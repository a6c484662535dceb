package edi_x12

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/transport"
	"github.com/dropgate/dropgate/internal/x12"
)

// Connector is a configured X12 supplier.
type Connector struct {
	env       connector.Env
	cfg       *Config
	delims    x12.Delimiters
	loc       *time.Location
	transport transport.Transport
	// Mailbox is the inbox and the reply outbox (connector.Inbox,
	// connector.ReplySender) over the same transport.
	transport.Mailbox
	asn      asnOptions
	currency string // of inbound documents without CUR
}

// Capabilities, checked at compile time.
var (
	_ connector.POSender            = (*Connector)(nil)
	_ connector.POCanceller         = (*Connector)(nil)
	_ connector.DocumentParser      = (*Connector)(nil)
	_ connector.ReplySender         = (*Connector)(nil)
	_ connector.Inbox               = (*Connector)(nil)
	_ connector.FunctionalAckPolicy = (*Connector)(nil)
	_ connector.Closer              = (*Connector)(nil)
	_ connector.Checker             = (*Config)(nil)
)

// Close ends the transport's connection (an SFTP session); the app calls
// it on shutdown.
func (c *Connector) Close() error { return c.transport.Close() }

// New builds the connector; no I/O (an SFTP transport connects on use).
func New(env connector.Env, cfg *Config) (*Connector, error) {
	loc := time.UTC
	if cfg.Partner.Timezone != "" {
		l, err := time.LoadLocation(cfg.Partner.Timezone)
		if err != nil {
			return nil, err
		}
		loc = l
	}
	refs, err := parseTrackingRef(cfg.Partner.TrackingRef)
	if err != nil {
		return nil, fmt.Errorf("partner.tracking_ref: %w", err)
	}
	carriers := make(map[string]string, len(cfg.Partner.Carriers))
	for scac, code := range cfg.Partner.Carriers {
		carriers[strings.ToUpper(scac)] = code
	}
	currency := cfg.Partner.DefaultCurrency
	if currency == "" {
		currency = "USD"
	}
	t, err := transport.Open(cfg.Transport)
	if err != nil {
		return nil, err
	}
	return &Connector{env: env, cfg: cfg, delims: cfg.Partner.Delimiters.x12(cfg.Partner.Version), loc: loc, transport: t, Mailbox: transport.Mailbox{Name: env.Name, T: t},
		asn: asnOptions{refs: refs, carriers: carriers}, currency: currency}, nil
}

// Name is the instance name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "edi_x12".
func (c *Connector) Type() string { return Type }

// counterName is the partner's interchange control-number sequence.
// counterName is the partner's interchange control-number sequence; in
// the instance's namespace it is x12:<name>:interchange, as it always was.
const counterName = "interchange"

// SendPO renders the PO as an 850 and puts it in the outbox as
// <PO number>.850.x12. The control number is allocated once per PO, so a
// retry rewrites the same file with the same number: the partner sees one
// order, and no control number is ever reused for another document.
func (c *Connector) SendPO(ctx context.Context, po *model.PurchaseOrder, order *model.Order) (connector.Sent, error) {
	return c.send(ctx, po, order, purposeOriginal)
}

// CancelPO asks the supplier to cancel a PO already sent: an 850 with
// BEG01=01 (cancellation) repeating the PO's number and lines, put in the
// outbox as <PO number>.cancel.850.x12. Its control number is allocated
// once per PO under its own key, so a retried cancellation rewrites the
// same file and never reuses the original's number. The supplier answers
// with an 855 whose BAK01 is 01 (POAck.CancelResponse).
func (c *Connector) CancelPO(ctx context.Context, po *model.PurchaseOrder, order *model.Order) (connector.Sent, error) {
	return c.send(ctx, po, order, purposeCancel)
}

func (c *Connector) send(ctx context.Context, po *model.PurchaseOrder, order *model.Order, purpose string) (connector.Sent, error) {
	ctrl, err := c.env.Counters.NextCounter(ctx, counterName, "850:"+purpose+":"+po.Number)
	if err != nil {
		return connector.Sent{}, fmt.Errorf("control number: %w", err)
	}
	data, err := c.Render850(po, order, ctrl, c.env.Clock.Now(), purpose)
	if err != nil {
		return connector.Sent{}, err // a value the partner profile refuses: permanent
	}
	name := po.Number + ".850.x12"
	if purpose == purposeCancel {
		name = po.Number + ".cancel.850.x12"
	}
	if err := c.transport.Put(ctx, name, data); err != nil {
		return connector.Sent{}, fmt.Errorf("put %s: %w", name, err)
	}
	return connector.Sent{Document: name, Refs: []model.Ref{{System: "x12:isa13", ID: strconv.FormatInt(ctrl, 10)}}}, nil
}
