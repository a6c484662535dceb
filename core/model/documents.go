package model

import (
	"time"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/money"
)

// The documents a supplier sends back, in canonical form, whatever the
// medium (X12, EDIFACT, email, an HTTP API).

// AckLineStatus is a supplier's answer for one PO line.
type AckLineStatus string

// Line acknowledgement statuses.
const (
	AckAccepted    AckLineStatus = "accepted"
	AckRejected    AckLineStatus = "rejected"
	AckBackordered AckLineStatus = "backordered"
	AckChanged     AckLineStatus = "changed" // accepted with a change of quantity, price or date
)

// POAck is a purchase order acknowledgement (X12 855, EDIFACT ORDRSP).
type POAck struct {
	PONumber   string    `json:"po_number"`
	Supplier   string    `json:"supplier"`
	Status     string    `json:"status"` // accepted, accepted_with_changes, rejected
	SupplierID string    `json:"supplier_order_id,omitempty"`
	Date       time.Time `json:"date,omitempty"`
	Lines      []AckLine `json:"lines,omitempty"`
	// Cancellation answers (855 to a BEG01=01 850) set this.
	CancelResponse string `json:"cancel_response,omitempty"` // accepted, rejected
	Reason         string `json:"reason,omitempty"`
}

// AckLine is the answer for one PO line.
type AckLine struct {
	LineNo       int           `json:"line_no"`
	SupplierSKU  string        `json:"supplier_sku,omitempty"`
	SKU          string        `json:"sku,omitempty"`  // merchant SKU, when the supplier echoes it
	GTIN         string        `json:"gtin,omitempty"` // UPC/EAN, when the supplier identifies the item by it
	Status       AckLineStatus `json:"status"`
	Quantity     int64         `json:"quantity"` // quantity the status applies to
	UnitCost     *money.Money  `json:"unit_cost,omitempty"`
	ShipDate     *time.Time    `json:"ship_date,omitempty"`
	ReasonCode   string        `json:"reason_code,omitempty"` // ACK01 code, ORDRSP action
	Reason       string        `json:"reason,omitempty"`
	SplitAnswers []AckLine     `json:"split,omitempty"` // several ACK segments on one line
}

// ShipNotice is an advance ship notice (X12 856, EDIFACT DESADV).
type ShipNotice struct {
	PONumber   string       `json:"po_number"`
	Supplier   string       `json:"supplier"`
	ShipmentID string       `json:"shipment_id"` // BSN02 / BGM document number
	ShippedAt  time.Time    `json:"shipped_at"`
	Carrier    string       `json:"carrier,omitempty"` // canonical or SCAC as sent
	SCAC       string       `json:"scac,omitempty"`
	Service    string       `json:"service,omitempty"`
	Packages   []Package    `json:"packages"`
	Extra      []ShipNotice `json:"-"`

	// WholePO says the notice covers every unit of the PO not yet
	// shipped, without listing them: an e-mail "your order has shipped,
	// tracking 1Z…" that names no items. Its packages carry no lines; the
	// units are recorded with the first package and the others keep their
	// tracking numbers.
	WholePO bool `json:"whole_po,omitempty"`
}

// Invoice is a supplier's invoice (X12 810, EDIFACT INVOIC).
type Invoice struct {
	Number   string        `json:"number"`
	PONumber string        `json:"po_number"`
	Supplier string        `json:"supplier"`
	Date     time.Time     `json:"date"`
	Currency string        `json:"currency"`
	Lines    []InvoiceLine `json:"lines"`
	Total    money.Money   `json:"total"`
	Charges  []Charge      `json:"charges,omitempty"` // freight, handling, tax (SAC / ALC / TXI), invoice level
	// CreditMemo marks a credit (X12 BIG07 CR): the amounts are owed to us.
	CreditMemo bool          `json:"credit_memo,omitempty"`
	Terms      *InvoiceTerms `json:"terms,omitempty"`
}

// InvoiceTerms are the payment terms of an invoice (X12 ITD, EDIFACT PAT).
type InvoiceTerms struct {
	Type            string           `json:"type,omitempty"` // ITD01, e.g. 01 basic
	DiscountPercent *decimal.Decimal `json:"discount_percent,omitempty"`
	DiscountDue     *time.Time       `json:"discount_due,omitempty"`
	DiscountDays    int              `json:"discount_days,omitempty"`
	NetDue          *time.Time       `json:"net_due,omitempty"`
	NetDays         int              `json:"net_days,omitempty"`
	Description     string           `json:"description,omitempty"`
}

// InvoiceLine is one invoiced item.
type InvoiceLine struct {
	LineNo      int         `json:"line_no"`
	SupplierSKU string      `json:"supplier_sku,omitempty"`
	SKU         string      `json:"sku,omitempty"`  // merchant SKU, when the supplier echoes it
	GTIN        string      `json:"gtin,omitempty"` // UPC/EAN
	Quantity    int64       `json:"quantity"`
	Unit        string      `json:"unit,omitempty"` // unit of measure as sent (EA, CA)
	UnitPrice   money.Money `json:"unit_price"`
	Charges     []Charge    `json:"charges,omitempty"` // line-level allowances, charges and taxes
}

// Charge is an invoice allowance or charge.
type Charge struct {
	Code        string      `json:"code"`
	Description string      `json:"description,omitempty"`
	Amount      money.Money `json:"amount"` // negative for allowances
}

// InventoryLevel is a supplier's stock of one item at one location.
type InventoryLevel struct {
	Supplier    string          `json:"supplier"`
	SupplierSKU string          `json:"supplier_sku"`
	SKU         string          `json:"sku,omitempty"`  // merchant SKU when mapped
	GTIN        string          `json:"gtin,omitempty"` // UPC/EAN, when the supplier identifies items by it
	Location    string          `json:"location,omitempty"`
	Available   int64           `json:"available"`
	Cost        *money.Money    `json:"cost,omitempty"`
	AsOf        time.Time       `json:"as_of"`
	Raw         decimal.Decimal `json:"-"` // quantity as sent, before rounding down to units
}

// FunctionalAck is a syntax-level acknowledgement (X12 997/999, EDIFACT
// CONTRL) of an interchange we sent.
type FunctionalAck struct {
	Supplier           string `json:"supplier"`
	Kind               string `json:"kind,omitempty"` // 997, 999, CONTRL
	InterchangeControl string `json:"interchange_control"`
	GroupControl       string `json:"group_control,omitempty"`
	Accepted           bool   `json:"accepted"`
	// Status is the verdict as sent: X12 AK901 A (accepted), E (accepted
	// with errors), P (partially accepted), R (rejected).
	Status string          `json:"status,omitempty"`
	Sets   []SetAckOutcome `json:"sets,omitempty"`
	// Errors are the group- or interchange-level errors (AK905–AK909).
	Errors []string `json:"errors,omitempty"`
}

// SetAckOutcome is the verdict on one transaction set or message.
type SetAckOutcome struct {
	ControlNumber string   `json:"control_number"`
	Accepted      bool     `json:"accepted"`
	Errors        []string `json:"errors,omitempty"`
}

// PaymentStatus is our view of the money (separate from fulfilment).
type PaymentStatus string

// Payment statuses.
const (
	PayAuthorized        PaymentStatus = "authorized"
	PayPartiallyCaptured PaymentStatus = "partially_captured"
	PayCaptured          PaymentStatus = "captured"
	PayRefunded          PaymentStatus = "refunded"
	PayPartiallyRefunded PaymentStatus = "partially_refunded"
	PayVoided            PaymentStatus = "voided"
	PayFailed            PaymentStatus = "failed"
)

// Payment is an authorization captured per shipment and refunded on
// cancellation.
type Payment struct {
	Provider   string        `json:"provider"`
	ProviderID string        `json:"provider_id"`
	Status     PaymentStatus `json:"status"`
	Authorized money.Money   `json:"authorized"`
	Captured   money.Money   `json:"captured"`
	Refunded   money.Money   `json:"refunded"`
	// Movements are the captures, voids and refunds made, in order.
	Movements []PaymentMovement `json:"movements,omitempty"`
}

// PaymentMovement is one money movement on a payment: a capture for a
// shipment, a void, a refund.
type PaymentMovement struct {
	Kind           string      `json:"kind"` // capture, void, refund
	Amount         money.Money `json:"amount"`
	Shipment       string      `json:"shipment,omitempty"`
	ProviderID     string      `json:"provider_id,omitempty"` // ch_…, re_…
	IdempotencyKey string      `json:"idempotency_key,omitempty"`
	Return         string      `json:"return,omitempty"` // the return (ret_…) a refund pays back
	At             time.Time   `json:"at"`
}

// Interchange is one outbound EDI document tracked until the partner's
// functional acknowledgement (997/999, CONTRL) names it.
type Interchange struct {
	ID       string `json:"id"` // supplier:control
	Supplier string `json:"supplier"`
	Control  string `json:"control"`
	// Set is the PO's transaction set control number when it travelled in
	// a batch: several tracked interchanges then share Control.
	Set      string    `json:"set,omitempty"`
	PONumber string    `json:"po_number"`
	OrderID  string    `json:"order_id"`
	Document string    `json:"document"`
	SentAt   time.Time `json:"sent_at"`
	DueAt    time.Time `json:"due_at"`
	Status   string    `json:"status"` // pending, accepted, rejected, overdue
	Errors   []string  `json:"errors,omitempty"`
}
