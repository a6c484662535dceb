package woocommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/httpclient"
	"github.com/dropgate/dropgate/internal/jsonpos"
)

// apiPrefix is the WordPress REST root; WooCommerce paths are /wc/v3/…
const apiPrefix = "/wp-json"

// call sends one request to the WC REST API and decodes a 2xx answer into
// out (nil: discarded). Authentication is HTTP Basic with the consumer key
// and secret, or the query string when query_string_auth is set. Every
// error is classified for the queue (see docs/CONTRIBUTING.md §6).
func (c *Connector) call(ctx context.Context, method, path string, q url.Values, in, out any) (http.Header, error) {
	op := fmt.Sprintf("woocommerce: %s %s", method, path)
	u := *c.base
	u.Path += apiPrefix + path
	if q == nil {
		q = url.Values{}
	}
	if c.cfg.QueryStringAuth {
		q.Set("consumer_key", c.cfg.ConsumerKey)
		q.Set("consumer_secret", c.cfg.ConsumerSecret.Reveal())
	}
	u.RawQuery = q.Encode()
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
	if !c.cfg.QueryStringAuth {
		req.SetBasicAuth(c.cfg.ConsumerKey, c.cfg.ConsumerSecret.Reveal())
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var th *fault.ThrottledError
		var pe *fault.PermanentError
		var re *fault.RetryableError
		if errors.As(err, &th) || errors.As(err, &pe) || errors.As(err, &re) {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		// The query string may hold the secret: never echo the URL.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fault.Retryable(fmt.Errorf("%s: %w", op, err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fault.Retryable(fmt.Errorf("%s: read: %w", op, err))
	}
	if resp.StatusCode >= 300 {
		return nil, httpclient.StatusError(op, resp, wcErrorText(raw), c.now())
	}
	if out != nil {
		if err := jsonpos.Decode(raw, out); err != nil {
			return nil, fault.Permanent(fmt.Errorf("%s: decode answer: %w", op, err))
		}
	}
	return resp.Header, nil
}

// wcErrorText shortens WooCommerce's error body {code, message, data:
// {status}} to "code: message"; other bodies pass unchanged.
func wcErrorText(raw []byte) []byte {
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &e) == nil && e.Code != "" {
		return []byte(e.Code + ": " + e.Message)
	}
	return raw
}
