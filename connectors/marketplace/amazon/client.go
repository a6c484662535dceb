package amazon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/httpclient"
	"github.com/dropgate/dropgate/internal/oauthtoken"
)

// maxBody bounds what is read of an answer.
const maxBody = 32 << 20

// tokenMargin is how long before its expiry a token is replaced, so a
// call never leaves with a token that dies on the way.
const tokenMargin = 5 * time.Minute

// tokenKind/tokenID is the State record holding the LWA access token,
// shared by every replica so they do not each mint one an hour.
const (
	tokenKind = "token"
	tokenID   = "access"
)

// RateLimitHeader is where Amazon states an operation's actual rate.
const RateLimitHeader = "x-amzn-RateLimit-Limit"

// client is the HTTP client of one operation: its calls spend tokens of
// the operation's own limiter, amazon:{seller}:{operation}, because
// Amazon meters each operation separately (getOrders refills once a
// minute while confirmShipment allows two a second).
func (c *Connector) client(op string) *http.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h, ok := c.clients[op]; ok {
		return h
	}
	lim, ok := c.limits[op]
	if !ok {
		lim = c.env.RateLimit
	}
	h := httpclient.NewHTTP(httpclient.Options{
		Name: c.env.Name, Limiter: c.env.Limiter, Key: c.limitKey(op), Limit: lim,
		Clock: c.env.Clock, Logger: c.env.Logger, Transport: c.base, Calls: c.env.Calls,
		Observe: func(_ context.Context, resp *http.Response) { c.observe(op, lim, resp) },
	})
	c.clients[op] = h
	return h
}

func (c *Connector) limitKey(op string) string { return "amazon:" + c.cfg.SellerID + ":" + op }

// observe reads x-amzn-RateLimit-Limit: a plan below the configured rate
// (Amazon lowers some sellers' plans) is logged once per change, since
// the limiter then runs ahead of Amazon and 429s follow.
func (c *Connector) observe(op string, lim store.Limit, resp *http.Response) {
	v := resp.Header.Get(RateLimitHeader)
	if v == "" {
		return
	}
	c.mu.Lock()
	prev := c.plans[op]
	c.plans[op] = v
	c.mu.Unlock()
	if v == prev || c.env.Logger == nil {
		return
	}
	var rate float64
	if _, err := fmt.Sscanf(v, "%g", &rate); err == nil && rate > 0 && rate < lim.Rate {
		c.env.Logger.Warn("amazon: operation's usage plan is below the configured rate", "operation", op,
			"plan", v, "configured", lim.Rate)
	}
}

// Plan is the rate Amazon last stated for an operation ("" before any call).
func (c *Connector) Plan(op string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.plans[op]
}

func (c *Connector) now() time.Time { return c.env.Now() }

// newTokens keeps the LWA access token in the State record
// tokenKind/tokenID.
func (c *Connector) newTokens() *oauthtoken.Cache {
	return oauthtoken.New(oauthtoken.Options{
		Name: "amazon", State: c.env.State, Kind: tokenKind, ID: tokenID, Margin: tokenMargin,
		Mint: c.mint, Clock: c.env.Clock, Logger: c.env.Log(),
	})
}

// mint trades the seller's refresh token for an LWA access token.
// https://developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api
func (c *Connector) mint(ctx context.Context, _ string) (oauthtoken.Response, error) {
	if c.cfg.LWAClientID == "" || c.cfg.LWAClientSecret.IsZero() || c.cfg.RefreshToken.IsZero() {
		return oauthtoken.Response{}, fault.Permanentf("amazon: lwa_client_id, lwa_client_secret and refresh_token are needed")
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {c.cfg.RefreshToken.Reveal()},
		"client_id": {c.cfg.LWAClientID}, "client_secret": {c.cfg.LWAClientSecret.Reveal()}}
	req, err := http.NewRequestWithContext(ctx, "POST", c.lwa, strings.NewReader(form.Encode()))
	if err != nil {
		return oauthtoken.Response{}, fault.Permanent(fmt.Errorf("amazon: token: %w", err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
	var res oauthtoken.Response
	err = c.send(req, opToken, "token", &res)
	return res, err
}

// apiError is the SP-API error body: {"errors": [{"code", "message",
// "details"}]}; LWA answers {"error", "error_description"}.
type apiError struct {
	Errors []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details string `json:"details"`
	} `json:"errors"`
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func (e apiError) text() string {
	var parts []string
	for _, it := range e.Errors {
		s := it.Code + ": " + it.Message
		if it.Details != "" {
			s += " (" + it.Details + ")"
		}
		parts = append(parts, s)
	}
	if e.Error != "" {
		parts = append(parts, strings.TrimSpace(e.Error+": "+e.Description))
	}
	return strings.Join(parts, "; ")
}

// do sends one SP-API call of operation op with the access token.
func (c *Connector) do(ctx context.Context, op, what, method, path string, q url.Values, in, out any) error {
	tok, err := c.tokens.Token(ctx)
	if err != nil {
		return fmt.Errorf("amazon: %s: %w", what, err)
	}
	err = c.doWith(ctx, tok, op, what, method, path, q, in, out)
	if isStatus(err, http.StatusForbidden) || isStatus(err, http.StatusUnauthorized) {
		// An expired or revoked token: Amazon answers 403 Unauthorized.
		// Forget it; the next attempt mints another.
		c.tokens.Drop(ctx, tok)
		if strings.Contains(strings.ToLower(err.Error()), "expired") {
			// Not the permanent 403 it looks like: a fresh token will do.
			return fault.Retryable(fmt.Errorf("%v", err))
		}
	}
	return err
}

// doWith sends a call with a given token (the access token, or a
// Restricted Data Token for PII).
func (c *Connector) doWith(ctx context.Context, tok, op, what, method, path string, q url.Values, in, out any) error {
	u := c.api.String() + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := c.rest().NewRequest(ctx, what, method, u, in)
	if err != nil {
		return err
	}
	req.Header.Set("x-amz-access-token", tok)
	req.Header.Set("x-amz-date", c.now().UTC().Format("20060102T150405Z"))
	return c.send(req, op, what, out)
}

type statusErr struct {
	status int
	err    error
}

func (e *statusErr) Error() string { return e.err.Error() }
func (e *statusErr) Unwrap() error { return e.err }

func isStatus(err error, status int) bool {
	var se *statusErr
	return errors.As(err, &se) && se.status == status
}

// rest is how the connector builds its calls and reads their answers.
func (c *Connector) rest() httpclient.API {
	return httpclient.API{Name: "amazon", Clock: c.env.Clock, ErrorText: httpclient.ErrorTextOf(apiError.text), AllowEmpty: true}
}

// send sends on the operation's client and classifies (httpclient.API):
// 429 and 5xx retryable, other 4xx permanent with Amazon's error text. A
// *[]byte out takes the answer as it came (a feed document).
func (c *Connector) send(req *http.Request, op, what string, out any) error {
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "dropgate (Language=Go)")
	ans, err := c.rest().Send(c.client(op), req, what, out)
	if ans.Status >= 400 {
		return &statusErr{status: ans.Status, err: err}
	}
	return err
}
