// Package fulfilment tells the channel what shipped: each supplier
// shipment becomes one channel fulfillment with its tracking, pushed once.
package fulfilment

import (
	"context"
	"fmt"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/event"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// Shipment names one shipment of one order.
type Shipment struct {
	Order    string `json:"order"`
	Shipment string `json:"shipment"`
	Channel  string `json:"channel"`
}

// KindPush pushes one shipment to the order's channel. Fulfillments of one
// order go one at a time (the channel's fulfillment orders change with
// each), in a group of their own so a channel outage does not hold up the
// order's supplier documents.
var KindPush = job.Kind[Shipment]{Name: "fulfillment.push", Queue: app.QueueOutbound,
	Options: func(s Shipment) job.Options {
		return job.Options{Group: "fulfill:" + s.Order, Key: "channel:" + s.Channel, UniqueKey: "fulfillment:" + s.Shipment}
	},
	Subject: func(s Shipment) job.Subject { return job.Subject{Order: s.Order, Connector: s.Channel} },
}

// Service pushes shipments to channels.
type Service struct{ d *app.Deps }

// New returns the service.
func New(d *app.Deps) *Service { return &Service{d: d} }

// Register installs the push job and its subscription.
func (s *Service) Register(m *job.Mux, t *event.Table) {
	job.Handle(m, KindPush, s.handlePush)
	t.On(model.EvShipmentCreated, "fulfilment.push", s.onShipment)
}

func (s *Service) onShipment(ctx context.Context, a *model.Aggregate, ev model.Event) error {
	p := Shipment{Order: a.Order.ID, Shipment: ev.ShipmentID, Channel: a.Order.Channel}
	if err := job.Enqueue(ctx, s.d.Queue, KindPush, p, job.Attempts(s.d.Attempts(p.Channel))); err != nil {
		return fmt.Errorf("queue fulfillment of %s: %w", ev.ShipmentID, err)
	}
	return nil
}

// handlePush tells the channel about a shipment and records the
// fulfillment it created.
func (s *Service) handlePush(ctx context.Context, j *store.Job, p Shipment) error {
	a, version, err := s.d.Orders.Get(ctx, p.Order)
	if err != nil {
		return err
	}
	var sh *model.Shipment
	for i := range a.Shipments {
		if a.Shipments[i].ID == p.Shipment {
			sh = &a.Shipments[i]
		}
	}
	if sh == nil {
		return fault.Permanentf("fulfillment: order %s has no shipment %s", p.Order, p.Shipment)
	}
	if sh.ChannelFulfillmentID != "" {
		return s.d.Republish(ctx, a)
	}
	ch, ok := s.d.Channels[a.Order.Channel]
	if !ok {
		return fault.Permanentf("fulfillment: channel %q is not configured", a.Order.Channel)
	}
	pusher, ok := connector.As[connector.FulfillmentPusher](ch)
	if !ok {
		return nil // a channel without fulfillments (a marketplace polled elsewhere)
	}
	id, err := pusher.PushFulfillment(ctx, &a.Order, sh)
	if err != nil {
		return fmt.Errorf("push shipment %s to %s: %w", p.Shipment, a.Order.Channel, err)
	}
	cause := model.Cause{Kind: model.CauseSystem, Ref: "job/" + j.ID}
	// From the copy read above (see purchasing's handleSend).
	_, _, err = s.d.ChangeFrom(app.Background(ctx), a, version, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		var out lifecycle.Outcome
		if lifecycle.RecordFulfillment(a, p.Shipment, id, st) {
			out.Changed = true
			out.Emit(model.Event{Type: model.EvFulfillmentCreated, ShipmentID: p.Shipment, Data: map[string]string{"fulfillment": id}})
		}
		return out, nil
	})
	return err
}
