package lifecycle

import (
	"fmt"
	"strings"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/routing"
)

// Router chooses suppliers for order lines (routing.Router).
type Router interface {
	Route(routing.Request) routing.Result
}

// Receive takes a new order in (its aggregate a, not yet stored): it
// checks what would make it unfulfillable, then whether the release
// policy p lets it go yet (payment, risk), and routes it when nothing
// holds it. Every problem becomes a hold and, where a person must act, an
// exception: the order is kept and visible, never retried in a loop. A
// payment hold waits for the channel to show the order paid.
func Receive(a *model.Aggregate, r Router, p ReleasePolicy, s Step) Outcome {
	var out Outcome
	out.Changed = true
	a.Order.Status = model.OrderReceived
	a.Log(model.TimelineEntry{
		At: s.At, Entity: "order", Event: "order.received", To: string(model.OrderReceived), Cause: s.Cause,
		Message: fmt.Sprintf("order %s received from %s with %d line(s)", orDash(a.Order.ChannelOrderNumber), a.Order.Channel, len(a.Order.Lines)),
	})
	out.emit(model.Event{Type: model.EvOrderReceived})
	for _, p := range Validate(&a.Order) {
		a.Order.AddHold(model.Hold{Code: model.HoldInvalidOrder, Reason: p, At: s.At})
	}
	if len(a.Order.Holds) == 0 {
		for _, h := range p.Holds(&a.Order, s) {
			a.Order.AddHold(h)
		}
	}
	if len(a.Order.Holds) == 0 {
		out.Add(Route(a, r, false, s))
	}
	for _, h := range a.Order.Holds {
		announceHold(a, h, s, &out)
	}
	// Its units are now committed: what the channels show changes.
	out.emit(model.Event{Type: model.EvAvailabilityChanged})
	return out
}

// announceHold logs a new hold of an order, tells the event table and,
// where a person must act, raises the exception with its fixes.
func announceHold(a *model.Aggregate, h model.Hold, s Step, out *Outcome) {
	a.Log(model.TimelineEntry{At: s.At, Entity: "order", Event: "order.on_hold", To: string(model.OrderOnHold), Cause: s.Cause, Message: h.Reason, Data: map[string]string{"code": h.Code}})
	out.emit(model.Event{Type: model.EvOrderHeld, LineID: h.LineID, Data: map[string]string{"code": h.Code}})
	// An invalid order is fixed on the channel (a person resolves the
	// exception); an unroutable one by a catalog change and a reroute.
	switch {
	case h.Code == model.HoldUnroutable:
		out.raise(model.ExUnroutable, a, nil, h.Reason, "reroute", "resolve")
	case h.Code == model.HoldPayment || h.Code == model.HoldReview:
		// Normal for a bank transfer: the order page and the on_hold
		// filter show it; the paid update releases it.
	case IsReleaseHold(h.Code):
		out.raise(model.ExReleaseHeld, a, nil, h.Reason, "release", "resolve")
	default:
		out.raise(model.ExInvalidOrder, a, nil, h.Reason, "resolve")
	}
}

// Route finds suppliers for the order's open units and drafts one PO per
// supplier. At intake (reroute false) a line nobody carries holds the
// whole order: a merchant would rather look than ship half. On a reroute
// (rejections, SLA breaches, withdrawals) the lines that found a new
// supplier go ahead and only the others are held, with an exception.
func Route(a *model.Aggregate, r Router, reroute bool, s Step) Outcome {
	var out Outcome
	a.Recompute()
	open := OpenLines(a)
	if len(open) == 0 {
		return out
	}
	out.Changed = true
	req := routing.Request{Order: &a.Order, Exclude: Excluded(a)}
	for _, l := range a.Order.Lines {
		if n := open[l.ID]; n > 0 {
			req.Lines = append(req.Lines, routing.Line{ID: l.ID, SKU: l.SKU, Qty: n, Tags: l.ProductTags})
		}
	}
	res := r.Route(req)
	if bad := res.Unroutable(); len(bad) > 0 {
		code := model.HoldUnroutable
		if reroute {
			code = model.HoldNoAlternative
		}
		for _, l := range bad {
			a.Order.AddHold(model.Hold{Code: code, Reason: l.Why, LineID: l.LineID, At: s.At})
			if reroute {
				out.raise(model.ExRejectedNoAlt, a, nil, fmt.Sprintf("line %s (%s): no other supplier: %s", l.LineID, l.SKU, l.Why), "reroute", "resolve")
				a.Log(model.TimelineEntry{At: s.At, Entity: "line:" + l.LineID, Event: "line.no_alternative", Cause: s.Cause, Message: l.Why})
			}
		}
		if !reroute {
			return out
		}
		kept := res.Lines[:0]
		for _, l := range res.Lines {
			if l.Winner != nil {
				kept = append(kept, l)
			}
		}
		res.Lines = kept
	}
	for _, po := range DraftPOs(a, res, s) {
		a.POs = append(a.POs, po)
		event := "po.created"
		if reroute {
			event = "po.rerouted"
		}
		a.Log(model.TimelineEntry{
			At: s.At, Entity: "po:" + po.Number, Event: event, To: string(model.PODraft), Cause: s.Cause,
			Message: fmt.Sprintf("purchase order %s drafted for %s: %s", po.Number, po.Supplier, poLinesSummary(&po)),
		})
		out.emit(model.Event{Type: model.EvPODrafted, PONumber: po.Number, Supplier: po.Supplier})
	}
	for _, l := range res.Lines {
		a.Log(model.TimelineEntry{
			At: s.At, Entity: "line:" + l.LineID, Event: "line.routed", Cause: s.Cause,
			Message: fmt.Sprintf("%d × %s → %s: %s", l.Qty, l.SKU, l.Winner.Supplier, l.Why),
			Data:    map[string]string{"supplier": l.Winner.Supplier},
		})
	}
	if len(res.Lines) > 0 {
		a.Log(routingDecided(s, res))
	}
	return out
}

// routingDecided sums a routing up for the timeline: the shipments, the
// landed cost, and whether the plan is the exact cheapest one or the
// heuristic's (and why).
func routingDecided(s Step, res routing.Result) model.TimelineEntry {
	var sups, totals []string
	for _, sh := range res.Shipments {
		sups = append(sups, sh.Supplier)
	}
	for _, t := range res.Totals {
		totals = append(totals, t.String())
	}
	msg := fmt.Sprintf("shipments: %d (%s), landed %s", len(res.Shipments), strings.Join(sups, ", "), strings.Join(totals, " + "))
	data := map[string]string{}
	if res.Search != nil {
		msg += "; search: " + res.Search.String()
		data["search"] = res.Search.Method
	}
	// Measured scores change over time: the entry keeps the ones this
	// decision used, and what they were made of.
	for sup, b := range res.Scores {
		data["score."+sup] = b.String()
	}
	if lines := res.ScoreLines(); len(lines) > 0 {
		msg += "; scores: " + strings.Join(lines, "; ")
	}
	return model.TimelineEntry{At: s.At, Entity: "order", Event: "routing.decided", Cause: s.Cause, Message: msg, Data: data}
}

// DraftPOs groups routed lines by supplier, in the order the suppliers
// first appear, so PO numbering is deterministic.
func DraftPOs(a *model.Aggregate, res routing.Result, s Step) []model.PurchaseOrder {
	var order []string
	bySupplier := map[string]*model.PurchaseOrder{}
	for _, l := range res.Lines {
		w := l.Winner
		po := bySupplier[w.Supplier]
		if po == nil {
			seq := a.NextSeq(w.Supplier)
			po = &model.PurchaseOrder{
				Number: model.PONumber(a.Order.ID, w.Supplier, seq), Seq: seq,
				OrderID: a.Order.ID, Supplier: w.Supplier, Status: model.PODraft,
				Currency: w.Cost.Currency, Created: s.At,
				OrderNumber: a.Order.ChannelOrderNumber, ShippingMethod: a.Order.ShippingMethod,
			}
			if a.Order.ShippingAddress != nil {
				po.ShipTo = *a.Order.ShippingAddress
			}
			bySupplier[w.Supplier] = po
			order = append(order, w.Supplier)
		}
		title := w.Title
		if ol := a.Order.Line(l.LineID); ol != nil && ol.Title != "" {
			title = ol.Title
		}
		po.Lines = append(po.Lines, model.POLine{
			LineNo: len(po.Lines) + 1, OrderLineID: l.LineID, SKU: l.SKU, SupplierSKU: w.SupplierSKU,
			GTIN: w.GTIN, Description: title, Quantity: l.Qty, UnitCost: w.Cost,
		})
	}
	out := make([]model.PurchaseOrder, 0, len(order))
	for _, sup := range order {
		out = append(out, *bySupplier[sup])
	}
	return out
}

func poLinesSummary(po *model.PurchaseOrder) string {
	parts := make([]string, len(po.Lines))
	for i, l := range po.Lines {
		parts[i] = fmt.Sprintf("%d × %s (%s)", l.Quantity, l.SKU, l.SupplierSKU)
	}
	return strings.Join(parts, ", ")
}

// Reroute lifts an order's routing holds and routes its open units again
// (an operator's action after the catalog was fixed or a supplier came
// back). Holds a reroute cannot lift are an error.
func Reroute(a *model.Aggregate, r Router, actor string, s Step) (Outcome, error) {
	if a.Order.Status == model.OrderCancelled {
		return Outcome{}, fmt.Errorf("order %s is cancelled", a.Order.ID)
	}
	kept := a.Order.Holds[:0]
	for _, h := range a.Order.Holds {
		if h.Code != model.HoldUnroutable && h.Code != model.HoldNoAlternative {
			kept = append(kept, h)
		}
	}
	a.Order.Holds = kept
	if len(kept) > 0 {
		return Outcome{}, fmt.Errorf("order %s has holds a reroute cannot lift: %s", a.Order.ID, kept[0].Reason)
	}
	a.Log(model.TimelineEntry{At: s.At, Entity: "order", Event: "order.reroute_requested", Cause: s.Cause,
		Message: fmt.Sprintf("%s asked to route the open lines again", actor)})
	out := Route(a, r, len(a.POs) > 0, s)
	out.Changed = true
	if len(a.Order.Holds) == 0 {
		out.Settle("", "rerouted", actor, model.ExUnroutable, model.ExRejectedNoAlt)
	}
	return out, nil
}
