package etsy

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
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// maxBody bounds what is read of an answer.
const maxBody = 32 << 20

// tokenMargin is how long before its expiry a token is replaced, so a
// call never leaves with a token that dies on the way.
const tokenMargin = 2 * time.Minute

// tokenKind/tokenID is the State record holding the access token and the
// current refresh token, shared by every replica: Etsy rotates the
// refresh token on each refresh and refuses the old one, so a replica
// refreshing with a stale one would lock the others out.
const (
	tokenKind = "token"
	tokenID   = "oauth"
)

// TokenPath is Etsy's OAuth token endpoint.
const TokenPath = "/v3/public/oauth/token"

// newHTTP builds the connector's one HTTP client: every request, the
// token's included, spends a token of the app key's shared limiter.
func newHTTP(env connector.Env, key string, base http.RoundTripper) *http.Client {
	return httpclient.NewHTTP(httpclient.Options{
		Name: env.Name, Limiter: env.Limiter, Key: key, Limit: env.RateLimit,
		Clock: env.Clock, Logger: env.Logger, Transport: base, Calls: env.Calls,
	})
}

// reserve spends n tokens at once for an operation of n calls.
func (c *Connector) reserve(ctx context.Context, n int) (context.Context, error) {
	ctx, err := httpclient.Reserve(ctx, c.env.Limiter, c.key, n, c.env.RateLimit, c.now())
	if err != nil {
		return ctx, fmt.Errorf("etsy: %w", err)
	}
	return ctx, nil
}

func (c *Connector) now() time.Time {
	if c.env.Clock != nil {
		return c.env.Clock.Now()
	}
	return time.Now()
}

// tokens is the shared OAuth state.
type tokens struct {
	Access    string    `json:"access"`
	ExpiresAt time.Time `json:"expires_at"`
	Refresh   string    `json:"refresh"`
	Minted    time.Time `json:"minted,omitempty"` // when Access was obtained, for a 401's class
}

// loadTokens reads the shared record (a zero one when absent).
func (c *Connector) loadTokens(ctx context.Context) (tokens, store.Record, error) {
	var t tokens
	if c.env.State == nil {
		return c.mem, store.Record{Kind: tokenKind, ID: tokenID}, nil
	}
	rec, err := c.env.State.GetRecord(ctx, tokenKind, tokenID)
	if errors.Is(err, store.ErrNotFound) {
		return t, store.Record{Kind: tokenKind, ID: tokenID}, nil
	}
	if err != nil {
		return t, rec, fault.Retryable(fmt.Errorf("etsy: read token state: %w", err))
	}
	_ = json.Unmarshal(rec.Data, &t)
	return t, rec, nil
}

// token returns a live access token: the shared one while it has more
// than tokenMargin left, else one from the refresh_token grant, whose
// rotated refresh token is saved before the access token is used.
func (c *Connector) token(ctx context.Context) (string, error) {
	c.tokMu.Lock()
	defer c.tokMu.Unlock()
	for attempt := 0; ; attempt++ {
		t, rec, err := c.loadTokens(ctx)
		if err != nil {
			return "", err
		}
		if t.Access != "" && c.now().Add(tokenMargin).Before(t.ExpiresAt) {
			c.lastAccess, c.lastMinted = t.Access, t.Minted
			return t.Access, nil
		}
		refresh := t.Refresh
		if refresh == "" {
			refresh = c.cfg.RefreshToken.Reveal()
		}
		if refresh == "" || c.cfg.Keystring == "" {
			return "", fault.Permanentf("etsy: keystring and refresh_token are needed")
		}
		nt, err := c.refresh(ctx, refresh)
		if err != nil {
			var se *statusErr
			if attempt == 0 && errors.As(err, &se) && se.status == http.StatusBadRequest && c.env.State != nil {
				// Another replica may have rotated the token under us:
				// read the shared record again and retry once.
				if again, _, lerr := c.loadTokens(ctx); lerr == nil && again.Refresh != t.Refresh {
					continue
				}
			}
			return "", err
		}
		c.lastAccess, c.lastMinted = nt.Access, nt.Minted
		if c.env.State == nil {
			c.mem = nt
			return nt.Access, nil
		}
		if err := c.saveTokens(ctx, rec, nt); err != nil {
			return "", err
		}
		return nt.Access, nil
	}
}

// saveTokens writes freshly rotated tokens. The refresh token just used
// is dead on Etsy, so ours is the only live one: a version conflict (a
// replica forgetting a refused access token meanwhile) is overwritten,
// never resolved by dropping ours, which would lock every replica out
// until the seller authorised again.
func (c *Connector) saveTokens(ctx context.Context, rec store.Record, nt tokens) error {
	data, _ := json.Marshal(nt)
	var err error
	for range 5 {
		rec.Data = data
		if _, err = c.env.State.PutRecord(ctx, rec); err == nil {
			return nil
		}
		if !errors.Is(err, store.ErrConflict) {
			continue
		}
		fresh, gerr := c.env.State.GetRecord(ctx, tokenKind, tokenID)
		switch {
		case errors.Is(gerr, store.ErrNotFound):
			rec.Version = 0
		case gerr == nil:
			rec.Version = fresh.Version
		}
	}
	if c.env.Logger != nil {
		c.env.Logger.Error("etsy: the rotated refresh token could not be saved; re-authorise if calls fail with invalid_grant", "err", err)
	}
	return fault.Retryable(fmt.Errorf("etsy: save rotated refresh token: %w", err))
}

// refresh runs the refresh_token grant: POST /v3/public/oauth/token
// (form: grant_type, client_id, refresh_token). Etsy answers a new
// access token (1 h) and a new refresh token.
func (c *Connector) refresh(ctx context.Context, refresh string) (tokens, error) {
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {c.cfg.Keystring}, "refresh_token": {refresh}}
	req, err := http.NewRequestWithContext(ctx, "POST", c.api.String()+TokenPath, strings.NewReader(form.Encode()))
	if err != nil {
		return tokens{}, fault.Permanent(fmt.Errorf("etsy: token: %w", err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var res struct {
		AccessToken  string      `json:"access_token"`
		RefreshToken string      `json:"refresh_token"`
		ExpiresIn    json.Number `json:"expires_in"`
	}
	if err := c.send(req, "token", &res); err != nil {
		return tokens{}, err
	}
	secs, err := res.ExpiresIn.Int64()
	if res.AccessToken == "" || err != nil || secs <= 0 {
		return tokens{}, fault.Retryable(fmt.Errorf("etsy: token: answer has no access_token or expires_in"))
	}
	nt := tokens{Access: res.AccessToken, ExpiresAt: c.now().Add(time.Duration(secs) * time.Second), Refresh: res.RefreshToken, Minted: c.now()}
	if nt.Refresh == "" {
		nt.Refresh = refresh // not rotated this time
	}
	return nt, nil
}

// dropAccess forgets the shared access token (keeping the refresh token)
// after Etsy refused it.
func (c *Connector) dropAccess(ctx context.Context) {
	c.tokMu.Lock()
	defer c.tokMu.Unlock()
	if c.env.State == nil {
		c.mem.Access = ""
		return
	}
	t, rec, err := c.loadTokens(ctx)
	if err != nil || rec.Version == 0 {
		return
	}
	t.Access = ""
	rec.Data, _ = json.Marshal(t)
	_, _ = c.env.State.PutRecord(ctx, rec)
}

// apiError is Etsy's error body: {"error": "..."}.
type apiError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
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
	tok, err := c.token(ctx)
	if err != nil {
		return fmt.Errorf("etsy: %s: %w", op, err)
	}
	var body io.Reader
	ctype := ""
	switch v := in.(type) {
	case nil:
	case url.Values: // Etsy's POST endpoints take forms
		body, ctype = strings.NewReader(v.Encode()), "application/x-www-form-urlencoded"
	default:
		b, err := json.Marshal(in)
		if err != nil {
			return fault.Permanent(fmt.Errorf("etsy: %s: encode request: %w", op, err))
		}
		body, ctype = bytes.NewReader(b), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fault.Permanent(fmt.Errorf("etsy: %s: %w", op, err))
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	err = c.send(req, op, out)
	var se *statusErr
	if errors.As(err, &se) && se.status == http.StatusUnauthorized {
		// An expired or revoked token: the next attempt mints another,
		// so a token revoked mid-run fails no job (one refused right
		// after minting is permanent).
		minted := c.mintedAt(tok)
		c.dropAccess(ctx)
		return httpclient.TokenRefused(err, minted, c.now())
	}
	return err
}

type statusErr struct {
	status int
	err    error
}

func (e *statusErr) Error() string { return e.err.Error() }
func (e *statusErr) Unwrap() error { return e.err }

// send adds x-api-key (keystring:shared_secret, on every call, the
// token's included), sends, and classifies: 429, 5xx, 408, 409
// retryable (not before Retry-After); other 4xx permanent with Etsy's
// error text.
func (c *Connector) send(req *http.Request, op string, out any) error {
	req.Header.Set("x-api-key", c.cfg.Keystring+":"+c.cfg.SharedSecret.Reveal())
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		var throttled *fault.ThrottledError
		if errors.As(err, &throttled) {
			return fmt.Errorf("etsy: %s: %w", op, err)
		}
		return fault.Retryable(fmt.Errorf("etsy: %s: %w", op, err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fault.Retryable(fmt.Errorf("etsy: %s: read answer: %w", op, err))
	}
	if resp.StatusCode >= 400 {
		msg := string(raw)
		var ae apiError
		if json.Unmarshal(raw, &ae) == nil && ae.Error != "" {
			msg = ae.Error
			if ae.ErrorDescription != "" {
				msg += ": " + ae.ErrorDescription
			}
		}
		return &statusErr{status: resp.StatusCode, err: httpclient.StatusError("etsy: "+op, resp, []byte(msg), c.now())}
	}
	if out == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fault.Permanent(fmt.Errorf("etsy: %s: decode answer: %w", op, jsonWhere(raw, err)))
	}
	return nil
}

// mintedAt is when tok was obtained, zero when not known here.
func (c *Connector) mintedAt(tok string) time.Time {
	c.tokMu.Lock()
	defer c.tokMu.Unlock()
	if tok == c.lastAccess {
		return c.lastMinted
	}
	return time.Time{}
}
