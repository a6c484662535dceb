package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/app/scorecards"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
	intapp "github.com/dropgate/dropgate/internal/app"
	"github.com/dropgate/dropgate/internal/config"
)

// localScores gives a router that routes without a server the measured
// supplier scores routing.score asks for, computed from the orders in st
// when st can list them (a redis store); otherwise the suppliers keep
// their priors and the note says why. A server routes with its own.
func localScores(ctx context.Context, cfg *config.Config, router *routing.Router, st any) string {
	if cfg.Routing.Score == nil {
		return ""
	}
	recs, ok := st.(store.Records)
	if !ok {
		return "measured supplier scores come from the server's store: without a server every supplier keeps its configured score"
	}
	clk := clock.Real{}
	d := &app.Deps{Orders: repo.NewOrders(recs, clk), Clock: clk, Profiles: intapp.Profiles(cfg), Router: router,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := scorecards.New(d, intapp.TrackingDetector()).Refresh(ctx); err != nil {
		return "measured supplier scores left out: " + err.Error()
	}
	return ""
}

func joinNotes(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
