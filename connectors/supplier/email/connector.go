package email

import (
	"context"
	"fmt"
	"net/mail"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
)

// RefMessageID is the Ref system under which a sent PO keeps its
// Message-ID.
const RefMessageID = "email:message-id"

// Connector is a configured e-mail supplier.
type Connector struct {
	env        connector.Env
	cfg        *Config
	from       *mail.Address
	fromDomain string
	to, cc     []*mail.Address
	replyTo    *mail.Address
	rcpts      []string // envelope recipients: to, cc and bcc
	templates  *templateSet
	out        outbox
	in         mailbox // nil: no inbox configured
	replies    *replyRules
}

// Capabilities, checked at compile time.
var (
	_ connector.POSender       = (*Connector)(nil)
	_ connector.POCanceller    = (*Connector)(nil)
	_ connector.Inbox          = (*Connector)(nil)
	_ connector.DocumentParser = (*Connector)(nil)
	_ connector.Checker        = (*Config)(nil)
)

// New builds the connector from a checked config; no I/O (servers are
// contacted on use, tls_ca is read when connecting).
func New(env connector.Env, cfg *Config) (*Connector, error) {
	if ps := cfg.Check(); len(ps) > 0 {
		return nil, fmt.Errorf("email %s: %s", env.Name, ps[0])
	}
	c := &Connector{env: env, cfg: cfg}
	var err error
	if c.from, err = mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	c.fromDomain = domainOf(c.from.Address)
	if c.to, err = parseAddresses(cfg.To); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	if c.cc, err = parseAddresses(cfg.Cc); err != nil {
		return nil, fmt.Errorf("cc: %w", err)
	}
	bcc, err := parseAddresses(cfg.Bcc)
	if err != nil {
		return nil, fmt.Errorf("bcc: %w", err)
	}
	for _, l := range [][]*mail.Address{c.to, c.cc, bcc} {
		for _, a := range l {
			c.rcpts = append(c.rcpts, a.Address)
		}
	}
	if cfg.ReplyTo != "" {
		if c.replyTo, err = mail.ParseAddress(cfg.ReplyTo); err != nil {
			return nil, fmt.Errorf("reply_to: %w", err)
		}
	}
	if c.templates, err = compileTemplates(cfg.Templates); err != nil {
		return nil, err
	}
	if c.replies, err = compileReplies(cfg.Replies); err != nil {
		return nil, err
	}
	switch cfg.Transport {
	case transportFile:
		fb := newFileBox(cfg.File)
		c.out = fb
		if cfg.File.Inbox != "" {
			c.in = fb
		}
	default:
		helo := cfg.SMTP.Helo
		if helo == "" {
			helo = c.fromDomain
		}
		c.out = &smtpOutbox{cfg: cfg.SMTP, helo: helo}
		if cfg.IMAP != nil {
			c.in = &imapBox{cfg: *cfg.IMAP}
		}
	}
	return c, nil
}

// Name is the instance name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "email".
func (c *Connector) Type() string { return Type }

// SendPO e-mails the purchase order. Its Message-ID derives from the PO
// number (<PO…@dropgate.<from domain>>), so a retry or a resend is the
// same message to the supplier's mail system, and never a new order.
func (c *Connector) SendPO(ctx context.Context, po *model.PurchaseOrder, order *model.Order) (connector.Sent, error) {
	return c.send(ctx, po, order, false)
}

// SendsUnrepeatable: over SMTP a repeat is a second message in the
// supplier's inbox; a file outbox replaces the file.
func (c *Connector) SendsUnrepeatable() bool {
	_, smtp := c.out.(*smtpOutbox)
	return smtp
}

// CancelPO e-mails a cancellation, threaded under the PO's message
// (In-Reply-To and References carry its Message-ID), with its own stable
// Message-ID (<PO….cancel@…>).
func (c *Connector) CancelPO(ctx context.Context, po *model.PurchaseOrder, order *model.Order) (connector.Sent, error) {
	return c.send(ctx, po, order, true)
}

func (c *Connector) send(ctx context.Context, po *model.PurchaseOrder, order *model.Order, cancel bool) (connector.Sent, error) {
	data, id, err := c.Render(po, order, cancel)
	if err != nil {
		return connector.Sent{}, err
	}
	name := po.Number + ".eml"
	if cancel {
		name = po.Number + ".cancel.eml"
	}
	if err := c.out.deliver(ctx, name, c.from.Address, c.rcpts, data); err != nil {
		return connector.Sent{}, fmt.Errorf("email %s: %s: %w", c.env.Name, po.Number, err)
	}
	return connector.Sent{Document: "<" + id + ">", Refs: []model.Ref{{System: RefMessageID, ID: "<" + id + ">"}}}, nil
}

// Render builds the RFC 5322 message of a PO (or of its cancellation) and
// returns it with its Message-ID. A template that fails on this PO is a
// permanent error: it will fail the same way on every retry.
func (c *Connector) Render(po *model.PurchaseOrder, order *model.Order, cancel bool) ([]byte, string, error) {
	d, err := templateData(po, order, c.env.Name, senderName(c.from), cancel)
	if err != nil {
		return nil, "", fault.Permanent(err)
	}
	body, err := c.templates.render(d)
	if err != nil {
		return nil, "", fault.Permanent(fmt.Errorf("email %s: %s: %w", c.env.Name, po.Number, err))
	}
	o := &outgoing{From: c.from, To: c.to, Cc: c.cc, ReplyTo: c.replyTo, Date: c.env.Clock.Now(),
		MessageID: messageID(po.Number, c.fromDomain, cancel), PONumber: po.Number, Cancel: cancel, Body: body}
	if cancel {
		o.InReplyTo = messageID(po.Number, c.fromDomain, false)
	}
	for _, a := range c.cfg.Attach {
		att, err := c.attachment(a, d)
		if err != nil {
			return nil, "", fault.Permanent(err)
		}
		o.Attachments = append(o.Attachments, att)
	}
	data, err := o.build()
	if err != nil {
		return nil, "", fault.Permanent(err)
	}
	return data, o.MessageID, nil
}

func (c *Connector) attachment(kind string, d TemplateData) (attachment, error) {
	base := d.PO.Number
	if d.Cancel {
		base += "-cancel"
	}
	switch kind {
	case attachCSV:
		b, err := renderCSV(d.PO)
		return attachment{Name: base + ".csv", ContentType: "text/csv", Data: b}, err
	case attachPDF:
		b, err := renderPDF(d, c.cfg.From)
		return attachment{Name: base + ".pdf", ContentType: "application/pdf", Data: b}, err
	}
	return attachment{}, fmt.Errorf("unknown attachment %q", kind)
}

// ListInbox lists the replies waiting (IMAP folder or file.inbox),
// oldest first; none when no inbox is configured.
func (c *Connector) ListInbox(ctx context.Context) ([]connector.InboxFile, error) {
	if c.in == nil {
		return nil, nil
	}
	files, err := c.in.list(ctx)
	if err != nil {
		return nil, fmt.Errorf("email %s: list inbox: %w", c.env.Name, err)
	}
	return files, nil
}

// ReadInbox returns one reply as the raw RFC 822 message. A message no
// longer there is transport.ErrNotExist.
func (c *Connector) ReadInbox(ctx context.Context, name string) ([]byte, error) {
	if c.in == nil {
		return nil, fault.Permanentf("email %s: no inbox configured", c.env.Name)
	}
	b, err := c.in.read(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("email %s: read %s: %w", c.env.Name, name, err)
	}
	return b, nil
}

// ArchiveInbox moves a processed reply out of the inbox (the archive
// mailbox or folder), or marks it \Seen (imap.on_processed: seen).
func (c *Connector) ArchiveInbox(ctx context.Context, name string) error {
	if c.in == nil {
		return fault.Permanentf("email %s: no inbox configured", c.env.Name)
	}
	if err := c.in.archive(ctx, name); err != nil {
		return fmt.Errorf("email %s: archive %s: %w", c.env.Name, name, err)
	}
	return nil
}
