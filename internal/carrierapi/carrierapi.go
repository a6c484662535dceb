// Package carrierapi is the HTTP plumbing the carrier tracking connectors
// (ups, fedex, usps) share: an OAuth client-credentials token (oauthtoken) kept in the
// instance's State until shortly before it expires (so replicas and
// restarts reuse it instead of minting one per poll), one retry with a
// fresh token when the carrier refuses a token it issued, and the
// classification of every answer into the core's fault vocabulary.
package carrierapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/httpclient"
	"github.com/dropgate/dropgate/internal/oauthtoken"
)

// maxBody bounds what is read of an answer.
const maxBody = 8 << 20

// TokenMargin is how long before its expiry a token is replaced, so a
// call never leaves with a token that dies on the way.
const TokenMargin = 5 * time.Minute

// tokenKind/tokenID is the State record holding the access token.
const (
	tokenKind = "token"
	tokenID   = "access"
)

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

	once   sync.Once
	tokens *oauthtoken.Cache
}

// Token returns a live access token: the shared one while it has more
// than TokenMargin left, else a fresh one.
func (c *Client) Token(ctx context.Context) (string, error) {
	return c.cache().Token(ctx)
}

// cache is the account's token in the State record tokenKind/tokenID,
// built on first use (a Client is a struct literal).
func (c *Client) cache() *oauthtoken.Cache {
	c.once.Do(func() {
		c.tokens = oauthtoken.New(oauthtoken.Options{
			Name: c.Carrier, State: c.Env.State, Kind: tokenKind, ID: tokenID, Margin: TokenMargin,
			Mint: c.mint, Clock: c.Env.Clock, Logger: c.Env.Log(),
		})
	})
	return c.tokens
}

// mint runs the client-credentials grant at TokenURL.
func (c *Client) mint(ctx context.Context, _ string) (oauthtoken.Response, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if !c.BasicAuth {
		form.Set("client_id", c.ClientID)
		form.Set("client_secret", c.ClientSecret.Reveal())
	}
	req, err := c.api().NewRequest(ctx, "token", http.MethodPost, c.TokenURL, form)
	if err != nil {
		return oauthtoken.Response{}, err
	}
	if c.BasicAuth {
		req.SetBasicAuth(c.ClientID, c.ClientSecret.Reveal())
	}
	var res oauthtoken.Response // UPS writes expires_in as a string, FedEx and USPS as a number
	_, err = c.Send(req, "token", &res)
	return res, err
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
		c.cache().Drop(ctx, tok)
		if attempt > 0 {
			return status, err
		}
	}
}

// Send sends req and classifies the answer (httpclient.API): 429, 5xx,
// 408 and transport failures retryable (not before Retry-After); other
// 4xx permanent with the carrier's own explanation; an undecodable 2xx
// permanent, saying where it broke. It returns the answer's status.
func (c *Client) Send(req *http.Request, op string, out any) (int, error) {
	req.Header.Set("Accept", "application/json")
	ans, err := c.api().Send(c.HTTP, req, op, out)
	return ans.Status, err
}

func (c *Client) api() httpclient.API {
	return httpclient.API{Name: c.Carrier, MaxBody: maxBody, Clock: c.Env.Clock, ErrorText: c.ErrorText}
}
