// Package operations is what the operator sees and does: exceptions
// (raised from the services' events, settled when their cause is gone,
// resolved by one of their actions), dead letters, and connector health.
package operations

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/event"
	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/store"
)

// ErrNoSuchAction is returned for an action an exception does not offer.
var ErrNoSuchAction = ports.ErrNoSuchAction

// Orders is what an exception's reroute needs of the order service.
type Orders interface {
	Reroute(ctx context.Context, orderID, actor string) (*model.Aggregate, error)
	Release(ctx context.Context, orderID, actor string) (*model.Aggregate, error)
	Withdraw(ctx context.Context, orderID, number, actor, why string) error
}

// Feeds is what a quarantined feed's approve and discard need.
type Feeds interface {
	Approve(ctx context.Context, supplier, snapshotID, actor string) error
	Discard(ctx context.Context, supplier, snapshotID, actor string) error
}

// Service keeps the operator's to-do list.
type Service struct {
	d      *app.Deps
	orders Orders
	feeds  Feeds
	health *Health
}

// New returns the service; feeds may be nil (no feed configured).
func New(d *app.Deps, orders Orders, feeds Feeds) *Service {
	return &Service{d: d, orders: orders, feeds: feeds, health: NewHealth()}
}

// Register subscribes the service to the events that raise and settle
// exceptions.
func (s *Service) Register(_ *job.Mux, t *event.Table) {
	t.On(model.EvExceptionRaised, "operations.raise", func(ctx context.Context, _ *model.Aggregate, ev model.Event) error {
		return s.Raise(ctx, *ev.Exception)
	})
	t.On(model.EvExceptionsSettled, "operations.settle", func(ctx context.Context, _ *model.Aggregate, ev model.Event) error {
		return s.settle(ctx, ev.OrderID, *ev.Settlement)
	})
}

// ExceptionID derives an exception's id from what it is about.
func ExceptionID(x model.Exception) string {
	return "exc_" + ids.Derive(16, string(x.Kind), x.OrderID, x.PONumber, x.Supplier, x.Ref, x.Reason)
}

// Raise records an exception for an operator. Its id derives from what it
// is about, so raising the same problem twice (a retried job) keeps one
// open exception, and a problem that comes back after it was resolved (a
// replayed job dying again) reopens it rather than going unseen.
func (s *Service) Raise(ctx context.Context, x model.Exception) error {
	if x.ID == "" {
		x.ID = ExceptionID(x)
	}
	x.Status = "open"
	if x.CreatedAt.IsZero() {
		x.CreatedAt = s.d.Now()
	}
	err := s.d.Exceptions.Create(ctx, &x)
	if errors.Is(err, store.ErrConflict) {
		return s.reopen(ctx, x.ID)
	}
	if err != nil {
		return fmt.Errorf("raise %s exception: %w", x.Kind, err)
	}
	s.d.Log.Warn("exception raised", "kind", x.Kind, "order", x.OrderID, "po", x.PONumber, "reason", x.Reason)
	return nil
}

// reopen opens a resolved exception again; an open one stays as it is.
func (s *Service) reopen(ctx context.Context, id string) error {
	x, err := s.d.Exceptions.Update(ctx, id, func(x *model.Exception) error {
		if x.Status == "open" {
			return repo.ErrNoChange // already raised
		}
		x.Status, x.ResolvedAt, x.Resolution = "open", nil, ""
		return nil
	})
	if err == nil && x.Status == "open" {
		s.d.Log.Warn("exception open again", "kind", x.Kind, "order", x.OrderID, "po", x.PONumber, "reason", x.Reason)
	}
	return err
}

// Exception returns one exception.
func (s *Service) Exception(ctx context.Context, id string) (*model.Exception, error) {
	x, _, err := s.d.Exceptions.Get(ctx, id)
	return x, err
}

// Exceptions lists exceptions, newest first, matching every filter
// (status, kind, order, supplier, ref).
func (s *Service) Exceptions(ctx context.Context, where map[string]string, p repo.Page) ([]model.Exception, string, error) {
	return s.d.Exceptions.Where(ctx, where, p)
}

// settle closes an order's open exceptions whose cause is gone (the
// supplier acknowledged, the PO shipped, the order was cancelled or
// rerouted).
func (s *Service) settle(ctx context.Context, orderID string, st model.Settlement) error {
	xs, _, err := s.d.Exceptions.Where(ctx, map[string]string{"order": orderID, "status": "open"}, repo.Page{Limit: 500})
	if err != nil {
		return fmt.Errorf("settle exceptions of %s: %w", orderID, err)
	}
	action, by := "settled", "dropgate"
	if st.By != "" {
		action, by = st.Why, st.By
	}
	for _, x := range xs {
		if !slices.Contains(st.Kinds, x.Kind) || (st.PONumber != "" && x.PONumber != st.PONumber) {
			continue
		}
		note := st.Why
		if st.By != "" {
			note = ""
		}
		if _, err := s.resolve(ctx, x.ID, action, by, note); err != nil && !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return nil
}

// ResolveException carries out one of an exception's actions: reroute
// (the order, or the late PO taken back), retry (replay the dead letter),
// discard (drop the dead letter or the quarantined feed), approve (apply
// the quarantined feed) or resolve (a person handled it).
func (s *Service) ResolveException(ctx context.Context, id, action, actor, note string) (*model.Exception, error) {
	x, _, err := s.d.Exceptions.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if x.Status == "resolved" {
		return x, nil
	}
	if action != "resolve" && !slices.Contains(x.Actions, action) {
		return nil, fmt.Errorf("%w: %s offers %v", ErrNoSuchAction, x.Kind, x.Actions)
	}
	switch action {
	case "reroute":
		return s.reroute(ctx, x, actor, note)
	case "release":
		if x.OrderID == "" {
			return nil, fmt.Errorf("%w: no order to release", ErrNoSuchAction)
		}
		// The release settles the exception itself (the hold is gone).
		if _, err := s.orders.Release(ctx, x.OrderID, actor); err != nil {
			return nil, err
		}
	case "retry":
		if err := s.d.Queue.Replay(ctx, x.Ref); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	case "approve":
		if s.feeds == nil {
			return nil, fmt.Errorf("%w: no feed is configured", ErrNoSuchAction)
		}
		if err := s.feeds.Approve(ctx, x.Supplier, x.Ref, actor); err != nil {
			return nil, err
		}
	case "discard":
		if x.Kind == model.ExDeadLetter {
			if err := s.d.Queue.Discard(ctx, x.Ref); err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
		}
		if x.Kind == model.ExFeedQuarantined && s.feeds != nil {
			if err := s.feeds.Discard(ctx, x.Supplier, x.Ref, actor); err != nil {
				return nil, err
			}
		}
	}
	return s.resolve(ctx, id, action, actor, note)
}

// reroute routes an exception's order again. When its units are with a
// supplier that is late or backordered (the exception names a PO),
// routing the open lines would find none: the PO is taken back. The
// exception is resolved first, so the withdrawal's own settling of the
// PO's exceptions leaves the operator's resolution on this one.
func (s *Service) reroute(ctx context.Context, x *model.Exception, actor, note string) (*model.Exception, error) {
	if x.OrderID == "" {
		return nil, fmt.Errorf("%w: no order to reroute", ErrNoSuchAction)
	}
	if withdrawsPO(x) {
		done, err := s.resolve(ctx, x.ID, "reroute", actor, note)
		if err != nil {
			return nil, err
		}
		if err := s.orders.Withdraw(ctx, x.OrderID, x.PONumber, actor, string(x.Kind)); err != nil {
			if rerr := s.reopen(ctx, x.ID); rerr != nil {
				s.d.Log.Error("reopening exception after a failed reroute", "exception", x.ID, "err", rerr)
			}
			return nil, err
		}
		return done, nil
	}
	if _, err := s.orders.Reroute(ctx, x.OrderID, actor); err != nil {
		return nil, err
	}
	// The reroute settled it when the order came off hold; otherwise it
	// stays open with the routing's new verdict in the timeline.
	got, _, err := s.d.Exceptions.Get(ctx, x.ID)
	return got, err
}

// withdrawsPO reports whether an exception's reroute means taking its PO
// back from the supplier rather than routing lines nobody has.
func withdrawsPO(x *model.Exception) bool {
	if x.PONumber == "" {
		return false
	}
	switch x.Kind {
	case model.ExBackordered, model.ExSLABreach, model.ExAckOverdue:
		return true
	}
	return false
}

// resolve marks an exception resolved by actor and notes it on its
// order's timeline.
func (s *Service) resolve(ctx context.Context, id, action, actor, note string) (*model.Exception, error) {
	now := s.d.Now()
	x, err := s.d.Exceptions.Update(ctx, id, func(x *model.Exception) error {
		if x.Status == "resolved" {
			return repo.ErrNoChange
		}
		x.Status, x.ResolvedAt = "resolved", &now
		x.Resolution = fmt.Sprintf("%s by %s", action, actor)
		if note != "" {
			x.Resolution += ": " + note
		}
		return nil
	})
	if err != nil || x.OrderID == "" || x.ResolvedAt == nil || !x.ResolvedAt.Equal(now) {
		return x, err
	}
	cause := model.Cause{Kind: model.CauseOperator, Ref: actor}
	_, _, err = s.d.Change(ctx, x.OrderID, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		a.Log(model.TimelineEntry{At: st.At, Entity: "order", Event: "exception.resolved", Cause: st.Cause,
			Message: fmt.Sprintf("%s exception resolved (%s): %s", x.Kind, x.Resolution, x.Reason)})
		return lifecycle.Outcome{Changed: true}, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		err = nil
	}
	return x, err
}
