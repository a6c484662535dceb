package ports

import (
	"context"
	"time"

	"github.com/dropgate/dropgate/core/app/margins"
)

// MarginReports is the margin of many orders: GET /api/v1/reports/margin
// and the dashboard's report. Like Accounts, the gateway asks for it with
// a type assertion.
type MarginReports interface {
	// MarginReport adds up the margin of the orders created in [since,
	// until) (zero until: now) by supplier and by channel.
	MarginReport(ctx context.Context, since, until time.Time) (*margins.Summary, error)
}
