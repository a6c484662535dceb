// Package stripe is the Stripe payment connector: it adopts or creates a
// PaymentIntent with capture_method=manual (authorise at order), captures
// the shipped value when a shipment leaves, cancels the authorisation on a
// full cancellation before capture and refunds after it. Every mutating
// call carries an Idempotency-Key derived from the order, the operation and
// the shipment, so a retried job never moves money twice. Its webhook
// verifies Stripe-Signature and decodes payment_intent.* and charge.*
// events into canonical payment status changes.
package stripe

import (
	"fmt"
	"net/url"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/httpclient"
	stripeapi "github.com/stripe/stripe-go/v82"
)

// Type is the registry name.
const Type = "stripe"

// Config is the YAML of a Stripe payment provider.
type Config struct {
	SecretKey     connector.Secret `yaml:"secret_key" required:"true"`     // sk_live_… / sk_test_…
	WebhookSecret connector.Secret `yaml:"webhook_secret" required:"true"` // whsec_…
	// BaseURL points the SDK at another API host (stripe-mock, a proxy).
	BaseURL string `yaml:"base_url"`
	// Capture is per_shipment (each shipment's value as it ships, with
	// Stripe multicapture) or at_order (everything at the first shipment).
	Capture string `yaml:"capture"`
	// ReauthorizeBefore is how long an authorisation is trusted: card
	// authorisations lapse after about 7 days (Visa merchant-initiated:
	// under 5), so past it the order is flagged for re-authorisation.
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
	if c.ReauthorizeBefore <= 0 || c.ReauthorizeBefore > 7*24*time.Hour {
		out = append(out, connector.Problem{Path: "reauthorize_before", Message: "must be above 0 and at most 7 days (a card authorisation lasts about 7)"})
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || u.Scheme == "" || u.Host == "" {
			out = append(out, connector.Problem{Path: "base_url", Message: "must be an absolute URL"})
		}
	}
	return out
}

func init() {
	connector.Register(connector.Spec[Config]{
		Type:    Type,
		Kind:    connector.KindPayment,
		Summary: "Stripe PaymentIntents: authorise at order, capture per shipment, void or refund on cancellation; signed webhooks in",
		Defaults: func() *Config {
			return &Config{Capture: string(connector.CapturePerShipment), ReauthorizeBefore: 6 * 24 * time.Hour}
		},
		New: func(env connector.Env, cfg *Config) (connector.Connector, error) { return New(env, cfg) },
		// Stripe allows 100 operations/s live, 25/s in test mode; stay under
		// the test-mode figure so one config works in both.
		RateLimit: store.Limit{Rate: 20, Burst: 20},
		Retry:     connector.RetryPolicy{MaxAttempts: 10, BaseDelay: 2 * time.Second, MaxDelay: time.Hour},
	})
}

// Interface guards.
var (
	_ connector.WebhookVerifier     = (*Connector)(nil)
	_ connector.PaymentEventDecoder = (*Connector)(nil)
	_ connector.PaymentAuthorizer   = (*Connector)(nil)
	_ connector.PaymentCapturer     = (*Connector)(nil)
	_ connector.PaymentVoider       = (*Connector)(nil)
	_ connector.PaymentRefunder     = (*Connector)(nil)
	_ connector.CapturePolicer      = (*Connector)(nil)
	_ connector.Multicapturer       = (*Connector)(nil)
	_ connector.WebhookSigner       = (*Connector)(nil)
	_ connector.AuthorizationWindow = (*Connector)(nil)
)

// Connector is a configured Stripe account.
type Connector struct {
	env    connector.Env
	cfg    *Config
	client *stripeapi.Client
}

// New returns the connector; it does no I/O.
func New(env connector.Env, cfg *Config) (*Connector, error) {
	hc := httpclient.ForEnv(env, "stripe:"+env.Name, nil)
	bc := &stripeapi.BackendConfig{
		HTTPClient: hc,
		// The queue retries with the connector's policy; the SDK retrying
		// in place would sleep in a worker and bypass the limiter's view.
		MaxNetworkRetries: stripeapi.Int64(0),
		LeveledLogger:     &stripeapi.LeveledLogger{Level: stripeapi.LevelNull},
	}
	if cfg.BaseURL != "" {
		bc.URL = stripeapi.String(cfg.BaseURL)
	}
	backend := stripeapi.GetBackendWithConfig(stripeapi.APIBackend, bc)
	client := stripeapi.NewClient(cfg.SecretKey.Reveal(), stripeapi.WithBackends(&stripeapi.Backends{API: backend, Connect: backend, Uploads: backend, MeterEvents: backend}))
	return &Connector{env: env, cfg: cfg, client: client}, nil
}

// Name is the configured name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "stripe".
func (c *Connector) Type() string { return Type }

// CapturePolicy is the configured capture policy.
func (c *Connector) CapturePolicy() connector.CapturePolicy {
	return connector.CapturePolicy(c.cfg.Capture)
}

// ReauthorizeBefore is how long an authorisation is trusted.
func (c *Connector) ReauthorizeBefore() time.Duration { return c.cfg.ReauthorizeBefore }
