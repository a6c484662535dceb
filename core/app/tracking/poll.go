package tracking

import (
	"context"
	"fmt"

	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// handlePoll asks the carrier for a parcel's events, applies them and
// queues the next poll: sooner when it moved, later when it stayed quiet,
// never once the parcel is at a final state.
func (s *Service) handlePoll(ctx context.Context, j *store.Job, p Parcel) error {
	t := s.tracker(p.Carrier)
	if t == nil {
		return nil
	}
	ups, err := t.Track(ctx, p.Carrier, p.Number)
	if err != nil {
		return fmt.Errorf("track %s %s: %w", p.Carrier, p.Number, err)
	}
	cause := model.Cause{Kind: model.CausePoll, Ref: "job/" + j.ID}
	moved := false
	for _, u := range ups {
		if u.TrackingNumber == "" {
			u.TrackingNumber = p.Number
		}
		ok, err := s.Apply(ctx, u, cause)
		if err != nil {
			return err
		}
		moved = moved || ok
	}
	a, _, err := s.d.Orders.Get(ctx, p.Order)
	if err != nil {
		return err
	}
	if final(a, p) {
		return nil
	}
	if moved {
		p.Quiet = 0
	} else {
		p.Quiet++
	}
	return job.Enqueue(ctx, s.d.Queue, KindPoll, p, job.At(s.d.Now().Add(nextPoll(p.Quiet))))
}

func final(a *model.Aggregate, p Parcel) bool {
	sh := shipment(a, p.Shipment)
	if sh == nil {
		return true
	}
	for _, pkg := range sh.Packages {
		if normal(pkg.TrackingNumber) == p.Number {
			return pkg.Status.Final()
		}
	}
	return true
}
