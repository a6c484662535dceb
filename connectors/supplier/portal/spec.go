// Package portal is the supplier connector of suppliers who work in
// dropgate's own supplier portal (/portal/) instead of EDI, e-mail or an
// API: a purchase order "sent" to them is simply visible in the portal,
// with an optional e-mail notice that one is waiting. What the supplier
// does there (acknowledge, ship, invoice) comes back through the portal,
// not through this connector. The logins are the supplier's `portal:`
// block, shared with every supplier type (internal/config).
//
// Files: spec.go (the YAML and its checks), connector.go (send and the
// notice).
package portal

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
)

// Type is the registry name.
const Type = "portal"

// Config is the YAML of a portal supplier (beside its `portal:` logins).
type Config struct {
	// PortalURL is the portal's address as the supplier reaches it
	// (https://dropgate.example.com/portal/), quoted in notices.
	PortalURL string `yaml:"portal_url"`
	// Notify, when set, e-mails the supplier a notice for each new PO.
	Notify *Notify `yaml:"notify"`
}

// Notify is where new-PO notices go.
type Notify struct {
	// SMTP is host:port of the relay (STARTTLS is used when offered).
	SMTP     string           `yaml:"smtp" required:"true"`
	Username string           `yaml:"username"`
	Password connector.Secret `yaml:"password"`
	From     string           `yaml:"from" required:"true"`
	To       []string         `yaml:"to" required:"true"`
}

var _ connector.Checker = (*Config)(nil)

// Check validates values without I/O.
func (c *Config) Check() []connector.Problem {
	var ps []connector.Problem
	if c.PortalURL != "" {
		if u, err := url.Parse(c.PortalURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			ps = append(ps, connector.Problem{Path: "portal_url", Message: "must be an http(s) URL"})
		}
	}
	n := c.Notify
	if n == nil {
		return ps
	}
	if _, _, err := net.SplitHostPort(n.SMTP); n.SMTP != "" && err != nil {
		ps = append(ps, connector.Problem{Path: "notify.smtp", Message: "must be host:port"})
	}
	if _, err := mail.ParseAddress(n.From); n.From != "" && err != nil {
		ps = append(ps, connector.Problem{Path: "notify.from", Message: fmt.Sprintf("%q is not an e-mail address", n.From)})
	}
	for i, to := range n.To {
		if _, err := mail.ParseAddress(to); err != nil {
			ps = append(ps, connector.Problem{Path: fmt.Sprintf("notify.to[%d]", i), Message: fmt.Sprintf("%q is not an e-mail address", to)})
		}
	}
	return ps
}

func init() {
	connector.Register(connector.Spec[Config]{
		Type:     Type,
		Kind:     connector.KindSupplier,
		Summary:  "supplier portal: POs shown at /portal/ for the supplier to acknowledge, ship and invoice; optional e-mail notice",
		Defaults: func() *Config { return &Config{} },
		New: func(env connector.Env, cfg *Config) (connector.Connector, error) {
			return New(env, cfg)
		},
		RateLimit: store.Limit{Rate: 2, Burst: 10},
		Retry:     connector.RetryPolicy{MaxAttempts: 8, BaseDelay: 30 * time.Second, MaxDelay: time.Hour},
	})
}
