// Package etsy is the Etsy (Open API v3) shop connector. Receipts are
// polled from GET /v3/application/shops/{shop_id}/receipts on
// min_last_modified from a persisted cursor; ORDER_PAID webhooks are
// pings that fetch the receipt; tracking, inventory and prices go out
// through the listing and receipt APIs. Every call carries
// x-api-key keystring:shared_secret and an OAuth 2.0 bearer token minted
// from a refresh token that Etsy rotates and every replica shares.
package etsy

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/httpclient"
	"github.com/dropgate/dropgate/internal/oauthtoken"
)

// Type is the registry name.
const Type = "etsy"

// DefaultBaseURL is Etsy's production API.
const DefaultBaseURL = "https://openapi.etsy.com"

// Config is the YAML of an Etsy shop channel.
type Config struct {
	// Keystring and SharedSecret are the app's API key; Etsy refuses a
	// key without the secret since 2026-02-09.
	Keystring    string           `yaml:"keystring" required:"true"`
	SharedSecret connector.Secret `yaml:"shared_secret" required:"true"`
	// ShopID is the numeric shop the receipts and listings belong to.
	ShopID string `yaml:"shop_id" required:"true"`
	// RefreshToken is the first OAuth refresh token (from the
	// authorization-code grant). Etsy rotates it on every refresh; the
	// current one lives in the connector's state, this one is only the
	// start.
	RefreshToken connector.Secret `yaml:"refresh_token" required:"true"`
	// BaseURL is the API root (default production).
	BaseURL string `yaml:"base_url"`
	// PollEvery is how often receipts are polled (default 2m).
	PollEvery time.Duration `yaml:"poll_every"`
	// WebhookSecret is the signing secret of the ORDER_PAID webhook
	// (commercial apps only); unset, webhooks are refused.
	WebhookSecret connector.Secret `yaml:"webhook_secret"`
}

// Defaults.
const (
	DefaultPollEvery = 2 * time.Minute
	// PageSize is the receipts one list call asks for (Etsy's maximum).
	PageSize = 100
	// Overlap is how far before the cursor each poll lists again, so a
	// receipt stamped by an Etsy clock behind ours is not skipped.
	Overlap = 10 * time.Minute
)

var _ connector.Checker = (*Config)(nil)

// Check validates values without I/O.
func (c *Config) Check() []connector.Problem {
	var ps []connector.Problem
	ps = append(ps, httpclient.CheckURL("base_url", c.BaseURL)...)
	if c.ShopID != "" && strings.Trim(c.ShopID, "0123456789") != "" {
		ps = append(ps, connector.Problem{Path: "shop_id", Message: fmt.Sprintf("%q is not a numeric Etsy shop id", c.ShopID)})
	}
	if strings.Contains(c.Keystring, ":") {
		ps = append(ps, connector.Problem{Path: "keystring", Message: "the keystring alone; the shared secret goes in shared_secret"})
	}
	if c.PollEvery < time.Second {
		ps = append(ps, connector.Problem{Path: "poll_every", Message: "must be at least 1s"})
	}
	return ps
}

func init() {
	connector.Register(connector.Spec[Config]{
		Type:    Type,
		Kind:    connector.KindChannel,
		Summary: "Etsy shop: receipts polled in (ORDER_PAID webhooks as pings); tracking, inventory and prices out",
		Defaults: func() *Config {
			return &Config{BaseURL: DefaultBaseURL, PollEvery: DefaultPollEvery}
		},
		New: func(env connector.Env, cfg *Config) (connector.Connector, error) { return New(env, cfg) },
		// Etsy allows 10 requests a second and 10,000 a day per app key
		// by default: a full bucket plus a second's refill (5 + 5) never
		// exceeds any one second's 10.
		RateLimit: store.Limit{Rate: 5, Burst: 5},
		Retry:     connector.RetryPolicy{MaxAttempts: 12, BaseDelay: 2 * time.Second, MaxDelay: time.Hour},
	})
}

// Connector is a configured Etsy channel, safe for concurrent use.
type Connector struct {
	env  connector.Env
	cfg  *Config
	http *http.Client
	api  *url.URL
	key  string // the shared rate-limit key: etsy:{keystring}

	tokens *oauthtoken.Cache // the shared access and refresh tokens

	skuMu   sync.Mutex
	skus    map[string]string // SKU → listing_id, learned from the shop's listings
	scanned time.Time         // when the listings were last read
}

var (
	_ connector.EventDecoder      = (*Connector)(nil)
	_ connector.OrderPoller       = (*Connector)(nil)
	_ connector.FulfillmentPusher = (*Connector)(nil)
	_ connector.InventoryPusher   = (*Connector)(nil)
	_ connector.PricePusher       = (*Connector)(nil)
	_ connector.Describer         = (*Connector)(nil)
	_ connector.WebhookVerifier   = (*Connector)(nil)
	_ connector.WebhookSigner     = (*Connector)(nil)
)

// New builds the connector; it does no I/O.
func New(env connector.Env, cfg *Config) (*Connector, error) { return newConnector(env, cfg, nil) }

func newConnector(env connector.Env, cfg *Config, base http.RoundTripper) (*Connector, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	u, err := httpclient.BaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("etsy: base_url %w", err)
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = DefaultPollEvery
	}
	key := "etsy:" + cfg.Keystring
	c := &Connector{env: env, cfg: cfg, http: newHTTP(env, key, base), api: u, key: key}
	c.tokens = c.newTokens()
	return c, nil
}

// Name is the instance name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "etsy".
func (c *Connector) Type() string { return Type }
