package lifecycle

import (
	"fmt"
	"slices"
	"time"

	"github.com/dropgate/dropgate/core/model"
)

// poTransitions is the purchase-order state machine (DESIGN §3). A status
// change not listed here is refused, so a late or duplicated document can
// never move a PO backwards (a 855 after the 856, say).
var poTransitions = map[model.POStatus][]model.POStatus{
	model.PODraft:            {model.POSent, model.POCancelled},
	model.POSent:             {model.POAcknowledged, model.POAckWithChanges, model.PORejected, model.POAckOverdue, model.POPartiallyShipped, model.POShipped, model.POCancelRequested},
	model.POAckOverdue:       {model.POAcknowledged, model.POAckWithChanges, model.PORejected, model.POPartiallyShipped, model.POShipped, model.POCancelRequested},
	model.POAcknowledged:     {model.POPartiallyShipped, model.POShipped, model.POCancelRequested, model.PORejected},
	model.POAckWithChanges:   {model.POPartiallyShipped, model.POShipped, model.POCancelRequested, model.PORejected},
	model.POPartiallyShipped: {model.POShipped, model.POCancelRequested, model.POClosed},
	model.POShipped:          {model.POClosed},
	model.POCancelRequested:  {model.POCancelled, model.POCancelRejected, model.POPartiallyShipped, model.POShipped},
	model.POCancelRejected:   {model.POPartiallyShipped, model.POShipped, model.POClosed},
}

// CanMove reports whether a PO may go from one status to another.
func CanMove(from, to model.POStatus) bool {
	return from == to || slices.Contains(poTransitions[from], to)
}

// Step is one state change applied to an aggregate, for the timeline.
type Step struct {
	At    time.Time
	Cause model.Cause
}

// movePO changes a PO's status if the machine allows it and logs the
// change; it reports whether anything changed.
func movePO(a *model.Aggregate, po *model.PurchaseOrder, to model.POStatus, s Step, event, msg string) bool {
	if po.Status == to || !CanMove(po.Status, to) {
		return false
	}
	from := po.Status
	po.Status = to
	a.Log(model.TimelineEntry{At: s.At, Entity: "po:" + po.Number, Event: event, From: string(from), To: string(to), Cause: s.Cause, Message: msg})
	return true
}

// Excluded returns, per order line, the suppliers that must not get it
// again: they rejected it, or their PO for it was withdrawn (SLA breach,
// cancellation for a reroute). Derived from the POs, never stored.
func Excluded(a *model.Aggregate) map[string][]string {
	ex := map[string][]string{}
	for _, po := range a.POs {
		withdrawn := po.Status == model.PORejected || po.Withdrawn()
		for _, l := range po.Lines {
			if (withdrawn || l.Rejected > 0) && !slices.Contains(ex[l.OrderLineID], po.Supplier) {
				ex[l.OrderLineID] = append(ex[l.OrderLineID], po.Supplier)
			}
		}
	}
	return ex
}

// OpenLines returns what still needs a supplier, per order line: ordered,
// not cancelled, not on any live PO. Recompute must have run.
func OpenLines(a *model.Aggregate) map[string]int64 {
	open := map[string]int64{}
	for _, l := range a.Order.Lines {
		if l.NoShipping {
			continue
		}
		if n := l.Qty.Open(); n > 0 {
			open[l.ID] = n
		}
	}
	return open
}

func lineLabel(po *model.PurchaseOrder, l *model.POLine) string {
	return fmt.Sprintf("%s line %d (%s)", po.Number, l.LineNo, l.SKU)
}
