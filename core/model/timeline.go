package model

import "time"

// Cause says what made something happen: an inbound message, a timer, an
// operator. Every timeline entry has one, so "why is this order here?"
// always has an answer.
type Cause struct {
	Kind string `json:"kind"`          // webhook, document, timer, operator, system, poll
	Ref  string `json:"ref,omitempty"` // delivery id, file name, job id, operator name
}

// Cause kinds.
const (
	CauseWebhook  = "webhook"
	CauseDocument = "document"
	CauseTimer    = "timer"
	CauseOperator = "operator"
	CauseSystem   = "system"
	CausePoll     = "poll"
)

// TimelineEntry is one line of an order's audit timeline.
type TimelineEntry struct {
	At      time.Time         `json:"at"`
	Entity  string            `json:"entity"` // "order", "line:2", "po:PO7K…", "shipment:…"
	Event   string            `json:"event"`  // "order.received", "po.sent", "po.rejected", …
	From    string            `json:"from,omitempty"`
	To      string            `json:"to,omitempty"`
	Message string            `json:"message"`
	Cause   Cause             `json:"cause"`
	Data    map[string]string `json:"data,omitempty"`
}

// ExceptionKind classifies what needs an operator.
type ExceptionKind string

// Exception kinds (the operator's to-do list).
const (
	ExUnroutable         ExceptionKind = "unroutable"
	ExInvalidOrder       ExceptionKind = "invalid_order"
	ExRejectedNoAlt      ExceptionKind = "rejected_no_alternative"
	ExSLABreach          ExceptionKind = "sla_breach"
	ExInvoiceMismatch    ExceptionKind = "invoice_mismatch"
	ExCancelRejected     ExceptionKind = "cancel_rejected"
	ExDeadLetter         ExceptionKind = "dead_letter"
	ExUnparsedReply      ExceptionKind = "unparsed_reply"
	ExFeedQuarantined    ExceptionKind = "feed_quarantined"
	ExDocumentRejected   ExceptionKind = "document_rejected"
	ExAckOverdue         ExceptionKind = "ack_overdue"
	ExInboundParseFailed ExceptionKind = "inbound_parse_failed"
	ExDocumentConflict   ExceptionKind = "document_conflict" // a document re-sent with different content
	ExBackordered        ExceptionKind = "backordered"       // a supplier backordered units past the SLA or without a date
	ExWebhooksStopped    ExceptionKind = "webhooks_stopped"  // the sweep found orders no webhook delivered
	ExShipByAtRisk       ExceptionKind = "ship_by_at_risk"   // a marketplace's ship-by deadline nears with units unshipped
	ExReleaseHeld        ExceptionKind = "release_held"      // an order waits for an operator's release (risk, manual release)
	ExReturnDecision     ExceptionKind = "return_decision"   // a return waits for an operator to authorise or reject it
	// ExSyncRejected: the channel refused some SKUs (it has no listing
	// for them, or rejected the value).
	ExSyncRejected ExceptionKind = "sync_rejected"
	// ExPriceRefused: pricing refused to publish a price (margin guard,
	// currency); the channel keeps its current price.
	ExPriceRefused ExceptionKind = "price_refused"
)

// ExceptionKinds lists every exception kind, for validating filters.
var ExceptionKinds = []ExceptionKind{
	ExUnroutable, ExInvalidOrder, ExRejectedNoAlt, ExSLABreach, ExInvoiceMismatch, ExCancelRejected, ExDeadLetter,
	ExUnparsedReply, ExFeedQuarantined, ExDocumentRejected, ExAckOverdue, ExInboundParseFailed, ExDocumentConflict, ExBackordered,
	ExWebhooksStopped, ExShipByAtRisk, ExReleaseHeld, ExReturnDecision,
	ExSyncRejected, ExPriceRefused,
}

// Exception is something that went wrong and needs a person, with the
// actions that fix it.
type Exception struct {
	ID         string        `json:"id"`
	Kind       ExceptionKind `json:"kind"`
	Status     string        `json:"status"` // open, resolved
	Reason     string        `json:"reason"`
	OrderID    string        `json:"order_id,omitempty"`
	PONumber   string        `json:"po_number,omitempty"`
	Supplier   string        `json:"supplier,omitempty"`
	Ref        string        `json:"ref,omitempty"` // dead-letter job id, document id, feed import id
	Actions    []string      `json:"actions"`       // reroute, retry, discard, approve, resolve
	CreatedAt  time.Time     `json:"created_at"`
	ResolvedAt *time.Time    `json:"resolved_at,omitempty"`
	Resolution string        `json:"resolution,omitempty"`
}

// ConnectorHealth is what an operator wants to know about a connector:
// when it last worked, when and how it last failed.
type ConnectorHealth struct {
	Name        string    `json:"name"`
	LastSuccess time.Time `json:"last_success,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitempty"`
	Successes   int64     `json:"successes"`
	Failures    int64     `json:"failures"`
}
