package orders

import (
	"context"
	"fmt"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// ChannelCancel is an order an operator cancelled, to cancel on its
// channel too.
type ChannelCancel struct {
	Order   string `json:"order"`
	Channel string `json:"channel"`
	Reason  string `json:"reason,omitempty"`
	Actor   string `json:"actor,omitempty"`
}

// KindCancelOnChannel tells the channel an order was cancelled here (its
// OrderCanceller), once, through the channel's limiter.
var KindCancelOnChannel = job.Kind[ChannelCancel]{Name: "order.cancel_on_channel", Queue: app.QueueOutbound,
	Options: func(c ChannelCancel) job.Options {
		return job.Options{Group: "fulfill:" + c.Order, Key: "channel:" + c.Channel, UniqueKey: "cancel-on-channel:" + c.Order}
	},
	Subject: func(c ChannelCancel) job.Subject { return job.Subject{Order: c.Order, Connector: c.Channel} },
}

// CancelOrder cancels an order at an operator's request: the suppliers
// are asked to cancel its POs (the payment is voided or refunded by the
// payments service on order.cancelled), and a job cancels it on the
// channel when the channel can.
func (s *Service) CancelOrder(ctx context.Context, orderID, actor, reason string) (*model.Aggregate, error) {
	cause := model.Cause{Kind: model.CauseOperator, Ref: actor}
	a, _, err := s.d.Change(ctx, orderID, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		out, err := lifecycle.OperatorCancel(a, actor, reason, st)
		if err != nil {
			return out, fault.Permanent(err)
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	c := ChannelCancel{Order: a.Order.ID, Channel: a.Order.Channel, Reason: reason, Actor: actor}
	if err := job.Enqueue(ctx, s.d.Queue, KindCancelOnChannel, c, job.Attempts(s.d.Attempts(c.Channel))); err != nil {
		return a, fmt.Errorf("order %s cancelled; queue its cancellation on %s: %w", orderID, c.Channel, err)
	}
	return a, nil
}

// handleCancelOnChannel cancels the order on its channel and says so on
// the timeline; a channel that cannot cancel by API gets a timeline entry
// asking a person to do it there.
func (s *Service) handleCancelOnChannel(ctx context.Context, j *store.Job, c ChannelCancel) error {
	a, version, err := s.d.Orders.Get(ctx, c.Order)
	if err != nil {
		return err
	}
	ch, ok := s.d.Channels[c.Channel]
	if !ok {
		return fault.Permanentf("cancel on channel: channel %q is not configured", c.Channel)
	}
	msg := fmt.Sprintf("order cancelled on %s", c.Channel)
	if canceller, ok := connector.As[connector.OrderCanceller](ch); ok {
		if err := canceller.CancelOrder(ctx, &a.Order, c.Reason); err != nil {
			return fmt.Errorf("cancel order %s on %s: %w", c.Order, c.Channel, err)
		}
	} else {
		msg = fmt.Sprintf("%s cannot cancel orders by API: cancel order %s there by hand", c.Channel, a.Order.ChannelOrderNumber)
	}
	cause := model.Cause{Kind: model.CauseSystem, Ref: "job/" + j.ID}
	// From the copy read above: read again only if written meanwhile.
	_, _, err = s.d.ChangeFrom(app.Background(ctx), a, version, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		a.Log(model.TimelineEntry{At: st.At, Entity: "order", Event: "order.cancelled_on_channel", Cause: st.Cause, Message: msg})
		return lifecycle.Outcome{Changed: true}, nil
	})
	return err
}
