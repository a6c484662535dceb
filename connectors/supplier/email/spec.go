// Package email is the e-mail supplier connector, for the many small
// suppliers who take orders by e-mail and answer them by hand: purchase
// orders (and cancellations) go out over SMTP, rendered from per-supplier
// templates with optional CSV and PDF attachments; the supplier's replies
// are read from an IMAP folder and turned into canonical documents (ship
// notices with tracking numbers, acknowledgements, rejections). A reply
// dropgate cannot understand becomes a rejected document, which the engine
// raises as an exception with the raw message kept, never a silent drop.
//
// Files by role: spec.go (the YAML and its checks), connector.go (send and
// cancel), templates.go (the body and subject templates), message.go (the
// MIME message), attachments.go (CSV and PDF), smtp.go (delivery),
// tlsconfig.go (TLS for SMTP and IMAP), imap.go (the IMAP inbox),
// filebox.go (transport: file), and for replies: reply.go (the parser's
// entry point), readmail.go (MIME parts), htmltext.go (HTML to text),
// quote.go (cutting quoted text), ponumber.go (which PO a reply is
// about), extract.go (tracking numbers and lines), csvreply.go (CSV
// attachments), ack.go (confirmations and rejections), patterns.go (the
// configurable patterns).
package email

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
)

// Type is the registry name.
const Type = "email"

// Transports.
const (
	transportSMTP = "smtp" // SMTP out, IMAP in (the default)
	transportFile = "file" // .eml files in folders, for the demo and development
)

// Config is the YAML of an e-mail supplier.
type Config struct {
	// Transport is smtp (default: SMTP out, IMAP in) or file (.eml files
	// written to file.outbox and read from file.inbox).
	Transport string `yaml:"transport"`
	// From is our address, "Name <addr@domain>"; its domain names our
	// Message-IDs.
	From    string   `yaml:"from" required:"true"`
	To      []string `yaml:"to" required:"true"`
	Cc      []string `yaml:"cc"`
	Bcc     []string `yaml:"bcc"` // envelope only, never in the headers
	ReplyTo string   `yaml:"reply_to"`

	SMTP SMTP  `yaml:"smtp"`
	IMAP *IMAP `yaml:"imap"` // absent: no inbox (replies are read elsewhere)
	File File  `yaml:"file"`

	Templates Templates `yaml:"templates"`
	// Attach lists the attachments of a purchase order: csv, pdf.
	Attach  []string `yaml:"attach"`
	Replies Replies  `yaml:"replies"`
}

// TLS modes of the smtp and imap blocks.
const (
	tlsStartTLS = "starttls" // plain connection upgraded with STARTTLS (ports 587, 143)
	tlsImplicit = "implicit" // TLS from the first byte (ports 465, 993)
	tlsNone     = "none"     // no encryption: localhost only
)

// Server is what the smtp and imap blocks share: where to connect, how to
// secure the connection, who to log in as.
type Server struct {
	Host string `yaml:"host"`
	Port int    `yaml:"port"` // default from tls: 587/465/25 (SMTP), 143/993/143 (IMAP)
	// TLS is starttls, implicit or none. Default: implicit on ports 465
	// and 993, else starttls. none is refused for any host but localhost.
	TLS string `yaml:"tls"`
	// TLSCA is a PEM file of CA certificates trusted in addition to the
	// system's, for a server with a private CA. Read when connecting.
	TLSCA string `yaml:"tls_ca"`
	// TLSServerName is the name the server's certificate must carry when
	// it differs from host (connecting by IP address, a tunnel).
	TLSServerName string           `yaml:"tls_server_name"`
	Username      string           `yaml:"username"`
	Password      connector.Secret `yaml:"password"`
	// Timeout bounds one whole exchange, connecting included (default 60s).
	Timeout time.Duration `yaml:"timeout"`
}

// SMTP is the outgoing server.
type SMTP struct {
	Server `yaml:",inline"`
	// Auth is plain (default with a username), login, or none.
	Auth string `yaml:"auth"`
	// Helo is the name we greet the server with (default: the domain of
	// from).
	Helo string `yaml:"helo"`
}

// IMAP is the mailbox the supplier's replies arrive in.
type IMAP struct {
	Server `yaml:",inline"`
	// Auth is login (the LOGIN command, default) or plain (AUTHENTICATE
	// PLAIN).
	Auth string `yaml:"auth"`
	// Mailbox is the folder read (default INBOX). A dedicated folder,
	// filled by a server-side rule on the supplier's address, keeps other
	// mail out of dropgate's way.
	Mailbox string `yaml:"mailbox"`
	// OnProcessed is move (default: into archive_mailbox) or seen (mark
	// \Seen and list only unseen messages).
	OnProcessed    string `yaml:"on_processed"`
	ArchiveMailbox string `yaml:"archive_mailbox"` // default "Processed"
}

// File is the transport: file block.
type File struct {
	Outbox  string `yaml:"outbox"`  // purchase orders land here as <PO>.eml
	Inbox   string `yaml:"inbox"`   // replies (.eml) are read from here
	Archive string `yaml:"archive"` // processed replies (default inbox/archive)
}

// Templates are Go text/template sources (html/template for the HTML
// part) executed with TemplateData. Empty means the built-in default.
type Templates struct {
	Subject       string `yaml:"subject"`
	Text          string `yaml:"text"`
	HTML          string `yaml:"html"` // optional: adds a text/html alternative
	CancelSubject string `yaml:"cancel_subject"`
	CancelText    string `yaml:"cancel_text"`
	CancelHTML    string `yaml:"cancel_html"`
}

// Replies tunes how the supplier's replies are read. Patterns are Go
// regular expressions (RE2) with named groups; a list given here replaces
// the built-in list of the same key.
type Replies struct {
	// Tracking finds tracking numbers: group "number", optional group
	// "carrier". When none match, tracking.Find scans the text.
	Tracking []string `yaml:"tracking"`
	// Carrier finds the carrier the reply names: group "carrier".
	Carrier []string `yaml:"carrier"`
	// Lines finds shipped items: groups "sku" and "qty".
	Lines []string `yaml:"lines"`
	// Confirmed, Rejected and CancelRefused recognise answers without
	// tracking. Rejected may have a group "sku" naming the one item refused.
	Confirmed     []string `yaml:"confirmed"`
	Rejected      []string `yaml:"rejected"`
	CancelRefused []string `yaml:"cancel_refused"`
	// CarrierNames maps the supplier's carrier names to carrier codes
	// ("Speedy Parcel": ontrac), before the built-in names.
	CarrierNames map[string]string `yaml:"carrier_names"`
	// CSV names the columns of a CSV attachment.
	CSV CSVColumns `yaml:"csv"`
}

// CSVColumns names the columns of a supplier's CSV attachment. Empty means
// any of the usual headers (see README); matching ignores case, spaces
// and punctuation.
type CSVColumns struct {
	PO       string `yaml:"po"`
	SKU      string `yaml:"sku"`
	Qty      string `yaml:"qty"`
	Tracking string `yaml:"tracking"`
	Carrier  string `yaml:"carrier"`
}

// Attachment kinds.
const (
	attachCSV = "csv"
	attachPDF = "pdf"
)

// Defaults.
const (
	defaultTimeout        = 60 * time.Second
	defaultMailbox        = "INBOX"
	defaultArchiveMailbox = "Processed"
	onProcessedMove       = "move"
	onProcessedSeen       = "seen"
)

// problems collects Check findings.
type problems []connector.Problem

func (ps *problems) add(path, format string, args ...any) {
	*ps = append(*ps, connector.Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// Check validates the config without I/O: addresses, the server blocks,
// the templates (parsed and run against a sample order, so a misspelt
// field fails here and not on the first real order) and the patterns.
func (c *Config) Check() []connector.Problem {
	var ps problems
	switch c.Transport {
	case "", transportSMTP:
		c.SMTP.check(&ps)
		if c.IMAP != nil {
			c.IMAP.check(&ps)
		}
	case transportFile:
		if c.File.Outbox == "" {
			ps.add("file.outbox", "missing required key (transport: file)")
		}
		if c.IMAP != nil {
			ps.add("imap", "has no effect with transport: file (replies are read from file.inbox)")
		}
		if c.SMTP.Host != "" {
			ps.add("smtp", "has no effect with transport: file (messages are written to file.outbox)")
		}
	default:
		ps.add("transport", "must be smtp or file, got %q", c.Transport)
	}
	c.checkAddresses(&ps)
	seen := map[string]bool{}
	for i, a := range c.Attach {
		switch {
		case a != attachCSV && a != attachPDF:
			ps.add(fmt.Sprintf("attach[%d]", i), "must be csv or pdf, got %q", a)
		case seen[a]:
			ps.add(fmt.Sprintf("attach[%d]", i), "%s listed twice", a)
		}
		seen[a] = true
	}
	if _, err := compileTemplates(c.Templates); err != nil {
		var te *templateError
		if errors.As(err, &te) {
			ps.add("templates."+te.key, "%v", te.err)
		} else {
			ps.add("templates", "%v", err)
		}
	}
	checkPatterns(c.Replies, &ps)
	return ps
}

func (c *Config) checkAddresses(ps *problems) {
	if c.From != "" {
		if a, err := mail.ParseAddress(c.From); err != nil {
			ps.add("from", "not an e-mail address: %v", err)
		} else if domainOf(a.Address) == "" {
			ps.add("from", "%q has no domain (it names our Message-IDs)", a.Address)
		}
	}
	lists := []struct {
		key   string
		addrs []string
	}{{"to", c.To}, {"cc", c.Cc}, {"bcc", c.Bcc}}
	for _, l := range lists {
		for i, s := range l.addrs {
			if _, err := mail.ParseAddress(s); err != nil {
				ps.add(fmt.Sprintf("%s[%d]", l.key, i), "not an e-mail address: %v", err)
			}
		}
	}
	if c.ReplyTo != "" {
		if _, err := mail.ParseAddress(c.ReplyTo); err != nil {
			ps.add("reply_to", "not an e-mail address: %v", err)
		}
	}
}

func (s *SMTP) check(ps *problems) {
	s.Server.check("smtp", ps)
	switch s.Auth {
	case "", "plain", "login":
		if s.Auth != "" && s.Username == "" {
			ps.add("smtp.username", "missing: auth %s needs a username and password", s.Auth)
		}
	case "none":
		if s.Username != "" || !s.Password.IsZero() {
			ps.add("smtp.auth", "none, but username or password is set")
		}
	default:
		ps.add("smtp.auth", "must be plain, login or none, got %q", s.Auth)
	}
}

func (m *IMAP) check(ps *problems) {
	m.Server.check("imap", ps)
	switch m.Auth {
	case "", "login", "plain":
	default:
		ps.add("imap.auth", "must be login or plain, got %q", m.Auth)
	}
	if m.Username == "" {
		ps.add("imap.username", "missing required key")
	}
	switch m.OnProcessed {
	case "", onProcessedMove:
		// INBOX is case-insensitive (RFC 9051 §5.1); other names are
		// compared as the server would most likely treat them.
		if a := m.archiveMailbox(); a == m.mailbox() || strings.EqualFold(a, "INBOX") && strings.EqualFold(m.mailbox(), "INBOX") {
			ps.add("imap.archive_mailbox", "is the mailbox that is read; processed replies would be read again")
		}
	case onProcessedSeen:
		if m.ArchiveMailbox != "" {
			ps.add("imap.archive_mailbox", "has no effect with on_processed: seen")
		}
	default:
		ps.add("imap.on_processed", "must be move or seen, got %q", m.OnProcessed)
	}
}

// check validates what SMTP and IMAP share; prefix is the block's key.
func (s *Server) check(prefix string, ps *problems) {
	if s.Host == "" {
		ps.add(prefix+".host", "missing required key")
	}
	if s.Port < 0 || s.Port > 65535 {
		ps.add(prefix+".port", "port %d out of range", s.Port)
	}
	if s.Timeout < 0 {
		ps.add(prefix+".timeout", "must not be negative")
	}
	switch s.TLS {
	case "", tlsStartTLS, tlsImplicit:
	case tlsNone:
		// Without TLS the password, and the customer's name and address
		// in the PO, cross the network in clear: only a server on this
		// machine (a development mail catcher) may be used that way.
		if s.Host != "" && !isLoopback(s.Host) {
			ps.add(prefix+".tls", "none is only allowed for localhost (development): %s would get the password and the customer's address in clear", s.Host)
		}
		if s.TLSCA != "" || s.TLSServerName != "" {
			ps.add(prefix+".tls", "none, but tls_ca or tls_server_name is set")
		}
	default:
		ps.add(prefix+".tls", "must be starttls, implicit or none, got %q", s.TLS)
	}
	if s.Username != "" && s.Password.IsZero() {
		ps.add(prefix+".password", "missing: username is set (use ${ENV_VAR})")
	}
	if s.Username == "" && !s.Password.IsZero() {
		ps.add(prefix+".username", "missing: password is set")
	}
}

// tlsMode is the configured mode, or the conventional one for the port.
func (s *Server) tlsMode() string {
	if s.TLS != "" {
		return s.TLS
	}
	if s.Port == 465 || s.Port == 993 {
		return tlsImplicit
	}
	return tlsStartTLS
}

// addr is host:port with the port defaulted from the TLS mode.
func (s *Server) addr(starttls, implicit, plain int) string {
	port := s.Port
	if port == 0 {
		switch s.tlsMode() {
		case tlsImplicit:
			port = implicit
		case tlsNone:
			port = plain
		default:
			port = starttls
		}
	}
	return net.JoinHostPort(s.Host, fmt.Sprint(port))
}

func (s *Server) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return defaultTimeout
}

func (m *IMAP) mailbox() string {
	if m.Mailbox == "" {
		return defaultMailbox
	}
	return m.Mailbox
}

func (m *IMAP) archiveMailbox() string {
	if m.ArchiveMailbox == "" {
		return defaultArchiveMailbox
	}
	return m.ArchiveMailbox
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// domainOf returns the part of an address after its last @.
func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return addr[i+1:]
}

func init() {
	connector.Register(connector.Spec[Config]{
		Type:     Type,
		Kind:     connector.KindSupplier,
		Summary:  "e-mail supplier: purchase orders over SMTP (templates, CSV/PDF), replies read over IMAP",
		Defaults: func() *Config { return &Config{} },
		New: func(env connector.Env, cfg *Config) (connector.Connector, error) {
			return New(env, cfg)
		},
		// Mail servers throttle submissions per account; a PO a second
		// with a small burst stays well inside every provider's limits.
		RateLimit: store.Limit{Rate: 1, Burst: 5},
		Retry:     connector.RetryPolicy{MaxAttempts: 10, BaseDelay: 10 * time.Second, MaxDelay: 30 * time.Minute},
	})
}
