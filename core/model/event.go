package model

import "time"

// EventType names a domain event: something that happened to an order
// that other parts of dropgate may act on.
type EventType string

// Domain events. The lifecycle emits them; services subscribe to them
// (core/event), so adding payments, carriers or notifications means
// adding subscribers, not editing the state machines.
const (
	EvOrderReceived       EventType = "order.received"          // a new order is stored (routed or held)
	EvOrderHeld           EventType = "order.held"              // it waits on a hold (Data: code)
	EvOrderCancelled      EventType = "order.cancelled"         // the channel cancelled it
	EvPODrafted           EventType = "po.drafted"              // a PO is ready to go out
	EvPOSent              EventType = "po.sent"                 // the supplier has it
	EvPOAcknowledged      EventType = "po.acknowledged"         // the supplier answered (Data: status)
	EvLineRejected        EventType = "line.rejected"           // units released by the supplier (Quantity)
	EvLineBackordered     EventType = "line.backordered"        // units backordered (Quantity)
	EvPOCancelRequested   EventType = "po.cancel_requested"     // the supplier must be asked to cancel
	EvPOCancelled         EventType = "po.cancelled"            // the cancellation is confirmed
	EvShipmentCreated     EventType = "shipment.created"        // a supplier shipped (ShipmentID)
	EvFulfillmentCreated  EventType = "fulfillment.created"     // the channel shows the shipment
	EvInvoiceMatched      EventType = "invoice.matched"         // a supplier invoice matches PO and shipments
	EvInvoiceMismatched   EventType = "invoice.mismatched"      // it does not
	EvExceptionRaised     EventType = "exception.raised"        // a person is needed (Exception)
	EvExceptionsSettled   EventType = "exceptions.settled"      // their cause is gone (Settlement)
	EvWebhooksMissed      EventType = "channel.webhooks_missed" // a sweep ingested orders no webhook delivered (Quantity, Data: channel)
	EvAvailabilityChanged EventType = "inventory.availability"  // what channels should show changed: committed units, supplier stock
	EvTrackingUpdated     EventType = "tracking.updated"        // a parcel's canonical tracking status moved (ShipmentID, Data: tracking, status, code)
	EvShipmentDelivered   EventType = "shipment.delivered"      // every parcel of the shipment is delivered (ShipmentID)
	EvShipmentException   EventType = "shipment.exception"      // a parcel needs attention: failure, lost, delayed (ShipmentID, Data)
	EvShipmentReturning   EventType = "shipment.returning"      // a parcel is going back to the sender (ShipmentID, Data)
	EvPaymentMoved        EventType = "payment.moved"           // money was captured, voided or refunded (ShipmentID, Data: provider, kind, amount)
	EvPaymentAuthorized   EventType = "payment.authorized"      // a provider reports a new authorisation (Data: provider, payment)
	EvReturnUpdated       EventType = "return.updated"          // a return (RMA) was opened or moved (Supplier, PONumber, Data: return, status)
)

// Event is one domain event. It is a flat record rather than one type
// per event so it can be kept in the order's outbox (Aggregate.Outbox)
// and published again after a crash; each type uses the fields its
// comment names.
type Event struct {
	Type       EventType         `json:"type"`
	At         time.Time         `json:"at"`
	OrderID    string            `json:"order_id,omitempty"`
	PONumber   string            `json:"po,omitempty"`
	Supplier   string            `json:"supplier,omitempty"`
	ShipmentID string            `json:"shipment,omitempty"`
	LineID     string            `json:"line,omitempty"`
	Quantity   int64             `json:"quantity,omitempty"`
	Exception  *Exception        `json:"exception,omitempty"`
	Settlement *Settlement       `json:"settlement,omitempty"`
	Cause      Cause             `json:"cause"`
	Data       map[string]string `json:"data,omitempty"`
	// Job is the queue job whose work produced the event: its retry
	// publishes the event again if the first run died before it could.
	Job string `json:"job,omitempty"`
}

// Settlement names the exceptions of an order (of one PO when PONumber is
// set) that no longer need a person, and why.
type Settlement struct {
	Kinds    []ExceptionKind `json:"kinds"`
	PONumber string          `json:"po,omitempty"`
	Why      string          `json:"why"`
	By       string          `json:"by,omitempty"` // who made the cause go (default: dropgate)
}
