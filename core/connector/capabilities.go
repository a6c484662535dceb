package connector

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// ErrBadSignature is returned by VerifyWebhook when the signature does not
// match; the gateway answers 401 and stores nothing.
var ErrBadSignature = errors.New("webhook signature mismatch")

// ErrPing is returned by VerifyWebhook, wrapped with ErrBadSignature, for a
// platform's unsigned test delivery (WooCommerce posts webhook_id=N when a
// webhook is saved, and refuses to save it unless the URL answers 2xx).
// The delivery is still unverified: the gateway answers 200 with outcome
// "ping" and stores nothing.
var ErrPing = errors.New("unsigned ping")

// Delivery is what a verified webhook is, read from its headers (and, when
// the platform puts it only there, a cheap look at the body).
type Delivery struct {
	ID    string // the platform's delivery id, for dedupe (X-Shopify-Webhook-Id)
	Topic string // orders/create, orders/cancelled, …
	// OrderRef is the channel's order id when the event is about an order;
	// jobs of one order are processed in order.
	OrderRef string
	// Proof is what a provider that verifies by calling back needs later,
	// in the queued job (PayPal's transmission headers), encoded by the
	// connector; it travels with the job, since VerifyWebhook may do no
	// I/O. A string keeps Delivery comparable.
	Proof string
}

// WebhookVerifier checks a webhook's signature over its raw bytes. No I/O:
// it runs before anything is stored.
type WebhookVerifier interface {
	VerifyWebhook(h http.Header, body []byte) (Delivery, error)
}

// DeliveryVerifier checks a channel delivery's signature in its queued
// job, where I/O is allowed: eBay signs with a key served by key id, so
// VerifyWebhook checks only the header's form and keeps it as the
// Delivery's Proof. A failed check is a permanent error: the delivery is
// dead-lettered (its raw body kept) and acts on no order; a key that
// could not be fetched is retried.
type DeliveryVerifier interface {
	VerifyDelivery(ctx context.Context, proof string, body []byte) error
}

// WebhookSigner builds a correctly signed test delivery (`dropgate trigger`).
type WebhookSigner interface {
	// SamplePayload returns a built-in example body for topic.
	SamplePayload(topic string) ([]byte, error)
	// SignWebhook returns the headers the platform would send with body.
	SignWebhook(topic string, body []byte) (http.Header, error)
}

// EventKind is what a channel event means for dropgate.
type EventKind string

// Channel event kinds.
const (
	EventOrderCreated   EventKind = "order_created"
	EventOrderUpdated   EventKind = "order_updated"
	EventOrderCancelled EventKind = "order_cancelled"
	EventIgnored        EventKind = "ignored" // a topic dropgate does not act on
	// EventReturnRequested: a customer asked the channel to take units
	// back (Return is set); dropgate opens the return with the supplier.
	EventReturnRequested EventKind = "return_requested"
)

// ChannelEvent is a decoded channel webhook or poll result.
//
// A cancellation must be proven by what the platform signed: Kind
// EventOrderCancelled is acted on only when Order carries CancelledAt,
// read from the signed body (or fetched from the platform's API), never
// because an unsigned header such as a topic says so. See
// ProvesCancellation.
type ChannelEvent struct {
	Kind           EventKind
	ChannelOrderID string
	Order          *model.Order // set for created/updated
	Reason         string       // cancellation reason
	At             time.Time
	Return         *ReturnRequest // set for EventReturnRequested
}

// ReturnRequest is a return a customer opened on the channel.
type ReturnRequest struct {
	ID     string // the channel's id of the return: a repeated report is one return
	Lines  []ReturnRequestLine
	Reason string
}

// ReturnRequestLine is some units of one order line, named by the
// channel's line id (the canonical order line id).
type ReturnRequestLine struct {
	LineID   string
	Quantity int64
}

// ProvesCancellation reports whether the event carries the proof a
// cancellation needs: the decoded order, cancelled at a known time.
func (e ChannelEvent) ProvesCancellation() bool {
	return e.Kind == EventOrderCancelled && e.Order != nil && e.Order.CancelledAt != nil && !e.Order.CancelledAt.IsZero()
}

// OrderEvent is the event of an order a channel stated as of at: its
// cancellation (with the reason, proven by the order's CancelledAt) when
// it is cancelled, else an update.
func OrderEvent(o *model.Order, at time.Time) ChannelEvent {
	ev := ChannelEvent{Kind: EventOrderUpdated, ChannelOrderID: o.ChannelOrderID, Order: o, At: at}
	if o.CancelledAt != nil {
		ev.Kind, ev.Reason = EventOrderCancelled, o.CancelReason
	}
	return ev
}

// EventDecoder maps a channel payload into canonical events. A payload
// that cannot be decoded is a fault.Permanent error naming the JSON path.
type EventDecoder interface {
	DecodeEvent(ctx context.Context, topic string, body []byte) ([]ChannelEvent, error)
}

// OrderPoller lists a channel's orders changed since a cursor: the poll of
// a channel without webhooks (a marketplace), and everywhere the
// reconciliation sweep that catches what webhooks missed.
type OrderPoller interface {
	// PollOrders returns the events of every order changed at or after
	// the cursor (every page), and the cursor to continue from. A poll
	// cut short by the rate limiter may return the events it has whole,
	// the cursor to resume from and the fault.Throttled error: the caller
	// keeps them and resumes there when the budget is back. A cursor
	// is the connector's own (a platform timestamp, a token); "" means
	// from CursorAt(time.Time{}).
	PollOrders(ctx context.Context, cursor string) (events []ChannelEvent, next string, err error)
	// CursorAt is the cursor of the changes since t (by the platform's
	// clock: a sweep subtracts its lookback to survive skew).
	CursorAt(t time.Time) string
}

// PollTaker is optional for an OrderPoller whose listing of an order
// costs calls of its own (Amazon reads the items and the address): the
// sweep hands back the events it has taken in, and the connector may
// then list such an order again, unchanged, as EventIgnored without those
// calls. Only events taken in are handed back, so an order whose intake
// failed is read whole again.
type PollTaker interface {
	TakenIn(ctx context.Context, events []ChannelEvent) error
}

// FulfillmentPusher tells the channel a shipment left, with tracking.
// It must be idempotent: pushing the same shipment twice creates one
// fulfillment. It returns the channel's fulfillment id.
type FulfillmentPusher interface {
	PushFulfillment(ctx context.Context, order *model.Order, sh *model.Shipment) (string, error)
}

// OrderCanceller cancels an order on the channel.
type OrderCanceller interface {
	CancelOrder(ctx context.Context, order *model.Order, reason string) error
}

// InventoryUpdate sets the sellable quantity of a merchant SKU.
type InventoryUpdate struct {
	SKU       string
	Available int64
}

// InventoryPusher pushes sellable quantities to the channel. Connectors
// batch where the platform allows.
type InventoryPusher interface {
	PushInventory(ctx context.Context, updates []InventoryUpdate) error
}

// PriceUpdate sets a merchant SKU's selling price.
type PriceUpdate struct {
	SKU       string
	Price     money.Money
	CompareAt *money.Money
}

// PricePusher pushes selling prices to the channel.
type PricePusher interface {
	PushPrices(ctx context.Context, updates []PriceUpdate) error
}

// PushBatcher is optional for an InventoryPusher or PricePusher whose
// platform is cheaper per SKU in bigger batches (a bulk feed): it says how
// many updates one push may carry. Without it the sync's batch is used.
type PushBatcher interface {
	PushBatch() int
}

// Sent is the outcome of handing a document to a supplier.
type Sent struct {
	Document string      // file name, message id, API request id
	Refs     []model.Ref // control numbers, the supplier's order id
	// Control is the interchange control number the partner's functional
	// acknowledgement (997/999, CONTRL) will quote, when one is expected.
	Control string
	// Set is the transaction set's control number when the document shares
	// its interchange with others (a batch); the acknowledgement may
	// answer each set apart.
	Set string
	// Ack is set when the supplier answered synchronously (an HTTP API
	// that accepts or rejects lines in its response).
	Ack *model.POAck
}

// POSender sends a purchase order to a supplier. Idempotent: a retry of
// the same PO must be recognisable as the same order by the supplier (same
// file name, same Message-ID, same idempotency key).
type POSender interface {
	SendPO(ctx context.Context, po *model.PurchaseOrder, order *model.Order) (Sent, error)
}

// Unrepeatable is implemented by a sender that cannot make a repeat of a
// document harmless: an e-mail over SMTP, where a second send is a second
// message in the supplier's inbox (the same Message-ID lets a careful
// mailbox drop it; most do not). After such a send the core stores what
// was sent at once, settling a concurrent write on the order in place,
// rather than with the job's commit: a commit lost to a concurrent write
// runs the job again, and the document would go out again.
type Unrepeatable interface {
	// SendsUnrepeatable reports whether this configuration's sends are
	// (an SMTP outbox is; a file outbox, where a resend replaces the
	// file, is not).
	SendsUnrepeatable() bool
}

// POCanceller asks a supplier to cancel a purchase order already sent.
type POCanceller interface {
	CancelPO(ctx context.Context, po *model.PurchaseOrder, order *model.Order) (Sent, error)
}

// InboxFile is a document waiting in a supplier's inbox.
type InboxFile struct {
	Name    string
	Size    int64
	ModTime time.Time
}

// Inbox is a supplier's inbound mailbox: a directory, an SFTP folder, an
// IMAP folder.
type Inbox interface {
	ListInbox(ctx context.Context) ([]InboxFile, error)
	ReadInbox(ctx context.Context, name string) ([]byte, error)
	// ArchiveInbox moves a processed file out of the way.
	ArchiveInbox(ctx context.Context, name string) error
}

// InboundDoc is one canonical document found in an inbound file.
type InboundDoc struct {
	ID         string // stable id for dedupe: interchange + set control numbers, message id
	PONumber   string
	POAck      *model.POAck
	ShipNotice *model.ShipNotice
	Invoice    *model.Invoice
	Inventory  []model.InventoryLevel
	FuncAck    *model.FunctionalAck
	// ReturnAnswer is the supplier's answer to an RMA request (X12 180).
	ReturnAnswer *ReturnAnswer `json:",omitempty"`
	// Warnings are what the connector tolerated in the document (an X12
	// ST02 repeated within its group, an EDIFACT UNB without syntax
	// version), each naming the file and where; the partner's 997/CONTRL
	// says so too. The engine records them on the order's timeline when it
	// applies the document.
	Warnings []string `json:",omitempty"`
}

// Parsed is what a supplier connector made of an inbound file.
type Parsed struct {
	Docs []InboundDoc
	// Replies are documents to send back (997/CONTRL), already rendered.
	Replies []Reply
	// Rejected are the documents of the file that produced nothing: a
	// transaction set with envelope or content errors. The partner learns
	// of them through Replies; the engine records them as exceptions.
	Rejected []RejectedDoc
}

// RejectedDoc is one document of an inbound file that could not be used.
type RejectedDoc struct {
	ID     string   // what InboundDoc.ID would have been
	Type   string   // "855", "ORDRSP"
	Errors []string // each naming the file, control numbers, segment and element
}

// Reply is an outbound document produced in answer to an inbound one.
type Reply struct {
	Name string
	Data []byte
}

// DocumentParser turns an inbound file into canonical documents.
type DocumentParser interface {
	ParseDocuments(ctx context.Context, name string, data []byte) (*Parsed, error)
}

// FunctionalAckPolicy is a supplier whose interchanges are answered with
// a syntax-level acknowledgement (X12 997/999, EDIFACT CONTRL). The engine
// flags a document sent more than within ago that no FunctionalAck names.
type FunctionalAckPolicy interface {
	// ExpectFunctionalAck reports whether the partner acknowledges our
	// documents and how long it may take.
	ExpectFunctionalAck() (expected bool, within time.Duration)
}

// ReplySender delivers a Reply (a 997) over the supplier's transport.
type ReplySender interface {
	SendReply(ctx context.Context, r Reply) error
}

// StatusPoller asks a supplier's API about its purchase orders still open
// (acknowledgement, shipment, tracking), for suppliers that answer by API
// rather than by documents. The engine calls it on a schedule with the
// supplier's open POs and applies the documents it returns like any
// inbound document (their ids deduplicate repeated answers).
type StatusPoller interface {
	PollStatus(ctx context.Context, open []*model.PurchaseOrder) ([]InboundDoc, error)
}
