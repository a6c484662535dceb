package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// CancelOrder applies a channel cancellation: drafts are cancelled on the
// spot, POs with suppliers get a cancellation request, shipped ones are
// flagged.
//
// The same rule holds for every channel and every path (webhook, poll,
// sweep): a cancellation is what the platform signed, so an event whose
// order does not show it cancelled changes nothing.
func (e *Engine) CancelOrder(ctx context.Context, channel string, ev connector.ChannelEvent, cause model.Cause) error {
	if !ev.ProvesCancellation() {
		e.Log.Warn("cancellation ignored: the payload does not show the order cancelled",
			"channel", channel, "order", ev.ChannelOrderID, "cause", cause.Ref)
		return nil
	}
	orderID := model.OrderID(channel, ev.ChannelOrderID)
	var out lifecycle.Outcome
	a, err := e.update(ctx, orderID, func(a *model.Aggregate) error {
		out = lifecycle.RequestCancel(a, ev.Reason, lifecycle.Step{At: e.now(), Cause: cause})
		if !out.Changed {
			return errNoChange
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return e.cancelUnseen(ctx, channel, ev, cause)
	}
	if err != nil {
		return err
	}
	e.syncSoon(ctx) // its units are no longer committed
	return e.effects(ctx, a, out, nil)
}

// cancelUnseen keeps an order cancelled before dropgate ever saw it (its
// orders/create was lost or comes late) as a cancelled record, so a late
// orders/create does not resurrect it.
func (e *Engine) cancelUnseen(ctx context.Context, channel string, ev connector.ChannelEvent, cause model.Cause) error {
	if ev.Order == nil {
		return nil
	}
	o := *ev.Order
	o.Status = model.OrderCancelled
	a := &model.Aggregate{Order: o, Created: e.now()}
	a.Log(model.TimelineEntry{At: e.now(), Entity: "order", Event: "order.cancelled", To: string(model.OrderCancelled), Cause: cause,
		Message: fmt.Sprintf("order cancelled on %s before dropgate received it", channel)})
	if err := e.save(ctx, a, 0); err != nil && !errors.Is(err, store.ErrConflict) {
		return err
	}
	return nil
}
