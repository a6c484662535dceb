package lifecycle

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dropgate/dropgate/core/model"
)

// ErrUnknownPO is returned when a document names a PO the order lacks.
var ErrUnknownPO = errors.New("document names a purchase order this order does not have")

// Outcome tells the caller what an applied document asks for next.
type Outcome struct {
	Changed bool
	// Reroute: some units are open again (rejected, withdrawn) and need
	// another supplier.
	Reroute bool
	// Shipments to tell the channel about (ids).
	Shipments []string
	// Cancel lists PO numbers whose supplier must be asked to cancel.
	Cancel []string
	// Exceptions for an operator.
	Exceptions []model.Exception
	// Settled are open exceptions whose cause is gone: close them.
	Settled []Settled
}

// Settled names the exceptions of an order (of one PO when PONumber is
// set) that no longer need a person, and why.
type Settled struct {
	Kinds    []model.ExceptionKind
	PONumber string
	Why      string
}

func (o *Outcome) settle(po string, why string, kinds ...model.ExceptionKind) {
	o.Settled = append(o.Settled, Settled{Kinds: kinds, PONumber: po, Why: why})
}

func (o *Outcome) raise(kind model.ExceptionKind, a *model.Aggregate, po *model.PurchaseOrder, reason string, actions ...string) {
	x := model.Exception{Kind: kind, OrderID: a.Order.ID, Reason: reason, Actions: actions}
	if po != nil {
		x.PONumber, x.Supplier = po.Number, po.Supplier
	}
	o.Exceptions = append(o.Exceptions, x)
}

// ApplyPOAck applies a supplier's purchase order acknowledgement (855,
// ORDRSP, an API's answer). docID dedupes: the same document twice changes
// nothing.
//
// Per line, accepted units become acknowledged, backordered units stay
// with the supplier as backordered, rejected units are released and the
// outcome asks for a reroute. A header-level accept or reject covers the
// lines the document does not mention. An answer to our cancellation
// request (CancelResponse) settles it.
func ApplyPOAck(a *model.Aggregate, ack *model.POAck, docID string, s Step) (Outcome, error) {
	var out Outcome
	if docID != "" && a.HasSeen(docID) {
		return out, nil
	}
	po := a.PO(ack.PONumber)
	if po == nil {
		return out, fmt.Errorf("%w: %s", ErrUnknownPO, ack.PONumber)
	}
	if !admit(a, po, "acknowledgement of "+po.Number, POAckIdentity(ack), true, docID, s, &out) {
		return out, nil
	}
	out.Changed = true
	if ack.CancelResponse != "" {
		applyCancelAnswer(a, po, ack, s, &out)
		return out, nil
	}
	if po.Status == model.POCancelRequested || po.Status == model.POCancelled || po.Withdrawn() {
		a.Log(model.TimelineEntry{At: s.At, Entity: "po:" + po.Number, Event: "po.ack_ignored", Cause: s.Cause,
			Message: fmt.Sprintf("acknowledgement from %s arrived after the PO was %s; recorded, nothing changed", po.Supplier, po.Status)})
		return out, nil
	}
	if ack.SupplierID != "" {
		po.SetRef("supplier:"+po.Supplier, ack.SupplierID)
	}
	answered := map[int]bool{}
	changes := false
	for _, al := range ack.Lines {
		l := findPOLine(po, al.LineNo, al.SupplierSKU, al.SKU, al.GTIN)
		if l == nil {
			out.raise(model.ExDocumentRejected, a, po, fmt.Sprintf("acknowledgement line %d (%s) matches no line of %s", al.LineNo, al.SupplierSKU, po.Number), "resolve")
			continue
		}
		if !answered[l.LineNo] {
			// The latest answer for a line replaces earlier ones (a
			// supplier may send a revised 855).
			l.Acknowledged, l.Backordered, l.Rejected, l.RejectReason = 0, 0, 0, ""
			answered[l.LineNo] = true
		}
		parts := al.SplitAnswers
		if len(parts) == 0 {
			parts = []model.AckLine{al}
		}
		for _, p := range parts {
			if applyLineAnswer(a, po, l, p, s) {
				changes = true
			}
		}
		if al.UnitCost != nil && al.UnitCost.Amount != l.UnitCost.Amount && al.UnitCost.Currency == l.UnitCost.Currency {
			a.Log(model.TimelineEntry{At: s.At, Entity: "po:" + po.Number, Event: "po.price_changed", Cause: s.Cause,
				Message: fmt.Sprintf("%s: supplier changed the unit cost from %s to %s", lineLabel(po, l), l.UnitCost, al.UnitCost)})
			l.UnitCost = *al.UnitCost
			changes = true
		}
		if al.ShipDate != nil {
			d := *al.ShipDate
			l.PromisedShip = &d
		}
	}
	// Lines the document does not mention follow its header verdict.
	for i := range po.Lines {
		l := &po.Lines[i]
		if answered[l.LineNo] {
			continue
		}
		switch ack.Status {
		case "rejected":
			l.Rejected = l.Quantity - l.Cancelled
			l.RejectReason = firstNonEmpty(ack.Reason, "purchase order rejected")
			changes = true
		default:
			l.Acknowledged = l.Quantity - l.Cancelled - l.Shipped
		}
	}
	checkBackorders(a, po, s, &out)
	out.settle(po.Number, "the supplier acknowledged "+po.Number, model.ExAckOverdue)
	status := model.POAcknowledged
	liveTotal, rejectedAll := int64(0), true
	for _, l := range po.Lines {
		liveTotal += l.Live()
		if l.Live() > 0 {
			rejectedAll = false
		}
		if l.Rejected > 0 {
			out.Reroute = true
		}
	}
	switch {
	case rejectedAll:
		status = model.PORejected
	case changes || ack.Status == "accepted_with_changes":
		status = model.POAckWithChanges
	}
	now := s.At
	po.AcknowledgedAt = &now
	if po.Status == model.POPartiallyShipped || po.Status == model.POShipped {
		// The ship notice overtook the acknowledgement (documents travel
		// separately). The PO keeps its shipping status, but lines the
		// acknowledgement released may mean everything still due has
		// now shipped.
		if po.Status == model.POPartiallyShipped && allShipped(po) {
			movePO(a, po, model.POShipped, s, "po.shipped", fmt.Sprintf("%s has shipped everything it accepted on %s", po.Supplier, po.Number))
		}
		return out, nil
	}
	msg := fmt.Sprintf("%s acknowledged %s: %d unit(s) still expected", po.Supplier, po.Number, liveTotal)
	if status == model.PORejected {
		msg = fmt.Sprintf("%s rejected %s: %s", po.Supplier, po.Number, firstNonEmpty(ack.Reason, "every line rejected"))
	}
	movePO(a, po, status, s, "po."+string(status), msg)
	return out, nil
}

// allShipped reports whether every unit still due on the PO has shipped.
func allShipped(po *model.PurchaseOrder) bool {
	for _, l := range po.Lines {
		if l.Shipped < l.Live() {
			return false
		}
	}
	return true
}

// applyLineAnswer records one answer for one PO line and logs it.
func applyLineAnswer(a *model.Aggregate, po *model.PurchaseOrder, l *model.POLine, p model.AckLine, s Step) bool {
	qty := p.Quantity
	remaining := l.Quantity - l.Cancelled - l.Acknowledged - l.Backordered - l.Rejected
	if qty <= 0 || qty > remaining {
		qty = remaining
	}
	reason := firstNonEmpty(p.Reason, p.ReasonCode)
	var what string
	changed := true
	switch p.Status {
	case model.AckAccepted:
		l.Acknowledged += qty
		what, changed = "accepted", false
	case model.AckChanged:
		l.Acknowledged += qty
		what = "accepted with changes"
		if p.Quantity > 0 && p.Quantity < remaining {
			// An accepted quantity below what we asked for releases
			// the rest to another supplier.
			l.Rejected += remaining - p.Quantity
			l.RejectReason = firstNonEmpty(reason, "quantity reduced by the supplier")
			what = fmt.Sprintf("accepted %d of %d", p.Quantity, remaining)
		}
	case model.AckBackordered:
		l.Backordered += qty
		what = "backordered"
		if p.ShipDate != nil {
			what += ", expected to ship " + p.ShipDate.UTC().Format("2006-01-02")
		} else {
			what += " with no ship date"
		}
	case model.AckRejected:
		l.Rejected += qty
		l.RejectReason = firstNonEmpty(reason, "rejected by the supplier")
		what = "rejected"
	default:
		return false
	}
	msg := fmt.Sprintf("%s: %d unit(s) %s", lineLabel(po, l), qty, what)
	if reason != "" {
		msg += " (" + reason + ")"
	}
	a.Log(model.TimelineEntry{At: s.At, Entity: "po:" + po.Number, Event: "po.line_" + strings.ReplaceAll(string(p.Status), " ", "_"), Cause: s.Cause, Message: msg,
		Data: map[string]string{"line": fmt.Sprint(l.LineNo), "quantity": fmt.Sprint(qty)}})
	return changed
}

// applyCancelAnswer settles a cancellation request.
func applyCancelAnswer(a *model.Aggregate, po *model.PurchaseOrder, ack *model.POAck, s Step, out *Outcome) {
	switch ack.CancelResponse {
	case "accepted":
		for i := range po.Lines {
			l := &po.Lines[i]
			l.Cancelled = l.Quantity - l.Shipped - l.Rejected
		}
		movePO(a, po, model.POCancelled, s, "po.cancelled", fmt.Sprintf("%s confirmed the cancellation of %s", po.Supplier, po.Number))
		if po.Withdrawn() {
			out.Reroute = true
		}
	default:
		movePO(a, po, model.POCancelRejected, s, "po.cancel_rejected",
			fmt.Sprintf("%s refused to cancel %s: %s", po.Supplier, po.Number, firstNonEmpty(ack.Reason, "no reason given")))
		out.raise(model.ExCancelRejected, a, po, fmt.Sprintf("%s refused to cancel %s (%s)", po.Supplier, po.Number, firstNonEmpty(ack.Reason, "no reason given")), "resolve")
	}
}

// findPOLine matches a document line to a PO line: by line number when
// the supplier echoes it (and its identifiers, if any, agree), else by any
// identifier the supplier sent (its SKU, our SKU, a GTIN). Partners send
// whichever they keep: an EANCOM DESADV often carries only the GTIN.
func findPOLine(po *model.PurchaseOrder, no int, idents ...string) *model.POLine {
	var ids []string
	for _, id := range idents {
		if id != "" {
			ids = append(ids, id)
		}
	}
	matches := func(l *model.POLine) bool {
		for _, id := range ids {
			if l.SupplierSKU == id || l.SKU == id || (l.GTIN != "" && l.GTIN == id) {
				return true
			}
		}
		return false
	}
	if no > 0 {
		if l := po.Line(no); l != nil && (len(ids) == 0 || matches(l)) {
			return l
		}
	}
	for i := range po.Lines {
		if matches(&po.Lines[i]) {
			return &po.Lines[i]
		}
	}
	if no > 0 {
		return po.Line(no)
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// checkBackorders flags backordered lines a person should decide on: those
// whose expected ship date (the 855's ACK date, the ORDRSP's DTM) is past
// the PO's ship-by date from the supplier's SLA, and those with no date at
// all, which would otherwise sit in "processing" forever. The exception
// offers a reroute: the PO is withdrawn and its units go to the next
// supplier.
func checkBackorders(a *model.Aggregate, po *model.PurchaseOrder, s Step, out *Outcome) {
	var late, undated []string
	for _, l := range po.Lines {
		if l.Backordered <= 0 {
			continue
		}
		switch {
		case l.PromisedShip == nil:
			undated = append(undated, fmt.Sprintf("%d × %s", l.Backordered, l.SKU))
		case po.ShipDueAt != nil && l.PromisedShip.After(*po.ShipDueAt):
			late = append(late, fmt.Sprintf("%d × %s until %s", l.Backordered, l.SKU, l.PromisedShip.UTC().Format("2006-01-02")))
		}
	}
	if len(late) > 0 {
		out.raise(model.ExBackordered, a, po, fmt.Sprintf("%s backordered %s on %s, past the ship-by date %s", po.Supplier, strings.Join(late, ", "),
			po.Number, po.ShipDueAt.UTC().Format("2006-01-02 15:04 MST")), "reroute", "resolve")
	}
	if len(late)+len(undated) == 0 {
		out.settle(po.Number, "no backorder on "+po.Number+" is late any more", model.ExBackordered)
	}
	if len(undated) > 0 {
		out.raise(model.ExBackordered, a, po, fmt.Sprintf("%s backordered %s on %s without an expected ship date", po.Supplier, strings.Join(undated, ", "), po.Number),
			"reroute", "resolve")
	}
}
