package paypal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/oauthtoken"
)

// tokenMargin is how long before its expiry a cached token is replaced,
// so a call never starts with a token about to lapse.
const tokenMargin = 5 * time.Minute

// Amount is PayPal's money: a decimal string, never a float.
type Amount struct {
	CurrencyCode string `json:"currency_code"`
	Value        string `json:"value"`
}

// noDecimals are the currencies PayPal takes without decimals although
// ISO 4217 gives them two (HUF, TWD) or none (JPY).
var noDecimals = map[string]bool{"HUF": true, "JPY": true, "TWD": true}

// ToAmount writes m as PayPal wants it, failing when PayPal cannot
// represent it (HUF 12.50: PayPal takes whole forints only).
func ToAmount(m money.Money) (Amount, error) {
	d := m.Decimal()
	if noDecimals[m.Currency] {
		r, err := d.Normalize().Rescale(0)
		if err != nil {
			return Amount{}, fmt.Errorf("paypal: %s cannot be sent: PayPal takes %s without decimals", m, m.Currency)
		}
		d = r
	}
	return Amount{CurrencyCode: m.Currency, Value: d.String()}, nil
}

// FromAmount reads a PayPal amount into minor units, exactly.
func FromAmount(a Amount) (money.Money, error) {
	cur := strings.ToUpper(a.CurrencyCode)
	if !money.KnownCurrency(cur) {
		return money.Money{}, fmt.Errorf("paypal: unknown currency %q", a.CurrencyCode)
	}
	d, err := decimal.Parse(strings.TrimSpace(a.Value))
	if err != nil {
		return money.Money{}, fmt.Errorf("paypal: amount %q: %w", a.Value, err)
	}
	return money.FromDecimalIn(d, cur)
}

// RequestID is the PayPal-Request-Id of one money movement: the same
// order, operation and shipment always give the same id, so PayPal
// answers a replayed capture with the first capture instead of capturing
// again. PayPal keeps ids for at least 45 days (longer than an
// authorisation lives) and takes at most 108 characters.
func RequestID(orderID, op, part string) string {
	k := "dropgate-" + orderID + "-" + op
	if part != "" {
		k += "-" + part
	}
	if len(k) > 108 {
		k = "dropgate-" + ids.Derive(32, orderID, op, part)
	}
	return k
}

// apiError is PayPal's error body.
type apiError struct {
	Name    string `json:"name"`
	Message string `json:"message"`
	DebugID string `json:"debug_id"`
	Details []struct {
		Issue       string `json:"issue"`
		Description string `json:"description"`
	} `json:"details"`
	// OAuth errors have their own shape.
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// newToken keeps the access token in the process: PayPal's last 9 hours
// and any number may be live, so replicas do not share one.
func (c *Connector) newToken() *oauthtoken.Cache {
	return oauthtoken.New(oauthtoken.Options{Name: "paypal", Margin: tokenMargin, Mint: c.mint,
		Clock: c.env.Clock, Logger: c.env.Log()})
}

// mint asks for a token with the client credentials.
func (c *Connector) mint(ctx context.Context, _ string) (oauthtoken.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/oauth2/token",
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	if err != nil {
		return oauthtoken.Response{}, fault.Permanent(fmt.Errorf("paypal: token request: %w", err))
	}
	req.SetBasicAuth(c.cfg.ClientID, c.cfg.ClientSecret.Reveal())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	var res oauthtoken.Response
	err = c.roundTrip(req, "token", &res)
	return res, err
}

// call sends one API request with the bearer token (fetching it again
// once on a 401: a token revoked or expired early). requestID, when set,
// is the PayPal-Request-Id.
func (c *Connector) call(ctx context.Context, method, path, requestID string, in, out any) error {
	var body []byte
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fault.Permanent(fmt.Errorf("paypal: %s %s: encode: %w", method, path, err))
		}
		body = b
	}
	for attempt := 0; ; attempt++ {
		tok, err := c.token.Token(ctx)
		if err != nil {
			return err
		}
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
		if err != nil {
			return fault.Permanent(fmt.Errorf("paypal: %s %s: %w", method, path, err))
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Prefer", "return=representation")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if requestID != "" {
			req.Header.Set("PayPal-Request-Id", requestID)
		}
		err = c.roundTrip(req, method+" "+path, out)
		var se *statusError
		if attempt == 0 && errors.As(err, &se) && se.status == http.StatusUnauthorized {
			c.token.Drop(ctx, tok)
			continue
		}
		return err
	}
}

type statusError struct{ status int }

func (e *statusError) Error() string { return fmt.Sprintf("status %d", e.status) }

// roundTrip does one request and classifies its outcome: 408, 409, 429,
// 5xx and the network are retryable, other 4xx permanent.
func (c *Connector) roundTrip(req *http.Request, op string, out any) error {
	resp, err := c.http.Do(req)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return fault.Retryable(fmt.Errorf("paypal: %s: %w", op, err))
		}
		var te *fault.ThrottledError
		if errors.As(err, &te) {
			return err
		}
		return fault.Retryable(fmt.Errorf("paypal: %s: %w", op, err))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fault.Retryable(fmt.Errorf("paypal: %s: read answer: %w", op, err))
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out == nil || len(bytes.TrimSpace(b)) == 0 {
			return nil
		}
		if err := json.Unmarshal(b, out); err != nil {
			return fault.Permanent(fmt.Errorf("paypal: %s: decode answer: %w", op, err))
		}
		return nil
	}
	var ae apiError
	_ = json.Unmarshal(b, &ae)
	msg := ae.Name + ": " + ae.Message
	if ae.Error != "" {
		msg = ae.Error + ": " + ae.ErrorDescription
	}
	for _, d := range ae.Details {
		msg += " [" + d.Issue + "]"
	}
	if ae.DebugID != "" {
		msg += " (debug_id " + ae.DebugID + ")"
	}
	e := fmt.Errorf("paypal: %s: %d %s: %w", op, resp.StatusCode, msg, &statusError{resp.StatusCode})
	switch s := resp.StatusCode; {
	case s == 408, s == 409, s == 429, s >= 500:
		return fault.Retryable(e)
	}
	return fault.Permanent(e)
}
