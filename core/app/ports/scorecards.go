package ports

import (
	"context"

	"github.com/dropgate/dropgate/core/scorecard"
)

// Scorecards is the part of the operator port that serves supplier
// scorecards. The Operator the services build implements it; the gateway
// asks for it with a type assertion so other Operators (test fakes) need
// not.
type Scorecards interface {
	// Scorecard is a supplier's scorecard now; an unknown supplier is
	// an error wrapping scorecards.ErrUnknownSupplier.
	Scorecard(ctx context.Context, supplier string) (scorecard.Card, error)
}
