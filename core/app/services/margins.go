package services

import (
	"context"
	"time"

	"github.com/dropgate/dropgate/core/app/margins"
	"github.com/dropgate/dropgate/core/app/ports"
)

var _ ports.MarginReports = operator{}

// MarginReport adds up the margin of the orders created in [since, until)
// by supplier and by channel, priced as Margin prices one order.
func (o operator) MarginReport(ctx context.Context, since, until time.Time) (*margins.Summary, error) {
	return margins.Report(ctx, o.s.Deps.Orders, since, until, o.costs())
}
