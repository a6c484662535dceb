// Package walmart is the Walmart Marketplace (US) channel connector.
// Orders are polled from GET /v3/orders on lastModifiedStartDate from a
// persisted cursor and acknowledged once ingested; shipments with
// tracking, inventory and prices go out through the Marketplace REST API
// with a 15-minute client-credentials token shared by every replica.
package walmart

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
const Type = "walmart"

// DefaultBaseURL is Walmart's production Marketplace API.
const DefaultBaseURL = "https://marketplace.walmartapis.com"

// Config is the YAML of a Walmart Marketplace channel.
type Config struct {
	// ClientID and ClientSecret are the seller's API key (Developer Portal).
	ClientID     string           `yaml:"client_id" required:"true"`
	ClientSecret connector.Secret `yaml:"client_secret" required:"true"`
	// BaseURL is the API root (default production; the sandbox is
	// https://sandbox.walmartapis.com).
	BaseURL string `yaml:"base_url"`
	// PollEvery is how often orders are polled (default 2m).
	PollEvery time.Duration `yaml:"poll_every"`
	// ShipNode, when set, limits the poll to one ship node (shipNodeType
	// SellerFulfilled is always asked) and is sent with inventory.
	ShipNode string `yaml:"ship_node"`
	// WebhookSecret is reserved for HMAC-signed notifications, which are
	// not supported yet (Walmart does not document the signature's
	// encoding); setting it is refused by Check.
	WebhookSecret connector.Secret `yaml:"webhook_secret"`
	// PageSize is how many orders one list call asks for (default 100, at most 200).
	PageSize int `yaml:"page_size"`
}

// Defaults.
const (
	DefaultPollEvery = 2 * time.Minute
	DefaultPageSize  = 100
	// Overlap is how far before the cursor each poll lists again, so an
	// order stamped by a Walmart clock behind ours is not skipped.
	Overlap = 10 * time.Minute
	// SvcName is the WM_SVC.NAME Walmart asks every call to carry.
	SvcName = "Walmart Marketplace"
)

var _ connector.Checker = (*Config)(nil)

// Check validates values without I/O.
func (c *Config) Check() []connector.Problem {
	var ps []connector.Problem
	ps = append(ps, httpclient.CheckURL("base_url", c.BaseURL)...)
	if c.PollEvery < time.Second {
		ps = append(ps, connector.Problem{Path: "poll_every", Message: "must be at least 1s"})
	}
	if c.PageSize < 1 || c.PageSize > 200 {
		ps = append(ps, connector.Problem{Path: "page_size", Message: "must be between 1 and 200"})
	}
	if !c.WebhookSecret.IsZero() {
		ps = append(ps, connector.Problem{Path: "webhook_secret", Message: "Walmart notifications are not supported yet (the HMAC encoding is undocumented); orders are polled"})
	}
	return ps
}

func init() {
	connector.Register(connector.Spec[Config]{
		Type:    Type,
		Kind:    connector.KindChannel,
		Summary: "Walmart Marketplace (US) seller: orders polled in and acknowledged; shipments, inventory and prices out",
		Defaults: func() *Config {
			return &Config{BaseURL: DefaultBaseURL, PollEvery: DefaultPollEvery, PageSize: DefaultPageSize}
		},
		New: func(env connector.Env, cfg *Config) (connector.Connector, error) { return New(env, cfg) },
		// Walmart's quotas are per API and replenish gradually (orders
		// and inventory in the tens per second at most for most sellers);
		// stay well under them by default.
		RateLimit: store.Limit{Rate: 2, Burst: 10},
		Retry:     connector.RetryPolicy{MaxAttempts: 12, BaseDelay: 2 * time.Second, MaxDelay: time.Hour},
	})
}

// Connector is a configured Walmart channel, safe for concurrent use.
type Connector struct {
	env  connector.Env
	cfg  *Config
	http *http.Client
	api  *url.URL
	key  string // the shared rate-limit key: walmart:{client_id}

	tokens *oauthtoken.Cache // the shared access token
}

var (
	_ connector.EventDecoder      = (*Connector)(nil)
	_ connector.OrderPoller       = (*Connector)(nil)
	_ connector.FulfillmentPusher = (*Connector)(nil)
	_ connector.InventoryPusher   = (*Connector)(nil)
	_ connector.PricePusher       = (*Connector)(nil)
	_ connector.Describer         = (*Connector)(nil)
)

// New builds the connector; it does no I/O.
func New(env connector.Env, cfg *Config) (*Connector, error) { return newConnector(env, cfg, nil) }

func newConnector(env connector.Env, cfg *Config, base http.RoundTripper) (*Connector, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	u, err := httpclient.BaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("walmart: base_url %w", err)
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = DefaultPollEvery
	}
	key := "walmart:" + cfg.ClientID
	c := &Connector{env: env, cfg: cfg, http: newHTTP(env, key, base), api: u, key: key}
	c.tokens = c.newTokens()
	return c, nil
}

// Name is the instance name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "walmart".
func (c *Connector) Type() string { return Type }
