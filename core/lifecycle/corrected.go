package lifecycle

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dropgate/dropgate/core/model"
)

// Corrected takes in a channel's newer version of an order held as
// invalid before any purchase order was drafted (an Amazon order listed
// while Pending, without its address; a Shopify order whose address the
// merchant fixed): when the new version is valid it replaces the stored
// one, the invalid holds are lifted and their exceptions settled, and the
// order goes on as a new one would — the release policy, then routing.
// Anything else is left alone (Outcome.Changed false).
func Corrected(a *model.Aggregate, o *model.Order, p ReleasePolicy, r Router, s Step) Outcome {
	var out Outcome
	invalid := func(h model.Hold) bool { return h.Code == model.HoldInvalidOrder }
	if a.Order.Status == model.OrderCancelled || len(a.POs) > 0 || !slices.ContainsFunc(a.Order.Holds, invalid) || len(Validate(o)) > 0 {
		return out
	}
	out.Changed = true
	var kept []model.Hold
	var lifted []string
	for _, h := range a.Order.Holds {
		if invalid(h) {
			lifted = append(lifted, h.Reason)
			continue
		}
		kept = append(kept, h)
	}
	status := a.Order.Status
	a.Order = *o
	a.Order.Status, a.Order.Holds = status, kept
	a.Log(model.TimelineEntry{At: s.At, Entity: "order", Event: "order.corrected", Cause: s.Cause,
		Message: fmt.Sprintf("the channel's newer version of the order is complete: %s", strings.Join(lifted, "; "))})
	out.settle("", "the channel corrected the order", model.ExInvalidOrder)
	if len(a.Order.Holds) == 0 {
		for _, h := range p.Holds(&a.Order, s) {
			a.Order.AddHold(h)
			announceHold(a, h, s, &out)
		}
	}
	if len(a.Order.Holds) == 0 {
		a.Order.Status = model.OrderReceived
		out.Add(Route(a, r, false, s))
	} else {
		a.Order.Status = model.OrderOnHold
	}
	out.emit(model.Event{Type: model.EvAvailabilityChanged})
	return out
}
