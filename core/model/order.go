package model

import (
	"time"

	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/money"
)

// OrderStatus is where an order stands. Most statuses are derived from its
// lines (see Aggregate.Recompute); on_hold and cancelled are set explicitly.
type OrderStatus string

// Order statuses.
const (
	OrderReceived         OrderStatus = "received"          // decoded, not yet routed
	OrderOnHold           OrderStatus = "on_hold"           // needs a person: see Holds
	OrderRouted           OrderStatus = "routed"            // purchase orders drafted
	OrderProcessing       OrderStatus = "processing"        // purchase orders with suppliers
	OrderPartiallyShipped OrderStatus = "partially_shipped" // some units shipped
	OrderShipped          OrderStatus = "shipped"           // every open unit shipped
	OrderDelivered        OrderStatus = "delivered"
	OrderCancelled        OrderStatus = "cancelled"
)

// OrderStatuses lists every order status, for validating filters.
var OrderStatuses = []OrderStatus{
	OrderReceived, OrderOnHold, OrderRouted, OrderProcessing, OrderPartiallyShipped, OrderShipped, OrderDelivered, OrderCancelled,
}

// OrderPayment is where the customer's payment of an order stands, as the
// channel reports it, mapped by the channel connector (Shopify's
// financial_status, WooCommerce's status and date_paid, Amazon's
// OrderStatus …). The release policy (orders.release) reads it.
type OrderPayment string

// Order payment states.
const (
	PaymentUnknown           OrderPayment = ""                   // the channel does not say
	PaymentPending           OrderPayment = "pending"            // not paid yet (bank transfer, COD, Amazon Pending)
	PaymentAuthorized        OrderPayment = "authorized"         // authorised, not captured
	PaymentPartiallyPaid     OrderPayment = "partially_paid"     // some of it captured
	PaymentPaid              OrderPayment = "paid"               // fully paid
	PaymentPartiallyRefunded OrderPayment = "partially_refunded" // paid, some refunded
	PaymentRefunded          OrderPayment = "refunded"           // paid, refunded in full
	PaymentVoided            OrderPayment = "voided"             // the authorisation was released
	PaymentFailed            OrderPayment = "failed"             // declined, expired
)

// OrderPayments lists the payment states, for validating filters.
var OrderPayments = []OrderPayment{PaymentUnknown, PaymentPending, PaymentAuthorized, PaymentPartiallyPaid, PaymentPaid,
	PaymentPartiallyRefunded, PaymentRefunded, PaymentVoided, PaymentFailed}

// Hold is a reason an order cannot proceed without a person. Holds are
// visible in the admin API and never retried in a loop.
type Hold struct {
	Code   string    `json:"code"`   // "unroutable", "invalid_order", "no_alternative", …
	Reason string    `json:"reason"` // human sentence: "SKU FOO-1 is carried by no supplier"
	LineID string    `json:"line_id,omitempty"`
	At     time.Time `json:"at"`
}

// Hold codes.
const (
	HoldInvalidOrder  = "invalid_order"
	HoldUnroutable    = "unroutable"
	HoldNoAlternative = "no_alternative"
	// The release policy's holds (orders.release): no PO before the
	// customer's payment, a risky order, or an operator's say-so.
	HoldPayment = "payment"
	HoldRisk    = "risk"
	HoldManual  = "manual"
	HoldReview  = "review" // orders.hold_after: a window to catch a quick cancellation or fraud
)

// Order is a customer's order as the channel sent it, in canonical form.
type Order struct {
	ID                 string       `json:"id"`      // ours: OrderID(channel, channel order id)
	Channel            string       `json:"channel"` // channel connector name
	ChannelOrderID     string       `json:"channel_order_id"`
	ChannelOrderNumber string       `json:"channel_order_number,omitempty"` // what the customer sees: "#1001"
	PlacedAt           time.Time    `json:"placed_at"`
	Currency           string       `json:"currency"`
	Customer           Customer     `json:"customer"`
	ShippingAddress    *Address     `json:"shipping_address,omitempty"`
	BillingAddress     *Address     `json:"billing_address,omitempty"`
	Lines              []OrderLine  `json:"lines"`
	Totals             Totals       `json:"totals"`
	ShippingMethod     string       `json:"shipping_method,omitempty"`
	Tags               []string     `json:"tags,omitempty"`
	Note               string       `json:"note,omitempty"`
	Status             OrderStatus  `json:"status"`
	PaymentStatus      OrderPayment `json:"payment_status,omitempty"` // the channel's view of the customer's payment
	// Risk is the channel's fraud verdict (low, medium, high; "" unknown).
	Risk string `json:"risk,omitempty"`
	// ShipBy is the channel's deadline for confirming the shipment (a
	// marketplace's latest ship date); dropgate raises an exception
	// before it passes with units unshipped.
	ShipBy       *time.Time `json:"ship_by,omitempty"`
	Holds        []Hold     `json:"holds,omitempty"`
	CancelledAt  *time.Time `json:"cancelled_at,omitempty"`
	CancelReason string     `json:"cancel_reason,omitempty"`
	RawRef       string     `json:"raw_ref,omitempty"` // stored raw payload that produced it
	Refs         []Ref      `json:"refs,omitempty"`
}

// OrderID is the deterministic id of a channel's order: the same webhook
// processed twice maps to the same order.
func OrderID(channel, channelOrderID string) string {
	return "ord_" + ids.Derive(16, "order", channel, channelOrderID)
}

// Line returns the line with the given id, or nil.
func (o *Order) Line(id string) *OrderLine {
	for i := range o.Lines {
		if o.Lines[i].ID == id {
			return &o.Lines[i]
		}
	}
	return nil
}

// AddHold records a hold unless the same code and line is already held.
func (o *Order) AddHold(h Hold) bool {
	for _, x := range o.Holds {
		if x.Code == h.Code && x.LineID == h.LineID && x.Reason == h.Reason {
			return false
		}
	}
	o.Holds = append(o.Holds, h)
	return true
}

// OrderLine is one line of an order.
type OrderLine struct {
	ID               string      `json:"id"` // stable within the order: the channel's line id
	ChannelProductID string      `json:"channel_product_id,omitempty"`
	ChannelVariantID string      `json:"channel_variant_id,omitempty"`
	SKU              string      `json:"sku"` // merchant SKU
	Title            string      `json:"title,omitempty"`
	Quantity         int64       `json:"quantity"` // as ordered
	UnitPrice        money.Money `json:"unit_price"`
	Discount         money.Money `json:"discount"` // total for the line
	Tax              money.Money `json:"tax"`      // total for the line
	ProductTags      []string    `json:"product_tags,omitempty"`
	NoShipping       bool        `json:"no_shipping,omitempty"` // gift cards, digital goods: nothing to ship
	Cancelled        int64       `json:"cancelled,omitempty"`   // units the channel cancelled
	Returned         int64       `json:"returned,omitempty"`
	Qty              Buckets     `json:"qty"` // derived snapshot, see Aggregate.Recompute
	State            LineState   `json:"state,omitempty"`
}

// Buckets count a line's units by where they are. Ordered is what the
// customer bought; the rest say how much of it is at each stage.
type Buckets struct {
	Ordered      int64 `json:"ordered"`
	Cancelled    int64 `json:"cancelled"`
	Routed       int64 `json:"routed"`       // on a purchase order not yet sent
	Sent         int64 `json:"sent"`         // sent, awaiting acknowledgement
	Acknowledged int64 `json:"acknowledged"` // accepted by the supplier
	Backordered  int64 `json:"backordered"`
	Shipped      int64 `json:"shipped"`
	Delivered    int64 `json:"delivered"`
	Returned     int64 `json:"returned"`
}

// Open is what still needs a supplier: ordered, not cancelled, not on any
// live purchase order.
func (b Buckets) Open() int64 {
	n := b.Ordered - b.Cancelled - b.Routed - b.Sent - b.Acknowledged - b.Backordered - b.Shipped
	if n < 0 {
		return 0
	}
	return n
}

// LineState is a line's state, derived from its buckets.
type LineState string

// Line states, from earliest to latest.
const (
	LineOpen             LineState = "open"
	LineRouted           LineState = "routed"
	LineSent             LineState = "sent"
	LineAcknowledged     LineState = "acknowledged"
	LineBackordered      LineState = "backordered"
	LinePartiallyShipped LineState = "partially_shipped"
	LineShipped          LineState = "shipped"
	LineDelivered        LineState = "delivered"
	LineReturned         LineState = "returned"
	LineCancelled        LineState = "cancelled"
)

// State derives the line state: the least advanced stage any live unit is
// in decides, so a line is "shipped" only when every live unit shipped.
func (b Buckets) State() LineState {
	live := b.Ordered - b.Cancelled
	switch {
	case live <= 0:
		return LineCancelled
	case b.Returned >= live:
		return LineReturned
	case b.Delivered >= live:
		return LineDelivered
	case b.Shipped >= live:
		return LineShipped
	case b.Shipped > 0:
		return LinePartiallyShipped
	case b.Open() > 0:
		return LineOpen
	case b.Routed > 0:
		return LineRouted
	case b.Sent > 0:
		return LineSent
	case b.Backordered > 0:
		return LineBackordered
	default:
		return LineAcknowledged
	}
}
