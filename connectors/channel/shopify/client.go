package shopify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	goshopify "github.com/bold-commerce/go-shopify/v4"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// The outbound side talks to the Admin REST API through go-shopify with an
// HTTP client from internal/httpclient, so every request spends a token of
// the shop's shared rate limiter and the limiter learns from Shopify's
// X-Shopify-Shop-Api-Call-Limit and Retry-After headers. go-shopify's own
// retry (WithRetry) is never used: it sleeps inside the call, ignoring the
// context. A 429, a 5xx or an empty bucket comes back as a classified error
// and the queue reschedules the job.

// newHTTP builds the connector's one HTTP client. base is the transport
// that reaches the network (nil: a pooled default); base_url, when set,
// is applied on top of it. No I/O happens here.
func newHTTP(env connector.Env, cfg *Config, base http.RoundTripper) (*http.Client, error) {
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 16
		base = t
	}
	rt := base
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("shopify: base_url %q is not an http(s) URL", cfg.BaseURL)
		}
		rt = &baseURLTransport{shopHost: goshopify.ShopFullName(cfg.ShopDomain), base: u, next: base}
	}
	return httpclient.NewHTTP(httpclient.Options{
		Name:      env.Name,
		Limiter:   env.Limiter,
		Key:       limitKey(cfg.ShopDomain),
		Limit:     env.RateLimit,
		Clock:     env.Clock,
		Logger:    env.Logger,
		Transport: rt,
		Calls:     env.Calls,
	}), nil
}

// limitKey is the shared rate-limit key of a shop. Shopify's REST bucket is
// per shop and app, so every replica and every channel entry using the same
// shop (and token) must draw from one budget.
func limitKey(shopDomain string) string { return "shopify:" + shopDomain }

// baseURLTransport sends requests addressed to https://{shop_domain} to
// base_url instead (a proxy, a local fake, the demo). go-shopify has no
// base-URL option: it always builds https://{shop}.myshopify.com.
//
// The rewritten request carries base_url's host in its Host header, as any
// client of base_url would; the shop is identified by its access token.
// (shopifyfake serves a host that is not *.myshopify.com as its default
// shop, so a base_url pointing at it works whatever shop_domain says.)
type baseURLTransport struct {
	shopHost string
	base     *url.URL
	next     http.RoundTripper
}

// RoundTrip rewrites scheme, host and path prefix of requests for the
// shop; others pass through untouched.
func (t *baseURLTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.EqualFold(req.URL.Hostname(), t.shopHost) {
		return t.next.RoundTrip(req)
	}
	out := req.Clone(req.Context())
	out.URL.Scheme = t.base.Scheme
	out.URL.Host = t.base.Host
	if prefix := strings.TrimSuffix(t.base.Path, "/"); prefix != "" {
		out.URL.Path = prefix + req.URL.Path
		out.URL.RawPath = ""
	}
	out.Host = ""
	return t.next.RoundTrip(out)
}

// api returns a go-shopify client for one capability call. go-shopify
// writes RateLimits and an attempt counter on every request without a
// lock, so a client is never shared between calls; building one costs a
// few allocations and no I/O.
func (c *Connector) api() (*goshopify.Client, error) {
	if c.cfg.AccessToken.IsZero() {
		return nil, fault.Permanentf("shopify: %s: access_token is not set; the Admin API needs it", c.env.Name)
	}
	api, err := goshopify.NewClient(goshopify.App{}, c.cfg.ShopDomain, c.cfg.AccessToken.Reveal(),
		goshopify.WithVersion(cmp.Or(c.cfg.APIVersion, DefaultAPIVersion)),
		goshopify.WithHTTPClient(c.http))
	if err != nil {
		return nil, fault.Permanent(fmt.Errorf("shopify: client for %s: %w", c.cfg.ShopDomain, err))
	}
	return api, nil
}

// classify maps an error from go-shopify, or from the HTTP layers under it,
// to the core's vocabulary and prefixes it with what was being done:
//
//   - our limiter had no budget (fault.Throttled from httpclient): kept;
//   - 429 (goshopify.RateLimitError): retryable, not before Retry-After;
//   - 5xx, 408, 409, 423 (shop locked, usually after abuse of the rate
//     limit): retryable;
//   - other 4xx: permanent, with Shopify's message (a 422's body says what
//     was invalid);
//   - network errors, truncated bodies, a cancelled context: retryable.
//
// Status codes: https://shopify.dev/docs/api/usage/response-codes
func (c *Connector) classify(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	wrapped := fmt.Errorf("shopify: "+format+": %w", append(args, err)...)
	var (
		throttled *fault.ThrottledError
		retryable *fault.RetryableError
		permanent *fault.PermanentError
		rateLimit goshopify.RateLimitError
		response  goshopify.ResponseError
		decoding  goshopify.ResponseDecodingError
	)
	switch {
	case errors.As(err, &throttled), errors.As(err, &retryable), errors.As(err, &permanent):
		return wrapped
	case errors.As(err, &rateLimit):
		// go-shopify truncates Retry-After ("2.0") to whole seconds; a
		// fractional value below one would read 0. Wait at least a second:
		// the bucket leaks 2 calls per second.
		wait := max(time.Duration(rateLimit.RetryAfter)*time.Second, time.Second)
		return fault.RetryAfter(wrapped, c.now().Add(wait))
	case errors.As(err, &response):
		return classifyStatus(wrapped, response.Status)
	case errors.As(err, &decoding):
		if decoding.Status >= 400 {
			return classifyStatus(wrapped, decoding.Status)
		}
	}
	return fault.Retryable(wrapped)
}

func classifyStatus(err error, status int) error {
	switch {
	case status >= 500, status == http.StatusTooManyRequests, status == http.StatusRequestTimeout,
		status == http.StatusConflict, status == http.StatusLocked:
		return fault.Retryable(err)
	case status >= 400:
		return fault.Permanent(err)
	}
	return fault.Retryable(err)
}

// statusOf returns the HTTP status of a go-shopify error, 0 if it has none.
func statusOf(err error) int {
	var (
		rateLimit goshopify.RateLimitError
		response  goshopify.ResponseError
	)
	switch {
	case errors.As(err, &rateLimit):
		return rateLimit.Status
	case errors.As(err, &response):
		return response.Status
	}
	return 0
}

// parseID reads a Shopify id (an unsigned 64-bit integer, beyond float64's
// exact range) from its decimal string.
func parseID(what, s string) (uint64, error) {
	id, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil || id == 0 {
		return 0, fault.Permanentf("shopify: %s %q is not a Shopify id", what, s)
	}
	return id, nil
}

func formatID(id uint64) string { return strconv.FormatUint(id, 10) }

// lock is a one-slot semaphore that a caller can stop waiting for when its
// context ends (a sync.Mutex cannot).
type lock chan struct{}

func newLock() lock { return make(lock, 1) }

func (l lock) acquire(ctx context.Context) error {
	select {
	case l <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l lock) release() { <-l }
