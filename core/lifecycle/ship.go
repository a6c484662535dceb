package lifecycle

import (
	"fmt"
	"strings"

	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/model"
)

// ShipmentID derives a shipment's id from the document that reported it,
// so a redelivered 856 maps to the same shipment.
func ShipmentID(docID, poNumber string) string {
	return "shp_" + ids.Derive(16, "shipment", docID, poNumber)
}

// ApplyShipNotice records what a supplier shipped (856, DESADV, an email
// with tracking). Partial shipments and several packages and tracking
// numbers per PO are normal. Shipping a PO we asked to cancel settles the
// cancellation as rejected ("already shipped") and raises an exception.
//
// A WholePO notice ships every live unit not yet shipped, recorded with
// its first package. Packages a notice lists no items for are kept with
// the shipment when it ships anything, so every tracking number reaches
// the channel; a notice that ships nothing records nothing.
func ApplyShipNotice(a *model.Aggregate, sn *model.ShipNotice, docID string, s Step) (Outcome, error) {
	var out Outcome
	if docID != "" && a.HasSeen(docID) {
		return out, nil
	}
	po := a.PO(sn.PONumber)
	if po == nil {
		return out, fmt.Errorf("%w: %s", ErrUnknownPO, sn.PONumber)
	}
	id, known := ShipNoticeIdentity(sn)
	if !admit(a, po, shipNoticeLabel(sn), id, known, docID, s, &out) {
		return out, nil
	}
	out.Changed = true
	sh := model.Shipment{
		ID: ShipmentID(docID, po.Number), OrderID: a.Order.ID, PONumber: po.Number, Supplier: po.Supplier,
		ShippedAt: sn.ShippedAt, Carrier: sn.Carrier, Service: sn.Service, Status: model.TrackInTransit, Source: docID,
	}
	if sh.ShippedAt.IsZero() {
		sh.ShippedAt = s.At
	}
	if sn.ShipmentID != "" {
		sh.Refs = append(sh.Refs, model.Ref{System: "supplier:" + po.Supplier + ":shipment", ID: sn.ShipmentID})
	}
	var units int64
	var bare []model.Package // packages the notice lists no items for
	for i, pkg := range sn.Packages {
		p := pkg
		p.Lines = nil
		if p.Status == "" {
			p.Status = model.TrackInTransit
		}
		lines := pkg.Lines
		if sn.WholePO {
			lines = nil // the notice says "all of it", not which items
			if i == 0 {
				p.Lines, units = shipRemaining(po)
			}
		}
		if len(lines) == 0 && len(p.Lines) == 0 {
			bare = append(bare, p)
		}
		for _, sl := range lines {
			l := findPOLine(po, sl.POLineNo, sl.SupplierSKU, sl.SKU, sl.GTIN)
			if l == nil && len(po.Lines) == 1 && sl.POLineNo == 0 && sl.SKU == "" && sl.SupplierSKU == "" && sl.GTIN == "" {
				l = &po.Lines[0] // a one-line PO: nothing to confuse
			}
			if l == nil {
				out.raise(model.ExDocumentRejected, a, po, fmt.Sprintf("ship notice for %s reports %d × %q, which matches no PO line", po.Number, sl.Quantity, sl.SKU), "resolve")
				continue
			}
			if over := l.Shipped + sl.Quantity - l.Live(); over > 0 {
				out.raise(model.ExDocumentRejected, a, po, fmt.Sprintf("%s: %d unit(s) shipped beyond the %d ordered", lineLabel(po, l), over, l.Live()), "resolve")
			}
			l.Shipped += sl.Quantity
			units += sl.Quantity
			p.Lines = append(p.Lines, model.ShipmentLine{POLineNo: l.LineNo, OrderLineID: l.OrderLineID, SKU: l.SKU, Quantity: sl.Quantity})
		}
		if len(p.Lines) > 0 {
			sh.Packages = append(sh.Packages, p)
		}
	}
	if sn.WholePO && units == 0 {
		// Every unit had already shipped: a repeated "it has shipped"
		// e-mail changes nothing, one with a new tracking number needs
		// a person.
		fresh := newTrackingNumbers(a, po, bare)
		switch {
		case len(fresh) == 0:
		case po.Status == model.POCancelled || po.Withdrawn():
			out.raise(model.ExCancelRejected, a, po, fmt.Sprintf("%s shipped %s after it was cancelled (tracking %s)", po.Supplier, po.Number, strings.Join(fresh, ", ")), "resolve")
		default:
			out.raise(model.ExDocumentRejected, a, po, fmt.Sprintf("%s reports %s shipped with tracking %s, but every unit of it had already shipped", po.Supplier, po.Number, strings.Join(fresh, ", ")), "resolve")
		}
		return out, nil
	}
	if len(sh.Packages) == 0 {
		return out, nil
	}
	// Packages without items travel with the ones that have them: a
	// shipment of several parcels whose document lists the contents once
	// (or not at all, WholePO) keeps every tracking number.
	sh.Packages = append(sh.Packages, bare...)
	a.Shipments = append(a.Shipments, sh)
	out.Shipments = append(out.Shipments, sh.ID)

	done := true
	for _, l := range po.Lines {
		if l.Shipped < l.Live() {
			done = false
		}
	}
	to := model.POPartiallyShipped
	if done {
		to = model.POShipped
	}
	if done {
		out.settle(po.Number, po.Number+" has shipped", model.ExSLABreach, model.ExAckOverdue, model.ExBackordered)
	}
	wasCancelling := po.Status == model.POCancelRequested
	if po.Status == model.POCancelled || po.Withdrawn() {
		out.raise(model.ExCancelRejected, a, po, fmt.Sprintf("%s shipped %s after it was cancelled (tracking %s)", po.Supplier, po.Number, strings.Join(sh.TrackingNumbers(), ", ")), "resolve")
	}
	movePO(a, po, to, s, "po."+string(to), fmt.Sprintf("%s shipped %d unit(s) of %s via %s, tracking %s",
		po.Supplier, units, po.Number, orDash(sh.Carrier), orDash(strings.Join(sh.TrackingNumbers(), ", "))))
	if wasCancelling {
		a.Log(model.TimelineEntry{At: s.At, Entity: "po:" + po.Number, Event: "po.cancel_rejected", Cause: s.Cause,
			Message: fmt.Sprintf("cancellation of %s failed: %s had already shipped it", po.Number, po.Supplier)})
		out.raise(model.ExCancelRejected, a, po, fmt.Sprintf("cancellation of %s rejected: already shipped", po.Number), "resolve")
	}
	a.Log(model.TimelineEntry{At: s.At, Entity: "shipment:" + sh.ID, Event: "shipment.created", Cause: s.Cause,
		Message: fmt.Sprintf("shipment of %d package(s) from %s", len(sh.Packages), po.Supplier)})
	return out, nil
}

func shipNoticeLabel(sn *model.ShipNotice) string {
	if sn.ShipmentID != "" {
		return fmt.Sprintf("ship notice %s for %s", sn.ShipmentID, sn.PONumber)
	}
	return "ship notice for " + sn.PONumber
}

// shipRemaining marks every live unit of po not yet shipped as shipped
// (a WholePO notice) and returns them as shipment lines.
func shipRemaining(po *model.PurchaseOrder) ([]model.ShipmentLine, int64) {
	var lines []model.ShipmentLine
	var units int64
	for i := range po.Lines {
		l := &po.Lines[i]
		n := l.Live() - l.Shipped
		if n <= 0 {
			continue
		}
		l.Shipped += n
		units += n
		lines = append(lines, model.ShipmentLine{POLineNo: l.LineNo, OrderLineID: l.OrderLineID, SKU: l.SKU, Quantity: n})
	}
	return lines, units
}

// newTrackingNumbers returns the tracking numbers of pkgs that no
// shipment of po has yet.
func newTrackingNumbers(a *model.Aggregate, po *model.PurchaseOrder, pkgs []model.Package) []string {
	known := map[string]bool{}
	for _, sh := range a.Shipments {
		if sh.PONumber == po.Number {
			for _, n := range sh.TrackingNumbers() {
				known[n] = true
			}
		}
	}
	var out []string
	for _, p := range pkgs {
		if p.TrackingNumber != "" && !known[p.TrackingNumber] {
			out = append(out, p.TrackingNumber)
		}
	}
	return out
}

// RecordFulfillment notes that the channel now shows a shipment.
func RecordFulfillment(a *model.Aggregate, shipmentID, channelID string, s Step) bool {
	for i := range a.Shipments {
		sh := &a.Shipments[i]
		if sh.ID != shipmentID || sh.ChannelFulfillmentID == channelID {
			continue
		}
		sh.ChannelFulfillmentID = channelID
		a.Log(model.TimelineEntry{At: s.At, Entity: "shipment:" + sh.ID, Event: "fulfillment.created", Cause: s.Cause,
			Message: fmt.Sprintf("%s shows the shipment as fulfillment %s with tracking %s", a.Order.Channel, channelID, orDash(strings.Join(sh.TrackingNumbers(), ", ")))})
		return true
	}
	return false
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
