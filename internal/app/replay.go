package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/dropgate/dropgate/core/app/replay"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/config"
	"github.com/dropgate/dropgate/internal/feed"
)

// MaxReplayConfig bounds the new config posted to POST
// /api/v1/route/replay and the dashboard's replay form.
const MaxReplayConfig = 1 << 20

// ReplaySource is what a replay reads: the stored orders, and the feed
// snapshots applied in the same store. A store is one; so is a read-only
// view of an embedded store file.
type ReplaySource interface {
	feed.Reader
	ListRecords(ctx context.Context, kind string, q store.Query) ([]store.Record, string, error)
}

// ErrReadOnly is what a replay's view of the store answers to a write:
// a replay that tried one would be a bug, and fails instead of writing.
var ErrReadOnly = errors.New("replay: the store is read-only during a replay")

// ErrReplayConfig marks a replay that failed on the new config itself (a
// catalog file it names cannot be loaded): the user's to fix.
var ErrReplayConfig = errors.New("the new config")

// readOnly serves store.Records from a ReplaySource and refuses writes.
type readOnly struct{ src ReplaySource }

func (r readOnly) GetRecord(ctx context.Context, kind, id string) (store.Record, error) {
	return r.src.GetRecord(ctx, kind, id)
}

func (r readOnly) ListRecords(ctx context.Context, kind string, q store.Query) ([]store.Record, string, error) {
	return r.src.ListRecords(ctx, kind, q)
}

func (readOnly) PutRecord(context.Context, store.Record) (int64, error) { return 0, ErrReadOnly }
func (readOnly) DeleteRecord(context.Context, string, string) error     { return ErrReadOnly }

// Replay re-routes the orders stored in src and created in [since, until)
// under newCfg: its routing rules, its suppliers (profiles and catalog
// files) with the feed snapshots applied in src, and its release policy.
// It writes nothing, enqueues nothing and builds no connector.
func Replay(ctx context.Context, newCfg *config.Config, src ReplaySource, since, until time.Time, clk clock.Clock) (*replay.Report, error) {
	if clk == nil {
		clk = clock.Real{}
	}
	cat, err := LoadCatalog(newCfg, clk, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return nil, fmt.Errorf("replay: %w: %w", ErrReplayConfig, err)
	}
	if HasFeeds(newCfg) {
		if err := LoadFeeds(ctx, newCfg, cat, src); err != nil {
			return nil, fmt.Errorf("replay: reading the applied feed snapshots: %w", err)
		}
	}
	profiles := Profiles(newCfg)
	release := map[string]lifecycle.ReleasePolicy{}
	for _, c := range newCfg.Channels {
		if c.Orders != nil {
			release[c.Name] = c.Orders.Policy()
		}
	}
	rules := replay.Rules{
		Router:   &routing.Router{Config: newCfg.Routing, Suppliers: profiles, Catalog: cat},
		Profiles: profiles,
		Release: func(channel string) lifecycle.ReleasePolicy {
			if p, ok := release[channel]; ok {
				return p
			}
			return newCfg.Orders.Policy()
		},
	}
	orders := repo.NewOrders(readOnly{src}, clk)
	each := func(ctx context.Context, since, until time.Time, fn func(*model.Aggregate) error) error {
		return orders.EachBetween(ctx, nil, since, until, func(a *model.Aggregate) (bool, error) { return true, fn(a) })
	}
	return replay.Run(ctx, each, since, until, rules, clk.Now().UTC())
}

// ParseReplayConfig reads a new config posted to the server with the real
// loader: problems name file (the name the client gave); its relative
// paths (catalog files) are, as in every config, relative to the
// directory the server runs in. Only errors are returned: warnings do
// not stop a what-if.
func ParseReplayConfig(file string, data []byte, opts config.Options) (*config.Config, config.Problems) {
	cfg, probs := config.Parse(file, data, opts)
	return cfg, probs.Errors()
}

// replayPosted serves the admin API's and the dashboard's replay: the new
// config arrives as bytes; its problems come back as FILE:LINE lines.
func (a *App) replayPosted(ctx context.Context, file string, body []byte, since, until time.Time) (*replay.Report, []string, error) {
	if file == "" {
		file = "new.yaml"
	}
	cfg, probs := ParseReplayConfig(file, body, config.Options{})
	if len(probs) > 0 {
		out := make([]string, len(probs))
		for i, p := range probs {
			out[i] = p.String()
		}
		return nil, out, nil
	}
	rep, err := Replay(ctx, cfg, a.Store, since, until, a.Clock)
	return rep, nil, err
}
