package lifecycle

import (
	"fmt"

	"github.com/dropgate/dropgate/core/model"
)

// OperatorCancel cancels an order at a person's request: its unsent POs
// are cancelled, sent ones asked to cancel (RequestCancel). An order
// already cancelled, or shipped whole, has nothing left to cancel.
func OperatorCancel(a *model.Aggregate, actor, reason string, s Step) (Outcome, error) {
	switch a.Order.Status {
	case model.OrderCancelled:
		return Outcome{}, fmt.Errorf("order %s is already cancelled", a.Order.ID)
	case model.OrderShipped, model.OrderDelivered:
		return Outcome{}, fmt.Errorf("order %s is %s: nothing is left to cancel (a return is the way back)", a.Order.ID, a.Order.Status)
	}
	if reason == "" {
		reason = "cancelled by an operator"
	}
	n := len(a.Timeline)
	out := RequestCancel(a, reason, s)
	// RequestCancel speaks of the channel's cancellation; this one is ours.
	for i := n; i < len(a.Timeline); i++ {
		if a.Timeline[i].Event == "order.cancelled" {
			a.Timeline[i].Message = fmt.Sprintf("order cancelled by %s (reason: %s); the channel is told next", actor, reason)
		}
	}
	return out, nil
}
