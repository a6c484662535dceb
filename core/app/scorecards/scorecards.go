// Package scorecards serves the suppliers' scorecards (core/scorecard)
// from the stored orders: one on demand for the admin API and the UI, and
// the measured scores routing reads (routing.score), recomputed by
// Refresh into an in-memory board since routing does no I/O.
package scorecards

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/scorecard"
)

// ErrUnknownSupplier is returned for a supplier the config does not name.
var ErrUnknownSupplier = errors.New("no such supplier")

// lookback bounds the orders read: an order created this long before a
// window starts is assumed to have sent its POs before it too (orders
// held longer than this are rare, and only their score would be missed).
const lookback = 60 * 24 * time.Hour

// Detector guesses a parcel's carrier from its tracking number; a number
// it recognises (format and check digit) counts as valid tracking.
type Detector interface {
	DetectCarrier(number string) (string, bool)
}

// Service computes scorecards.
type Service struct {
	d     *app.Deps
	valid scorecard.Validator
	board *scorecard.Board
}

// New returns the service; when routing.score is configured it hands its
// board to the router, which then prefers measured scores over priors.
func New(d *app.Deps, det Detector) *Service {
	s := &Service{d: d, board: &scorecard.Board{}}
	if det != nil {
		s.valid = func(n string) bool { _, ok := det.DetectCarrier(n); return ok }
	}
	if d.Router != nil && d.Router.Config.Score != nil {
		d.Router.Scores = s.board
	}
	return s
}

// Enabled reports whether routing uses measured scores (routing.score).
func (s *Service) Enabled() bool { return s.d.Router != nil && s.d.Router.Config.Score != nil }

// Board is the measured scores routing reads.
func (s *Service) Board() *scorecard.Board { return s.board }

func (s *Service) terms(supplier string) scorecard.Terms {
	sla := s.d.Profiles[supplier].SLA
	return scorecard.Terms{AcknowledgeWithin: sla.AcknowledgeWithin, ShipWithin: sla.ShipWithin, DeliverWithin: sla.DeliverWithin}
}

// facts reads the facts of supplier's POs from the orders created since.
func (s *Service) facts(ctx context.Context, supplier string, since time.Time) ([]scorecard.Fact, error) {
	var out []scorecard.Fact
	t := s.terms(supplier)
	err := s.d.Orders.Each(ctx, map[string]string{"supplier." + supplier: "1"}, func(a *model.Aggregate) (bool, error) {
		if a.Created.Before(since) {
			return false, nil // newest first: the rest are older
		}
		out = append(out, scorecard.Facts(a, supplier, t, s.valid)...)
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("scorecard of %s: read orders: %w", supplier, err)
	}
	return out, nil
}

// Card is supplier's scorecard now: the 7/30/90-day windows and weekly
// buckets.
func (s *Service) Card(ctx context.Context, supplier string) (scorecard.Card, error) {
	if _, ok := s.d.Profiles[supplier]; !ok {
		return scorecard.Card{}, fmt.Errorf("%w: %q", ErrUnknownSupplier, supplier)
	}
	now := s.d.Now()
	span := max(scorecard.Windows[len(scorecard.Windows)-1], scorecard.Weeks*7*24*time.Hour)
	facts, err := s.facts(ctx, supplier, now.Add(-span-lookback))
	if err != nil {
		return scorecard.Card{}, err
	}
	card := scorecard.Build(supplier, facts, now)
	if s.d.Router != nil {
		if b, ok := s.d.Router.ScoreBasis(supplier); ok {
			card.Routing = &b
		}
	}
	return card, nil
}

// Score is supplier's measured score over routing.score's window with its
// weights (false when it has no data), and the prior it replaces.
func (s *Service) Score(ctx context.Context, supplier string) (routing.Measured, bool, error) {
	cfg := s.d.Router.Config.Score
	now := s.d.Now()
	facts, err := s.facts(ctx, supplier, now.Add(-cfg.Span()-lookback))
	if err != nil {
		return routing.Measured{}, false, err
	}
	sum := scorecard.Summarize(facts, now.Add(-cfg.Span()), now, now, scorecard.Span(cfg.Span()))
	m, ok := scorecard.Measure(sum, cfg.EffectiveWeights())
	return m, ok, nil
}

// Refresh recomputes every supplier's measured score into the board
// routing reads. A supplier that fails keeps no score (its prior applies)
// and the first error is returned after the others are done.
func (s *Service) Refresh(ctx context.Context) error {
	if !s.Enabled() {
		return nil
	}
	scores := map[string]routing.Measured{}
	var first error
	for name := range s.d.Profiles {
		m, ok, err := s.Score(ctx, name)
		switch {
		case err != nil && first == nil:
			first = err
		case ok:
			scores[name] = m
		}
	}
	s.board.Set(scores, s.d.Now())
	return first
}
