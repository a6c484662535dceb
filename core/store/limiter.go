package store

import (
	"context"
	"time"
)

// Limit is a token bucket: Rate tokens per second, up to Burst.
type Limit struct {
	Rate  float64 `json:"per_second" yaml:"per_second"`
	Burst int     `json:"burst" yaml:"burst"`
}

// Limiter hands out request budget per key (a Shopify shop, a supplier
// endpoint), shared by every replica on the same store. It never sleeps:
// a caller over budget learns how long to wait and reschedules its job.
type Limiter interface {
	// Take spends n tokens of key if available now and returns 0; otherwise
	// it spends nothing and returns how long until n tokens would be there.
	Take(ctx context.Context, key string, n int, l Limit) (time.Duration, error)
	// Defer blocks key until t (a 429's Retry-After).
	Defer(ctx context.Context, key string, until time.Time) error
	// Sync aligns key's bucket with what the platform reports: used of
	// capacity (Shopify's X-Shopify-Shop-Api-Call-Limit: 32/40).
	Sync(ctx context.Context, key string, used, capacity int, l Limit) error
}
