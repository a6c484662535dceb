package edi_x12

import (
	"context"
	"fmt"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/edipartner"
	"github.com/dropgate/dropgate/internal/x12"
)

// Connector is a configured X12 supplier.
type Connector struct {
	// Link is the transport: the inbox and the reply outbox
	// (connector.Inbox, connector.ReplySender), the 850s' delivery, Close.
	*edipartner.Link
	env      connector.Env
	cfg      *Config
	delims   x12.Delimiters
	loc      *time.Location
	asn      asnOptions
	currency string              // of inbound documents without CUR
	batcher  *edipartner.Batcher // nil unless batch.max_sets > 1
	// caps is Capabilities, worked out once in New: the core asks for
	// it on every capability lookup (each PO sent), and the reflection
	// behind it showed in the send's profile.
	caps connector.Caps
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

// names: <PO>.850.x12, <PO>.cancel.850.x12, <inbound>.<ISA13>-<GS06>.997.x12.
var names = edipartner.Naming{Doc: "850", Ext: "x12"}

// RefISA13 is the system of the ref SendPO and CancelPO record: the
// interchange control number of the 850 (ISA13 = GS06), which the
// partner's 997/999 quotes in AK102 (FunctionalAck.InterchangeControl).
const RefISA13 = "x12:isa13"

// New builds the connector; no I/O (an SFTP transport connects on use).
func New(env connector.Env, cfg *Config) (*Connector, error) {
	loc, err := edipartner.Location(cfg.Partner.Timezone)
	if err != nil {
		return nil, err
	}
	refs, err := parseTrackingRef(cfg.Partner.TrackingRef)
	if err != nil {
		return nil, fmt.Errorf("partner.tracking_ref: %w", err)
	}
	link, err := edipartner.Open(env.Name, cfg.Transport, names)
	if err != nil {
		return nil, err
	}
	c := &Connector{Link: link, env: env, cfg: cfg, delims: cfg.Partner.Delimiters.x12(cfg.Partner.Version), loc: loc,
		asn: asnOptions{refs: refs, carriers: edipartner.Carriers(cfg.Partner.Carriers)}, currency: edipartner.Currency(cfg.Partner.DefaultCurrency, "USD")}
	if cfg.Batch.Enabled() {
		c.batcher = &edipartner.Batcher{Policy: cfg.Batch, Link: link, Counters: env.Counters, Journal: env.State,
			Now: env.Clock.Now, Log: env.Log(),
			NewEnvelope: func() edipartner.Envelope {
				e, err := c.newEnvelope(c.env.Clock.Now())
				if err != nil {
					return failedEnvelope{err}
				}
				return e
			}}
	}
	c.caps = c.capabilities()
	return c, nil
}

// failedEnvelope reports a writer that could not be made (the delimiters,
// checked at load, make that unreachable in practice).
type failedEnvelope struct{ err error }

func (f failedEnvelope) Begin(int64) error    { return f.err }
func (f failedEnvelope) End() ([]byte, error) { return nil, f.err }

// Name is the instance name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "edi_x12".
func (c *Connector) Type() string { return Type }

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

// send delivers the 850 of purpose (BEG01). The once-key names the
// purpose by its BEG01 code ("850:00:<PO>"), as it always has.
func (c *Connector) send(ctx context.Context, po *model.PurchaseOrder, order *model.Order, purpose string) (connector.Sent, error) {
	out := edipartner.Outbound{
		PO: po.Number, Cancel: purpose == purposeCancel, Once: edipartner.OrderKey("850", purpose, po.Number), Ref: RefISA13,
		Render: func(ctrl int64) ([]byte, error) { return c.Render850(po, order, ctrl, c.env.Clock.Now(), purpose) },
	}
	if c.batcher == nil || purpose == purposeCancel {
		// Cancellations go alone and at once: they race the supplier's
		// picking.
		return c.Deliver(ctx, c.env.Counters, out)
	}
	return c.batcher.Send(ctx, edipartner.Member{Outbound: out,
		Check: func() error {
			_, err := out.Render(1)
			return err
		},
		RenderSet: func(env edipartner.Envelope, set string) error {
			e, ok := env.(*envelope)
			if !ok {
				return fmt.Errorf("850 %s: not an x12 envelope", po.Number)
			}
			c.writePOSet(e.w, po, order, set, purpose)
			return nil
		}})
}

// ExpectFunctionalAck reports whether the partner answers our 850s with a
// 997/999 (partner.expect_ack, default true) and within how long
// (partner.ack_within, default 24h); the engine flags interchanges left
// unacknowledged longer.
func (c *Connector) ExpectFunctionalAck() (bool, time.Duration) {
	return c.cfg.Partner.acks().Expected()
}
