// Package authorizenet is the Authorize.net payment connector (the JSON
// API's createTransactionRequest): it authorises a card at order
// (authOnlyTransaction), captures from the authorisation when a shipment
// leaves (priorAuthCaptureTransaction, a partial amount allowed), voids an
// authorisation never captured and refunds a settled capture. Every call
// carries a refId derived from the order, the operation and the shipment,
// and each money movement is recorded in the connector's state first, so a
// retried job never charges twice. Webhooks are verified with
// X-ANET-Signature (HMAC-SHA512 of the body with the signature key).
package authorizenet

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// Type is the registry name.
const Type = "authorize_net"

// The API endpoints.
const (
	LiveURL    = "https://api.authorize.net/xml/v1/request.api"
	SandboxURL = "https://apitest.authorize.net/xml/v1/request.api"
)

// Validity is how long an Authorize.net authorisation can be captured.
const Validity = 30 * 24 * time.Hour

// Config is the YAML of an Authorize.net payment provider.
type Config struct {
	APILoginID     string           `yaml:"api_login_id" required:"true"`
	TransactionKey connector.Secret `yaml:"transaction_key" required:"true"`
	// SignatureKey signs webhooks (X-ANET-Signature).
	SignatureKey connector.Secret `yaml:"signature_key" required:"true"`
	// BaseURL is the API endpoint: LiveURL by default, SandboxURL, a fake.
	BaseURL string `yaml:"base_url"`
	// Currency is the merchant account's (one per account); webhooks carry
	// amounts without one.
	Currency string `yaml:"currency"`
	// Capture: an authorisation is captured once (the rest is released),
	// so only at_order is accepted.
	Capture string `yaml:"capture"`
	// ReauthorizeBefore is how long an authorisation is trusted (at most
	// the 30 days Authorize.net keeps it).
	ReauthorizeBefore time.Duration `yaml:"reauthorize_before"`
}

var _ connector.Checker = (*Config)(nil)

// Check validates values without I/O.
func (c *Config) Check() []connector.Problem {
	var out []connector.Problem
	if connector.CapturePolicy(c.Capture) != connector.CaptureAtOrder {
		out = append(out, connector.Problem{Path: "capture", Message: fmt.Sprintf("%q: Authorize.net captures an authorisation once (priorAuthCaptureTransaction), so only at_order works", c.Capture)})
	}
	if c.ReauthorizeBefore <= 0 || c.ReauthorizeBefore > Validity {
		out = append(out, connector.Problem{Path: "reauthorize_before", Message: "must be above 0 and at most 30 days (an Authorize.net authorisation's life)"})
	}
	if !money.KnownCurrency(c.Currency) {
		out = append(out, connector.Problem{Path: "currency", Message: fmt.Sprintf("unknown currency %q", c.Currency)})
	}
	if u, err := url.Parse(c.BaseURL); c.BaseURL != "" && (err != nil || u.Scheme == "" || u.Host == "") {
		out = append(out, connector.Problem{Path: "base_url", Message: "must be an absolute URL"})
	}
	return out
}

func init() {
	connector.Register(connector.Spec[Config]{
		Type:    Type,
		Kind:    connector.KindPayment,
		Summary: "Authorize.net: authorise at order, capture at the first shipment, void or refund on cancellation; signed webhooks in",
		Defaults: func() *Config {
			return &Config{BaseURL: LiveURL, Currency: "USD", Capture: string(connector.CaptureAtOrder), ReauthorizeBefore: 27 * 24 * time.Hour}
		},
		New:       func(env connector.Env, cfg *Config) (connector.Connector, error) { return New(env, cfg) },
		RateLimit: store.Limit{Rate: 10, Burst: 10},
		Retry:     connector.RetryPolicy{MaxAttempts: 10, BaseDelay: 2 * time.Second, MaxDelay: time.Hour},
	})
}

// Interface guards.
var (
	_ connector.WebhookVerifier     = (*Connector)(nil)
	_ connector.WebhookSigner       = (*Connector)(nil)
	_ connector.PaymentEventDecoder = (*Connector)(nil)
	_ connector.PaymentAuthorizer   = (*Connector)(nil)
	_ connector.PaymentCapturer     = (*Connector)(nil)
	_ connector.PaymentVoider       = (*Connector)(nil)
	_ connector.PaymentRefunder     = (*Connector)(nil)
	_ connector.CapturePolicer      = (*Connector)(nil)
	_ connector.AuthorizationWindow = (*Connector)(nil)
)

// Connector is a configured Authorize.net merchant account.
type Connector struct {
	env  connector.Env
	cfg  *Config
	http *http.Client
	url  string
}

// New returns the connector; it does no I/O.
func New(env connector.Env, cfg *Config) (*Connector, error) {
	u := cfg.BaseURL
	if u == "" {
		u = LiveURL
	}
	hc := httpclient.ForEnv(env, "authorize_net:"+env.Name, nil)
	return &Connector{env: env, cfg: cfg, http: hc, url: u}, nil
}

// Name is the configured name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "authorize_net".
func (c *Connector) Type() string { return Type }

// CapturePolicy is at_order: one capture per authorisation.
func (c *Connector) CapturePolicy() connector.CapturePolicy { return connector.CaptureAtOrder }

// ReauthorizeBefore is how long an authorisation is trusted.
func (c *Connector) ReauthorizeBefore() time.Duration { return c.cfg.ReauthorizeBefore }
