// Package usps is the USPS carrier connector: it polls the USPS v3
// tracking API (GET /tracking/v3/tracking/{trackingNumber}?expand=DETAIL)
// with an OAuth client-credentials token and maps each event to the
// canonical tracking status, keeping USPS's event code on the event.
package usps

import (
	"context"
	"encoding/json"
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
const Type = "usps"

// DefaultBaseURL is USPS production (the test environment is
// https://apis-tem.usps.com).
const DefaultBaseURL = "https://apis.usps.com"

// Config is the YAML of a USPS carrier.
type Config struct {
	// ClientID and ClientSecret are the app's consumer key and secret.
	ClientID     string           `yaml:"client_id" required:"true"`
	ClientSecret connector.Secret `yaml:"client_secret" required:"true"`
	BaseURL      string           `yaml:"base_url"`
}

// Check validates values without I/O.
func (c *Config) Check() []connector.Problem {
	return carrierapi.CheckBaseURL(c.BaseURL)
}

func init() {
	connector.Register(connector.Spec[Config]{
		Type: Type, Kind: connector.KindCarrier,
		Summary:  "USPS tracking API v3: parcels polled with OAuth client credentials, mapped to the canonical tracking status",
		Defaults: func() *Config { return &Config{BaseURL: DefaultBaseURL} },
		New:      func(env connector.Env, cfg *Config) (connector.Connector, error) { return newConnector(env, cfg, nil) },
		// A new USPS app is allowed 60 calls an hour.
		RateLimit: store.Limit{Rate: 60.0 / 3600, Burst: 5},
		Retry:     connector.RetryPolicy{MaxAttempts: 8, BaseDelay: time.Minute, MaxDelay: 2 * time.Hour},
	})
}

// Connector is a configured USPS app, safe for concurrent use.
type Connector struct {
	env  connector.Env
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
	return &Connector{env: env, base: base, api: &carrierapi.Client{
		Carrier: Type, Env: env, HTTP: httpclient.ForEnv(env, "usps:"+cfg.ClientID, rt),
		TokenURL: base + "/oauth2/v3/token", ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, ErrorText: errorText,
	}}, nil
}

// Name is the configured name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "usps".
func (c *Connector) Type() string { return Type }

// Carriers implements connector.PackageTracker.
func (c *Connector) Carriers() []string { return []string{"usps"} }

// errorText is USPS's error body: {"error":{"message","errors":[{"detail"}]}}.
func errorText(body []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
			Errors  []struct {
				Code   string `json:"code"`
				Detail string `json:"detail"`
			} `json:"errors"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	parts := []string{e.Error.Message}
	for _, it := range e.Error.Errors {
		if it.Detail != "" && it.Detail != e.Error.Message {
			parts = append(parts, it.Detail)
		}
	}
	return strings.Trim(strings.Join(parts, "; "), "; ")
}

// Track implements connector.PackageTracker: every event of the parcel,
// oldest first. A number USPS does not know yet (404) is no events, so
// polling goes on.
func (c *Connector) Track(ctx context.Context, _ string, number string) ([]connector.TrackingUpdate, error) {
	number = carrierapi.Normal(number)
	if number == "" {
		return nil, nil
	}
	u := c.base + "/tracking/v3/tracking/" + url.PathEscape(number) + "?expand=DETAIL"
	var res trackResponse
	status, err := c.api.Call(ctx, "track "+number, func(ctx context.Context) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	}, &res)
	if status == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return updates(number, &res)
}
