// Package httpclient is dropgate's one way to build an outgoing HTTP
// client: every connector call goes through it, so every call spends from
// the shared rate limiter, learns from the platform's rate-limit headers,
// and fails in the core's error vocabulary.
//
// The layers, outermost first:
//
//	resty (request building, JSON)           ← connectors use this
//	go-retryablehttp                         ← quick retries of connection errors on idempotent requests
//	limitTransport                           ← spend a token; observe Retry-After and call-limit headers
//	http.Transport
//
// Long waits are never done here: a 429, a 5xx or an empty bucket comes
// back as a fault.Retryable / fault.Throttled error and the durable queue
// reschedules the job, so no worker sleeps on a platform.
package httpclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
)

// Options configure a client.
type Options struct {
	Name    string        // connector name, for logs
	Limiter store.Limiter // nil: no limiting
	Key     string        // rate-limit key: "shopify:acme.myshopify.com"
	Limit   store.Limit
	Timeout time.Duration // per request attempt (default 30s)
	// Retries is how many times a connection error on an idempotent
	// request is retried in place, quickly (default 2). Everything slower
	// goes back to the queue.
	Retries   int
	Clock     clock.Clock
	Logger    *slog.Logger
	Transport http.RoundTripper // base transport (default: a pooled one)
	// Observe lets a connector read platform-specific headers (GraphQL
	// throttle status lives in the body, for instance).
	Observe func(ctx context.Context, resp *http.Response)
	// Calls is told the outcome and latency of every attempt, under Name
	// (the metrics; nil: not observed).
	Calls connector.CallObserver
}

func (o *Options) defaults() {
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Retries == 0 {
		o.Retries = 2
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 16
		o.Transport = t
	}
}

// NewHTTP returns a standard *http.Client with limiting and quick retries,
// for SDKs that take one (go-shopify).
func NewHTTP(o Options) *http.Client {
	o.defaults()
	rc := retryablehttp.NewClient()
	rc.HTTPClient = &http.Client{
		Transport:     &limitTransport{o: o, base: o.Transport},
		Timeout:       o.Timeout,
		CheckRedirect: noRedirects,
	}
	rc.RetryMax = o.Retries
	rc.RetryWaitMin = 100 * time.Millisecond
	rc.RetryWaitMax = time.Second
	rc.Logger = nil
	rc.CheckRetry = checkRetry
	// Hand the last response or error back unchanged: the caller
	// classifies it (resty and SDKs expect a response, not a wrapped one).
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler
	hc := rc.StandardClient()
	// The standard client wraps the retrying one; it would follow the
	// redirect the inner one handed back, so it refuses too.
	hc.CheckRedirect = noRedirects
	return hc
}

// noRedirects never follows a redirect on a platform's behalf: a 302 on a
// POST would silently become a GET elsewhere. A redirect comes back to the
// connector as the response it is, to classify.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// New returns a resty client on top of NewHTTP.
func New(o Options) *resty.Client {
	c := resty.NewWithClient(NewHTTP(o))
	c.SetRetryCount(0) // retries belong to the layers below and to the queue
	c.SetHeader("User-Agent", "dropgate/1 (+https://github.com/dropgate/dropgate)")
	return c
}

// checkRetry retries in place only what is safe for any method and quick:
// a connection that could not be made (dial or DNS failure), so the request
// never left. A reset mid-request may have reached the platform; retrying a
// POST then could create a second fulfillment, so that goes back to the
// caller (and the connector's idempotency checks). Statuses (429, 5xx)
// also go back, to become queue-level retries honouring Retry-After.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err == nil || resp != nil {
		return false, nil
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true, nil
	}
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsTemporary {
		return true, nil
	}
	return false, nil
}

// limitTransport spends one token per attempt and learns from responses.
type limitTransport struct {
	o    Options
	base http.RoundTripper
}

// prepaidKey carries tokens reserved by Reserve in a context.
type prepaidKey struct{}

type prepaid struct {
	key  string
	left atomic.Int32
}

// Reserve spends n tokens of key at once for an operation that makes n
// calls, so the operation runs whole or not at all. Without it, a job
// that makes several calls can be throttled after its first ones, start
// over at its next attempt, and spend most of the budget on calls whose
// work is thrown away. Calls made with the returned context use the
// reserved tokens before taking new ones. Over budget it returns a
// fault.Throttled error before any call is made.
func Reserve(ctx context.Context, lim store.Limiter, key string, n int, l store.Limit, now time.Time) (context.Context, error) {
	if lim == nil || key == "" || n <= 1 || l.Rate <= 0 {
		return ctx, nil
	}
	if l.Burst > 0 && n > l.Burst {
		n = l.Burst // a bucket never holds more; the rest is taken per call
	}
	wait, err := lim.Take(ctx, key, n, l)
	if err != nil {
		return ctx, fault.Retryable(fmt.Errorf("rate limiter: %w", err))
	}
	if wait > 0 {
		return ctx, fault.Throttled(key, now.Add(wait))
	}
	p := &prepaid{key: key}
	p.left.Store(int32(n))
	return context.WithValue(ctx, prepaidKey{}, p), nil
}

// usePrepaid spends one reserved token of key, if the context has one.
func usePrepaid(ctx context.Context, key string) bool {
	p, ok := ctx.Value(prepaidKey{}).(*prepaid)
	return ok && p.key == key && p.left.Add(-1) >= 0
}

func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if t.o.Limiter != nil && t.o.Key != "" && t.o.Limit.Rate > 0 && !usePrepaid(ctx, t.o.Key) {
		wait, err := t.o.Limiter.Take(ctx, t.o.Key, 1, t.o.Limit)
		if err != nil {
			return nil, fault.Retryable(fmt.Errorf("rate limiter: %w", err))
		}
		if wait > 0 {
			return nil, fault.Throttled(t.o.Key, t.o.Clock.Now().Add(wait))
		}
	}
	start := t.o.Clock.Now()
	resp, err := t.base.RoundTrip(req)
	if t.o.Calls != nil {
		status := 0
		if err == nil {
			status = resp.StatusCode
		}
		t.o.Calls.ObserveCall(t.o.Name, connector.CallOutcome(status), t.o.Clock.Now().Sub(start))
	}
	if err != nil {
		return nil, err
	}
	t.observe(ctx, resp)
	return resp, nil
}

// observe feeds what the platform says about its limits back into the
// shared limiter, so every replica slows down together.
func (t *limitTransport) observe(ctx context.Context, resp *http.Response) {
	if t.o.Observe != nil {
		t.o.Observe(ctx, resp)
	}
	if t.o.Limiter == nil || t.o.Key == "" {
		return
	}
	if used, capacity, ok := ParseCallLimit(resp.Header.Get("X-Shopify-Shop-Api-Call-Limit")); ok {
		if err := t.o.Limiter.Sync(ctx, t.o.Key, used, capacity, t.o.Limit); err != nil {
			t.o.Logger.Warn("rate limiter sync failed", "connector", t.o.Name, "err", err)
		}
	}
	if used, capacity, ok := graphQLThrottle(resp); ok {
		if err := t.o.Limiter.Sync(ctx, t.o.Key, used, capacity, t.o.Limit); err != nil {
			t.o.Logger.Warn("rate limiter sync failed", "connector", t.o.Name, "err", err)
		}
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if d, ok := RetryAfter(resp.Header, t.o.Clock.Now()); ok {
			if err := t.o.Limiter.Defer(ctx, t.o.Key, t.o.Clock.Now().Add(d)); err != nil {
				t.o.Logger.Warn("rate limiter defer failed", "connector", t.o.Name, "err", err)
			}
		}
	}
}

// maxGraphQLPeek bounds how much of a GraphQL response is buffered to
// read its cost extension.
const maxGraphQLPeek = 4 << 20

// graphQLThrottle reads Shopify's GraphQL cost extension
// (extensions.cost.throttleStatus: maximumAvailable, currentlyAvailable,
// restoreRate; shopify.dev/docs/api/usage/limits#graphql-admin-api-rate-limits)
// from a JSON response of a …/graphql.json endpoint. The body is read and
// put back, so the caller still sees all of it. The bucket is in cost
// points, so a GraphQL client uses its own limit key with a limit in
// points (Rate = restoreRate, Burst = maximumAvailable).
func graphQLThrottle(resp *http.Response) (used, capacity int, ok bool) {
	if resp.Request == nil || !strings.HasSuffix(resp.Request.URL.Path, "/graphql.json") ||
		!strings.Contains(resp.Header.Get("Content-Type"), "json") || resp.Body == nil {
		return 0, 0, false
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxGraphQLPeek+1))
	rest := resp.Body
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), rest), rest}
	if err != nil || len(body) > maxGraphQLPeek {
		return 0, 0, false
	}
	var doc struct {
		Extensions struct {
			Cost struct {
				ThrottleStatus *struct {
					MaximumAvailable   json.Number `json:"maximumAvailable"`
					CurrentlyAvailable json.Number `json:"currentlyAvailable"`
				} `json:"throttleStatus"`
			} `json:"cost"`
		} `json:"extensions"`
	}
	if json.Unmarshal(body, &doc) != nil || doc.Extensions.Cost.ThrottleStatus == nil {
		return 0, 0, false
	}
	ts := doc.Extensions.Cost.ThrottleStatus
	max, err1 := strconv.ParseFloat(ts.MaximumAvailable.String(), 64)
	avail, err2 := strconv.ParseFloat(ts.CurrentlyAvailable.String(), 64)
	if err1 != nil || err2 != nil || max <= 0 || avail < 0 || avail > max {
		return 0, 0, false
	}
	return int(max - avail + 0.999), int(max), true
}

// ParseCallLimit reads Shopify's "32/40" call-limit header.
func ParseCallLimit(v string) (used, capacity int, ok bool) {
	a, b, found := strings.Cut(strings.TrimSpace(v), "/")
	if !found {
		return 0, 0, false
	}
	u, err1 := strconv.Atoi(a)
	c, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || c <= 0 {
		return 0, 0, false
	}
	return u, c, true
}

// RetryAfter reads a Retry-After header: delta seconds (Shopify sends
// fractional "2.0") or an HTTP date.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d, true
		}
		return 0, true
	}
	return 0, false
}

// StatusError classifies an HTTP status into the core's vocabulary: 429
// and 5xx are retryable (not before Retry-After), other 4xx permanent.
// body is included, trimmed, because platforms explain themselves there.
func StatusError(op string, resp *http.Response, body []byte, now time.Time) error {
	if resp == nil || resp.StatusCode < 400 {
		return nil
	}
	msg := strings.TrimSpace(string(body))
	if len(msg) > 512 {
		msg = msg[:512] + "…"
	}
	err := fmt.Errorf("%s: HTTP %d: %s", op, resp.StatusCode, msg)
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		if d, ok := RetryAfter(resp.Header, now); ok {
			return fault.RetryAfter(err, now.Add(d))
		}
		return fault.Retryable(err)
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusConflict:
		return fault.Retryable(err)
	default:
		return fault.Permanent(err)
	}
}

// FreshTokenAge is how old an OAuth access token must be for a 401 on it
// to be worth a retry with a new one.
const FreshTokenAge = time.Minute

// TokenRefused classifies a 401 on a call made with an OAuth access token
// minted at minted (zero: unknown). A token refused soon after it was
// minted will be refused again: err stands (permanent). An older one was
// likely revoked or rotated meanwhile: the caller has dropped it, and the
// retry with a new token is worth it, so the error becomes retryable (not
// wrapping err, whose permanent class would win).
func TokenRefused(err error, minted, now time.Time) error {
	if !minted.IsZero() && now.Sub(minted) < FreshTokenAge {
		return err
	}
	return fault.Retryable(fmt.Errorf("%s (the access token was refused; retried with a new one)", err.Error()))
}
