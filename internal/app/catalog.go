package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/internal/catalog"
	"github.com/dropgate/dropgate/internal/config"
	"github.com/dropgate/dropgate/internal/feed"
)

// Profiles returns every supplier's routing profile by name.
func Profiles(cfg *config.Config) map[string]routing.SupplierProfile {
	profiles := map[string]routing.SupplierProfile{}
	for _, s := range cfg.Suppliers {
		profiles[s.Name] = *s.Supplier
	}
	return profiles
}

// LoadCatalog loads every supplier's catalog file: the offers a server
// starts with, before the feed snapshots are laid over them.
func LoadCatalog(cfg *config.Config, clk clock.Clock, log *slog.Logger) (*catalog.Catalog, error) {
	cat := catalog.New(catalog.WithClock(clk))
	for _, s := range cfg.Suppliers {
		if s.Supplier.Catalog.File == "" {
			continue
		}
		offers, err := catalog.LoadFile(cfg.Resolve(s.Supplier.Catalog.File), s.Name, s.Supplier.Currency)
		if err != nil {
			return nil, err
		}
		cat.Replace(s.Name, offers)
		log.Info("catalog loaded", "supplier", s.Name, "offers", len(offers))
	}
	return cat, nil
}

// LoadFeeds lays every feed's applied snapshot, read from st, over cat, as
// a server does at start-up (engine.LoadFeeds).
func LoadFeeds(ctx context.Context, cfg *config.Config, cat *catalog.Catalog, st feed.Reader) error {
	var errs []error
	for _, s := range cfg.Suppliers {
		if s.Feed == nil {
			continue
		}
		if _, err := cat.SyncFeed(ctx, st, s.Name, s.Feed.Freshness); err != nil {
			errs = append(errs, fmt.Errorf("feed %s: %w", s.Name, err))
		}
	}
	return errors.Join(errs...)
}

// HasFeeds reports whether some supplier has a feed: block.
func HasFeeds(cfg *config.Config) bool {
	for _, s := range cfg.Suppliers {
		if s.Feed != nil {
			return true
		}
	}
	return false
}
