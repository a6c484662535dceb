package services

import (
	"context"

	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/scorecard"
)

var _ ports.Scorecards = operator{}

func (o operator) Scorecard(ctx context.Context, supplier string) (scorecard.Card, error) {
	return o.s.Scorecards.Card(ctx, supplier)
}
