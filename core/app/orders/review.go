package orders

import (
	"context"
	"errors"
	"time"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// ReviewDue names an order whose review window (orders.hold_after) ends.
type ReviewDue struct {
	Order string    `json:"order"`
	At    time.Time `json:"at"`
}

// KindReviewDue lifts an order's review hold when its window ends.
var KindReviewDue = job.Kind[ReviewDue]{Name: "order.review_due", Queue: app.QueueInbound,
	Options: func(r ReviewDue) job.Options {
		return job.Options{UniqueKey: "order.review_due:" + r.Order}
	},
	Subject: func(r ReviewDue) job.Subject { return job.Subject{Order: r.Order} },
}

// onHeld schedules the end of a review window.
func (s *Service) onHeld(ctx context.Context, a *model.Aggregate, ev model.Event) error {
	if ev.Data["code"] != model.HoldReview {
		return nil
	}
	for _, h := range a.Order.Holds {
		if h.Code == model.HoldReview {
			at := h.At.Add(s.d.ReleasePolicy(a.Order.Channel).HoldAfter)
			return job.Enqueue(ctx, s.d.Queue, KindReviewDue, ReviewDue{Order: a.Order.ID, At: at}, job.At(at))
		}
	}
	return nil
}

// handleReviewDue ends the window: the review hold goes and, with no
// other hold, the order is routed.
func (s *Service) handleReviewDue(ctx context.Context, _ *store.Job, r ReviewDue) error {
	cause := model.Cause{Kind: model.CauseSystem, Ref: "orders.hold_after"}
	_, _, err := s.d.Change(ctx, r.Order, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		return lifecycle.ReviewDue(a, s.d.Router, st), nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
