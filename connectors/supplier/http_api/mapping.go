package http_api

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dropgate/dropgate/core/model"
)

// linePending is the line_statuses meaning of a line the supplier has
// not decided yet. It is internal: a line still pending holds the whole
// answer back, because the lines an acknowledgement does not mention
// follow its header verdict, and "accepted" is not what pending means.
const linePending = "pending"

// orderStatus maps a supplier status value to its meaning.
func (c *Connector) orderStatus(m Match) (string, error) {
	v, err := text(m)
	if err != nil {
		return "", err
	}
	meaning, ok := c.c.statuses[strings.ToLower(strings.TrimSpace(v))]
	if !ok {
		return "", fmt.Errorf("%s: order status %q is not in the statuses table (add it under one of: %s)", m.Path, v, strings.Join(statusNames, ", "))
	}
	return meaning, nil
}

// optionalText reads p in doc, "" when p is nil or the value is absent.
func optionalText(p *Path, doc any, at string) (string, error) {
	if p == nil {
		return "", nil
	}
	m, ok := p.First(doc, at)
	if !ok {
		return "", nil
	}
	s, err := text(m)
	return strings.TrimSpace(s), err
}

// readStatus returns the order status meaning at m.status ("" when the
// mapping reads none) and the reason text.
func (c *Connector) readStatus(doc any, m respMap) (status, reason string, err error) {
	if m.status != nil {
		v, ok := m.status.First(doc, "$")
		if !ok {
			return "", "", fmt.Errorf("the answer has no order status at %s", m.status)
		}
		if status, err = c.orderStatus(v); err != nil {
			return "", "", err
		}
	}
	reason, err = optionalText(m.reason, doc, "$")
	return status, reason, err
}

// ack reads a purchase order acknowledgement out of an answer. It returns
// nil when the answer decides nothing yet: a pending order whose lines
// carry no verdict. Any value it cannot read is an error naming its JSON
// path; a half-read answer is never returned, since the lines it leaves
// out would be taken as accepted.
func (c *Connector) ack(doc any, m respMap, po *model.PurchaseOrder, supplierID string) (*model.POAck, error) {
	status, reason, err := c.readStatus(doc, m)
	if err != nil {
		return nil, err
	}
	var lines []model.AckLine
	pending := false
	if m.lines != nil {
		if lines, pending, err = c.ackLines(doc, m.lines, po); err != nil {
			return nil, err
		}
	}
	a := &model.POAck{PONumber: po.Number, Supplier: po.Supplier, SupplierID: supplierID, Reason: reason, Lines: lines}
	switch status {
	case statusRejected, statusCancelled:
		a.Status = "rejected"
		a.Reason = firstNonEmpty(reason, "rejected by the supplier")
		return a, nil
	case statusPending, "":
		if pending || len(lines) == 0 {
			return nil, nil
		}
	}
	if pending {
		return nil, nil
	}
	a.Status = "accepted"
	rejected := 0
	for _, l := range lines {
		if l.Status != model.AckAccepted {
			a.Status = "accepted_with_changes"
		}
		if l.Status == model.AckRejected {
			rejected++
		}
	}
	if rejected > 0 && rejected == len(lines) && len(lines) >= len(po.Lines) {
		a.Status = "rejected"
	}
	return a, nil
}

// ackLines reads the per-line verdicts. pending reports a line the
// supplier has not decided.
func (c *Connector) ackLines(doc any, lm *lineMap, po *model.PurchaseOrder) (lines []model.AckLine, pending bool, err error) {
	for _, el := range lm.path.Eval(doc, "$") {
		var al model.AckLine
		if err := lineRef(&al.LineNo, &al.SKU, &al.SupplierSKU, lm.ref, lm.match, el); err != nil {
			return nil, false, err
		}
		al.Status = model.AckAccepted
		if lm.status != nil {
			m, ok := lm.status.First(el.Value, el.Path)
			if !ok {
				return nil, false, fmt.Errorf("the answer has no line status at %s", lm.status.Join(el.Path))
			}
			v, err := text(m)
			if err != nil {
				return nil, false, err
			}
			meaning, ok := c.c.lineStatuses[strings.ToLower(strings.TrimSpace(v))]
			if !ok {
				return nil, false, fmt.Errorf("%s: line status %q is not in the line_statuses table (add it under accepted, rejected, backordered or pending)", m.Path, v)
			}
			if meaning == linePending {
				pending = true
				continue
			}
			al.Status = meaning
		}
		if lm.quantity != nil {
			if m, ok := lm.quantity.First(el.Value, el.Path); ok {
				if al.Quantity, err = quantity(m); err != nil {
					return nil, false, err
				}
			}
		}
		if al.Reason, err = optionalText(lm.reason, el.Value, el.Path); err != nil {
			return nil, false, err
		}
		// An accepted quantity below what was ordered is a change: the
		// core releases the rest to another supplier.
		if l := findLine(po, al.LineNo, al.SKU, al.SupplierSKU); al.Status == model.AckAccepted && l != nil && al.Quantity > 0 && al.Quantity < l.Quantity-l.Cancelled {
			al.Status = model.AckChanged
		}
		lines = append(lines, al)
	}
	return lines, pending, nil
}

// lineRef reads an element's reference to one of our lines into the
// field match names.
func lineRef(lineNo *int, sku, supplierSKU *string, ref *Path, match string, el Match) error {
	m, ok := ref.First(el.Value, el.Path)
	if !ok {
		return fmt.Errorf("the answer has no line reference at %s", ref.Join(el.Path))
	}
	v, err := text(m)
	if err != nil {
		return err
	}
	v = strings.TrimSpace(v)
	switch match {
	case matchSKU:
		*sku = v
	case matchSupplierSKU:
		*supplierSKU = v
	default:
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return fmt.Errorf("%s: line reference %q is not a PO line number", m.Path, v)
		}
		*lineNo = n
	}
	return nil
}

// findLine finds our PO line an answer refers to.
func findLine(po *model.PurchaseOrder, lineNo int, sku, supplierSKU string) *model.POLine {
	for i := range po.Lines {
		l := &po.Lines[i]
		switch {
		case lineNo > 0 && l.LineNo == lineNo,
			lineNo == 0 && sku != "" && l.SKU == sku,
			lineNo == 0 && supplierSKU != "" && l.SupplierSKU == supplierSKU:
			return l
		}
	}
	return nil
}
