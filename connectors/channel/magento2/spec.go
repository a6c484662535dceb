// Package magento2 is the Magento 2 / Adobe Commerce channel connector.
// Magento Open Source sends no order webhooks, so orders come in by
// polling GET /rest/V1/orders on updated_at from a persisted cursor;
// shipments with tracking, MSI (or legacy) stock and base prices go out
// through the REST API with a bearer integration token.
package magento2

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// Type is the registry name.
const Type = "magento2"

// Inventory APIs.
const (
	InventoryMSI    = "msi"
	InventoryLegacy = "legacy"
)

// Config is the YAML of a Magento 2 channel.
type Config struct {
	// BaseURL is the store's base URL; REST calls go to {base_url}/rest/{store_code}/V1/….
	BaseURL string `yaml:"base_url" required:"true"`
	// AccessToken is the integration's access token (Bearer).
	AccessToken connector.Secret `yaml:"access_token" required:"true"`
	// PollEvery is how often orders are polled (default 2m).
	PollEvery time.Duration `yaml:"poll_every"`
	// StoreCode is the store view in the REST path (default "default").
	StoreCode string `yaml:"store_code"`
	// Inventory is msi (default: POST /V1/inventory/source-items) or
	// legacy (PUT /V1/products/{sku}/stockItems/1).
	Inventory string `yaml:"inventory"`
	// SourceCode is the MSI source dropgate sets (default "default").
	SourceCode string `yaml:"source_code"`
	// Currency is the store's base currency (default USD); base prices are in it.
	Currency string `yaml:"currency"`
	// PageSize is how many orders one list call asks for (default 100).
	PageSize int `yaml:"page_size"`
}

// Defaults.
const (
	DefaultPollEvery = 2 * time.Minute
	DefaultPageSize  = 100
	// Overlap is how far before the cursor each poll lists again, so an
	// order stamped by a Magento clock behind ours is not skipped.
	Overlap = 10 * time.Minute
)

var storeCodeRE = regexp.MustCompile(`^[a-z0-9_]+$`)

var _ connector.Checker = (*Config)(nil)

// Check validates values without I/O.
func (c *Config) Check() []connector.Problem {
	var ps []connector.Problem
	ps = append(ps, httpclient.CheckURL("base_url", c.BaseURL)...)
	if !storeCodeRE.MatchString(c.StoreCode) {
		ps = append(ps, connector.Problem{Path: "store_code", Message: fmt.Sprintf("%q is not a Magento store code (lowercase letters, digits, _)", c.StoreCode)})
	}
	if c.Inventory != InventoryMSI && c.Inventory != InventoryLegacy {
		ps = append(ps, connector.Problem{Path: "inventory", Message: fmt.Sprintf("%q is not msi or legacy", c.Inventory)})
	}
	if c.PollEvery < time.Second {
		ps = append(ps, connector.Problem{Path: "poll_every", Message: "must be at least 1s"})
	}
	if !money.KnownCurrency(c.Currency) {
		ps = append(ps, connector.Problem{Path: "currency", Message: fmt.Sprintf("%q is not an ISO 4217 currency code", c.Currency)})
	}
	if c.PageSize < 1 || c.PageSize > 300 {
		ps = append(ps, connector.Problem{Path: "page_size", Message: "must be between 1 and 300"})
	}
	return ps
}

func init() {
	connector.Register(connector.Spec[Config]{
		Type:    Type,
		Kind:    connector.KindChannel,
		Summary: "Magento 2 / Adobe Commerce store: orders polled in; shipments, stock (MSI or legacy) and base prices out (REST)",
		Defaults: func() *Config {
			return &Config{PollEvery: DefaultPollEvery, StoreCode: "default", Inventory: InventoryMSI,
				SourceCode: "default", Currency: "USD", PageSize: DefaultPageSize}
		},
		New: func(env connector.Env, cfg *Config) (connector.Connector, error) { return New(env, cfg) },
		// Magento has no platform quota of its own (the host's WAF or
		// Fastly may); stay polite by default.
		RateLimit: store.Limit{Rate: 4, Burst: 20},
		Retry:     connector.RetryPolicy{MaxAttempts: 12, BaseDelay: 2e9, MaxDelay: 36e11},
	})
}

// Connector is a configured Magento 2 channel, safe for concurrent use.
type Connector struct {
	env  connector.Env
	cfg  *Config
	http *http.Client
	api  *url.URL // {base_url}/rest/{store_code}
	key  string   // the shared rate-limit key: magento2:{host}
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
	u, err := httpclient.BaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("magento2: base_url %w", err)
	}
	if cfg.StoreCode == "" {
		cfg.StoreCode = "default"
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.Currency == "" {
		cfg.Currency = "USD"
	}
	if cfg.SourceCode == "" {
		cfg.SourceCode = "default"
	}
	if cfg.Inventory == "" {
		cfg.Inventory = InventoryMSI
	}
	u.Path += "/rest/" + cfg.StoreCode
	return &Connector{env: env, cfg: cfg, http: newHTTP(env, limitKey(u.Host), base), api: u, key: limitKey(u.Host)}, nil
}

// Name is the instance name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "magento2".
func (c *Connector) Type() string { return Type }
