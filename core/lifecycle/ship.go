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
func ApplyShipNotice(a *model.Aggregate, sn *model.ShipNotice, docID string, s Step) (Outcome, error) {
	var out Outcome
	if docID != "" && a.HasSeen(docID) {
		return out, nil
	}
	po := a.PO(sn.PONumber)
	if po == nil {
		return out, fmt.Errorf("%w: %s", ErrUnknownPO, sn.PONumber)
	}
	out.Changed = true
	if docID != "" {
		a.MarkSeen(docID)
	}
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
	for _, pkg := range sn.Packages {
		p := pkg
		p.Lines = nil
		if p.Status == "" {
			p.Status = model.TrackInTransit
		}
		for _, sl := range pkg.Lines {
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
	if len(sh.Packages) == 0 {
		return out, nil
	}
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
