package edifact

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/transport"
)

// Connector is a configured EDIFACT supplier.
type Connector struct {
	env       connector.Env
	cfg       *Config
	loc       *time.Location
	transport transport.Transport
	// Mailbox is the inbox and the reply outbox (connector.Inbox,
	// connector.ReplySender) over the same transport.
	transport.Mailbox
	tracking []trackingRef
	carriers map[string]string // TDT C040/3127 (upper case) → canonical code
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

// RefInterchange is the system of the ref SendPO and CancelPO record:
// the UNB 0020 interchange control reference of the ORDERS, which the
// partner's CONTRL quotes in UCI 0020 (FunctionalAck.InterchangeControl).
const RefInterchange = "edifact:unb0020"

// New builds the connector from a config that passes Check; no I/O (an
// SFTP transport connects on use).
func New(env connector.Env, cfg *Config) (*Connector, error) {
	if ps := cfg.Check(); len(ps) > 0 {
		errs := make([]error, len(ps))
		for i, p := range ps {
			errs[i] = p
		}
		return nil, errors.Join(errs...)
	}
	loc := time.UTC
	if cfg.Partner.Timezone != "" {
		l, err := time.LoadLocation(cfg.Partner.Timezone)
		if err != nil {
			return nil, fmt.Errorf("partner.timezone: %w", err)
		}
		loc = l
	}
	refs, err := parseTrackingRefs(cfg.Partner.TrackingRef)
	if err != nil {
		return nil, fmt.Errorf("partner.tracking_ref: %w", err)
	}
	carriers := make(map[string]string, len(cfg.Partner.Carriers))
	for id, code := range cfg.Partner.Carriers {
		carriers[strings.ToUpper(id)] = code
	}
	t, err := transport.Open(cfg.Transport)
	if err != nil {
		return nil, err
	}
	return &Connector{env: env, cfg: cfg, loc: loc, transport: t, Mailbox: transport.Mailbox{Name: env.Name, T: t}, tracking: refs, carriers: carriers}, nil
}

// Name is the instance name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "edifact".
func (c *Connector) Type() string { return Type }

// counterName is the partner's interchange control reference sequence,
// shared by our ORDERS and our CONTRLs so that no reference is used twice
// towards the partner.
// counterName is the partner's interchange reference sequence; in the
// instance's namespace it is edifact:<name>:interchange, as it always was.
const counterName = "interchange"

// SendPO renders the PO as an ORDERS interchange and puts it in the outbox
// as <PO number>.orders.edi. The control reference is allocated once per
// PO, so a retry rewrites the same file with the same reference: the
// partner sees one order, and no reference is ever reused for another
// document.
func (c *Connector) SendPO(ctx context.Context, po *model.PurchaseOrder, order *model.Order) (connector.Sent, error) {
	return c.send(ctx, po, order, functionOriginal)
}

// CancelPO asks the supplier to cancel a PO already sent: an ORDERS with
// BGM message function 1 (cancellation) repeating the PO's number and
// lines, put in the outbox as <PO number>.cancel.orders.edi under its own
// control reference. The supplier answers with an ORDRSP whose BGM message
// function is 1 (POAck.CancelResponse).
func (c *Connector) CancelPO(ctx context.Context, po *model.PurchaseOrder, order *model.Order) (connector.Sent, error) {
	return c.send(ctx, po, order, functionCancel)
}

func (c *Connector) send(ctx context.Context, po *model.PurchaseOrder, order *model.Order, function string) (connector.Sent, error) {
	purpose := "original"
	name := po.Number + ".orders.edi"
	if function == functionCancel {
		purpose, name = "cancel", po.Number+".cancel.orders.edi"
	}
	ctrl, err := c.env.Counters.NextCounter(ctx, counterName, "orders:"+purpose+":"+po.Number)
	if err != nil {
		return connector.Sent{}, fmt.Errorf("%s: control reference for %s: %w", c.env.Name, name, err)
	}
	data, err := c.RenderOrders(po, order, strconv.FormatInt(ctrl, 10), c.env.Clock.Now(), function)
	if err != nil {
		return connector.Sent{}, err // a value the profile refuses: permanent
	}
	if err := c.transport.Put(ctx, name, data); err != nil {
		return connector.Sent{}, fmt.Errorf("%s: put %s: %w", c.env.Name, name, err)
	}
	return connector.Sent{Document: name, Refs: []model.Ref{{System: RefInterchange, ID: strconv.FormatInt(ctrl, 10)}}}, nil
}

// ExpectFunctionalAck reports whether the partner answers our ORDERS with
// a CONTRL (partner.expect_contrl, default true) and within how long
// (partner.ack_within, default 24h).
func (c *Connector) ExpectFunctionalAck() (bool, time.Duration) {
	p := &c.cfg.Partner
	if p.ExpectContrl != nil && !*p.ExpectContrl {
		return false, 0
	}
	if p.AckWithin > 0 {
		return true, p.AckWithin
	}
	return true, defaultAckWithin
}
