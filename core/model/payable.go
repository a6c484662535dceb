package model

import (
	"time"

	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/money"
)

// PayableStatus is where a supplier invoice stands in accounts payable.
type PayableStatus string

// Payable statuses: open until an operator records the payment.
const (
	PayableOpen PayableStatus = "open"
	PayablePaid PayableStatus = "paid"
)

// Payable is what dropgate owes a supplier for one invoice matched to one
// of its purchase orders (DESIGN `dropgate payables`). It is kept as a
// record of its own, so the payables list reads no order.
type Payable struct {
	ID            string        `json:"id"`
	Supplier      string        `json:"supplier"`
	InvoiceNumber string        `json:"invoice_number"`
	PONumber      string        `json:"po_number"`
	OrderID       string        `json:"order_id"`
	InvoiceDate   time.Time     `json:"invoice_date"`
	DueDate       time.Time     `json:"due_date"`
	Amount        money.Money   `json:"amount"` // negative for a credit memo: owed to us
	Status        PayableStatus `json:"status"`
	// Mismatches are the differences matching found between the invoice
	// and the PO (price, quantity invoiced against shipped); empty when the
	// invoice matched.
	Mismatches []string `json:"mismatches,omitempty"`
	CreditMemo bool     `json:"credit_memo,omitempty"`
	// Return is the customer return (ret_…) whose units the supplier took
	// back: the payable is its credit, no invoice of the supplier's.
	Return  string     `json:"return_id,omitempty"`
	PaidAt  *time.Time `json:"paid_at,omitempty"`
	PaidBy  string     `json:"paid_by,omitempty"`
	Created time.Time  `json:"created_at"`
}

// PayableID derives a payable's id from its supplier, PO and invoice
// number: the same invoice applied twice is one payable.
func PayableID(supplier, poNumber, invoiceNumber string) string {
	return "pay_" + ids.Derive(16, "payable", supplier, poNumber, invoiceNumber)
}
