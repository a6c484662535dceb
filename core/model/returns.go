package model

import (
	"time"

	"github.com/dropgate/dropgate/core/money"
)

// ReturnStatus is where a customer return (RMA) stands.
type ReturnStatus string

// Return statuses: requested → authorized → received → refunded, or
// rejected (by the supplier or an operator) before it is received.
const (
	ReturnRequested  ReturnStatus = "requested"
	ReturnAuthorized ReturnStatus = "authorized"
	ReturnReceived   ReturnStatus = "received"
	ReturnRefunded   ReturnStatus = "refunded"
	ReturnRejected   ReturnStatus = "rejected"
)

// Return is a customer return of shipped units, made through the
// supplier that shipped them: one per purchase order. Its lines' units
// count in the order lines' Returned bucket once the supplier has them
// back (received).
type Return struct {
	ID       string       `json:"id"`
	OrderID  string       `json:"order_id"`
	Supplier string       `json:"supplier,omitempty"`
	PONumber string       `json:"po_number,omitempty"`
	RMA      string       `json:"rma,omitempty"` // the supplier's authorisation number
	Lines    []ReturnLine `json:"lines"`
	Status   ReturnStatus `json:"status"`
	Reason   string       `json:"reason,omitempty"`
	// Source is who asked: "operator" or the channel's name; ChannelRef
	// is the channel's own id of the request.
	Source     string `json:"source"`
	ChannelRef string `json:"channel_ref,omitempty"`
	// RequestDoc names the RMA request sent to the supplier (a file, a
	// Message-ID); empty until sent, or when the supplier takes none.
	RequestDoc string `json:"request_doc,omitempty"`
	// Note is the rejection's reason, or the operator's note.
	Note string `json:"note,omitempty"`
	// Refund is what the customer gets back (the returned lines' share
	// of their totals); Credit what the supplier owes us (PO unit cost ×
	// units), recorded as a negative payable.
	Refund  money.Money `json:"refund"`
	Credit  money.Money `json:"credit"`
	Created time.Time   `json:"created_at"`
	Updated time.Time   `json:"updated_at"`
}

// ReturnLine is some units of one order line sent back.
type ReturnLine struct {
	OrderLineID string      `json:"order_line_id"`
	SKU         string      `json:"sku"`
	SupplierSKU string      `json:"supplier_sku,omitempty"`
	GTIN        string      `json:"gtin,omitempty"`
	POLineNo    int         `json:"po_line_no,omitempty"`
	Description string      `json:"description,omitempty"`
	Quantity    int64       `json:"quantity"`
	UnitCost    money.Money `json:"unit_cost"`
}

// Open reports whether the return still counts against what can be
// returned and is not yet in the Returned bucket.
func (r *Return) Open() bool {
	return r.Status == ReturnRequested || r.Status == ReturnAuthorized
}

// Return returns the return with the given id, or nil.
func (a *Aggregate) Return(id string) *Return {
	for i := range a.Returns {
		if a.Returns[i].ID == id {
			return &a.Returns[i]
		}
	}
	return nil
}
