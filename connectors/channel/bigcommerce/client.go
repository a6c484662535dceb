package bigcommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/httpclient"
	"github.com/dropgate/dropgate/internal/jsonpos"
)

// BigCommerce's rate-limit headers (api-rate-limits.mdx): the store's
// quota per window, what is left of it, and when the window resets.
const (
	hdrQuota   = "X-Rate-Limit-Requests-Quota"
	hdrLeft    = "X-Rate-Limit-Requests-Left"
	hdrResetMs = "X-Rate-Limit-Time-Reset-Ms"
)

// maxAnswer bounds what is read of an answer.
const maxAnswer = 16 << 20

// errNoContent is a v2 list's 204: no results (v2 answers an empty page so).
var errNoContent = errors.New("no content")

// call sends one request (path below /stores/{hash}, starting /v2 or /v3)
// and decodes a 2xx answer into out (nil: discarded). Every error is
// classified for the queue (docs/CONTRIBUTING.md §6); a 429 carries
// X-Rate-Limit-Time-Reset-Ms, which becomes the retry's earliest time.
func (c *Connector) call(ctx context.Context, method, path string, q url.Values, in, out any) (http.Header, error) {
	op := fmt.Sprintf("bigcommerce: %s %s", method, path)
	u := *c.base
	u.Path += path
	if q != nil {
		u.RawQuery = q.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fault.Permanent(fmt.Errorf("%s: encode: %w", op, err))
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fault.Permanent(fmt.Errorf("%s: %w", op, err))
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Auth-Token", c.cfg.AccessToken.Reveal())
	resp, err := c.http.Do(req)
	if err != nil {
		var th *fault.ThrottledError
		var pe *fault.PermanentError
		var re *fault.RetryableError
		if errors.As(err, &th) || errors.As(err, &pe) || errors.As(err, &re) {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		return nil, fault.Retryable(fmt.Errorf("%s: %w", op, err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fault.Retryable(fmt.Errorf("%s: read: %w", op, err))
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		if d, ok := resetAfter(resp.Header); ok {
			return nil, fault.RetryAfter(fmt.Errorf("%s: HTTP 429: %s", op, errorText(raw)), c.now().Add(d))
		}
		// A 429 without the quota headers is platform load, not our
		// quota: retry later, not before a Retry-After if one came
		// (api-rate-limits.mdx).
	}
	if resp.StatusCode >= 300 {
		return nil, httpclient.StatusError(op, resp, errorText(raw), c.now())
	}
	if resp.StatusCode == http.StatusNoContent || len(bytes.TrimSpace(raw)) == 0 {
		if out != nil && method == http.MethodGet {
			return resp.Header, errNoContent
		}
		return resp.Header, nil
	}
	if out != nil {
		if err := jsonpos.Decode(raw, out); err != nil {
			return nil, fault.Permanent(fmt.Errorf("%s: decode answer: %w", op, err))
		}
	}
	return resp.Header, nil
}

// observe feeds the store's quota back into the shared limiter: what is
// left of the window (scaled to our bucket), and a wait until the reset
// when nothing is left or a 429 said so. Other apps spend the same
// quota, so this is how every replica learns of them.
func (c *Connector) observe(ctx context.Context, resp *http.Response) {
	if c.env.Limiter == nil {
		return
	}
	quota, err1 := strconv.Atoi(strings.TrimSpace(resp.Header.Get(hdrQuota)))
	left, err2 := strconv.Atoi(strings.TrimSpace(resp.Header.Get(hdrLeft)))
	if err1 == nil && err2 == nil && quota > 0 && left >= 0 && left <= quota {
		if err := c.env.Limiter.Sync(ctx, c.key, quota-left, quota, c.env.RateLimit); err != nil {
			c.log().Warn("bigcommerce: rate limiter sync failed", "channel", c.env.Name, "err", err)
		}
	}
	if resp.StatusCode == http.StatusTooManyRequests || (err2 == nil && left == 0) {
		if d, ok := resetAfter(resp.Header); ok {
			if err := c.env.Limiter.Defer(ctx, c.key, c.now().Add(d)); err != nil {
				c.log().Warn("bigcommerce: rate limiter defer failed", "channel", c.env.Name, "err", err)
			}
		}
	}
}

// resetAfter reads X-Rate-Limit-Time-Reset-Ms.
func resetAfter(h http.Header) (time.Duration, bool) {
	ms, err := strconv.ParseInt(strings.TrimSpace(h.Get(hdrResetMs)), 10, 64)
	if err != nil || ms < 0 {
		return 0, false
	}
	return time.Duration(ms) * time.Millisecond, true
}

// errorText shortens BigCommerce's error bodies: v3 {status, title,
// errors: {field: message}} and v2 [{status, message}].
func errorText(raw []byte) []byte {
	var v3 struct {
		Title  string            `json:"title"`
		Errors map[string]string `json:"errors"`
	}
	if json.Unmarshal(raw, &v3) == nil && v3.Title != "" {
		s := v3.Title
		for k, v := range v3.Errors {
			s += "; " + k + ": " + v
		}
		return []byte(s)
	}
	var v2 []struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &v2) == nil && len(v2) > 0 && v2[0].Message != "" {
		msgs := make([]string, 0, len(v2))
		for _, e := range v2 {
			msgs = append(msgs, e.Message)
		}
		return []byte(strings.Join(msgs, "; "))
	}
	return raw
}
