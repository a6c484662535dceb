package magento2

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// newHTTP builds the connector's one HTTP client: every request spends a
// token of the store's shared limiter (key magento2:{host}).
func newHTTP(env connector.Env, key string, base http.RoundTripper) *http.Client {
	return httpclient.ForEnv(env, key, base)
}

// limitKey is the store's budget, shared by every replica and entry.
func limitKey(host string) string { return "magento2:" + host }

// reserve spends n tokens at once for an operation of n calls.
func (c *Connector) reserve(ctx context.Context, n int) (context.Context, error) {
	return httpclient.ReserveEnv(ctx, c.env, "magento2", c.key, n)
}

// apiError is Magento's error body: a message with %1-style placeholders
// filled from parameters (a list or a map).
type apiError struct {
	Message    string          `json:"message"`
	Parameters json.RawMessage `json:"parameters"`
}

// text renders the message with its parameters substituted.
func (e apiError) text() string {
	msg := e.Message
	var list []any
	var named map[string]any
	if json.Unmarshal(e.Parameters, &list) == nil {
		for i := len(list) - 1; i >= 0; i-- {
			msg = strings.ReplaceAll(msg, fmt.Sprintf("%%%d", i+1), fmt.Sprint(list[i]))
		}
	} else if json.Unmarshal(e.Parameters, &named) == nil {
		for k, v := range named {
			msg = strings.ReplaceAll(msg, "%"+k, fmt.Sprint(v))
		}
	}
	return msg
}

// rest is how the connector builds its calls and reads their answers.
func (c *Connector) rest() httpclient.API {
	return httpclient.API{Name: "magento2", Clock: c.env.Clock, ErrorText: httpclient.ErrorTextOf(apiError.text)}
}

// do sends one request to {api}{path} with the bearer token and decodes a
// 2xx JSON answer into out (when not nil). Statuses are classified: 429,
// 5xx, 408, 409 retryable (not before Retry-After); 401 (token revoked),
// 404 and other 4xx permanent with Magento's message.
func (c *Connector) do(ctx context.Context, op, method, path string, q url.Values, in, out any) error {
	if c.cfg.AccessToken.IsZero() {
		return fault.Permanentf("magento2: %s: access_token is not set", op)
	}
	u := *c.api
	u.Path += path
	u.RawQuery = q.Encode()
	req, err := c.rest().NewRequest(ctx, op, method, u.String(), in)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.AccessToken.Reveal())
	_, err = c.rest().Send(c.http, req, op, out)
	return err
}
