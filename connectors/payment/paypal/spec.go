// Package paypal is the PayPal payment connector (Orders v2 and Payments
// v2): it authorises a buyer-approved order (intent AUTHORIZE), captures
// each shipment's value from the authorisation (final_capture=false until
// the last), voids an authorisation never captured and refunds captures.
// Every mutating call carries a PayPal-Request-Id derived from the order,
// the operation and the shipment, so a retried job never moves money
// twice. PayPal signs webhooks with RSA and no shared secret: VerifyWebhook
// (no I/O) keeps the transmission headers, and the queued job verifies
// them with PayPal's verify-webhook-signature API before decoding.
package paypal

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/httpclient"
	"github.com/dropgate/dropgate/internal/oauthtoken"
)

// Type is the registry name.
const Type = "paypal"

// LiveURL is PayPal's live API host; the sandbox is SandboxURL.
const (
	LiveURL    = "https://api-m.paypal.com"
	SandboxURL = "https://api-m.sandbox.paypal.com"
)

// Validity is how long a PayPal authorisation lives; the first HonorPeriod
// of it PayPal guarantees the funds.
const (
	Validity    = 29 * 24 * time.Hour
	HonorPeriod = 3 * 24 * time.Hour
)

// Config is the YAML of a PayPal payment provider.
type Config struct {
	ClientID     string           `yaml:"client_id" required:"true"`
	ClientSecret connector.Secret `yaml:"client_secret" required:"true"`
	// WebhookID is the id PayPal gave the webhook subscription: the
	// verify-webhook-signature call names it (sandbox and live differ).
	WebhookID string `yaml:"webhook_id" required:"true"`
	// BaseURL is the API host: LiveURL by default, SandboxURL, a fake.
	BaseURL string `yaml:"base_url"`
	// Capture is per_shipment (each shipment's value, final_capture=false
	// until the last) or at_order (everything at the first shipment).
	Capture string `yaml:"capture"`
	// ReauthorizeBefore is how long an authorisation is trusted: PayPal
	// honours the funds for 3 days and keeps the authorisation 29.
	ReauthorizeBefore time.Duration `yaml:"reauthorize_before"`
}

var _ connector.Checker = (*Config)(nil)

// Check validates values without I/O.
func (c *Config) Check() []connector.Problem {
	var out []connector.Problem
	switch connector.CapturePolicy(c.Capture) {
	case connector.CapturePerShipment, connector.CaptureAtOrder:
	default:
		out = append(out, connector.Problem{Path: "capture", Message: fmt.Sprintf("unknown capture policy %q (known: per_shipment, at_order)", c.Capture)})
	}
	if c.ReauthorizeBefore <= 0 || c.ReauthorizeBefore > Validity {
		out = append(out, connector.Problem{Path: "reauthorize_before", Message: "must be above 0 and at most 29 days (a PayPal authorisation's validity)"})
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
		Summary: "PayPal Orders v2 / Payments v2: authorise at order, capture per shipment, void or refund on cancellation; webhooks verified with PayPal",
		Defaults: func() *Config {
			// Past the 3-day honour period a capture may fail on funds: by
			// default an order still unshipped after 26 days is captured
			// in full before the 29-day authorisation lapses.
			return &Config{BaseURL: LiveURL, Capture: string(connector.CapturePerShipment), ReauthorizeBefore: Validity - HonorPeriod}
		},
		New: func(env connector.Env, cfg *Config) (connector.Connector, error) { return New(env, cfg) },
		// PayPal publishes no fixed quota and answers 429 RATE_LIMIT_REACHED
		// when pressed; 10/s is well under what merchants report.
		RateLimit: store.Limit{Rate: 10, Burst: 10},
		Retry:     connector.RetryPolicy{MaxAttempts: 10, BaseDelay: 2 * time.Second, MaxDelay: time.Hour},
	})
}

// Interface guards.
var (
	_ connector.WebhookVerifier      = (*Connector)(nil)
	_ connector.PaymentEventVerifier = (*Connector)(nil)
	_ connector.PaymentEventDecoder  = (*Connector)(nil)
	_ connector.PaymentAuthorizer    = (*Connector)(nil)
	_ connector.PaymentCapturer      = (*Connector)(nil)
	_ connector.PaymentVoider        = (*Connector)(nil)
	_ connector.PaymentRefunder      = (*Connector)(nil)
	_ connector.CapturePolicer       = (*Connector)(nil)
	_ connector.AuthorizationWindow  = (*Connector)(nil)
)

// Connector is a configured PayPal REST app.
type Connector struct {
	env  connector.Env
	cfg  *Config
	http *http.Client
	base string

	token *oauthtoken.Cache // the access token, in this process
}

// New returns the connector; it does no I/O.
func New(env connector.Env, cfg *Config) (*Connector, error) {
	base := cfg.BaseURL
	if base == "" {
		base = LiveURL
	}
	hc := httpclient.ForEnv(env, "paypal:"+env.Name, nil)
	c := &Connector{env: env, cfg: cfg, http: hc, base: base}
	c.token = c.newToken()
	return c, nil
}

// Name is the configured name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "paypal".
func (c *Connector) Type() string { return Type }

// CapturePolicy is the configured capture policy.
func (c *Connector) CapturePolicy() connector.CapturePolicy {
	return connector.CapturePolicy(c.cfg.Capture)
}

// ReauthorizeBefore is how long an authorisation is trusted.
func (c *Connector) ReauthorizeBefore() time.Duration { return c.cfg.ReauthorizeBefore }
