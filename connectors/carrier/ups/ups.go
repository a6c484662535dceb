// Package ups is the UPS carrier connector: it polls the UPS Track API
// (GET /api/track/v1/details/{inquiryNumber}) with an OAuth
// client-credentials token and maps each activity to the canonical
// tracking status, keeping UPS's status type and code on the event.
package ups

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
const Type = "ups"

// DefaultBaseURL is UPS production (the customer integration environment
// is https://wwwcie.ups.com).
const DefaultBaseURL = "https://onlinetools.ups.com"

// TransactionSrc names us in the transactionSrc header UPS requires.
const TransactionSrc = "dropgate"

// Config is the YAML of a UPS carrier.
type Config struct {
	ClientID     string           `yaml:"client_id" required:"true"`
	ClientSecret connector.Secret `yaml:"client_secret" required:"true"`
	// BaseURL replaces DefaultBaseURL (CIE, a proxy, a fake).
	BaseURL string `yaml:"base_url"`
}

// Check validates values without I/O.
func (c *Config) Check() []connector.Problem {
	return carrierapi.CheckBaseURL(c.BaseURL)
}

func init() {
	connector.Register(connector.Spec[Config]{
		Type: Type, Kind: connector.KindCarrier,
		Summary:  "UPS Track API: parcels polled with OAuth client credentials, mapped to the canonical tracking status",
		Defaults: func() *Config { return &Config{BaseURL: DefaultBaseURL} },
		New:      func(env connector.Env, cfg *Config) (connector.Connector, error) { return newConnector(env, cfg, nil) },
		// Polls are few (one per parcel, hours apart); stay far under
		// UPS's per-application quota.
		RateLimit: store.Limit{Rate: 2, Burst: 10},
		Retry:     connector.RetryPolicy{MaxAttempts: 8, BaseDelay: 30 * time.Second, MaxDelay: 2 * time.Hour},
	})
}

// Connector is a configured UPS account, safe for concurrent use.
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
	key := "ups:" + cfg.ClientID
	return &Connector{env: env, base: base, api: &carrierapi.Client{
		Carrier: Type, Env: env, HTTP: httpclient.ForEnv(env, key, rt),
		TokenURL: base + "/security/v1/oauth/token", ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		BasicAuth: true, ErrorText: errorText,
	}}, nil
}

// Name is the configured name.
func (c *Connector) Name() string { return c.env.Name }

// Type is "ups".
func (c *Connector) Type() string { return Type }

// Carriers implements connector.PackageTracker.
func (c *Connector) Carriers() []string { return []string{"ups"} }

// errorText is UPS's error body: {"response":{"errors":[{"code","message"}]}}.
func errorText(body []byte) string {
	var e struct {
		Response struct {
			Errors []struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"errors"`
		} `json:"response"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	var parts []string
	for _, it := range e.Response.Errors {
		parts = append(parts, strings.TrimSpace(it.Code+": "+it.Message))
	}
	return strings.Join(parts, "; ")
}

// transID is a fresh transId: UPS wants one per request.
func transID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Track implements connector.PackageTracker: every activity of the
// parcel, oldest first. A number UPS does not know yet (a label not yet
// scanned) is no events rather than an error, so polling goes on.
func (c *Connector) Track(ctx context.Context, _ string, number string) ([]connector.TrackingUpdate, error) {
	number = carrierapi.Normal(number)
	if number == "" {
		return nil, nil
	}
	u := c.base + "/api/track/v1/details/" + url.PathEscape(number) + "?locale=en_US&returnSignature=false"
	var res trackResponse
	status, err := c.api.Call(ctx, "track "+number, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("transId", transID())
		req.Header.Set("transactionSrc", TransactionSrc)
		return req, nil
	}, &res)
	if status == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return updates(number, &res)
}
