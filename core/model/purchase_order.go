package model

import (
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/money"
)

// POStatus is a purchase order's state (DESIGN §3):
//
//	draft → sent → acknowledged | rejected → partially_shipped → shipped → closed
//	cancel_requested → cancelled | cancel_rejected
//	ack_overdue (set by the SLA timer on a sent PO)
type POStatus string

// Purchase order statuses.
const (
	PODraft            POStatus = "draft"
	POSent             POStatus = "sent"
	POAckOverdue       POStatus = "ack_overdue"
	POAcknowledged     POStatus = "acknowledged"
	POAckWithChanges   POStatus = "acknowledged_with_changes"
	PORejected         POStatus = "rejected"
	POPartiallyShipped POStatus = "partially_shipped"
	POShipped          POStatus = "shipped"
	POClosed           POStatus = "closed"
	POCancelRequested  POStatus = "cancel_requested"
	POCancelled        POStatus = "cancelled"
	POCancelRejected   POStatus = "cancel_rejected"
)

// Final reports whether nothing more can happen to the PO.
func (s POStatus) Final() bool {
	switch s {
	case PORejected, POClosed, POCancelled:
		return true
	}
	return false
}

// PurchaseOrder is what dropgate asks one supplier to ship for one order.
// The ship-to is the customer: the supplier drop-ships.
type PurchaseOrder struct {
	Number   string    `json:"number"` // ours, deterministic: PONumber(order, supplier, seq)
	Seq      int       `json:"seq"`    // 1 for the first PO of this order to this supplier
	OrderID  string    `json:"order_id"`
	Supplier string    `json:"supplier"`
	Status   POStatus  `json:"status"`
	Currency string    `json:"currency"`
	ShipTo   Address   `json:"ship_to"`
	Lines    []POLine  `json:"lines"`
	Created  time.Time `json:"created_at"`
	// Order reference the customer and supplier may quote back.
	OrderNumber    string     `json:"order_number,omitempty"`
	ShippingMethod string     `json:"shipping_method,omitempty"`
	SentAt         *time.Time `json:"sent_at,omitempty"`
	AckDueAt       *time.Time `json:"ack_due_at,omitempty"`
	ShipDueAt      *time.Time `json:"ship_due_at,omitempty"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
	Document       string     `json:"document,omitempty"` // where the last outbound document went (file, message id)
	Refs           []Ref      `json:"refs,omitempty"`     // supplier order id, control numbers
}

// PONumber derives the PO number for an order, supplier and sequence. It is
// short and upper-case alphanumeric so it fits X12 BEG03 (1–22) and EDIFACT
// BGM, survives partners that upper-case everything, and is the same on
// every retry.
func PONumber(orderID, supplier string, seq int) string {
	return "PO" + ids.Upper(10, orderID, supplier, strconv.Itoa(seq))
}

// RefWithdrawn marks a PO dropgate took back from its supplier (an SLA
// breach with on_breach: reroute) so its open lines can go elsewhere.
const RefWithdrawn = "dropgate:withdrawn"

// Withdrawn reports whether dropgate took the PO back to reroute it: its
// unshipped lines no longer count as with the supplier.
func (p *PurchaseOrder) Withdrawn() bool { return p.RefValue(RefWithdrawn) != "" }

// Total returns Σ quantity × unit cost.
func (p *PurchaseOrder) Total() (money.Money, error) {
	sum := money.Money{Currency: p.Currency}
	for _, l := range p.Lines {
		ext, err := l.UnitCost.Mul(l.Quantity)
		if err != nil {
			return money.Money{}, err
		}
		if sum, err = sum.Add(ext); err != nil {
			return money.Money{}, err
		}
	}
	return sum, nil
}

// Line returns the PO line with the given number, or nil.
func (p *PurchaseOrder) Line(no int) *POLine {
	for i := range p.Lines {
		if p.Lines[i].LineNo == no {
			return &p.Lines[i]
		}
	}
	return nil
}

// RefValue returns the id of the first ref of system, or "".
func (p *PurchaseOrder) RefValue(system string) string {
	for _, r := range p.Refs {
		if r.System == system {
			return r.ID
		}
	}
	return ""
}

// SetRef sets (or replaces) the ref of system.
func (p *PurchaseOrder) SetRef(system, id string) {
	for i := range p.Refs {
		if p.Refs[i].System == system {
			p.Refs[i].ID = id
			return
		}
	}
	p.Refs = append(p.Refs, Ref{System: system, ID: id})
}

// POLine is one line of a purchase order.
type POLine struct {
	LineNo      int         `json:"line_no"` // 1-based, PO101 / LIN
	OrderLineID string      `json:"order_line_id"`
	SKU         string      `json:"sku"`          // merchant SKU
	SupplierSKU string      `json:"supplier_sku"` // what the supplier calls it
	GTIN        string      `json:"gtin,omitempty"`
	Description string      `json:"description,omitempty"`
	Quantity    int64       `json:"quantity"`
	UnitCost    money.Money `json:"unit_cost"`
	// What the supplier said and did, per line.
	Acknowledged int64      `json:"acknowledged,omitempty"`
	Backordered  int64      `json:"backordered,omitempty"`
	Rejected     int64      `json:"rejected,omitempty"`
	Cancelled    int64      `json:"cancelled,omitempty"`
	Shipped      int64      `json:"shipped,omitempty"`
	RejectReason string     `json:"reject_reason,omitempty"`
	PromisedShip *time.Time `json:"promised_ship,omitempty"`
}

// Live is the quantity still expected from the supplier on this line.
func (l POLine) Live() int64 {
	n := l.Quantity - l.Rejected - l.Cancelled
	if n < 0 {
		return 0
	}
	return n
}
