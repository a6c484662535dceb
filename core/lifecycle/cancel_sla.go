package lifecycle

import (
	"fmt"
	"strings"

	"github.com/dropgate/dropgate/core/model"
)

// RequestCancel applies a channel's cancellation of the order: drafts are
// cancelled on the spot, POs with suppliers get a cancellation request
// (the outcome lists them), and POs already shipped cannot be cancelled,
// which is flagged.
func RequestCancel(a *model.Aggregate, reason string, s Step) Outcome {
	var out Outcome
	if a.Order.Status == model.OrderCancelled {
		return out
	}
	out.Changed = true
	from := a.Order.Status
	a.Order.Status = model.OrderCancelled
	now := s.At
	a.Order.CancelledAt = &now
	a.Order.CancelReason = reason
	a.Order.Holds = nil
	for i := range a.POs {
		po := &a.POs[i]
		switch po.Status {
		case model.PODraft:
			movePO(a, po, model.POCancelled, s, "po.cancelled", fmt.Sprintf("purchase order %s cancelled before it was sent", po.Number))
		case model.POSent, model.POAckOverdue, model.POAcknowledged, model.POAckWithChanges, model.POPartiallyShipped:
			if po.Withdrawn() {
				continue
			}
			movePO(a, po, model.POCancelRequested, s, "po.cancel_requested", fmt.Sprintf("asking %s to cancel %s", po.Supplier, po.Number))
			out.emit(model.Event{Type: model.EvPOCancelRequested, PONumber: po.Number, Supplier: po.Supplier})
		case model.POShipped, model.POClosed:
			a.Log(model.TimelineEntry{At: s.At, Entity: "po:" + po.Number, Event: "po.cancel_impossible", Cause: s.Cause,
				Message: fmt.Sprintf("%s already shipped %s; it cannot be cancelled", po.Supplier, po.Number)})
			out.raise(model.ExCancelRejected, a, po, fmt.Sprintf("order cancelled on %s but %s already shipped %s", a.Order.Channel, po.Supplier, po.Number), "resolve")
		}
	}
	// What waited for a person to get the order moving no longer matters.
	out.settle("", "the order was cancelled", model.ExUnroutable, model.ExInvalidOrder, model.ExRejectedNoAlt,
		model.ExSLABreach, model.ExAckOverdue, model.ExBackordered)
	out.emit(model.Event{Type: model.EvOrderCancelled, Data: map[string]string{"reason": reason}})
	out.emit(model.Event{Type: model.EvAvailabilityChanged})
	a.Log(model.TimelineEntry{At: s.At, Entity: "order", Event: "order.cancelled", From: string(from), To: string(model.OrderCancelled), Cause: s.Cause,
		Message: fmt.Sprintf("order cancelled on %s (reason: %s)", a.Order.Channel, orDash(reason))})
	return out
}

// Breach actions (supplier sla.on_breach).
const (
	BreachException = "exception"
	BreachReroute   = "reroute"
)

// CheckAckSLA runs when a PO's acknowledgement is due. A PO still waiting
// becomes ack_overdue; with on_breach: reroute it is also withdrawn (a
// cancellation goes to the supplier) and its lines go to the next
// supplier, otherwise an exception asks a person.
func CheckAckSLA(a *model.Aggregate, number, onBreach string, s Step) Outcome {
	var out Outcome
	po := a.PO(number)
	if po == nil || (po.Status != model.POSent && po.Status != model.POAckOverdue) || po.Withdrawn() || a.Order.Status == model.OrderCancelled {
		return out
	}
	if po.AckDueAt == nil || s.At.Before(*po.AckDueAt) {
		return out
	}
	out.Changed = true
	movePO(a, po, model.POAckOverdue, s, "po.ack_overdue",
		fmt.Sprintf("%s has not acknowledged %s within its SLA (due %s)", po.Supplier, po.Number, po.AckDueAt.UTC().Format("2006-01-02 15:04 MST")))
	breach(a, po, onBreach, "acknowledgement overdue", s, &out)
	return out
}

// CheckShipSLA runs when a PO's shipment is due: units not shipped by then
// make the PO late.
func CheckShipSLA(a *model.Aggregate, number, onBreach string, s Step) Outcome {
	var out Outcome
	po := a.PO(number)
	if po == nil || po.Status.Final() || po.Status == model.POShipped || po.Status == model.POCancelRequested || po.Status == model.POCancelRejected ||
		po.Withdrawn() || a.Order.Status == model.OrderCancelled || po.ShipDueAt == nil || s.At.Before(*po.ShipDueAt) {
		return out
	}
	var late []string
	for _, l := range po.Lines {
		if n := l.Live() - l.Shipped; n > 0 {
			late = append(late, fmt.Sprintf("%d × %s", n, l.SKU))
		}
	}
	if len(late) == 0 {
		return out
	}
	out.Changed = true
	a.Log(model.TimelineEntry{At: s.At, Entity: "po:" + po.Number, Event: "po.ship_late", Cause: s.Cause,
		Message: fmt.Sprintf("%s has not shipped %s of %s within its SLA", po.Supplier, strings.Join(late, ", "), po.Number)})
	breach(a, po, onBreach, "shipment late", s, &out)
	return out
}

func breach(a *model.Aggregate, po *model.PurchaseOrder, onBreach, what string, s Step, out *Outcome) {
	if onBreach == BreachReroute {
		out.Add(Withdraw(a, po.Number, what, s))
		return
	}
	kind := model.ExSLABreach
	if what == "acknowledgement overdue" {
		kind = model.ExAckOverdue
	}
	out.raise(kind, a, po, fmt.Sprintf("%s: %s on %s", po.Supplier, what, po.Number), "reroute", "resolve")
}

// Withdraw takes a PO back from its supplier so its unshipped units go to
// the next one: an SLA breach with on_breach: reroute, or an operator's
// reroute of a late, overdue or backordered PO. The supplier is asked to
// cancel (purchase-order protocols cancel whole orders) and is excluded
// for those lines. A PO already shipped, cancelled or withdrawn is left
// alone.
func Withdraw(a *model.Aggregate, number, why string, s Step) Outcome {
	var out Outcome
	po := a.PO(number)
	if po == nil || po.Withdrawn() || po.Status.Final() || po.Status == model.POShipped || a.Order.Status == model.OrderCancelled {
		return out
	}
	out.Changed = true
	po.SetRef(model.RefWithdrawn, why)
	a.Log(model.TimelineEntry{At: s.At, Entity: "po:" + po.Number, Event: "po.withdrawn", Cause: s.Cause,
		Message: fmt.Sprintf("%s withdrawn from %s (%s); its open lines go to the next supplier", po.Number, po.Supplier, why)})
	switch {
	case po.Status == model.PODraft:
		movePO(a, po, model.POCancelled, s, "po.cancelled", fmt.Sprintf("purchase order %s cancelled before it was sent", po.Number))
	case CanMove(po.Status, model.POCancelRequested):
		movePO(a, po, model.POCancelRequested, s, "po.cancel_requested", fmt.Sprintf("asking %s to cancel %s", po.Supplier, po.Number))
		out.emit(model.Event{Type: model.EvPOCancelRequested, PONumber: po.Number, Supplier: po.Supplier})
	}
	out.settle(po.Number, po.Number+" was withdrawn", model.ExSLABreach, model.ExAckOverdue, model.ExBackordered)
	out.Reroute = true
	return out
}
