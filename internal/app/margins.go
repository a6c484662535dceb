package app

import (
	"context"
	"time"

	"github.com/dropgate/dropgate/core/app/margins"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/internal/config"
)

// MarginReport adds up the margin of the orders stored in src and created
// in [since, until), priced with cfg's supplier and payment fees: what
// `dropgate reports margin` does on a store no server holds. It writes
// nothing.
func MarginReport(ctx context.Context, cfg *config.Config, src ReplaySource, since, until time.Time) (*margins.Summary, error) {
	orders := repo.NewOrders(readOnly{src}, clock.Real{})
	return margins.Report(ctx, orders, since, until, margins.CostsOf(Profiles(cfg), cfg.PaymentFees()))
}
