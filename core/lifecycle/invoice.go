package lifecycle

import (
	"fmt"
	"strings"

	"github.com/dropgate/dropgate/core/model"
)

// InvoiceProblemsKey is the key of an invoice.mismatched event's data
// holding the differences found, one a line.
const InvoiceProblemsKey = "problems"

// ApplyInvoice matches a supplier invoice (810, INVOIC) to its PO: every
// invoiced line against the quantity shipped and the agreed unit cost.
// Variances are flagged as an exception; a clean invoice on a fully
// shipped PO closes it.
func ApplyInvoice(a *model.Aggregate, inv *model.Invoice, docID string, s Step) (Outcome, error) {
	var out Outcome
	if docID != "" && a.HasSeen(docID) {
		return out, nil
	}
	po := a.PO(inv.PONumber)
	if po == nil {
		return out, fmt.Errorf("%w: %s", ErrUnknownPO, inv.PONumber)
	}
	id, known := InvoiceIdentity(inv, po.Supplier)
	if !admit(a, po, fmt.Sprintf("invoice %s", orDash(inv.Number)), id, known, docID, s, &out) {
		return out, nil
	}
	out.Changed = true
	a.Invoices = append(a.Invoices, *inv)
	var problems []string
	invoiced := map[int]int64{}
	for _, il := range inv.Lines {
		l := findPOLine(po, il.LineNo, il.SupplierSKU, il.SKU, il.GTIN)
		if l == nil {
			problems = append(problems, fmt.Sprintf("line %d (%s) is not on the PO", il.LineNo, il.SupplierSKU))
			continue
		}
		invoiced[l.LineNo] += il.Quantity
		if il.UnitPrice.Currency == l.UnitCost.Currency && il.UnitPrice.Amount != l.UnitCost.Amount {
			problems = append(problems, fmt.Sprintf("%s: price %s, agreed %s", l.SKU, il.UnitPrice, l.UnitCost))
		} else if il.UnitPrice.Currency != "" && l.UnitCost.Currency != "" && il.UnitPrice.Currency != l.UnitCost.Currency {
			problems = append(problems, fmt.Sprintf("%s: invoiced in %s, agreed in %s", l.SKU, il.UnitPrice.Currency, l.UnitCost.Currency))
		}
	}
	for _, l := range po.Lines {
		if q := invoiced[l.LineNo]; q != l.Shipped && (q != 0 || l.Shipped != 0) {
			problems = append(problems, fmt.Sprintf("%s: invoiced %d, shipped %d", l.SKU, q, l.Shipped))
		}
	}
	msg := fmt.Sprintf("invoice %s from %s for %s: %s", inv.Number, po.Supplier, po.Number, inv.Total)
	if len(problems) == 0 {
		a.Log(model.TimelineEntry{At: s.At, Entity: "po:" + po.Number, Event: "invoice.matched", Cause: s.Cause, Message: msg + ", matches the PO and shipments"})
		out.emit(model.Event{Type: model.EvInvoiceMatched, PONumber: po.Number, Supplier: po.Supplier, Data: map[string]string{"invoice": inv.Number}})
		if po.Status == model.POShipped {
			movePO(a, po, model.POClosed, s, "po.closed", fmt.Sprintf("%s shipped and invoiced; closed", po.Number))
		}
		return out, nil
	}
	a.Log(model.TimelineEntry{At: s.At, Entity: "po:" + po.Number, Event: "invoice.mismatch", Cause: s.Cause, Message: msg + "; " + strings.Join(problems, "; ")})
	// The problems travel with the event: accounts payable flags them on
	// the supplier's payable (core/app/payables).
	out.emit(model.Event{Type: model.EvInvoiceMismatched, PONumber: po.Number, Supplier: po.Supplier,
		Data: map[string]string{"invoice": inv.Number, InvoiceProblemsKey: strings.Join(problems, "\n")}})
	out.raise(model.ExInvoiceMismatch, a, po, fmt.Sprintf("invoice %s does not match %s: %s", inv.Number, po.Number, strings.Join(problems, "; ")), "resolve")
	return out, nil
}
