package email

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/dropgate/dropgate/core/fault"
)

// outbox delivers a rendered message: over SMTP, or as an .eml file.
type outbox interface {
	// deliver sends data (a whole RFC 5322 message) from the envelope
	// sender to the envelope recipients; name is the file name a file
	// transport uses (<PO>.eml).
	deliver(ctx context.Context, name, from string, rcpts []string, data []byte) error
}

// smtpOutbox submits messages to a mail server.
type smtpOutbox struct {
	cfg  SMTP
	helo string // our EHLO name
}

var _ outbox = (*smtpOutbox)(nil)

// deliver runs one SMTP session: connect (implicit TLS, or STARTTLS,
// which is required once chosen: a server that stops offering it is
// refused rather than spoken to in clear), authenticate, MAIL, RCPT,
// DATA, QUIT. Replies 5xx are permanent (a refused recipient, bad
// credentials); 4xx and network errors are retried.
func (o *smtpOutbox) deliver(ctx context.Context, _ string, from string, rcpts []string, data []byte) error {
	ctx, cancel := context.WithTimeout(ctx, o.cfg.timeout())
	defer cancel()
	mode := o.cfg.tlsMode()
	tc, err := o.cfg.tlsConfig()
	if err != nil {
		return err
	}
	addr := o.cfg.addr(587, 465, 25)
	conn, release, err := dial(ctx, addr, mode, tc)
	if err != nil {
		return err
	}
	defer release()

	var c *smtp.Client
	if mode == tlsStartTLS {
		c, err = smtp.NewClientStartTLS(conn, tc)
		if err != nil {
			conn.Close()
			return classifySMTP(fmt.Errorf("smtp %s: starttls: %w", addr, err))
		}
	} else {
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	if err := c.Hello(o.helo); err != nil {
		return classifySMTP(fmt.Errorf("smtp %s: ehlo: %w", addr, err))
	}
	if a := o.auth(); a != nil {
		if err := c.Auth(a); err != nil {
			return classifySMTP(fmt.Errorf("smtp %s: auth as %s: %w", addr, o.cfg.Username, err))
		}
	}
	if err := c.SendMail(from, rcpts, bytes.NewReader(data)); err != nil {
		return classifySMTP(fmt.Errorf("smtp %s: send: %w", addr, err))
	}
	// The message was accepted at the end of DATA: a failed QUIT does
	// not unsend it, and an error here would only send it twice.
	_ = c.Quit()
	return nil
}

// auth is the SASL mechanism, or nil for none.
func (o *smtpOutbox) auth() sasl.Client {
	switch {
	case o.cfg.Auth == "none", o.cfg.Username == "":
		return nil
	case o.cfg.Auth == "login":
		return sasl.NewLoginClient(o.cfg.Username, o.cfg.Password.Reveal())
	default:
		return sasl.NewPlainClient("", o.cfg.Username, o.cfg.Password.Reveal())
	}
}

// classifySMTP maps a failed exchange to the fault vocabulary: a refused
// certificate and a 5xx reply will be the same next time (permanent); a
// 4xx reply (greylisting, a full queue) and a broken connection are worth
// another attempt.
func classifySMTP(err error) error {
	if c := classifyTLS(err); fault.IsPermanent(c) {
		return c
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 {
		return fault.Permanent(err)
	}
	return fault.Retryable(err)
}
