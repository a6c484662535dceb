package ebay

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/httpclient"
	"github.com/dropgate/dropgate/internal/oauthtoken"
)

// newHTTP builds the connector's one HTTP client: every request, the
// token refresh included, spends a token of the account's shared limiter.
func newHTTP(env connector.Env, key string, base http.RoundTripper) *http.Client {
	return httpclient.ForEnv(env, key, base)
}

// reserve spends n tokens at once for an operation of n calls.
func (c *Connector) reserve(ctx context.Context, n int) (context.Context, error) {
	return httpclient.ReserveEnv(ctx, c.env, "ebay", c.key, n)
}

func (c *Connector) now() time.Time { return c.env.Now() }

// apiErrors is eBay's error body: {"errors":[{"errorId","message","longMessage"}]}.
type apiErrors struct {
	Errors []struct {
		ErrorID     json.Number `json:"errorId"`
		Message     string      `json:"message"`
		LongMessage string      `json:"longMessage"`
	} `json:"errors"`
	// The OAuth endpoint answers RFC 6749 errors instead.
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func (e apiErrors) text() string {
	if len(e.Errors) > 0 {
		return fmt.Sprintf("error %s: %s", e.Errors[0].ErrorID, e.Errors[0].Message)
	}
	if e.Error != "" {
		return e.Error + ": " + e.Description
	}
	return ""
}

// tokenMargin is how long before its expiry a token is refreshed, so a
// call never starts with a token about to die.
const tokenMargin = 5 * time.Minute

const tokenKind = "oauth_token"

// newTokens keeps the user access token in the State record
// tokenKind/{client_id}, shared by every replica, and the application
// token (notification keys, fetched rarely) in the process.
func (c *Connector) newTokens() (user, app *oauthtoken.Cache) {
	o := oauthtoken.Options{Name: "ebay", State: c.env.State, Kind: tokenKind, ID: c.cfg.ClientID,
		Margin: tokenMargin, Mint: c.refresh, Clock: c.env.Clock, Logger: c.env.Log()}
	user = oauthtoken.New(o)
	o.State, o.Mint = nil, c.appGrant
	return user, oauthtoken.New(o)
}

// refresh trades the refresh token for a user access token.
func (c *Connector) refresh(ctx context.Context, _ string) (oauthtoken.Response, error) {
	if c.cfg.RefreshToken.IsZero() || c.cfg.ClientSecret.IsZero() {
		return oauthtoken.Response{}, fault.Permanentf("ebay: refresh token: refresh_token is not set")
	}
	return c.grant(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {c.cfg.RefreshToken.Reveal()}, "scope": {Scopes}})
}

// appGrant asks for an application token (client credentials grant),
// which the Notification API wants.
func (c *Connector) appGrant(ctx context.Context, _ string) (oauthtoken.Response, error) {
	return c.grant(ctx, url.Values{"grant_type": {"client_credentials"}, "scope": {"https://api.ebay.com/oauth/api_scope"}})
}

// grant asks the OAuth endpoint for an access token:
// POST /identity/v1/oauth2/token, Basic client_id:client_secret.
func (c *Connector) grant(ctx context.Context, form url.Values) (oauthtoken.Response, error) {
	if c.cfg.ClientSecret.IsZero() {
		return oauthtoken.Response{}, fault.Permanentf("ebay: access token: client_secret is not set")
	}
	u := *c.auth
	u.Path += "/identity/v1/oauth2/token"
	req, err := c.rest().NewRequest(ctx, "access token", "POST", u.String(), form)
	if err != nil {
		return oauthtoken.Response{}, err
	}
	req.SetBasicAuth(c.cfg.ClientID, c.cfg.ClientSecret.Reveal())
	var res oauthtoken.Response
	err = c.send(req, "access token", &res)
	return res, err
}

// do sends one API request to {base_url}{path} with a user token and
// decodes a 2xx JSON answer into out (when not nil); hdr, when not nil,
// receives the answer's headers. 429, 5xx and 408 are retryable (not
// before Retry-After); other 4xx permanent with eBay's message. A 401
// also drops the cached token, so the next attempt refreshes.
func (c *Connector) do(ctx context.Context, op, method, path string, q url.Values, in, out any) (http.Header, error) {
	tok, err := c.tokens.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	u := *c.api
	u.Path += path
	u.RawQuery = q.Encode()
	req, err := c.rest().NewRequest(ctx, op, method, u.String(), in)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("X-EBAY-C-MARKETPLACE-ID", c.cfg.MarketplaceID)
	hdr, status, err := c.exchange(req, op, out)
	if status == http.StatusUnauthorized {
		// Revoked mid-run: the retry gets a new token, so no job fails
		// for it (one refused right after it was obtained is permanent).
		return hdr, c.tokens.Refused(ctx, tok, err)
	}
	return hdr, err
}

func (c *Connector) send(req *http.Request, op string, out any) error {
	_, _, err := c.exchange(req, op, out)
	return err
}

// rest is how the connector builds its calls and reads their answers.
func (c *Connector) rest() httpclient.API {
	return httpclient.API{Name: "ebay", Clock: c.env.Clock, ErrorText: httpclient.ErrorTextOf(apiErrors.text), AllowEmpty: true}
}

// exchange sends req and classifies its answer (httpclient.API); it
// returns the answer's headers and status when there was one.
func (c *Connector) exchange(req *http.Request, op string, out any) (hdr http.Header, status int, _ error) {
	ans, err := c.rest().Send(c.http, req, op, out)
	return ans.Header, ans.Status, err
}
