// Package metacommerce is the Meta (Facebook and Instagram Shops)
// commerce channel connector. Orders are polled from the Graph API's
// commerce_orders edge of a commerce account from a persisted cursor and
// acknowledged once ingested (CREATED → IN_PROGRESS); shipments with
// tracking go out through the order's shipments edge. Webhooks signed
// with X-Hub-Signature-256 are pings that fetch the order.
package metacommerce

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// Type is the registry name.
const Type = "meta_commerce"

// Defaults.
const (
	DefaultBaseURL    = "https://graph.facebook.com"
	DefaultAPIVersion = "v21.0"
	DefaultPollEvery  = 2 * time.Minute
	// Overlap is how far before the cursor each poll lists again, so an
	// order stamped by a Meta clock behind ours is not skipped.
	Overlap = 10 * time.Minute
	// PageSize is how many orders one list call asks for.
	PageSize = 25
)

// Config is the YAML of a Meta commerce channel.
type Config struct {
	// CommerceAccountID is the commerce merchant settings (CMS) id.
	CommerceAccountID string `yaml:"commerce_account_id" required:"true"`
	// AccessToken is a page (or system user) access token with
	// commerce_manage_accounts.
	AccessToken connector.Secret `yaml:"access_token" required:"true"`
	// AppSecret verifies webhook signatures (X-Hub-Signature-256).
	AppSecret connector.Secret `yaml:"app_secret" required:"true"`
	// VerifyToken is what the webhook subscription's GET handshake must
	// carry as hub.verify_token; empty refuses every handshake.
	VerifyToken connector.Secret `yaml:"verify_token"`
	// CatalogID is the product catalog stock and prices are set in
	// (items_batch); empty leaves stock and prices alone.
	CatalogID string `yaml:"catalog_id"`
	// BaseURL is the Graph API root (default https://graph.facebook.com).
	BaseURL string `yaml:"base_url"`
	// APIVersion is the Graph API version path segment (default v21.0).
	APIVersion string `yaml:"api_version"`
	// PollEvery is how often orders are polled (default 2m).
	PollEvery time.Duration `yaml:"poll_every"`
}

var _ connector.Checker = (*Config)(nil)

// Check validates values without I/O.
func (c *Config) Check() []connector.Problem {
	var ps []connector.Problem
	ps = append(ps, httpclient.CheckURL("base_url", c.BaseURL)...)
	if v := c.APIVersion; v != "" && (!strings.HasPrefix(v, "v") || strings.ContainsAny(v, "/?# ")) {
		ps = append(ps, connector.Problem{Path: "api_version", Message: fmt.Sprintf("%q is not a Graph API version such as v21.0", v)})
	}
	if c.PollEvery < time.Second {
		ps = append(ps, connector.Problem{Path: "poll_every", Message: "must be at least 1s"})
	}
	if strings.ContainsAny(c.CatalogID, "/?# ") {
		ps = append(ps, connector.Problem{Path: "catalog_id", Message: "must be a Graph API id"})
	}
	if strings.ContainsAny(c.CommerceAccountID, "/?# ") {
		ps = append(ps, connector.Problem{Path: "commerce_account_id", Message: "must be a Graph API id"})
	}
	return ps
}

func init() {
	connector.Register(connector.Spec[Config]{
		Type:    Type,
		Kind:    connector.KindChannel,
		Summary: "Meta (Facebook/Instagram) Shops: orders polled in and acknowledged, webhooks; shipments out",
		Defaults: func() *Config {
			return &Config{BaseURL: DefaultBaseURL, APIVersion: DefaultAPIVersion, PollEvery: DefaultPollEvery}
		},
		New: func(env connector.Env, cfg *Config) (connector.Connector, error) { return New(env, cfg) },
		// Business use case limits are per business and hour; stay well
		// under them and let X-Business-Use-Case-Usage defer the key.
		RateLimit: store.Limit{Rate: 2, Burst: 20},
		Retry:     connector.RetryPolicy{MaxAttempts: 12, BaseDelay: 2 * time.Second, MaxDelay: time.Hour},
	})
}

// Connector is a configured Meta commerce channel, safe for concurrent use.
type Connector struct {
	env  connector.Env
	cfg  *Config
	http *http.Client
	api  string // {base}/{version}
	key  string // the shared rate-limit key: meta_commerce:{commerce_account_id}
}

var (
	_ connector.EventDecoder      = (*Connector)(nil)
	_ connector.OrderPoller       = (*Connector)(nil)
	_ connector.FulfillmentPusher = (*Connector)(nil)
	_ connector.Describer         = (*Connector)(nil)
)

// New builds the connector; it does no I/O.
func New(env connector.Env, cfg *Config) (*Connector, error) { return newConnector(env, cfg, nil) }

func newConnector(env connector.Env, cfg *Config, base http.RoundTripper) (*Connector, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.APIVersion == "" {
		cfg.APIVersion = DefaultAPIVersion
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = DefaultPollEvery
	}
	u, err := httpclient.BaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("meta_commerce: base_url %w", err)
	}
	key := "meta_commerce:" + cfg.CommerceAccountID
	return &Connector{env: env, cfg: cfg, http: newHTTP(env, key, base), api: u.String() + "/" + cfg.APIVersion, key: key}, nil
}

// Name is the instance name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "meta_commerce".
func (c *Connector) Type() string { return Type }
