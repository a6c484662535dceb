package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	core "github.com/dropgate/dropgate/core/app/notify"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// Sender posts deliveries to the configured endpoints.
type Sender struct {
	eps   map[string]Endpoint
	http  map[string]*http.Client
	clock clock.Clock
}

var _ core.Sender = (*Sender)(nil)

// NewSender returns a sender for eps; base is the transport (nil: the
// default one).
func NewSender(eps []Endpoint, clk clock.Clock, base http.RoundTripper) *Sender {
	if clk == nil {
		clk = clock.Real{}
	}
	s := &Sender{eps: map[string]Endpoint{}, http: map[string]*http.Client{}, clock: clk}
	for _, e := range eps {
		t := e.Timeout
		if t <= 0 {
			t = 15 * time.Second
		}
		s.eps[e.Name] = e
		s.http[e.Name] = httpclient.NewHTTP(httpclient.Options{Name: "events:" + e.Name, Timeout: t, Clock: clk, Transport: base})
	}
	return s
}

// SecretKey is the HMAC key of a secret: whsec_<base64> decoded (the
// Standard Webhooks form), any other value as its bytes.
func SecretKey(secret string) ([]byte, error) {
	if rest, ok := strings.CutPrefix(secret, "whsec_"); ok {
		k, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return nil, fmt.Errorf("secret: whsec_ is not followed by base64: %w", err)
		}
		return k, nil
	}
	return []byte(secret), nil
}

// Sign is the webhook-signature value of one attempt: v1 and the base64
// HMAC-SHA256 of "id.timestamp.body".
func Sign(key []byte, id string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s.%d.", id, ts)
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Send posts d. webhook-id is the event's, the same on every attempt;
// webhook-timestamp is the attempt's (receivers refuse old ones).
// 2xx is done; 408, 429 and 5xx and network errors are retried; any other
// status is permanent.
func (s *Sender) Send(ctx context.Context, d core.Delivery) error {
	e, ok := s.eps[d.Endpoint]
	if !ok {
		return fault.Permanentf("endpoint %q is not configured", d.Endpoint)
	}
	key, err := SecretKey(e.Secret.Reveal())
	if err != nil {
		return fault.Permanent(fmt.Errorf("endpoint %s: %w", e.Name, err))
	}
	ts := s.clock.Now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(d.Body))
	if err != nil {
		return fault.Permanent(fmt.Errorf("endpoint %s: %w", e.Name, err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "dropgate-events/1")
	req.Header.Set("webhook-id", d.ID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", Sign(key, d.ID, ts, d.Body))
	resp, err := s.http[e.Name].Do(req)
	if err != nil {
		// The URL is not a secret but may carry a token in its query:
		// name the endpoint, not the URL.
		return fault.Retryable(fmt.Errorf("post to %s: %w", e.Name, stripURL(err)))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return fault.Permanentf("post to %s: HTTP %d (redirects are not followed)", e.Name, resp.StatusCode)
	}
	if c := resp.StatusCode; c >= 400 && c < 500 && c != http.StatusRequestTimeout && c != http.StatusTooManyRequests {
		return fault.Permanentf("post to %s: HTTP %d: %s", e.Name, c, strings.TrimSpace(string(body)))
	}
	return httpclient.StatusError("post to "+e.Name, resp, body, s.clock.Now())
}

// stripURL drops the URL from a *url.Error, keeping its cause.
func stripURL(err error) error {
	type unwrapper interface{ Unwrap() error }
	if u, ok := err.(unwrapper); ok && strings.Contains(err.Error(), "://") {
		if inner := u.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}
