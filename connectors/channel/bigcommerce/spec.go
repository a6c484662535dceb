// Package bigcommerce is the BigCommerce channel connector. BigCommerce's
// order webhooks are thin (an order id and a scope, signed with the app's
// client secret per Standard Webhooks): the connector verifies them, and
// the queued decode fetches the order, its products and its shipping
// addresses from the v2 Orders API. Shipments go out as v2 order
// shipments (one per parcel, with order_address_id and order_product_id),
// stock as v3 absolute inventory adjustments, prices as v3 variant batch
// updates. Every call spends the store's shared quota, which the
// connector reads back from the X-Rate-Limit-* headers.
package bigcommerce

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// Type is the registry name.
const Type = "bigcommerce"

// DefaultBaseURL is BigCommerce's API host; paths are /stores/{hash}/v2|v3/….
const DefaultBaseURL = "https://api.bigcommerce.com"

// DefaultSKUCacheTTL is how long the SKU → variant index is reused.
const DefaultSKUCacheTTL = 15 * time.Minute

// Config is the YAML of a BigCommerce channel.
type Config struct {
	// StoreHash is the store's id in API paths (stores/{store_hash}/…).
	StoreHash string `yaml:"store_hash" required:"true"`
	// AccessToken is the API account's token, sent as X-Auth-Token.
	AccessToken connector.Secret `yaml:"access_token" required:"true"`
	// ClientSecret is the app's client secret: the key webhooks are
	// signed with.
	ClientSecret connector.Secret `yaml:"client_secret" required:"true"`
	// BaseURL overrides https://api.bigcommerce.com (proxies, tests, the demo).
	BaseURL string `yaml:"base_url"`
	// LocationID is the inventory location stock is set at (default 1,
	// the store's default location).
	LocationID int64 `yaml:"location_id"`
	// Currency is the store's default currency (ISO 4217); prices in
	// another currency are refused. Empty accepts any.
	Currency string `yaml:"currency"`
	// SKUCacheTTL is how long the SKU → variant index is reused.
	SKUCacheTTL time.Duration `yaml:"sku_cache_ttl"`
	// WebhookTolerance bounds the age of a webhook's signed timestamp
	// (default 5m, the Standard Webhooks recommendation): an older
	// delivery is a replay.
	WebhookTolerance time.Duration `yaml:"webhook_tolerance"`
}

var hashRE = regexp.MustCompile(`^[a-z0-9]{1,32}$`)

// Check validates values without I/O.
func (c *Config) Check() []connector.Problem {
	var ps []connector.Problem
	if c.StoreHash != "" && !hashRE.MatchString(c.StoreHash) {
		ps = append(ps, connector.Problem{Path: "store_hash", Message: fmt.Sprintf("%q is not a store hash (lowercase letters and digits, as in stores/{hash}/)", c.StoreHash)})
	}
	ps = append(ps, httpclient.CheckURL("base_url", c.BaseURL)...)
	if c.LocationID < 0 {
		ps = append(ps, connector.Problem{Path: "location_id", Message: "must be a BigCommerce location id (1 or more)"})
	}
	if c.Currency != "" && !money.KnownCurrency(strings.ToUpper(strings.TrimSpace(c.Currency))) {
		ps = append(ps, connector.Problem{Path: "currency", Message: fmt.Sprintf("%q is not an ISO 4217 currency code", c.Currency)})
	}
	if c.SKUCacheTTL < 0 {
		ps = append(ps, connector.Problem{Path: "sku_cache_ttl", Message: "must not be negative"})
	}
	if c.WebhookTolerance < 0 {
		ps = append(ps, connector.Problem{Path: "webhook_tolerance", Message: "must not be negative"})
	}
	return ps
}

func init() {
	connector.Register(connector.Spec[Config]{
		Type:    Type,
		Kind:    connector.KindChannel,
		Summary: "BigCommerce store: thin order webhooks in (orders fetched through the queue); shipments, stock and prices out",
		Defaults: func() *Config {
			return &Config{LocationID: 1, SKUCacheTTL: DefaultSKUCacheTTL, WebhookTolerance: 5 * time.Minute}
		},
		New: func(env connector.Env, cfg *Config) (connector.Connector, error) {
			return New(env, cfg)
		},
		// The Standard/Plus quota is 150 requests per 30-second window for
		// the whole store. A bucket of 20 refilled at 4/s spends at most
		// 140 in any window, so it never trips the quota on its own; the
		// X-Rate-Limit headers bring every replica in line when other apps
		// spend the same quota. Pro and Enterprise merchants raise it.
		RateLimit: store.Limit{Rate: 4, Burst: 20},
		Retry:     connector.RetryPolicy{MaxAttempts: 10, BaseDelay: 2 * time.Second, MaxDelay: time.Hour},
	})
}

// Connector is a configured BigCommerce channel, safe for concurrent use.
type Connector struct {
	env     connector.Env
	cfg     *Config
	http    *http.Client
	base    *url.URL // …/stores/{hash}
	key     string   // the store's shared rate-limit key
	catalog catalogCache
	sweep   sweepCache
}

// Compile-time guards: the capabilities this connector offers.
var (
	_ connector.WebhookVerifier   = (*Connector)(nil)
	_ connector.WebhookSigner     = (*Connector)(nil)
	_ connector.EventDecoder      = (*Connector)(nil)
	_ connector.OrderPoller       = (*Connector)(nil)
	_ connector.FulfillmentPusher = (*Connector)(nil)
	_ connector.OrderCanceller    = (*Connector)(nil)
	_ connector.InventoryPusher   = (*Connector)(nil)
	_ connector.PricePusher       = (*Connector)(nil)
	_ connector.Describer         = (*Connector)(nil)
	_ connector.Checker           = (*Config)(nil)
)

// New builds the connector; it does no I/O.
func New(env connector.Env, cfg *Config) (*Connector, error) { return newConnector(env, cfg, nil) }

func newConnector(env connector.Env, cfg *Config, base http.RoundTripper) (*Connector, error) {
	cfg.Currency = strings.ToUpper(strings.TrimSpace(cfg.Currency))
	if cfg.LocationID == 0 {
		cfg.LocationID = 1
	}
	if cfg.WebhookTolerance == 0 {
		cfg.WebhookTolerance = 5 * time.Minute
	}
	raw := cfg.BaseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("bigcommerce: %q is not an http(s) URL", raw)
	}
	if cfg.StoreHash == "" {
		return nil, fmt.Errorf("bigcommerce: store_hash is required")
	}
	u.Path += "/stores/" + cfg.StoreHash
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	c := &Connector{env: env, cfg: cfg, base: u, key: "bigcommerce:" + cfg.StoreHash, catalog: newCatalogCache()}
	c.http = httpclient.NewHTTP(httpclient.Options{
		Name: env.Name, Limiter: env.Limiter, Key: c.key, Limit: env.RateLimit,
		Clock: env.Clock, Logger: env.Logger, Transport: base, Calls: env.Calls, Observe: c.observe,
	})
	return c, nil
}

// Name is the instance name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "bigcommerce".
func (c *Connector) Type() string { return Type }

func (c *Connector) now() time.Time { return c.env.Now().UTC() }
