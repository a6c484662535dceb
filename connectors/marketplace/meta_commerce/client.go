package metacommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/httpclient"
	"github.com/dropgate/dropgate/internal/jsonpos"
)

// maxBody bounds what is read of an answer.
const maxBody = 32 << 20

// newHTTP builds the connector's one HTTP client: every request spends a
// token of the commerce account's shared limiter.
func newHTTP(env connector.Env, key string, base http.RoundTripper) *http.Client {
	return httpclient.ForEnv(env, key, base)
}

func (c *Connector) now() time.Time { return c.env.Now() }

// graphError is the Graph API's error body.
// https://developers.facebook.com/docs/graph-api/guides/error-handling
type graphError struct {
	Error *struct {
		Message      string      `json:"message"`
		Type         string      `json:"type"`
		Code         json.Number `json:"code"`
		ErrorSubcode json.Number `json:"error_subcode"`
		FBTraceID    string      `json:"fbtrace_id"`
	} `json:"error"`
}

// throttleCodes are the Graph API's rate-limit error codes: 4 (app), 17
// (user), 32 (page), 613 (custom), 80014 (commerce business use case).
var throttleCodes = map[string]bool{"4": true, "17": true, "32": true, "613": true, "80014": true}

// tokenCodes say the access token is invalid or expired: only a new
// token helps.
var tokenCodes = map[string]bool{"102": true, "190": true}

// classify turns a Graph API refusal into the core's vocabulary: the
// throttling codes are retryable (after the business use case's regain
// time when known), token errors permanent, 5xx and is_transient
// retryable, other 4xx permanent.
func (c *Connector) classify(op string, resp *http.Response, raw []byte, regain time.Time) error {
	var ge graphError
	if jsonpos.Decode(raw, &ge) != nil || ge.Error == nil {
		return httpclient.StatusError("meta_commerce: "+op, resp, raw, c.now())
	}
	e := ge.Error
	err := fmt.Errorf("meta_commerce: %s: HTTP %d: graph error %s/%s (%s): %s [fbtrace_id %s]",
		op, resp.StatusCode, e.Code, e.ErrorSubcode, e.Type, e.Message, e.FBTraceID)
	code := e.Code.String()
	switch {
	case throttleCodes[code]:
		if !regain.IsZero() {
			return fault.RetryAfter(err, regain)
		}
		if d, ok := httpclient.RetryAfter(resp.Header, c.now()); ok {
			return fault.RetryAfter(err, c.now().Add(d))
		}
		return fault.RetryAfter(err, c.now().Add(time.Minute))
	case tokenCodes[code]:
		return fault.Permanent(fmt.Errorf("%w (renew access_token)", err))
	case code == "2" || code == "1" || resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return fault.Retryable(err)
	}
	return fault.Permanent(err)
}

// bucUsage reads X-Business-Use-Case-Usage:
// {"<business id>": [{"type", "call_count", "total_cputime",
// "total_time", "estimated_time_to_regain_access"}]}, percentages and
// minutes. It returns when the business may call again: zero when no
// usage is at 100 and no regain time is announced.
func bucUsage(h http.Header, now time.Time) time.Time {
	v := h.Get("X-Business-Use-Case-Usage")
	if v == "" {
		return time.Time{}
	}
	var usage map[string][]struct {
		CallCount    json.Number `json:"call_count"`
		TotalCPUTime json.Number `json:"total_cputime"`
		TotalTime    json.Number `json:"total_time"`
		Regain       json.Number `json:"estimated_time_to_regain_access"`
	}
	if jsonpos.Decode([]byte(v), &usage) != nil {
		return time.Time{}
	}
	var until time.Time
	for _, cases := range usage {
		for _, u := range cases {
			mins, _ := strconv.ParseFloat(u.Regain.String(), 64)
			full := false
			for _, p := range []json.Number{u.CallCount, u.TotalCPUTime, u.TotalTime} {
				if f, err := strconv.ParseFloat(p.String(), 64); err == nil && f >= 100 {
					full = true
				}
			}
			var t time.Time
			switch {
			case mins > 0:
				t = now.Add(time.Duration(mins * float64(time.Minute)))
			case full:
				t = now.Add(time.Minute) // at the ceiling with no regain time: back off a little
			}
			if t.After(until) {
				until = t
			}
		}
	}
	return until
}

// get calls GET {api}/{path}?{q}.
func (c *Connector) get(ctx context.Context, op, path string, q url.Values, out any) error {
	u := c.api + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return c.call(ctx, op, "GET", u, nil, out)
}

// post calls POST {api}/{path} with a JSON body.
func (c *Connector) post(ctx context.Context, op, path string, in, out any) error {
	return c.call(ctx, op, "POST", c.api+path, in, out)
}

// call sends one Graph API request with the bearer token, reads the
// business use case usage (deferring the limiter key while the business
// is throttled), classifies a refusal and decodes a 2xx answer into out.
func (c *Connector) call(ctx context.Context, op, method, u string, in, out any) error {
	if c.cfg.AccessToken.IsZero() {
		return fault.Permanentf("meta_commerce: %s: access_token is needed", op)
	}
	req, err := httpclient.API{Name: "meta_commerce"}.NewRequest(ctx, op, method, u, in)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.AccessToken.Reveal())
	resp, err := c.http.Do(req)
	if err != nil {
		var throttled *fault.ThrottledError
		if errors.As(err, &throttled) {
			return fmt.Errorf("meta_commerce: %s: %w", op, err)
		}
		return fault.Retryable(fmt.Errorf("meta_commerce: %s: %w", op, err))
	}
	defer resp.Body.Close()
	regain := bucUsage(resp.Header, c.now())
	if !regain.IsZero() && c.env.Limiter != nil {
		// The business is at its ceiling: no replica calls before Meta
		// says it may.
		_ = c.env.Limiter.Defer(ctx, c.key, regain)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fault.Retryable(fmt.Errorf("meta_commerce: %s: read answer: %w", op, err))
	}
	if resp.StatusCode >= 400 {
		return c.classify(op, resp, raw, regain)
	}
	if out == nil {
		return nil
	}
	if err := jsonpos.Decode(raw, out); err != nil {
		return fault.Permanent(fmt.Errorf("meta_commerce: %s: decode answer: %w", op, err))
	}
	return nil
}
