// Package notify is the driver of core/app/notify: it sends customer
// e-mails over SMTP from Go templates (embedded, overridable from a
// directory) and posts outbound events to the merchant's systems signed
// as Standard Webhooks (https://www.standardwebhooks.com).
package notify

import (
	"time"

	"github.com/dropgate/dropgate/core/connector"
)

// Config is the `notifications:` block.
type Config struct {
	Email  *Email     `yaml:"email"`
	Events []Endpoint `yaml:"events"`
}

// Email is `notifications.email`: how customer e-mails are sent.
type Email struct {
	SMTP    SMTP   `yaml:"smtp" required:"true"`
	From    string `yaml:"from" required:"true"` // "Shop <orders@shop.example>"
	ReplyTo string `yaml:"reply_to"`
	// Send lists the e-mails sent: shipped, delivered, delayed,
	// cancelled (default: all).
	Send []string `yaml:"send"`
	// Templates is a directory whose <kind>.txt / <kind>.html replace the
	// built-in templates of that kind.
	Templates string `yaml:"templates"`
	// Channels turns customer e-mails off per channel (name: false) for
	// channels that mail their customers themselves (a marketplace, a
	// store with its own shipping e-mails); unlisted channels get them.
	Channels map[string]bool `yaml:"channels"`
}

// SMTP is the submission server.
type SMTP struct {
	Host     string           `yaml:"host" required:"true"`
	Port     int              `yaml:"port"` // default 587 (465 with tls)
	Username string           `yaml:"username"`
	Password connector.Secret `yaml:"password"`
	// StartTLS upgrades the connection (default true unless tls is set);
	// once chosen it is required.
	StartTLS *bool `yaml:"starttls"`
	// TLS is implicit TLS from the first byte (port 465).
	TLS     bool          `yaml:"tls"`
	Timeout time.Duration `yaml:"timeout"` // per send (default 30s)
}

// Endpoint is one `notifications.events[]` entry: a system of the
// merchant's that receives events.
type Endpoint struct {
	Name string `yaml:"name" required:"true"`
	URL  string `yaml:"url" required:"true"`
	// Secret signs the deliveries; whsec_<base64> is decoded, any other
	// value is used as it is.
	Secret  connector.Secret `yaml:"secret" required:"true"`
	Types   []string         `yaml:"types" required:"true"`
	Timeout time.Duration    `yaml:"timeout"` // per attempt (default 15s)
	Line    int              `yaml:"-"`
}
