package edifact

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/edipartner"
)

// Connector is a configured EDIFACT supplier.
type Connector struct {
	// Link is the transport: the inbox and the reply outbox
	// (connector.Inbox, connector.ReplySender), the ORDERS' delivery,
	// Close.
	*edipartner.Link
	env      connector.Env
	cfg      *Config
	loc      *time.Location
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
)

// names: <PO>.orders.edi, <PO>.cancel.orders.edi, <inbound>.<UNB 0020>.contrl.edi.
var names = edipartner.Naming{Doc: "orders", Ext: "edi"}

// RefInterchange is the system of the ref SendPO and CancelPO record:
// the UNB 0020 interchange control reference of the ORDERS, which the
// partner's CONTRL quotes in UCI 0020 (FunctionalAck.InterchangeControl).
const RefInterchange = "edifact:unb0020"

// New builds the connector from a config that passes Check; no I/O (an
// SFTP transport connects on use).
func New(env connector.Env, cfg *Config) (*Connector, error) {
	if err := edipartner.Problems(cfg.Check()).Err(); err != nil {
		return nil, err
	}
	loc, err := edipartner.Location(cfg.Partner.Timezone)
	if err != nil {
		return nil, err
	}
	refs, err := parseTrackingRefs(cfg.Partner.TrackingRef)
	if err != nil {
		return nil, fmt.Errorf("partner.tracking_ref: %w", err)
	}
	link, err := edipartner.Open(env.Name, cfg.Transport, names)
	if err != nil {
		return nil, err
	}
	return &Connector{Link: link, env: env, cfg: cfg, loc: loc, tracking: refs, carriers: edipartner.Carriers(cfg.Partner.Carriers)}, nil
}

// Name is the instance name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "edifact".
func (c *Connector) Type() string { return Type }

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

// send delivers the ORDERS of BGM message function function. The
// once-key names it "orders:original:<PO>" or "orders:cancel:<PO>", as it
// always has.
func (c *Connector) send(ctx context.Context, po *model.PurchaseOrder, order *model.Order, function string) (connector.Sent, error) {
	purpose := "original"
	if function == functionCancel {
		purpose = "cancel"
	}
	return c.Deliver(ctx, c.env.Counters, edipartner.Outbound{
		PO: po.Number, Cancel: function == functionCancel, Once: edipartner.OrderKey("orders", purpose, po.Number), Ref: RefInterchange,
		Render: func(ctrl int64) ([]byte, error) {
			return c.RenderOrders(po, order, strconv.FormatInt(ctrl, 10), c.env.Clock.Now(), function)
		},
	})
}

// ExpectFunctionalAck reports whether the partner answers our ORDERS with
// a CONTRL (partner.expect_contrl, default true) and within how long
// (partner.ack_within, default 24h).
func (c *Connector) ExpectFunctionalAck() (bool, time.Duration) {
	return c.cfg.Partner.acks().Expected()
}
