package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// Job kinds of the order lifecycle.
const (
	KindDocApply    = "doc.apply"        // a supplier document, applied to its order
	KindPOCancel    = "po.cancel"        // ask a supplier to cancel a PO
	KindSLAAck      = "po.sla.ack"       // runs when a PO's acknowledgement is due
	KindSLAShip     = "po.sla.ship"      // runs when a PO's shipment is due
	KindFulfillment = "fulfillment.push" // tell the channel a shipment left
)

// effects carries out what an update decided, after it is saved: every
// step is its own idempotent job, so a crash here is repaired by the retry
// of the job that called it.
func (e *Engine) effects(ctx context.Context, a *model.Aggregate, out lifecycle.Outcome, extra []model.Exception) error {
	// Settle first: a problem raised again by the same step stays open.
	for _, st := range out.Settled {
		if err := e.settle(ctx, a.Order.ID, st); err != nil {
			return err
		}
	}
	for _, x := range append(out.Exceptions, extra...) {
		if err := e.raise(ctx, x); err != nil {
			return err
		}
	}
	for i := range a.POs {
		po := &a.POs[i]
		if po.Status == model.PODraft {
			if err := e.indexPO(ctx, po); err != nil {
				return err
			}
		}
	}
	if err := e.dispatchDrafts(ctx, a); err != nil {
		return err
	}
	for _, n := range out.Cancel {
		po := a.PO(n)
		if po == nil {
			continue
		}
		if err := e.enqueue(ctx, store.Job{Queue: QueueOutbound, Kind: KindPOCancel, Group: supplierGroup(po), Key: "supplier:" + po.Supplier,
			Meta: map[string]string{"order": a.Order.ID, "po": n, "supplier": po.Supplier}, UniqueKey: "po.cancel:" + n,
			MaxAttempts: e.attempts(po.Supplier)}); err != nil {
			return fmt.Errorf("queue cancellation of %s: %w", n, err)
		}
	}
	for _, id := range out.Shipments {
		// Fulfillments of one order go one at a time (the channel's
		// fulfillment orders change with each), in a group of their own so
		// a channel outage does not hold up the order's supplier documents.
		if err := e.enqueue(ctx, store.Job{Queue: QueueOutbound, Kind: KindFulfillment, Group: "fulfill:" + a.Order.ID, Key: "channel:" + a.Order.Channel,
			Meta: map[string]string{"order": a.Order.ID, "shipment": id, "channel": a.Order.Channel}, UniqueKey: "fulfillment:" + id,
			MaxAttempts: e.attempts(a.Order.Channel)}); err != nil {
			return fmt.Errorf("queue fulfillment of %s: %w", id, err)
		}
	}
	return nil
}

// scheduleSLA queues the timers of a PO just sent: jobs that run when its
// acknowledgement and its shipment are due. Durable and shared by every
// replica, they fire once even across restarts.
func (e *Engine) scheduleSLA(ctx context.Context, po *model.PurchaseOrder) error {
	for _, t := range []struct {
		kind string
		at   *time.Time
	}{{KindSLAAck, po.AckDueAt}, {KindSLAShip, po.ShipDueAt}} {
		if t.at == nil {
			continue
		}
		if err := e.enqueue(ctx, store.Job{Queue: QueueOutbound, Kind: t.kind, Group: "", RunAt: *t.at,
			Meta:      map[string]string{"order": po.OrderID, "po": po.Number, "supplier": po.Supplier},
			UniqueKey: t.kind + ":" + po.Number}); err != nil {
			return fmt.Errorf("schedule %s for %s: %w", t.kind, po.Number, err)
		}
	}
	return nil
}

// supplierGroup orders the jobs that talk to one supplier about one order
// (the send before the cancellation), without making a supplier outage
// hold up the order's other suppliers or its documents.
func supplierGroup(po *model.PurchaseOrder) string {
	return "po:" + po.OrderID + ":" + po.Supplier
}
