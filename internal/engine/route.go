package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/routing"
)

// route finds suppliers for the order's open units and drafts one PO per
// supplier. At intake (reroute false) a line nobody carries holds the
// whole order: a merchant would rather look than ship half. On a reroute
// (rejections, SLA breaches) the lines that found a new supplier go ahead
// and only the others are held, with an exception.
func (e *Engine) route(a *model.Aggregate, cause model.Cause, reroute bool) []model.Exception {
	now := e.now()
	a.Recompute()
	open := lifecycle.OpenLines(a)
	if len(open) == 0 {
		return nil
	}
	req := routing.Request{Order: &a.Order, Exclude: lifecycle.Excluded(a)}
	for _, l := range a.Order.Lines {
		if n := open[l.ID]; n > 0 {
			req.Lines = append(req.Lines, routing.Line{ID: l.ID, SKU: l.SKU, Qty: n, Tags: l.ProductTags})
		}
	}
	res := e.Router.Route(req)
	var exceptions []model.Exception
	if bad := res.Unroutable(); len(bad) > 0 {
		code := model.HoldUnroutable
		if reroute {
			code = model.HoldNoAlternative
		}
		for _, l := range bad {
			a.Order.AddHold(model.Hold{Code: code, Reason: l.Why, LineID: l.LineID, At: now})
			if reroute {
				exceptions = append(exceptions, model.Exception{Kind: model.ExRejectedNoAlt, OrderID: a.Order.ID,
					Reason: fmt.Sprintf("line %s (%s): no other supplier: %s", l.LineID, l.SKU, l.Why), Actions: []string{"reroute", "resolve"}})
				a.Log(model.TimelineEntry{At: now, Entity: "line:" + l.LineID, Event: "line.no_alternative", Cause: cause, Message: l.Why})
			}
		}
		if !reroute {
			return nil
		}
		kept := res.Lines[:0]
		for _, l := range res.Lines {
			if l.Winner != nil {
				kept = append(kept, l)
			}
		}
		res.Lines = kept
	}
	for _, po := range e.draftPOs(a, res) {
		a.POs = append(a.POs, po)
		event := "po.created"
		if reroute {
			event = "po.rerouted"
		}
		a.Log(model.TimelineEntry{
			At: now, Entity: "po:" + po.Number, Event: event, To: string(model.PODraft), Cause: cause,
			Message: fmt.Sprintf("purchase order %s drafted for %s: %s", po.Number, po.Supplier, poLinesSummary(&po)),
		})
	}
	for _, l := range res.Lines {
		a.Log(model.TimelineEntry{
			At: now, Entity: "line:" + l.LineID, Event: "line.routed", Cause: cause,
			Message: fmt.Sprintf("%d × %s → %s: %s", l.Qty, l.SKU, l.Winner.Supplier, l.Why),
			Data:    map[string]string{"supplier": l.Winner.Supplier},
		})
	}
	if len(res.Lines) > 0 {
		a.Log(routingDecided(now, cause, res))
	}
	return exceptions
}

// routingDecided sums a routing up for the timeline: the shipments, the
// landed cost, and whether the plan is the exact cheapest one or the
// heuristic's (and why).
func routingDecided(now time.Time, cause model.Cause, res routing.Result) model.TimelineEntry {
	var sups, totals []string
	for _, s := range res.Shipments {
		sups = append(sups, s.Supplier)
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
	return model.TimelineEntry{At: now, Entity: "order", Event: "routing.decided", Cause: cause, Message: msg, Data: data}
}

// draftPOs groups routed lines by supplier, in the order the suppliers
// first appear, so PO numbering is deterministic.
func (e *Engine) draftPOs(a *model.Aggregate, res routing.Result) []model.PurchaseOrder {
	var order []string
	bySupplier := map[string]*model.PurchaseOrder{}
	now := e.now()
	for _, l := range res.Lines {
		w := l.Winner
		po := bySupplier[w.Supplier]
		if po == nil {
			seq := a.NextSeq(w.Supplier)
			po = &model.PurchaseOrder{
				Number: model.PONumber(a.Order.ID, w.Supplier, seq), Seq: seq,
				OrderID: a.Order.ID, Supplier: w.Supplier, Status: model.PODraft,
				Currency: w.Cost.Currency, Created: now,
				OrderNumber: a.Order.ChannelOrderNumber, ShippingMethod: a.Order.ShippingMethod,
			}
			if a.Order.ShippingAddress != nil {
				po.ShipTo = *a.Order.ShippingAddress
			}
			bySupplier[w.Supplier] = po
			order = append(order, w.Supplier)
		}
		ol := a.Order.Line(l.LineID)
		title := w.Title
		if ol != nil && ol.Title != "" {
			title = ol.Title
		}
		po.Lines = append(po.Lines, model.POLine{
			LineNo: len(po.Lines) + 1, OrderLineID: l.LineID, SKU: l.SKU, SupplierSKU: w.SupplierSKU,
			GTIN: w.GTIN, Description: title, Quantity: l.Qty, UnitCost: w.Cost,
		})
	}
	out := make([]model.PurchaseOrder, 0, len(order))
	for _, s := range order {
		out = append(out, *bySupplier[s])
	}
	return out
}
