package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// Operator actions: what a person does from the admin API or the CLI to
// fix an exception. Each is recorded in the order's timeline with the
// operator as its cause.

// ErrNoSuchAction is returned for an action an exception does not offer.
var ErrNoSuchAction = errors.New("action not available for this exception")

// Reroute clears an order's routing holds and routes its open units again
// (after the merchant fixed a catalog or a supplier came back).
func (e *Engine) Reroute(ctx context.Context, orderID, actor string) (*model.Aggregate, error) {
	cause := model.Cause{Kind: model.CauseOperator, Ref: actor}
	var extra []model.Exception
	a, err := e.update(ctx, orderID, func(a *model.Aggregate) error {
		extra = nil
		if a.Order.Status == model.OrderCancelled {
			return fault.Permanentf("order %s is cancelled", orderID)
		}
		kept := a.Order.Holds[:0]
		var lifted []string
		for _, h := range a.Order.Holds {
			if h.Code == model.HoldUnroutable || h.Code == model.HoldNoAlternative {
				lifted = append(lifted, h.Reason)
				continue
			}
			kept = append(kept, h)
		}
		a.Order.Holds = kept
		if len(kept) > 0 {
			return fault.Permanentf("order %s has holds a reroute cannot lift: %s", orderID, kept[0].Reason)
		}
		a.Log(model.TimelineEntry{At: e.now(), Entity: "order", Event: "order.reroute_requested", Cause: cause,
			Message: fmt.Sprintf("%s asked to route the open lines again", actor)})
		extra = e.route(a, cause, len(a.POs) > 0)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := e.effects(ctx, a, lifecycle.Outcome{}, extra); err != nil {
		return nil, err
	}
	if len(a.Order.Holds) == 0 {
		if err := e.resolveOrderExceptions(ctx, orderID, actor, "rerouted"); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// withdrawsPO reports whether an exception's reroute means taking its PO
// back from the supplier (the units are with it, late or backordered)
// rather than routing lines nobody has.
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

// WithdrawPO takes a PO back from its supplier (which is asked to cancel
// it) and routes its unshipped units to the next eligible supplier.
func (e *Engine) WithdrawPO(ctx context.Context, orderID, number, actor, why string) error {
	cause := model.Cause{Kind: model.CauseOperator, Ref: actor}
	var out lifecycle.Outcome
	var extra []model.Exception
	a, err := e.update(ctx, orderID, func(a *model.Aggregate) error {
		extra = nil
		out = lifecycle.Withdraw(a, number, fmt.Sprintf("%s by %s", why, actor), lifecycle.Step{At: e.now(), Cause: cause})
		if !out.Changed {
			return fault.Permanentf("purchase order %s of order %s cannot be withdrawn (already shipped, cancelled or withdrawn)", number, orderID)
		}
		extra = e.route(a, cause, true)
		return nil
	})
	if err != nil {
		return err
	}
	return e.effects(ctx, a, out, extra)
}

// Exception returns one exception.
func (e *Engine) Exception(ctx context.Context, id string) (*model.Exception, int64, error) {
	rec, err := e.Store.GetRecord(ctx, RecException, id)
	if err != nil {
		return nil, 0, err
	}
	var x model.Exception
	if err := json.Unmarshal(rec.Data, &x); err != nil {
		return nil, 0, err
	}
	return &x, rec.Version, nil
}

// Exceptions lists exceptions, newest first, filtered by q's index field.
func (e *Engine) Exceptions(ctx context.Context, q store.Query) ([]model.Exception, string, error) {
	var where map[string]string
	if q.Field != "" {
		where = map[string]string{q.Field: q.Value}
	}
	return e.ExceptionsWhere(ctx, where, q)
}

// ResolveException carries out one of an exception's actions: reroute
// (the order), retry (replay the dead letter), discard (drop the dead
// letter or the quarantined feed), approve (apply the quarantined feed)
// or resolve (a person handled it).
func (e *Engine) ResolveException(ctx context.Context, id, action, actor, note string) (*model.Exception, error) {
	x, v, err := e.Exception(ctx, id)
	if err != nil {
		return nil, err
	}
	if x.Status == "resolved" {
		return x, nil
	}
	allowed := action == "resolve"
	for _, a := range x.Actions {
		allowed = allowed || a == action
	}
	if !allowed {
		return nil, fmt.Errorf("%w: %s offers %v", ErrNoSuchAction, x.Kind, x.Actions)
	}
	switch action {
	case "reroute":
		if x.OrderID == "" {
			return nil, fmt.Errorf("%w: no order to reroute", ErrNoSuchAction)
		}
		if withdrawsPO(x) {
			// The units are with a supplier that is late or backordered:
			// routing the open lines would find none. Take the PO back.
			// Resolved first, so the withdrawal's own settling of the PO's
			// exceptions leaves the operator's resolution on this one.
			done, err := e.markResolved(ctx, x, v, action, actor, note)
			if err != nil {
				return nil, err
			}
			if err := e.WithdrawPO(ctx, x.OrderID, x.PONumber, actor, string(x.Kind)); err != nil {
				if rerr := e.reopen(ctx, x.ID); rerr != nil {
					e.Log.Error("reopening exception after a failed reroute", "exception", x.ID, "err", rerr)
				}
				return nil, err
			}
			return done, nil
		}
		if _, err := e.Reroute(ctx, x.OrderID, actor); err != nil {
			return nil, err
		}
		// Reroute resolved it when the order came off hold; otherwise
		// it stays open with the routing's new verdict in the timeline.
		x, _, err = e.Exception(ctx, id)
		return x, err
	case "retry":
		if err := e.Store.Replay(ctx, x.Ref); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	case "approve":
		if err := e.ApproveFeed(ctx, x.Supplier, x.Ref, actor); err != nil {
			return nil, err
		}
	case "discard":
		if x.Kind == model.ExDeadLetter {
			if err := e.Store.Discard(ctx, x.Ref); err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
		}
		if x.Kind == model.ExFeedQuarantined {
			if err := e.DiscardFeed(ctx, x.Supplier, x.Ref, actor); err != nil {
				return nil, err
			}
		}
	}
	return e.markResolved(ctx, x, v, action, actor, note)
}

func (e *Engine) markResolved(ctx context.Context, x *model.Exception, version int64, action, actor, note string) (*model.Exception, error) {
	now := e.now()
	x.Status, x.ResolvedAt = "resolved", &now
	x.Resolution = fmt.Sprintf("%s by %s", action, actor)
	if note != "" {
		x.Resolution += ": " + note
	}
	if err := e.putException(ctx, x, version); err != nil {
		return nil, err
	}
	if x.OrderID != "" {
		_, _ = e.update(ctx, x.OrderID, func(a *model.Aggregate) error {
			a.Log(model.TimelineEntry{At: now, Entity: "order", Event: "exception.resolved", Cause: model.Cause{Kind: model.CauseOperator, Ref: actor},
				Message: fmt.Sprintf("%s exception resolved (%s): %s", x.Kind, x.Resolution, x.Reason)})
			return nil
		})
	}
	return x, nil
}

// resolveOrderExceptions closes the routing exceptions of an order that
// is no longer on hold.
func (e *Engine) resolveOrderExceptions(ctx context.Context, orderID, actor, action string) error {
	xs, _, err := e.Exceptions(ctx, store.Query{Field: "order", Value: orderID, Limit: 500})
	if err != nil {
		return err
	}
	for _, x := range xs {
		if x.Status != "open" || (x.Kind != model.ExUnroutable && x.Kind != model.ExRejectedNoAlt) {
			continue
		}
		_, v, err := e.Exception(ctx, x.ID)
		if err != nil {
			return err
		}
		if _, err := e.markResolved(ctx, &x, v, action, actor, ""); err != nil && !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return nil
}

// DeadLettered raises the exception that makes a dead letter visible in
// the operator's list (the worker calls it when it buries a job).
func (e *Engine) DeadLettered(ctx context.Context, j *store.Job, cause error) {
	x := model.Exception{Kind: model.ExDeadLetter, Ref: j.ID, OrderID: j.Meta["order"], PONumber: j.Meta["po"],
		Supplier: firstNonEmpty(j.Meta["supplier"], j.Meta[MetaConnector]), Actions: []string{"retry", "discard"},
		Reason: fmt.Sprintf("%s job failed: %v", j.Kind, cause)}
	if err := e.raise(ctx, x); err != nil {
		e.Log.Error("raising dead-letter exception", "job", j.ID, "err", err)
	}
}

// ReplayDeadLetter puts a dead job back on its queue and closes its
// exception.
func (e *Engine) ReplayDeadLetter(ctx context.Context, jobID, actor string) error {
	if err := e.Store.Replay(ctx, jobID); err != nil {
		return err
	}
	return e.closeDeadLetterExceptions(ctx, jobID, "retry", actor)
}

// DiscardDeadLetter deletes a dead job and closes its exception.
func (e *Engine) DiscardDeadLetter(ctx context.Context, jobID, actor string) error {
	if err := e.Store.Discard(ctx, jobID); err != nil {
		return err
	}
	return e.closeDeadLetterExceptions(ctx, jobID, "discard", actor)
}

func (e *Engine) closeDeadLetterExceptions(ctx context.Context, jobID, action, actor string) error {
	xs, _, err := e.Exceptions(ctx, store.Query{Field: "ref", Value: jobID, Limit: 50})
	if err != nil {
		return err
	}
	for _, x := range xs {
		if x.Kind != model.ExDeadLetter || x.Status != "open" {
			continue
		}
		_, v, err := e.Exception(ctx, x.ID)
		if err != nil {
			return err
		}
		if _, err := e.markResolved(ctx, &x, v, action, actor, ""); err != nil && !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return nil
}
