package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/config"
	"github.com/dropgate/dropgate/internal/store/embedded"
	redisstore "github.com/dropgate/dropgate/internal/store/redis"
)

// OpenStore opens the driver the config names.
func OpenStore(ctx context.Context, cfg *config.Config, clk clock.Clock, log *slog.Logger) (store.Store, error) {
	switch cfg.Store.Driver {
	case "embedded":
		st, err := embedded.Open(cfg.Resolve(cfg.Store.Path), embedded.WithClock(clk), embedded.WithLogger(log))
		if err != nil {
			return nil, fmt.Errorf("open embedded store %s: %w", cfg.Store.Path, err)
		}
		return st, nil
	case "redis":
		// go-redis logs dial failures itself; route them to our logger
		// (debug) so an outage reads as our warnings, not a spray of lines.
		redisstore.RouteLibraryLogs(log)
		st, err := redisstore.Open(ctx, redisstore.Options{
			URL:          cfg.Store.URL,
			Addrs:        cfg.Store.Addrs,
			Password:     cfg.Store.Password.Reveal(),
			Prefix:       cfg.Store.Prefix,
			Clock:        clk,
			Logger:       log,
			DefaultLease: cfg.Workers.Lease,
			Partitions:   cfg.Store.Partitions,
			PoolSize:     cfg.Store.PoolSize,
			// Concurrent enqueues share pipelines (webhooks at ingest).
			EnqueuePipelines: cfg.Store.EnqueuePipelines,
		})
		if err != nil {
			return nil, fmt.Errorf("open redis store: %w", err)
		}
		return st, nil
	default:
		return nil, fmt.Errorf("store driver %q is not available in this build", cfg.Store.Driver)
	}
}
