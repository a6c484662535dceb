// Package dhl is the DHL carrier connector: it polls DHL's Shipment
// Tracking - Unified API (GET /track/shipments?trackingNumber=) with the
// DHL-API-Key header and maps each event to the canonical tracking
// status, keeping DHL's statusCode and status on the event.
package dhl

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/carrierapi"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// Type is the registry name.
const Type = "dhl"

// DefaultBaseURL is DHL's API gateway.
const DefaultBaseURL = "https://api-eu.dhl.com"

// Config is the YAML of a DHL carrier.
type Config struct {
	APIKey connector.Secret `yaml:"api_key" required:"true"`
	// Service narrows the lookup (express, parcel-de, ecommerce, freight…);
	// "" lets DHL search every service.
	Service string `yaml:"service"`
	// Language of the event descriptions (ISO 639-1), default en.
	Language string `yaml:"language"`
	BaseURL  string `yaml:"base_url"`
}

// Check validates values without I/O.
func (c *Config) Check() []connector.Problem {
	ps := carrierapi.CheckBaseURL(c.BaseURL)
	if c.Language != "" && len(c.Language) != 2 {
		ps = append(ps, connector.Problem{Path: "language", Message: "must be a two-letter ISO 639-1 code"})
	}
	return ps
}

func init() {
	connector.Register(connector.Spec[Config]{
		Type: Type, Kind: connector.KindCarrier,
		Summary:  "DHL Shipment Tracking - Unified: parcels polled with an API key, mapped to the canonical tracking status",
		Defaults: func() *Config { return &Config{BaseURL: DefaultBaseURL, Language: "en"} },
		New:      func(env connector.Env, cfg *Config) (connector.Connector, error) { return newConnector(env, cfg, nil) },
		// DHL's initial key allows one call every 5 seconds (250 a day);
		// a merchant with a raised quota overrides rate_limit.
		RateLimit: store.Limit{Rate: 0.2, Burst: 1},
		Retry:     connector.RetryPolicy{MaxAttempts: 8, BaseDelay: 30 * time.Second, MaxDelay: 2 * time.Hour},
	})
}

// Connector is a configured DHL account, safe for concurrent use.
type Connector struct {
	env  connector.Env
	cfg  *Config
	base string
	api  *carrierapi.Client
}

var _ connector.PackageTracker = (*Connector)(nil)

// New returns the connector (no I/O).
func New(env connector.Env, cfg *Config) (*Connector, error) { return newConnector(env, cfg, nil) }

func newConnector(env connector.Env, cfg *Config, rt http.RoundTripper) (*Connector, error) {
	base, err := carrierapi.BaseURL(Type, cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	// One instance per API key: the budget is keyed by the instance
	// (the key itself is a secret and never becomes a limiter key).
	key := "dhl:" + env.Name
	return &Connector{env: env, cfg: cfg, base: base, api: &carrierapi.Client{
		Carrier: Type, Env: env, HTTP: httpclient.ForEnv(env, key, rt), ErrorText: errorText}}, nil
}

// Name is the configured name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "dhl".
func (c *Connector) Type() string { return Type }

// Carriers implements connector.PackageTracker.
func (c *Connector) Carriers() []string { return []string{"dhl"} }

// errorText is DHL's problem+json: {title, status, detail}.
func errorText(body []byte) string {
	var e struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return strings.Trim(strings.TrimSpace(e.Title+": "+e.Detail), ": ")
}

// Track implements connector.PackageTracker: every event of the parcel,
// oldest first. A number DHL does not know yet (404) is no events, so
// polling goes on.
func (c *Connector) Track(ctx context.Context, _ string, number string) ([]connector.TrackingUpdate, error) {
	number = carrierapi.Normal(number)
	if number == "" {
		return nil, nil
	}
	q := url.Values{"trackingNumber": {number}}
	if c.cfg.Service != "" {
		q.Set("service", c.cfg.Service)
	}
	if c.cfg.Language != "" {
		q.Set("language", c.cfg.Language)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/track/shipments?"+q.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("dhl: track %s: %w", number, err)
	}
	req.Header.Set("DHL-API-Key", c.cfg.APIKey.Reveal())
	var res trackResponse
	status, err := c.api.Send(req, "track "+number, &res)
	if status == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return updates(number, &res)
}
