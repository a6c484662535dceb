package email

import (
	"strings"
	"testing"

	"github.com/dropgate/dropgate/internal/config"
)

func TestCheck(t *testing.T) {
	valid := func() *Config {
		c := baseConfig()
		c.SMTP = SMTP{Server: Server{Host: "smtp.shop.example", Username: "orders@shop.example", Password: "x"}}
		c.IMAP = &IMAP{Server: Server{Host: "imap.shop.example", Username: "replies@shop.example", Password: "y"}}
		return c
	}
	if ps := valid().Check(); len(ps) != 0 {
		t.Fatalf("valid config: %v", ps)
	}
	cases := []struct {
		name, path, want string
		mod              func(*Config)
	}{
		{"missing smtp host", "smtp.host", "missing required key", func(c *Config) { c.SMTP.Host = "" }},
		{"missing imap host", "imap.host", "missing required key", func(c *Config) { c.IMAP.Host = "" }},
		{"plain SMTP to a remote host", "smtp.tls", "only allowed for localhost", func(c *Config) { c.SMTP.TLS = tlsNone }},
		{"unknown tls mode", "smtp.tls", "starttls, implicit or none", func(c *Config) { c.SMTP.TLS = "ssl" }},
		{"username without password", "imap.password", "missing", func(c *Config) { c.IMAP.Password = "" }},
		{"bad auth", "smtp.auth", "plain, login or none", func(c *Config) { c.SMTP.Auth = "cram-md5" }},
		{"bad from", "from", "not an e-mail address", func(c *Config) { c.From = "orders at shop" }},
		{"bad cc", "cc[0]", "not an e-mail address", func(c *Config) { c.Cc = []string{"nobody"} }},
		{"unknown attachment", "attach[1]", "csv or pdf", func(c *Config) { c.Attach = []string{"csv", "xlsx"} }},
		{"attachment twice", "attach[1]", "listed twice", func(c *Config) { c.Attach = []string{"pdf", "pdf"} }},
		{"template syntax", "templates.text", "unclosed action", func(c *Config) { c.Templates.Text = "{{.PO.Number" }},
		{"template field", "templates.subject", "can't evaluate field Numbr", func(c *Config) { c.Templates.Subject = "PO {{.PO.Numbr}}" }},
		{"html template", "templates.cancel_html", "function \"nosuch\" not defined", func(c *Config) { c.Templates.CancelHTML = "{{nosuch}}" }},
		{"bad regex", "replies.tracking[0]", "missing closing )", func(c *Config) { c.Replies.Tracking = []string{`(?P<number>\S+`} }},
		{"regex without its group", "replies.lines[0]", "(?P<qty>", func(c *Config) { c.Replies.Lines = []string{`(?P<sku>\S+) x \d+`} }},
		{"regex with an unknown group", "replies.confirmed[0]", "named group \"x\"", func(c *Config) { c.Replies.Confirmed = []string{`(?P<x>ok)`} }},
		{"carrier code case", "replies.carrier_names.Speedy", "lower case", func(c *Config) { c.Replies.CarrierNames = map[string]string{"Speedy": "SPD"} }},
		{"imap with file transport", "imap", "no effect", func(c *Config) { c.Transport = transportFile; c.File.Outbox = "./out" }},
		{"file transport without outbox", "file.outbox", "missing", func(c *Config) { c.Transport = transportFile; c.IMAP = nil }},
		{"archive is the inbox", "imap.archive_mailbox", "read again", func(c *Config) { c.IMAP.ArchiveMailbox = "inbox" }},
		{"unknown on_processed", "imap.on_processed", "move or seen", func(c *Config) { c.IMAP.OnProcessed = "delete" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			tc.mod(c)
			ps := c.Check()
			for _, p := range ps {
				if p.Path == tc.path && strings.Contains(p.Message, tc.want) {
					return
				}
			}
			t.Errorf("want %s: …%s…, got %v", tc.path, tc.want, ps)
		})
	}
	// tls: none is fine for a development server on this machine.
	c := valid()
	c.SMTP.Host, c.SMTP.TLS = "127.0.0.1", tlsNone
	if ps := c.Check(); len(ps) != 0 {
		t.Errorf("localhost without TLS: %v", ps)
	}
}

// The loader, not Check, warns about a password written in the file, and
// reports problems with their line.
func TestLoaderWarnsAboutInlineSecrets(t *testing.T) {
	yaml := `
suppliers:
  - name: acme
    type: email
    from: orders@shop.example
    to: [sales@acme.example]
    smtp:
      host: smtp.shop.example
      username: orders@shop.example
      password: hunter2
    replies:
      tracking: ["(?P<number>"]
`
	_, probs := config.Parse("dropgate.yaml", []byte(yaml), config.Options{Lookup: func(string) (string, bool) { return "", false }})
	var warned, regex bool
	for _, p := range probs {
		if p.Warning && p.Path == "suppliers[0].smtp.password" && strings.Contains(p.Message, "inline") {
			warned = true
		}
		if !p.Warning && p.Path == "suppliers[0].replies.tracking[0]" && p.Line == 12 {
			regex = true
		}
	}
	if !warned || !regex {
		t.Errorf("problems = %v", probs)
	}
}
