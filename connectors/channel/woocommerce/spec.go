// Package woocommerce is the WooCommerce channel connector: it verifies and
// decodes WooCommerce order webhooks (order.created, order.updated,
// order.deleted) into canonical orders, and talks to the WC REST API v3
// (/wp-json/wc/v3) to complete orders with tracking and to push stock and
// prices through the products and variations batch endpoints.
package woocommerce

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// Type is the registry name.
const Type = "woocommerce"

// Tracking modes: how a shipment's tracking reaches the store.
const (
	TrackingNote     = "note"              // a customer note on the order
	TrackingExt      = "shipment_tracking" // WooCommerce Shipment Tracking extension
	TrackingAST      = "ast"               // Advanced Shipment Tracking plugin
	defaultBatchSize = 100                 // WC REST batch endpoints accept at most 100 objects
)

// Config is the YAML of a WooCommerce channel.
type Config struct {
	// StoreURL is the WordPress site: https://shop.example.com.
	StoreURL string `yaml:"store_url" required:"true"`
	// ConsumerKey and ConsumerSecret are the REST API keys (ck_…, cs_…).
	ConsumerKey    string           `yaml:"consumer_key" required:"true"`
	ConsumerSecret connector.Secret `yaml:"consumer_secret" required:"true"`
	// WebhookSecret is the secret set on each webhook in WooCommerce.
	WebhookSecret connector.Secret `yaml:"webhook_secret" required:"true"`
	// BaseURL overrides store_url for API calls (proxies, tests, the demo).
	BaseURL string `yaml:"base_url"`
	// QueryStringAuth sends the keys as consumer_key/consumer_secret query
	// parameters, for servers that strip the Authorization header.
	QueryStringAuth bool `yaml:"query_string_auth"`
	// Tracking says how tracking reaches the store: note (default),
	// shipment_tracking or ast.
	Tracking string `yaml:"tracking"`
	// CompleteOnShip sets the order status to completed once every line
	// has shipped (default true).
	CompleteOnShip *bool `yaml:"complete_on_ship"`
	// Currency is the store's currency (ISO 4217); prices in another
	// currency are refused.
	Currency string `yaml:"currency"`
	// SKUCacheTTL is how long the SKU → product/variation index is reused.
	SKUCacheTTL time.Duration `yaml:"sku_cache_ttl"`
}

// DefaultSKUCacheTTL is how long the SKU index is kept by default.
const DefaultSKUCacheTTL = 15 * time.Minute

// Check validates values without I/O.
func (c *Config) Check() []connector.Problem {
	var ps []connector.Problem
	for _, f := range []struct{ path, v string }{{"store_url", c.StoreURL}, {"base_url", c.BaseURL}} {
		if f.v == "" {
			continue
		}
		u, err := url.Parse(f.v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			ps = append(ps, connector.Problem{Path: f.path, Message: fmt.Sprintf("%q is not an http(s) URL", f.v)})
		}
	}
	switch c.Tracking {
	case "", TrackingNote, TrackingExt, TrackingAST:
	default:
		ps = append(ps, connector.Problem{Path: "tracking", Message: fmt.Sprintf("%q is not note, shipment_tracking or ast", c.Tracking)})
	}
	if c.Currency != "" && !money.KnownCurrency(strings.ToUpper(strings.TrimSpace(c.Currency))) {
		ps = append(ps, connector.Problem{Path: "currency", Message: fmt.Sprintf("%q is not an ISO 4217 currency code", c.Currency)})
	}
	if c.SKUCacheTTL < 0 {
		ps = append(ps, connector.Problem{Path: "sku_cache_ttl", Message: "must not be negative"})
	}
	return ps
}

func init() {
	connector.Register(connector.Spec[Config]{
		Type:    Type,
		Kind:    connector.KindChannel,
		Summary: "WooCommerce store: order webhooks in; shipments, stock and prices out (WC REST API v3)",
		Defaults: func() *Config {
			return &Config{Tracking: TrackingNote, SKUCacheTTL: DefaultSKUCacheTTL}
		},
		New: func(env connector.Env, cfg *Config) (connector.Connector, error) {
			return New(env, cfg)
		},
		// WooCommerce core has no REST quota; the host's does. A modest
		// default keeps a shared-hosting store responsive.
		RateLimit: store.Limit{Rate: 5, Burst: 25},
		Retry:     connector.RetryPolicy{MaxAttempts: 10, BaseDelay: 2 * time.Second, MaxDelay: time.Hour},
	})
}

// Connector is a configured WooCommerce channel, safe for concurrent use.
type Connector struct {
	env     connector.Env
	cfg     *Config
	http    *http.Client
	base    *url.URL
	key     string // the shared rate-limit key of the store
	catalog catalogCache
}

// Compile-time guards: the capabilities this connector offers.
var (
	_ connector.WebhookVerifier   = (*Connector)(nil)
	_ connector.WebhookSigner     = (*Connector)(nil)
	_ connector.EventDecoder      = (*Connector)(nil)
	_ connector.FulfillmentPusher = (*Connector)(nil)
	_ connector.InventoryPusher   = (*Connector)(nil)
	_ connector.PricePusher       = (*Connector)(nil)
	_ connector.Checker           = (*Config)(nil)
)

// New builds the connector; it does no I/O.
func New(env connector.Env, cfg *Config) (*Connector, error) { return newConnector(env, cfg, nil) }

func newConnector(env connector.Env, cfg *Config, base http.RoundTripper) (*Connector, error) {
	cfg.Currency = strings.ToUpper(strings.TrimSpace(cfg.Currency))
	if cfg.Tracking == "" {
		cfg.Tracking = TrackingNote
	}
	raw := cfg.BaseURL
	if raw == "" {
		raw = cfg.StoreURL
	}
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("woocommerce: %q is not an http(s) URL", raw)
	}
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	key := "woocommerce:" + u.Host
	hc := httpclient.ForEnv(env, key, base)
	return &Connector{env: env, cfg: cfg, http: hc, base: u, key: key, catalog: newCatalogCache()}, nil
}

// Name is the instance name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "woocommerce".
func (c *Connector) Type() string { return Type }

func (c *Connector) now() time.Time { return c.env.Now().UTC() }
