// Package ebay is the eBay marketplace connector. eBay pushes no order
// webhooks to a seller's own endpoint, so orders come in by polling the
// Fulfillment API on lastmodifieddate from a persisted cursor; shipments
// go out as shipping fulfillments, stock and prices through the Inventory
// API's bulk_update_price_quantity. The mandatory marketplace account
// deletion endpoint is served under /webhooks/{name}: the GET challenge
// and the ECDSA-signed POST notifications.
package ebay

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/httpclient"
	"github.com/dropgate/dropgate/internal/oauthtoken"
)

// Type is the registry name.
const Type = "ebay"

// Config is the YAML of an eBay seller account.
type Config struct {
	// ClientID is the application's client id (App ID).
	ClientID string `yaml:"client_id" required:"true"`
	// ClientSecret is the application's client secret (Cert ID).
	ClientSecret connector.Secret `yaml:"client_secret" required:"true"`
	// RefreshToken is the seller's user refresh token (about 18 months).
	RefreshToken connector.Secret `yaml:"refresh_token" required:"true"`
	// VerificationToken is the token entered with the account deletion
	// endpoint in the developer portal (32–80 characters).
	VerificationToken connector.Secret `yaml:"verification_token" required:"true"`
	// EndpointURL is the public URL of this instance's deletion endpoint,
	// exactly as registered with eBay (https://…/webhooks/{name}).
	EndpointURL string `yaml:"endpoint_url" required:"true"`
	// BaseURL is the API host (default https://api.ebay.com).
	BaseURL string `yaml:"base_url"`
	// AuthURL is the OAuth host (default: base_url).
	AuthURL string `yaml:"auth_url"`
	// PollEvery is how often orders are polled (default 2m).
	PollEvery time.Duration `yaml:"poll_every"`
	// MarketplaceID is the site of the seller's offers (default EBAY_US).
	MarketplaceID string `yaml:"marketplace_id"`
	// PageSize is how many orders one list call asks for (default 100, max 200).
	PageSize int `yaml:"page_size"`
}

// Defaults.
const (
	DefaultBaseURL   = "https://api.ebay.com"
	DefaultPollEvery = 2 * time.Minute
	DefaultPageSize  = 100
	// Overlap is how far before the cursor each poll lists again: an
	// order's lastModifiedDate is stamped before it is visible to search.
	Overlap = 10 * time.Minute
)

// Scopes are the OAuth scopes the refresh asks for: orders and inventory.
const Scopes = "https://api.ebay.com/oauth/api_scope/sell.fulfillment https://api.ebay.com/oauth/api_scope/sell.inventory"

var marketplaceRE = regexp.MustCompile(`^EBAY_[A-Z_]+$`)

var _ connector.Checker = (*Config)(nil)

// Check validates values without I/O.
func (c *Config) Check() []connector.Problem {
	var ps []connector.Problem
	ps = append(ps, httpclient.CheckURL("base_url", c.BaseURL)...)
	ps = append(ps, httpclient.CheckURL("auth_url", c.AuthURL)...)
	if c.EndpointURL != "" {
		if u, err := url.Parse(c.EndpointURL); err != nil || u.Scheme != "https" || u.Host == "" {
			ps = append(ps, connector.Problem{Path: "endpoint_url", Message: fmt.Sprintf("%q is not an https URL (eBay calls only https endpoints)", c.EndpointURL)})
		}
	}
	if c.PollEvery < time.Second {
		ps = append(ps, connector.Problem{Path: "poll_every", Message: "must be at least 1s"})
	}
	if !marketplaceRE.MatchString(c.MarketplaceID) {
		ps = append(ps, connector.Problem{Path: "marketplace_id", Message: fmt.Sprintf("%q is not an eBay marketplace id (EBAY_US, EBAY_GB, …)", c.MarketplaceID)})
	}
	if c.PageSize < 1 || c.PageSize > 200 {
		ps = append(ps, connector.Problem{Path: "page_size", Message: "must be between 1 and 200"})
	}
	return ps
}

func init() {
	connector.Register(connector.Spec[Config]{
		Type:    Type,
		Kind:    connector.KindChannel,
		Summary: "eBay seller account: orders polled in (Fulfillment API); shipments, stock and prices out; account deletion endpoint",
		Defaults: func() *Config {
			return &Config{PollEvery: DefaultPollEvery, MarketplaceID: "EBAY_US", PageSize: DefaultPageSize}
		},
		New: func(env connector.Env, cfg *Config) (connector.Connector, error) { return New(env, cfg) },
		// eBay's quotas are per API per day (Fulfillment, Inventory); a
		// steady rate well under them keeps a busy day inside its budget.
		RateLimit: store.Limit{Rate: 2, Burst: 20},
		Retry:     connector.RetryPolicy{MaxAttempts: 12, BaseDelay: 2 * time.Second, MaxDelay: time.Hour},
	})
}

// Connector is a configured eBay seller account, safe for concurrent use.
type Connector struct {
	env  connector.Env
	cfg  *Config
	http *http.Client
	api  *url.URL
	auth *url.URL
	key  string // the shared rate-limit key: ebay:{client_id}

	tokens *oauthtoken.Cache // the shared user access token
	app    *oauthtoken.Cache // the application token (notification keys)

	mu   sync.Mutex
	keys map[string]pubKey // notification public keys by kid
	// keyFetch serialises key lookups (rare: once a key an hour).
	keyFetch sync.Mutex
	offers   map[string]string // offer ids by SKU
}

var (
	_ connector.EventDecoder       = (*Connector)(nil)
	_ connector.OrderPoller        = (*Connector)(nil)
	_ connector.FulfillmentPusher  = (*Connector)(nil)
	_ connector.InventoryPusher    = (*Connector)(nil)
	_ connector.PricePusher        = (*Connector)(nil)
	_ connector.Describer          = (*Connector)(nil)
	_ connector.WebhookVerifier    = (*Connector)(nil)
	_ connector.ChallengeResponder = (*Connector)(nil)
	_ connector.DeliveryVerifier   = (*Connector)(nil)
)

// New builds the connector; it does no I/O.
func New(env connector.Env, cfg *Config) (*Connector, error) { return newConnector(env, cfg, nil) }

func newConnector(env connector.Env, cfg *Config, base http.RoundTripper) (*Connector, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.AuthURL == "" {
		cfg.AuthURL = cfg.BaseURL
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.MarketplaceID == "" {
		cfg.MarketplaceID = "EBAY_US"
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = DefaultPollEvery
	}
	api, err := httpclient.BaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("ebay: base_url %w", err)
	}
	auth, err := httpclient.BaseURL(cfg.AuthURL)
	if err != nil {
		return nil, fmt.Errorf("ebay: auth_url %w", err)
	}
	key := "ebay:" + cfg.ClientID
	c := &Connector{env: env, cfg: cfg, http: newHTTP(env, key, base), api: api, auth: auth, key: key,
		keys: map[string]pubKey{}, offers: map[string]string{}}
	c.tokens, c.app = c.newTokens()
	return c, nil
}

// Name is the instance name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "ebay".
func (c *Connector) Type() string { return Type }
