package app

import (
	"context"
	"errors"

	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/store"
)

// Step is the lifecycle step of a change made now for cause.
func (d *Deps) Step(cause model.Cause) lifecycle.Step {
	return lifecycle.Step{At: d.Now(), Cause: cause}
}

// Change applies fn to a stored order and saves it with the events fn's
// outcome emitted, then publishes them to their subscribers. The events
// are written in the order's outbox in the same write, so a worker that
// dies between saving and publishing loses nothing: the job's retry, whose
// fn then changes nothing (the document was seen, the PO sent), publishes
// what its first run left unpublished. An outcome that changed nothing
// writes nothing.
func (d *Deps) Change(ctx context.Context, orderID string, cause model.Cause, fn func(a *model.Aggregate, s lifecycle.Step) (lifecycle.Outcome, error)) (*model.Aggregate, lifecycle.Outcome, error) {
	return d.change(ctx, cause, fn, func(update func(*model.Aggregate) error) (*model.Aggregate, error) {
		return d.Orders.Update(ctx, orderID, update)
	})
}

// ChangeFrom is Change starting from a, which the caller read at version
// and owns: when nothing was written since, the order is not read (and
// decoded) again. The caller must not use a afterwards.
func (d *Deps) ChangeFrom(ctx context.Context, a *model.Aggregate, version int64, cause model.Cause, fn func(a *model.Aggregate, s lifecycle.Step) (lifecycle.Outcome, error)) (*model.Aggregate, lifecycle.Outcome, error) {
	return d.change(ctx, cause, fn, func(update func(*model.Aggregate) error) (*model.Aggregate, error) {
		return d.Orders.UpdateFrom(ctx, a, version, update)
	})
}

func (d *Deps) change(ctx context.Context, cause model.Cause, fn func(a *model.Aggregate, s lifecycle.Step) (lifecycle.Outcome, error),
	update func(func(*model.Aggregate) error) (*model.Aggregate, error)) (*model.Aggregate, lifecycle.Outcome, error) {
	var out lifecycle.Outcome
	a, err := update(func(a *model.Aggregate) error {
		var err error
		out, err = fn(a, d.Step(cause))
		if err != nil {
			return err
		}
		if !out.Changed {
			return repo.ErrNoChange
		}
		d.stamp(ctx, a, out.Events, cause)
		a.Outbox = append(a.Outbox, out.Events...)
		return nil
	})
	if err != nil {
		return nil, out, err
	}
	evs := out.Events
	if !out.Changed {
		evs = d.unpublished(ctx, a)
	}
	return a, out, d.Events.Publish(ctx, a, evs)
}

// Create stores a new order with the events of its intake and publishes
// them. An order created meanwhile by another delivery wins: Create then
// returns store.ErrConflict and publishes nothing.
func (d *Deps) Create(ctx context.Context, a *model.Aggregate, out lifecycle.Outcome, cause model.Cause) error {
	d.stamp(ctx, a, out.Events, cause)
	a.Outbox = append(a.Outbox, out.Events...)
	if err := d.Orders.Create(ctx, a); err != nil {
		return err
	}
	return d.Events.Publish(ctx, a, out.Events)
}

// Republish publishes the events a is holding that an earlier run of the
// current job produced (the job retried after its first run saved them).
func (d *Deps) Republish(ctx context.Context, a *model.Aggregate) error {
	return d.Events.Publish(ctx, a, d.unpublished(ctx, a))
}

// stamp fills what the lifecycle leaves to the caller: time, order, cause
// and the job that made the change.
func (d *Deps) stamp(ctx context.Context, a *model.Aggregate, evs []model.Event, cause model.Cause) {
	var jobID string
	if j := job.FromContext(ctx); j != nil {
		jobID = j.ID
	}
	now := d.Now()
	for i := range evs {
		ev := &evs[i]
		if ev.At.IsZero() {
			ev.At = now
		}
		if ev.OrderID == "" {
			ev.OrderID = a.Order.ID
		}
		if ev.Cause.Kind == "" {
			ev.Cause = cause
		}
		ev.Job = jobID
		if x := ev.Exception; x != nil && x.OrderID == "" {
			x.OrderID = a.Order.ID
		}
	}
}

// unpublished returns a's outbox events of the current job when it is a
// retry (the only case in which they may not have been published).
func (d *Deps) unpublished(ctx context.Context, a *model.Aggregate) []model.Event {
	j := job.FromContext(ctx)
	if j == nil || j.Attempt <= 1 || j.ID == "" { // the first delivery is attempt 1
		return nil
	}
	var evs []model.Event
	for _, ev := range a.Outbox {
		if ev.Job == j.ID {
			evs = append(evs, ev)
		}
	}
	return evs
}

// IgnoreDuplicate treats a unique-key duplicate as done.
func IgnoreDuplicate(err error) error {
	if errors.Is(err, store.ErrDuplicate) {
		return nil
	}
	return err
}
