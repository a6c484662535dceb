// Package easypost is the EasyPost carrier connector: it verifies
// EasyPost's tracker webhooks (X-Hmac-Signature, HMAC-SHA256 keyed with the
// NFKD-normalised secret) and decodes tracker.created / tracker.updated
// events into canonical tracking updates, keeping EasyPost's status_detail
// as the carrier's own code.
package easypost

import (
	"github.com/dropgate/dropgate/core/connector"
)

// Type is the registry name.
const Type = "easypost"

// Config is the YAML of an EasyPost carrier.
type Config struct {
	// WebhookSecret is the secret set on the EasyPost webhook; it signs
	// every delivery.
	WebhookSecret connector.Secret `yaml:"webhook_secret" required:"true"`
}

// Check validates values without I/O.
func (c *Config) Check() []connector.Problem { return nil }

func init() {
	connector.Register(connector.Spec[Config]{
		Type:     Type,
		Kind:     connector.KindCarrier,
		Summary:  "EasyPost trackers: signed tracker webhooks in, mapped to the canonical tracking status",
		Defaults: func() *Config { return &Config{} },
		New: func(env connector.Env, cfg *Config) (connector.Connector, error) {
			return New(env, cfg)
		},
	})
}

// Connector is a configured EasyPost carrier.
type Connector struct {
	env connector.Env
	cfg *Config
}

// New returns the connector.
func New(env connector.Env, cfg *Config) (*Connector, error) {
	return &Connector{env: env, cfg: cfg}, nil
}

// Name is the configured name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "easypost".
func (c *Connector) Type() string { return Type }
