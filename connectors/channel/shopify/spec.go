// Package shopify is the Shopify channel connector: it verifies and decodes
// Shopify webhooks (orders/create, orders/updated, orders/cancelled) into
// canonical orders, and talks to the Admin REST API through go-shopify
// (github.com/bold-commerce/go-shopify/v4) to push fulfillments with
// tracking, cancel orders, and push inventory and prices.
package shopify

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// Type is the registry name.
const Type = "shopify"

// DefaultAPIVersion is the Admin API version dropgate is tested against.
// Shopify supports each stable version for at least 12 months; pin it in
// YAML to upgrade deliberately.
const DefaultAPIVersion = "2025-07"

// Config is the YAML of a Shopify channel.
type Config struct {
	// ShopDomain is the shop's myshopify domain: acme.myshopify.com.
	ShopDomain string `yaml:"shop_domain" required:"true"`
	// AccessToken is the Admin API access token (shpat_…).
	AccessToken connector.Secret `yaml:"access_token"`
	// WebhookSecret is the app's client secret, which signs webhooks.
	WebhookSecret connector.Secret `yaml:"webhook_secret" required:"true"`
	// APIVersion pins the Admin API version (YYYY-MM).
	APIVersion string `yaml:"api_version"`
	// BaseURL overrides https://{shop_domain} (proxies, tests, the demo).
	BaseURL string `yaml:"base_url"`
	// LocationID is the Shopify location whose inventory dropgate sets;
	// empty means the shop's primary location.
	LocationID string `yaml:"location_id"`
	// NotifyCustomer asks Shopify to email the customer on fulfillment
	// (default true, as the admin's "send shipment details" box).
	NotifyCustomer *bool `yaml:"notify_customer"`
	// Currency is the shop's currency (ISO 4217). Prices are pushed in it,
	// and a price in any other currency is refused. Empty: read once from
	// the shop (GET shop.json).
	Currency string `yaml:"currency"`
	// SKUCacheTTL is how long the SKU → variant index (read by listing
	// every product) is reused before it is listed again (default 15m).
	SKUCacheTTL time.Duration `yaml:"sku_cache_ttl"`
}

// DefaultSKUCacheTTL is how long the SKU index is kept by default.
const DefaultSKUCacheTTL = 15 * time.Minute

var (
	versionRE = regexp.MustCompile(`^\d{4}-(01|04|07|10)$|^unstable$`)
	domainRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*\.myshopify\.com$`)
)

// Check validates values without I/O.
func (c *Config) Check() []connector.Problem {
	var ps []connector.Problem
	if c.ShopDomain != "" && !domainRE.MatchString(c.ShopDomain) {
		ps = append(ps, connector.Problem{Path: "shop_domain", Message: fmt.Sprintf("%q is not a myshopify domain (shop-name.myshopify.com)", c.ShopDomain)})
	}
	if !versionRE.MatchString(c.APIVersion) {
		ps = append(ps, connector.Problem{Path: "api_version", Message: fmt.Sprintf("%q is not a Shopify API version (YYYY-01, -04, -07 or -10)", c.APIVersion)})
	}
	ps = append(ps, httpclient.CheckURL("base_url", c.BaseURL)...)
	if c.LocationID != "" {
		if _, err := strconv.ParseUint(c.LocationID, 10, 64); err != nil {
			ps = append(ps, connector.Problem{Path: "location_id", Message: fmt.Sprintf("%q is not a Shopify location id (digits only)", c.LocationID)})
		}
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
		Summary: "Shopify store: order webhooks in; fulfillments, inventory and prices out (Admin REST API)",
		Defaults: func() *Config {
			return &Config{APIVersion: DefaultAPIVersion, SKUCacheTTL: DefaultSKUCacheTTL}
		},
		New: func(env connector.Env, cfg *Config) (connector.Connector, error) {
			return New(env, cfg)
		},
		// The REST Admin API's leaky bucket for standard plans: 40 calls,
		// leaking 2 per second (shopify.dev/docs/api/usage/rate-limits).
		RateLimit: store.Limit{Rate: 2, Burst: 40},
		Retry:     connector.RetryPolicy{MaxAttempts: 12, BaseDelay: 2e9, MaxDelay: 36e11},
	})
}

// Connector is a configured Shopify channel. It is safe for concurrent
// use: each capability call builds its own go-shopify client, and the
// caches below are guarded.
type Connector struct {
	env  connector.Env
	cfg  *Config
	http *http.Client // rate-limited; shared by every call

	catalog catalogCache // SKU → variants (inventory.go)
	shop    shopCache    // location and currency (inventory.go, prices.go)
}

// Compile-time guards: the capabilities this connector offers.
var (
	_ connector.WebhookVerifier   = (*Connector)(nil)
	_ connector.WebhookSigner     = (*Connector)(nil)
	_ connector.EventDecoder      = (*Connector)(nil)
	_ connector.FulfillmentPusher = (*Connector)(nil)
	_ connector.OrderCanceller    = (*Connector)(nil)
	_ connector.InventoryPusher   = (*Connector)(nil)
	_ connector.PricePusher       = (*Connector)(nil)
	_ connector.Checker           = (*Config)(nil)
)

// New builds the connector; it does no I/O.
func New(env connector.Env, cfg *Config) (*Connector, error) {
	return newConnector(env, cfg, nil)
}

// newConnector is New with the transport that reaches the network (nil:
// the default one); tests pass the fake's.
func newConnector(env connector.Env, cfg *Config, base http.RoundTripper) (*Connector, error) {
	cfg.ShopDomain = strings.ToLower(strings.TrimSpace(cfg.ShopDomain))
	cfg.Currency = strings.ToUpper(strings.TrimSpace(cfg.Currency))
	hc, err := newHTTP(env, cfg, base)
	if err != nil {
		return nil, err
	}
	return &Connector{env: env, cfg: cfg, http: hc, catalog: newCatalogCache(), shop: newShopCache()}, nil
}

// Name is the instance name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "shopify".
func (c *Connector) Type() string { return Type }
