// Package carrierapi is the HTTP plumbing the carrier tracking connectors
// (ups, fedex, usps) share: an OAuth client-credentials token kept in the
// instance's State until shortly before it expires (so replicas and
// restarts reuse it instead of minting one per poll), one retry with a
// fresh token when the carrier refuses a token it issued, and the
// classification of every answer into the core's fault vocabulary.
package carrierapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/httpclient"
	"github.com/dropgate/dropgate/internal/jsonpos"
)

// maxBody bounds what is read of an answer.
const maxBody = 8 << 20

// TokenMargin is how long before its expiry a token is replaced, so a
// call never leaves with a token that dies on the way.
const TokenMargin = 5 * time.Minute

const tokenKind = "token"

// Client is one carrier account's API client.
type Client struct {
	Carrier string // "ups": prefixes every error
	Env     connector.Env
	HTTP    *http.Client
	// TokenURL is the absolute token endpoint.
	TokenURL     string
	ClientID     string
	ClientSecret connector.Secret
	// BasicAuth sends the credentials as HTTP Basic (UPS, USPS accept
	// it); otherwise they go in the form as client_id and client_secret
	// (FedEx).
	BasicAuth bool
	// ErrorText extracts the carrier's explanation from an error body
	// ("" when it has none).
	ErrorText func(body []byte) string

	mu sync.Mutex
}

// NewHTTP builds the account's one HTTP client on the shared limiter.
func NewHTTP(env connector.Env, key string, base http.RoundTripper) *http.Client {
	return httpclient.NewHTTP(httpclient.Options{
		Name: env.Name, Limiter: env.Limiter, Key: key, Limit: env.RateLimit,
		Clock: env.Clock, Logger: env.Logger, Transport: base, Calls: env.Calls,
	})
}

type cachedToken struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Token returns a live access token: the cached one while it has more than
// TokenMargin left, else a fresh one.
func (c *Client) Token(ctx context.Context) (string, error) {
	// One mint at a time in this process: concurrent polls would
	// otherwise each fetch a token.
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Env.State != nil {
		rec, err := c.Env.State.GetRecord(ctx, tokenKind, "access")
		if err == nil {
			var t cachedToken
			if json.Unmarshal(rec.Data, &t) == nil && t.Token != "" && c.Env.Now().Add(TokenMargin).Before(t.ExpiresAt) {
				return t.Token, nil
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return "", fault.Retryable(fmt.Errorf("%s: read cached token: %w", c.Carrier, err))
		}
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	if !c.BasicAuth {
		form.Set("client_id", c.ClientID)
		form.Set("client_secret", c.ClientSecret.Reveal())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fault.Permanent(fmt.Errorf("%s: token: %w", c.Carrier, err))
	}
	if c.BasicAuth {
		req.SetBasicAuth(c.ClientID, c.ClientSecret.Reveal())
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var res struct {
		AccessToken string `json:"access_token"`
		// UPS writes expires_in as a string, FedEx and USPS as a number.
		ExpiresIn json.RawMessage `json:"expires_in"`
	}
	if _, err := c.Send(req, "token", &res); err != nil {
		return "", err
	}
	var secs json.Number
	if err := json.Unmarshal(bytes.Trim(res.ExpiresIn, `"`), &secs); err != nil || res.AccessToken == "" {
		return "", fault.Retryable(fmt.Errorf("%s: token: answer has no access_token or expires_in", c.Carrier))
	}
	n, err := secs.Int64()
	if err != nil || n <= 0 {
		return "", fault.Retryable(fmt.Errorf("%s: token: expires_in %q is not a positive number of seconds", c.Carrier, secs))
	}
	t := cachedToken{Token: res.AccessToken, ExpiresAt: c.Env.Now().Add(time.Duration(n) * time.Second)}
	if c.Env.State != nil {
		data, _ := json.Marshal(t)
		// Last writer wins: any live token is as good as another.
		rec, err := c.Env.State.GetRecord(ctx, tokenKind, "access")
		if errors.Is(err, store.ErrNotFound) {
			rec = store.Record{Kind: tokenKind, ID: "access"}
		}
		rec.Data = data
		_, _ = c.Env.State.PutRecord(ctx, rec)
	}
	return t.Token, nil
}

func (c *Client) dropToken(ctx context.Context) {
	if c.Env.State != nil {
		_ = c.Env.State.DeleteRecord(ctx, tokenKind, "access")
	}
}

// Call sends an authorized request built by mk (called again for the
// retry) and decodes a 2xx JSON answer into out. A 401 drops the token and
// tries once more with a fresh one: an expired or revoked token is not the
// merchant's mistake. It returns the status of the last answer.
func (c *Client) Call(ctx context.Context, op string, mk func(ctx context.Context) (*http.Request, error), out any) (int, error) {
	for attempt := 0; ; attempt++ {
		tok, err := c.Token(ctx)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", op, err)
		}
		req, err := mk(ctx)
		if err != nil {
			return 0, fault.Permanent(fmt.Errorf("%s: %s: %w", c.Carrier, op, err))
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		status, err := c.Send(req, op, out)
		if status != http.StatusUnauthorized {
			return status, err
		}
		c.dropToken(ctx)
		if attempt > 0 {
			return status, err
		}
	}
}

// Send sends req and classifies the answer: 429, 5xx, 408 and transport
// failures retryable (not before Retry-After); other 4xx permanent with
// the carrier's own explanation; an undecodable 2xx permanent, saying
// where it broke.
func (c *Client) Send(req *http.Request, op string, out any) (int, error) {
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		var throttled *fault.ThrottledError
		if errors.As(err, &throttled) {
			return 0, fmt.Errorf("%s: %s: %w", c.Carrier, op, err)
		}
		return 0, fault.Retryable(fmt.Errorf("%s: %s: %w", c.Carrier, op, err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return resp.StatusCode, fault.Retryable(fmt.Errorf("%s: %s: read answer: %w", c.Carrier, op, err))
	}
	if resp.StatusCode >= 400 {
		msg := string(raw)
		if c.ErrorText != nil {
			if t := c.ErrorText(raw); t != "" {
				msg = t
			}
		}
		return resp.StatusCode, httpclient.StatusError(c.Carrier+": "+op, resp, []byte(msg), c.Env.Now())
	}
	if out == nil {
		return resp.StatusCode, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return resp.StatusCode, fault.Permanent(fmt.Errorf("%s: %s: decode answer: %w", c.Carrier, op, jsonpos.Where(raw, err)))
	}
	return resp.StatusCode, nil
}
