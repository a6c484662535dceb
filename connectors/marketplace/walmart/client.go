package walmart

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
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

// tokenKind is the State record holding the access token, shared by
// every replica so they do not each mint one per 15 minutes.
const tokenKind = "token"

// newHTTP builds the connector's one HTTP client: every request, the
// token's included, spends a token of the seller's shared limiter.
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
		return ctx, fmt.Errorf("walmart: %w", err)
	}
	return ctx, nil
}

func (c *Connector) now() time.Time {
	if c.env.Clock != nil {
		return c.env.Clock.Now()
	}
	return time.Now()
}

type cachedToken struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	Minted    time.Time `json:"minted,omitempty"` // when it was obtained, for a 401's class
}

// token returns a live access token: the shared one while it has more
// than tokenMargin left, else a fresh one from POST /v3/token.
func (c *Connector) token(ctx context.Context) (string, error) {
	// One mint at a time in this process: concurrent jobs at start-up
	// would otherwise each fetch a token (another replica may still
	// race us; any live token is as good as another).
	c.tokMu.Lock()
	defer c.tokMu.Unlock()
	if c.env.State != nil {
		rec, err := c.env.State.GetRecord(ctx, tokenKind, "access")
		if err == nil {
			var t cachedToken
			if json.Unmarshal(rec.Data, &t) == nil && t.Token != "" && c.now().Add(tokenMargin).Before(t.ExpiresAt) {
				c.lastToken, c.lastMinted = t.Token, t.Minted
				return t.Token, nil
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return "", fault.Retryable(fmt.Errorf("walmart: read cached token: %w", err))
		}
	}
	if c.cfg.ClientID == "" || c.cfg.ClientSecret.IsZero() {
		return "", fault.Permanentf("walmart: client_id and client_secret are needed")
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	req, err := http.NewRequestWithContext(ctx, "POST", c.api.String()+"/v3/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", fault.Permanent(fmt.Errorf("walmart: token: %w", err))
	}
	basic := base64.StdEncoding.EncodeToString([]byte(c.cfg.ClientID + ":" + c.cfg.ClientSecret.Reveal()))
	req.Header.Set("Authorization", "Basic "+basic)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var res struct {
		AccessToken string      `json:"access_token"`
		ExpiresIn   json.Number `json:"expires_in"`
	}
	if err := c.send(req, "token", &res); err != nil {
		return "", err
	}
	secs, err := res.ExpiresIn.Int64()
	if res.AccessToken == "" || err != nil || secs <= 0 {
		return "", fault.Retryable(fmt.Errorf("walmart: token: answer has no access_token or expires_in"))
	}
	t := cachedToken{Token: res.AccessToken, ExpiresAt: c.now().Add(time.Duration(secs) * time.Second), Minted: c.now()}
	c.lastToken, c.lastMinted = t.Token, t.Minted
	if c.env.State != nil {
		data, _ := json.Marshal(t)
		// Last writer wins: any live token is as good as another.
		rec, err := c.env.State.GetRecord(ctx, tokenKind, "access")
		if errors.Is(err, store.ErrNotFound) {
			rec = store.Record{Kind: tokenKind, ID: "access"}
		}
		rec.Data = data
		_, _ = c.env.State.PutRecord(ctx, rec)
	}
	return t.Token, nil
}

// dropToken forgets the shared token after Walmart refused it.
func (c *Connector) dropToken(ctx context.Context) {
	if c.env.State != nil {
		_ = c.env.State.DeleteRecord(ctx, tokenKind, "access")
	}
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
	tok, err := c.token(ctx)
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
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fault.Permanent(fmt.Errorf("walmart: %s: encode request: %w", op, err))
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fault.Permanent(fmt.Errorf("walmart: %s: %w", op, err))
	}
	req.Header.Set("WM_SEC.ACCESS_TOKEN", tok)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	err = c.send(req, op, out)
	var se *statusErr
	if errors.As(err, &se) && se.status == http.StatusUnauthorized {
		// An expired or revoked token: the next attempt mints another,
		// so a token revoked mid-run fails no job (one refused right
		// after minting is permanent).
		c.dropToken(ctx)
		return httpclient.TokenRefused(err, c.mintedAt(tok), c.now())
	}
	return err
}

type statusErr struct {
	status int
	err    error
}

func (e *statusErr) Error() string { return e.err.Error() }
func (e *statusErr) Unwrap() error { return e.err }

// send adds the headers every call carries, sends, and classifies: 429,
// 5xx, 408, 409 retryable (not before Retry-After); other 4xx permanent
// with Walmart's error descriptions.
func (c *Connector) send(req *http.Request, op string, out any) error {
	req.Header.Set("WM_QOS.CORRELATION_ID", correlationID())
	req.Header.Set("WM_SVC.NAME", SvcName)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		var throttled *fault.ThrottledError
		if errors.As(err, &throttled) {
			return fmt.Errorf("walmart: %s: %w", op, err)
		}
		return fault.Retryable(fmt.Errorf("walmart: %s: %w", op, err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fault.Retryable(fmt.Errorf("walmart: %s: read answer: %w", op, err))
	}
	if resp.StatusCode >= 400 {
		msg := string(raw)
		var ae apiError
		if json.Unmarshal(raw, &ae) == nil && ae.text() != "" {
			msg = ae.text()
		}
		return &statusErr{status: resp.StatusCode, err: httpclient.StatusError("walmart: "+op, resp, []byte(msg), c.now())}
	}
	if out == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fault.Permanent(fmt.Errorf("walmart: %s: decode answer: %w", op, jsonWhere(raw, err)))
	}
	return nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// mintedAt is when tok was obtained, zero when not known here.
func (c *Connector) mintedAt(tok string) time.Time {
	c.tokMu.Lock()
	defer c.tokMu.Unlock()
	if tok == c.lastToken {
		return c.lastMinted
	}
	return time.Time{}
}
