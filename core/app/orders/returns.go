package orders

import (
	"context"
	"errors"
	"fmt"

	"github.com/dropgate/dropgate/core/app/returns"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// ReturnRequested opens the return a customer asked the channel for; the
// returns service takes it to the supplier from there. The channel's id
// of the request makes a redelivered webhook one return. A request that
// asks for what cannot be returned, or for an order dropgate does not
// have, is a permanent error: it fails the same way on every retry.
func (s *Service) ReturnRequested(ctx context.Context, channel string, ev connector.ChannelEvent, cause model.Cause) error {
	if ev.Return == nil {
		return fault.Permanentf("return request from %s for order %s carries no return", channel, ev.ChannelOrderID)
	}
	req := returns.Request{OrderID: model.OrderID(channel, ev.ChannelOrderID), Reason: ev.Return.Reason, Source: channel, ChannelRef: ev.Return.ID}
	for _, l := range ev.Return.Lines {
		req.Lines = append(req.Lines, returns.RequestLine{SKU: l.LineID, Quantity: l.Quantity})
	}
	_, _, err := s.d.Change(ctx, req.OrderID, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		_, out, err := returns.Open(a, req, st)
		return out, err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fault.Permanentf("return %s from %s: order %s is unknown here", ev.Return.ID, channel, ev.ChannelOrderID)
	case errors.Is(err, returns.ErrInput):
		return fault.Permanent(fmt.Errorf("return %s from %s: %w", ev.Return.ID, channel, err))
	}
	return err
}
