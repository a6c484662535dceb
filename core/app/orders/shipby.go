package orders

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// Marketplaces penalise a shipment confirmed late (Amazon's late shipment
// rate, eBay's handling time): an order with a ship-by deadline is checked
// ahead of it, and units still unshipped then are an exception while a
// person can still act.

// shipByWarning is how long before the deadline the check runs; an order
// received closer to its deadline is checked halfway there.
const shipByWarning = 24 * time.Hour

// ShipByCheck names the order whose deadline to check.
type ShipByCheck struct {
	Order string    `json:"order"`
	By    time.Time `json:"by"`
}

// KindShipByCheck runs ahead of an order's ship-by deadline.
var KindShipByCheck = job.Kind[ShipByCheck]{Name: "order.ship_by", Queue: app.QueueInbound,
	Options: func(c ShipByCheck) job.Options {
		return job.Options{UniqueKey: "order.ship_by:" + c.Order + ":" + c.By.UTC().Format(time.RFC3339)}
	},
	Subject: func(c ShipByCheck) job.Subject { return job.Subject{Order: c.Order} },
}

// onReceived schedules the deadline check of an order that has one.
func (s *Service) onReceived(ctx context.Context, a *model.Aggregate, _ model.Event) error {
	by := a.Order.ShipBy
	if by == nil || by.IsZero() {
		return nil
	}
	now := s.d.Now()
	at := by.Add(-shipByWarning)
	if at.Before(now) {
		at = now.Add(by.Sub(now) / 2)
	}
	return job.Enqueue(ctx, s.d.Queue, KindShipByCheck, ShipByCheck{Order: a.Order.ID, By: *by}, job.At(at))
}

// handleShipBy raises the exception when units are still unshipped.
func (s *Service) handleShipBy(ctx context.Context, _ *store.Job, c ShipByCheck) error {
	a, _, err := s.d.Orders.Get(ctx, c.Order)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	switch a.Order.Status {
	case model.OrderShipped, model.OrderDelivered, model.OrderCancelled:
		return nil
	}
	var open int64
	for _, l := range a.Order.Lines {
		if !l.NoShipping {
			open += max(0, l.Qty.Ordered-l.Qty.Cancelled-l.Qty.Shipped)
		}
	}
	if open == 0 {
		return nil
	}
	x := model.Exception{Kind: model.ExShipByAtRisk, OrderID: a.Order.ID, Supplier: a.Order.Channel, Actions: []string{"resolve"},
		Reason: fmt.Sprintf("order %s must ship by %s on %s and %d unit(s) have not shipped", a.Order.ChannelOrderNumber,
			c.By.UTC().Format("2006-01-02 15:04 MST"), a.Order.Channel, open)}
	return s.d.Events.Publish(ctx, a, []model.Event{{Type: model.EvExceptionRaised, OrderID: a.Order.ID, At: s.d.Now(), Exception: &x}})
}
