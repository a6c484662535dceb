package walmart

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/httpclient"
	"github.com/dropgate/dropgate/internal/oauthtoken"
)

// tokenMargin is how long before its expiry a token is replaced, so a
// call never leaves with a token that dies on the way.
const tokenMargin = 2 * time.Minute

// tokenKind/tokenID is the State record holding the access token, shared
// by every replica so they do not each mint one per 15 minutes.
const (
	tokenKind = "token"
	tokenID   = "access"
)

// newHTTP builds the connector's one HTTP client: every request, the
// token's included, spends a token of the seller's shared limiter.
func newHTTP(env connector.Env, key string, base http.RoundTripper) *http.Client {
	return httpclient.ForEnv(env, key, base)
}

// reserve spends n tokens at once for an operation of n calls.
func (c *Connector) reserve(ctx context.Context, n int) (context.Context, error) {
	return httpclient.ReserveEnv(ctx, c.env, "walmart", c.key, n)
}

func (c *Connector) now() time.Time { return c.env.Now() }

// newTokens keeps the access token in the State record tokenKind/tokenID.
func (c *Connector) newTokens() *oauthtoken.Cache {
	return oauthtoken.New(oauthtoken.Options{
		Name: "walmart", State: c.env.State, Kind: tokenKind, ID: tokenID, Margin: tokenMargin,
		Mint: c.mint, Clock: c.env.Clock, Logger: c.env.Log(),
	})
}

// mint asks POST /v3/token for an access token (client credentials,
// HTTP Basic).
func (c *Connector) mint(ctx context.Context, _ string) (oauthtoken.Response, error) {
	if c.cfg.ClientID == "" || c.cfg.ClientSecret.IsZero() {
		return oauthtoken.Response{}, fault.Permanentf("walmart: client_id and client_secret are needed")
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	req, err := c.rest().NewRequest(ctx, "token", "POST", c.api.String()+"/v3/token", form)
	if err != nil {
		return oauthtoken.Response{}, err
	}
	basic := base64.StdEncoding.EncodeToString([]byte(c.cfg.ClientID + ":" + c.cfg.ClientSecret.Reveal()))
	req.Header.Set("Authorization", "Basic "+basic)
	var res oauthtoken.Response
	err = c.send(req, "token", &res)
	return res, err
}

// correlationID is a fresh WM_QOS.CORRELATION_ID (a random UUID v4).
func correlationID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// apiError is Walmart's error body: {"errors": [{"code", "field",
// "description", "info", "severity", "category"}]}, sometimes under
// "error".
type apiError struct {
	Errors []errItem `json:"errors"`
	Error  []errItem `json:"error"`
}

type errItem struct {
	Code        string `json:"code"`
	Field       string `json:"field"`
	Description string `json:"description"`
	Info        string `json:"info"`
}

func (e apiError) text() string {
	var parts []string
	for _, it := range append(e.Errors, e.Error...) {
		s := strings.TrimSpace(it.Code + ": " + firstNonEmpty(it.Description, it.Info))
		if it.Field != "" {
			s += " (" + it.Field + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// do sends one API call to {base}{path}?{q} with a live token and the
// WM_* headers, and decodes a 2xx JSON answer into out.
func (c *Connector) do(ctx context.Context, op, method, path string, q url.Values, in, out any) error {
	tok, err := c.tokens.Token(ctx)
	if err != nil {
		return fmt.Errorf("walmart: %s: %w", op, err)
	}
	u := c.api.String() + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return c.call(ctx, op, method, u, tok, in, out)
}

// call sends a request to an absolute URL with the token.
func (c *Connector) call(ctx context.Context, op, method, u, tok string, in, out any) error {
	req, err := c.rest().NewRequest(ctx, op, method, u, in)
	if err != nil {
		return err
	}
	req.Header.Set("WM_SEC.ACCESS_TOKEN", tok)
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
	return httpclient.API{Name: "walmart", Clock: c.env.Clock, ErrorText: httpclient.ErrorTextOf(apiError.text)}
}

// send adds the headers every call carries, sends, and classifies
// (httpclient.API): 429, 5xx, 408, 409 retryable (not before
// Retry-After); other 4xx permanent with Walmart's error descriptions.
func (c *Connector) send(req *http.Request, op string, out any) error {
	req.Header.Set("WM_QOS.CORRELATION_ID", correlationID())
	req.Header.Set("WM_SVC.NAME", SvcName)
	req.Header.Set("Accept", "application/json")
	ans, err := c.rest().Send(c.http, req, op, out)
	if ans.Status >= 400 {
		return &statusErr{status: ans.Status, err: err}
	}
	return err
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
