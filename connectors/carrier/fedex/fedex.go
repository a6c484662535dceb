// Package fedex is the FedEx carrier connector: it polls FedEx's tracking
// API (POST /track/v1/trackingnumbers, Basic Integrated Visibility) with
// an OAuth client-credentials token and maps each scan event to the
// canonical tracking status, keeping FedEx's eventType on the event.
package fedex

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/carrierapi"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// Type is the registry name.
const Type = "fedex"

// DefaultBaseURL is FedEx production (the sandbox is
// https://apis-sandbox.fedex.com).
const DefaultBaseURL = "https://apis.fedex.com"

// Config is the YAML of a FedEx carrier.
type Config struct {
	// ClientID is the project's API key, ClientSecret its secret key.
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
		Summary:  "FedEx tracking API: parcels polled with OAuth client credentials, mapped to the canonical tracking status",
		Defaults: func() *Config { return &Config{BaseURL: DefaultBaseURL} },
		New:      func(env connector.Env, cfg *Config) (connector.Connector, error) { return newConnector(env, cfg, nil) },
		// FedEx throttles per project over 10-second windows; polls are
		// few and hours apart, so stay far under it.
		RateLimit: store.Limit{Rate: 2, Burst: 10},
		Retry:     connector.RetryPolicy{MaxAttempts: 8, BaseDelay: 30 * time.Second, MaxDelay: 2 * time.Hour},
	})
}

// Connector is a configured FedEx account, safe for concurrent use.
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
		Carrier: Type, Env: env, HTTP: httpclient.ForEnv(env, "fedex:"+cfg.ClientID, rt),
		TokenURL: base + "/oauth/token", ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, ErrorText: errorText,
	}}, nil
}

// Name is the configured name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "fedex".
func (c *Connector) Type() string { return Type }

// Carriers implements connector.PackageTracker.
func (c *Connector) Carriers() []string { return []string{"fedex"} }

// errorText is FedEx's error body: {"transactionId","errors":[{"code","message"}]}.
func errorText(body []byte) string {
	var e struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	var parts []string
	for _, it := range e.Errors {
		parts = append(parts, strings.TrimSpace(it.Code+": "+it.Message))
	}
	return strings.Join(parts, "; ")
}

// Track implements connector.PackageTracker: every scan of the parcel,
// oldest first. A number FedEx does not know yet is no events, so
// polling goes on.
func (c *Connector) Track(ctx context.Context, _ string, number string) ([]connector.TrackingUpdate, error) {
	number = carrierapi.Normal(number)
	if number == "" {
		return nil, nil
	}
	body, err := json.Marshal(map[string]any{"includeDetailedScans": true,
		"trackingInfo": []any{map[string]any{"trackingNumberInfo": map[string]string{"trackingNumber": number}}}})
	if err != nil {
		return nil, err
	}
	var res trackResponse
	_, err = c.api.Call(ctx, "track "+number, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/track/v1/trackingnumbers", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-locale", "en_US")
		return req, nil
	}, &res)
	if err != nil {
		return nil, err
	}
	return updates(number, &res)
}
