package etsy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/httpclient"
	"github.com/dropgate/dropgate/internal/oauthtoken"
)

// tokenMargin is how long before its expiry a token is replaced, so a
// call never leaves with a token that dies on the way.
const tokenMargin = 2 * time.Minute

// tokenKind/tokenID is the State record holding the access token and the
// current refresh token, shared by every replica: Etsy rotates the
// refresh token on each refresh and refuses the old one, so a replica
// refreshing with a stale one would lock the others out. Records written
// before oauthtoken are read as they are.
const (
	tokenKind = "token"
	tokenID   = "oauth"
)

// TokenPath is Etsy's OAuth token endpoint.
const TokenPath = "/v3/public/oauth/token"

// newHTTP builds the connector's one HTTP client: every request, the
// token's included, spends a token of the app key's shared limiter.
func newHTTP(env connector.Env, key string, base http.RoundTripper) *http.Client {
	return httpclient.ForEnv(env, key, base)
}

// reserve spends n tokens at once for an operation of n calls.
func (c *Connector) reserve(ctx context.Context, n int) (context.Context, error) {
	return httpclient.ReserveEnv(ctx, c.env, "etsy", c.key, n)
}

func (c *Connector) now() time.Time { return c.env.Now() }

// newTokens keeps the access token and the current refresh token in the
// State record tokenKind/tokenID, shared by every replica.
func (c *Connector) newTokens() *oauthtoken.Cache {
	return oauthtoken.New(oauthtoken.Options{
		Name: "etsy", State: c.env.State, Kind: tokenKind, ID: tokenID, Margin: tokenMargin,
		Rotating: true, Mint: c.refresh, Clock: c.env.Clock, Logger: c.env.Log(),
	})
}

// refresh runs the refresh_token grant: POST /v3/public/oauth/token
// (form: grant_type, client_id, refresh_token), with the shared record's
// refresh token or, before the first rotation, the configured one. Etsy
// answers a new access token (1 h) and a new refresh token.
func (c *Connector) refresh(ctx context.Context, refresh string) (oauthtoken.Response, error) {
	if refresh == "" {
		refresh = c.cfg.RefreshToken.Reveal()
	}
	if refresh == "" || c.cfg.Keystring == "" {
		return oauthtoken.Response{}, fault.Permanentf("etsy: keystring and refresh_token are needed")
	}
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {c.cfg.Keystring}, "refresh_token": {refresh}}
	req, err := c.rest().NewRequest(ctx, "token", "POST", c.api.String()+TokenPath, form)
	if err != nil {
		return oauthtoken.Response{}, err
	}
	var res oauthtoken.Response
	err = c.send(req, "token", &res)
	return res, err
}

// errorText reads Etsy's error body: {"error", "error_description"}.
func errorText(body []byte) string {
	var e struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error == "" {
		return ""
	}
	if e.ErrorDescription != "" {
		return e.Error + ": " + e.ErrorDescription
	}
	return e.Error
}

// do sends one API call to {base}{path}?{q} with a live token, and
// decodes a 2xx JSON answer into out.
func (c *Connector) do(ctx context.Context, op, method, path string, q url.Values, in, out any) error {
	u := c.api.String() + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return c.call(ctx, op, method, u, in, out)
}

// call sends a request to an absolute URL with the token.
func (c *Connector) call(ctx context.Context, op, method, u string, in, out any) error {
	tok, err := c.tokens.Token(ctx)
	if err != nil {
		return fmt.Errorf("etsy: %s: %w", op, err)
	}
	req, err := c.rest().NewRequest(ctx, op, method, u, in) // in: a url.Values form for Etsy's POSTs
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	err = c.send(req, op, out)
	var se *statusErr
	if errors.As(err, &se) && se.status == http.StatusUnauthorized {
		// An expired or revoked token: the next attempt mints another,
		// so a token revoked mid-run fails no job (one refused right
		// after minting is permanent).
		return c.tokens.Refused(ctx, tok, err)
	}
	return err
}

type statusErr struct {
	status int
	err    error
}

func (e *statusErr) Error() string { return e.err.Error() }
func (e *statusErr) Unwrap() error { return e.err }

// rest is how the connector builds its calls and reads their answers.
func (c *Connector) rest() httpclient.API {
	return httpclient.API{Name: "etsy", Clock: c.env.Clock, ErrorText: errorText}
}

// send adds x-api-key (keystring:shared_secret, on every call, the
// token's included), sends, and classifies (httpclient.API): 429, 5xx,
// 408, 409 retryable (not before Retry-After); other 4xx permanent with
// Etsy's error text.
func (c *Connector) send(req *http.Request, op string, out any) error {
	req.Header.Set("x-api-key", c.cfg.Keystring+":"+c.cfg.SharedSecret.Reveal())
	req.Header.Set("Accept", "application/json")
	ans, err := c.rest().Send(c.http, req, op, out)
	if ans.Status >= 400 {
		return &statusErr{status: ans.Status, err: err}
	}
	return err
}
