package model

import (
	"time"
)

// Aggregate is an order with everything that hangs off it: its purchase
// orders, shipments, invoices and timeline. It is stored and updated as
// one unit so a supplier document changes PO, lines and timeline together
// or not at all.
type Aggregate struct {
	Order     Order           `json:"order"`
	POs       []PurchaseOrder `json:"purchase_orders"`
	Shipments []Shipment      `json:"shipments"`
	Invoices  []Invoice       `json:"invoices,omitempty"`
	Payments  []Payment       `json:"payments,omitempty"`
	Returns   []Return        `json:"returns,omitempty"`
	Timeline  []TimelineEntry `json:"timeline"`
	// Seen holds ids of inbound documents already applied, so a
	// redelivered 855 or 856 changes nothing the second time.
	Seen []string `json:"seen,omitempty"`
	// Applied holds the business identity of every supplier document
	// applied (lifecycle.DocIdentity), so the same 856 re-sent in a new
	// envelope is recognised as a duplicate and one that contradicts an
	// earlier document as a conflict.
	Applied []AppliedDoc `json:"applied,omitempty"`
	// Outbox holds the domain events of recent changes, written with the
	// change itself, so a worker that dies between saving and publishing
	// does not lose them: the job's retry publishes them again (their
	// subscribers are idempotent). Pruned after a day.
	Outbox  []Event   `json:"outbox,omitempty"`
	Created time.Time `json:"created_at"`
	Updated time.Time `json:"updated_at"`
}

// AppliedDoc is the business identity of a document applied to an order.
type AppliedDoc struct {
	Key         string    `json:"key"`
	Fingerprint string    `json:"fingerprint"`
	DocID       string    `json:"doc_id,omitempty"` // the envelope id it came in first
	At          time.Time `json:"at"`
}

// PO returns the purchase order with the given number, or nil.
func (a *Aggregate) PO(number string) *PurchaseOrder {
	for i := range a.POs {
		if a.POs[i].Number == number {
			return &a.POs[i]
		}
	}
	return nil
}

// Log appends a timeline entry.
func (a *Aggregate) Log(e TimelineEntry) {
	a.Timeline = append(a.Timeline, e)
}

// HasSeen reports whether the inbound document id was already applied.
func (a *Aggregate) HasSeen(id string) bool {
	for _, s := range a.Seen {
		if s == id {
			return true
		}
	}
	return false
}

// MarkSeen records an applied inbound document id.
func (a *Aggregate) MarkSeen(id string) {
	if !a.HasSeen(id) {
		a.Seen = append(a.Seen, id)
	}
}

// Suppliers returns the distinct suppliers with a PO on this order.
func (a *Aggregate) Suppliers() []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range a.POs {
		if !seen[p.Supplier] {
			seen[p.Supplier] = true
			out = append(out, p.Supplier)
		}
	}
	return out
}

// NextSeq returns the sequence number for a new PO to supplier.
func (a *Aggregate) NextSeq(supplier string) int {
	n := 0
	for _, p := range a.POs {
		if p.Supplier == supplier && p.Seq > n {
			n = p.Seq
		}
	}
	return n + 1
}

// Recompute derives every line's buckets and state, and the order status,
// from the purchase orders and shipments. Derived, never edited by hand,
// so the numbers cannot drift apart.
func (a *Aggregate) Recompute() {
	o := &a.Order
	byLine := make(map[string]*Buckets, len(o.Lines))
	for i := range o.Lines {
		l := &o.Lines[i]
		l.Qty = Buckets{Ordered: l.Quantity, Cancelled: l.Cancelled, Returned: l.Returned}
		byLine[l.ID] = &l.Qty
	}
	for _, p := range a.POs {
		for _, pl := range p.Lines {
			b := byLine[pl.OrderLineID]
			if b == nil {
				continue
			}
			live := pl.Live() - pl.Shipped
			if live <= 0 {
				continue
			}
			switch {
			case p.Status == PODraft:
				b.Routed += live
			case p.Status == POCancelled || p.Status == PORejected || p.Withdrawn():
				// released: the units are open again (or cancelled on the order)
			case pl.Backordered > 0 || pl.Acknowledged > 0:
				back := min(pl.Backordered, live)
				b.Backordered += back
				b.Acknowledged += live - back
			default:
				b.Sent += live
			}
		}
	}
	for _, s := range a.Shipments {
		for _, pkg := range s.Packages {
			for _, sl := range pkg.Lines {
				if b := byLine[sl.OrderLineID]; b != nil {
					b.Shipped += sl.Quantity
					if pkg.Status == TrackDelivered || (pkg.Status == "" && s.Status == TrackDelivered) {
						b.Delivered += sl.Quantity
					}
				}
			}
		}
	}
	for i := range o.Lines {
		o.Lines[i].State = o.Lines[i].Qty.State()
	}
	o.Status = a.deriveStatus()
}

func (a *Aggregate) deriveStatus() OrderStatus {
	o := &a.Order
	if o.Status == OrderCancelled {
		return OrderCancelled
	}
	if len(o.Holds) > 0 {
		return OrderOnHold
	}
	if len(o.Lines) == 0 {
		return OrderReceived
	}
	counts := map[LineState]int{}
	live := 0
	for _, l := range o.Lines {
		if l.State == LineCancelled {
			continue
		}
		live++
		counts[l.State]++
	}
	if live == 0 {
		return OrderCancelled
	}
	switch {
	case counts[LineDelivered]+counts[LineReturned] == live:
		return OrderDelivered
	case counts[LineShipped]+counts[LineDelivered]+counts[LineReturned] == live:
		return OrderShipped
	case counts[LineShipped]+counts[LineDelivered]+counts[LinePartiallyShipped] > 0:
		return OrderPartiallyShipped
	case counts[LineOpen] == live:
		return OrderReceived
	case counts[LineOpen]+counts[LineRouted] == live:
		return OrderRouted
	default:
		return OrderProcessing
	}
}
