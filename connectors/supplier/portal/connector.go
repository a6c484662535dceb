package portal

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/smtp"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
)

// Connector is a configured portal supplier.
type Connector struct {
	env  connector.Env
	cfg  *Config
	send sendMail
}

// sendMail is net/smtp.SendMail's shape, replaced in tests.
type sendMail func(addr string, a smtp.Auth, from string, to []string, msg []byte) error

var _ connector.POSender = (*Connector)(nil)

// New builds the connector; no I/O.
func New(env connector.Env, cfg *Config) (*Connector, error) {
	if ps := cfg.Check(); len(ps) > 0 {
		return nil, fmt.Errorf("portal: %s: %s", ps[0].Path, ps[0].Message)
	}
	return &Connector{env: env, cfg: cfg, send: smtp.SendMail}, nil
}

// SendPO makes the PO visible in the portal, which needs nothing but the
// PO being sent; with notify set, the supplier is told by e-mail. The
// document is the same on every retry.
func (c *Connector) SendPO(ctx context.Context, po *model.PurchaseOrder, order *model.Order) (connector.Sent, error) {
	sent := connector.Sent{Document: "portal:" + po.Number}
	if c.cfg.Notify == nil {
		return sent, nil
	}
	if err := ctx.Err(); err != nil {
		return connector.Sent{}, fault.Retryable(fmt.Errorf("portal: notice of %s: %w", po.Number, err))
	}
	if err := c.notify(po); err != nil {
		return connector.Sent{}, err
	}
	sent.Document = "portal:" + po.Number + " (notice " + messageID(po, c.cfg.Notify.From) + ")"
	return sent, nil
}

// notify e-mails the new-PO notice. Its Message-ID is derived from the PO
// so a retried notice is recognisably the same message.
func (c *Connector) notify(po *model.PurchaseOrder) error {
	n := c.cfg.Notify
	var msg bytes.Buffer
	fmt.Fprintf(&msg, "From: %s\r\nTo: %s\r\nSubject: New purchase order %s\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
		n.From, strings.Join(n.To, ", "), po.Number, messageID(po, n.From))
	fmt.Fprintf(&msg, "Purchase order %s (%d lines) is waiting for you in the supplier portal.\r\n", po.Number, len(po.Lines))
	if c.cfg.PortalURL != "" {
		fmt.Fprintf(&msg, "\r\n%s\r\n", strings.TrimRight(c.cfg.PortalURL, "/")+"/pos/"+po.Number)
	}
	var auth smtp.Auth
	if n.Username != "" {
		host, _, _ := net.SplitHostPort(n.SMTP)
		auth = smtp.PlainAuth("", n.Username, n.Password.Reveal(), host)
	}
	if err := c.send(n.SMTP, auth, address(n.From), addresses(n.To), msg.Bytes()); err != nil {
		// The relay being down is worth retrying; the PO is visible anyway.
		return fault.Retryable(fmt.Errorf("portal: notice of %s via %s: %w", po.Number, n.SMTP, err))
	}
	c.env.Log().Info("portal notice sent", "po", po.Number)
	return nil
}

func messageID(po *model.PurchaseOrder, from string) string {
	domain := "dropgate.invalid"
	if _, d, ok := strings.Cut(address(from), "@"); ok {
		domain = d
	}
	return "<" + strings.ToLower(po.Number) + ".portal@" + domain + ">"
}

// Name is the supplier's name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "portal".
func (c *Connector) Type() string { return Type }
