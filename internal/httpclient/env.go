package httpclient

import (
	"context"
	"fmt"
	"net/http"

	"github.com/dropgate/dropgate/core/connector"
)

// ForEnv is a connector's one HTTP client, built from its environment:
// every request spends a token of key's budget on the shared limiter at
// the instance's rate, and is clocked, logged and observed (metrics)
// under the instance's name. base reaches the network (nil: pooled).
func ForEnv(env connector.Env, key string, base http.RoundTripper) *http.Client {
	return NewHTTP(Options{
		Name: env.Name, Limiter: env.Limiter, Key: key, Limit: env.RateLimit,
		Clock: env.Clock, Logger: env.Logger, Transport: base, Calls: env.Calls,
	})
}

// ReserveEnv is Reserve on the instance's limiter and rate, for an
// operation of n calls on key; its error starts with the connector's
// type (typ: "etsy").
func ReserveEnv(ctx context.Context, env connector.Env, typ, key string, n int) (context.Context, error) {
	ctx, err := Reserve(ctx, env.Limiter, key, n, env.RateLimit, env.Now())
	if err != nil {
		return ctx, fmt.Errorf("%s: %w", typ, err)
	}
	return ctx, nil
}
