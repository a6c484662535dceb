package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	core "github.com/dropgate/dropgate/core/app/notify"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/fault"
)

//go:embed templates/*.txt templates/*.html
var builtin embed.FS

var funcs = map[string]any{"upper": strings.ToUpper}

// kindTemplates are the parsed templates of one kind of e-mail.
type kindTemplates struct {
	text *texttemplate.Template // defines "subject"; its body is the text part
	html *htmltemplate.Template
}

// Mailer renders and sends customer e-mails over SMTP.
type Mailer struct {
	cfg   Email
	from  *mail.Address
	tmpl  map[string]kindTemplates
	clock clock.Clock
}

var _ core.Mailer = (*Mailer)(nil)

// NewMailer parses the templates (dir's overrides, when dir is set, over
// the built-in ones). It does no network I/O.
func NewMailer(cfg Email, dir string, clk clock.Clock) (*Mailer, error) {
	if clk == nil {
		clk = clock.Real{}
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("from %q: %w", cfg.From, err)
	}
	m := &Mailer{cfg: cfg, from: from, tmpl: map[string]kindTemplates{}, clock: clk}
	common, err := builtin.ReadFile("templates/common.txt")
	if err != nil {
		return nil, err
	}
	for _, kind := range core.MailKinds {
		txt, err := templateSource(dir, kind+".txt")
		if err != nil {
			return nil, err
		}
		html, err := templateSource(dir, kind+".html")
		if err != nil {
			return nil, err
		}
		t, err := texttemplate.New(kind).Funcs(funcs).Parse(string(common))
		if err == nil {
			t, err = t.Parse(txt)
		}
		if err == nil && t.Lookup("subject") == nil {
			err = errors.New(`it defines no "subject" template`)
		}
		if err != nil {
			return nil, fmt.Errorf("template %s.txt: %w", kind, err)
		}
		h, err := htmltemplate.New(kind).Funcs(funcs).Parse(html)
		if err != nil {
			return nil, fmt.Errorf("template %s.html: %w", kind, err)
		}
		m.tmpl[kind] = kindTemplates{text: t, html: h}
	}
	return m, nil
}

// templateSource reads name from dir when it is there, else the built-in.
func templateSource(dir, name string) (string, error) {
	if dir != "" {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			return string(b), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("template %s: %w", name, err)
		}
	}
	b, err := builtin.ReadFile("templates/" + name)
	return string(b), err
}

// Send renders m and submits it.
func (ml *Mailer) Send(ctx context.Context, m core.Mail) error {
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return fault.Permanent(fmt.Errorf("customer address %q: %w", m.To, err))
	}
	if m.Customer != "" {
		to.Name = m.Customer
	}
	m.Tracking = withLinks(m.Tracking)
	data, err := ml.Render(m, to)
	if err != nil {
		return err
	}
	return ml.deliver(ctx, to.Address, data)
}

// Render builds the whole RFC 5322 message: multipart/alternative with a
// text and an HTML part. Boundary and Message-ID derive from the
// e-mail's identity, so a re-rendered message is the same message.
func (ml *Mailer) Render(m core.Mail, to *mail.Address) ([]byte, error) {
	t, ok := ml.tmpl[m.Kind]
	if !ok {
		return nil, fault.Permanentf("no template for %q e-mails", m.Kind)
	}
	var subject, text, html bytes.Buffer
	if err := t.text.ExecuteTemplate(&subject, "subject", m); err != nil {
		return nil, fault.Permanent(fmt.Errorf("render %s subject: %w", m.Kind, err))
	}
	if err := t.text.ExecuteTemplate(&text, m.Kind, m); err != nil {
		return nil, fault.Permanent(fmt.Errorf("render %s text: %w", m.Kind, err))
	}
	if err := t.html.Execute(&html, m); err != nil {
		return nil, fault.Permanent(fmt.Errorf("render %s html: %w", m.Kind, err))
	}
	boundary := "b_" + strings.SplitN(m.MessageID, "@", 2)[0]
	var b bytes.Buffer
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", ml.from.String())
	hdr("To", to.String())
	if ml.cfg.ReplyTo != "" {
		hdr("Reply-To", ml.cfg.ReplyTo)
	}
	hdr("Subject", mime.QEncoding.Encode("utf-8", strings.TrimSpace(subject.String())))
	hdr("Date", ml.clock.Now().Format(time.RFC1123Z))
	hdr("Message-ID", "<"+m.MessageID+">")
	hdr("X-Dropgate-Order", m.OrderID)
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	b.WriteString("\r\n")
	for _, part := range []struct{ ctype, body string }{{"text/plain", text.String()}, {"text/html", html.String()}} {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", boundary, part.ctype)
		w := quotedprintable.NewWriter(&b)
		if _, err := w.Write([]byte(strings.ReplaceAll(part.body, "\n", "\r\n"))); err != nil {
			return nil, err
		}
		w.Close()
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes(), nil
}

// deliver runs one SMTP session. STARTTLS, once chosen, is required.
// 5xx replies are permanent; 4xx and network errors are retried.
func (ml *Mailer) deliver(ctx context.Context, rcpt string, data []byte) error {
	c := ml.cfg.SMTP
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	port := c.Port
	if port == 0 {
		port = 587
		if c.TLS {
			port = 465
		}
	}
	addr := net.JoinHostPort(c.Host, strconv.Itoa(port))
	tc := &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fault.Retryable(fmt.Errorf("smtp %s: %w", addr, err))
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	var cl *smtp.Client
	switch {
	case c.TLS:
		cl = smtp.NewClient(tls.Client(conn, tc))
	case c.StartTLS == nil || *c.StartTLS:
		cl, err = smtp.NewClientStartTLS(conn, tc)
		if err != nil {
			conn.Close()
			return classify(fmt.Errorf("smtp %s: starttls: %w", addr, err))
		}
	default:
		cl = smtp.NewClient(conn)
	}
	defer cl.Close()
	if err := cl.Hello("dropgate.localhost"); err != nil {
		return classify(fmt.Errorf("smtp %s: ehlo: %w", addr, err))
	}
	if c.Username != "" {
		if err := cl.Auth(sasl.NewPlainClient("", c.Username, c.Password.Reveal())); err != nil {
			return classify(fmt.Errorf("smtp %s: auth as %s: %w", addr, c.Username, err))
		}
	}
	if err := cl.SendMail(ml.from.Address, []string{rcpt}, bytes.NewReader(data)); err != nil {
		return classify(fmt.Errorf("smtp %s: send: %w", addr, err))
	}
	_ = cl.Quit() // accepted at the end of DATA; a failed QUIT does not unsend it
	return nil
}

func classify(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 {
		return fault.Permanent(err)
	}
	return fault.Retryable(err)
}
