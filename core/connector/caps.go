package connector

import (
	"reflect"
	"slices"
	"time"
)

// Capability names one thing a connector can do. Each matches one of the
// capability interfaces (capabilities.go).
type Capability string

// Capabilities.
const (
	CapWebhooks       Capability = "webhooks"        // WebhookVerifier + EventDecoder
	CapSignWebhooks   Capability = "sign_webhooks"   // WebhookSigner (dropgate trigger)
	CapDecodeEvents   Capability = "decode_events"   // EventDecoder
	CapPollOrders     Capability = "poll_orders"     // OrderPoller
	CapFulfillment    Capability = "fulfillment"     // FulfillmentPusher
	CapCancelOrder    Capability = "cancel_order"    // OrderCanceller
	CapInventory      Capability = "inventory"       // InventoryPusher
	CapPrices         Capability = "prices"          // PricePusher
	CapSendPO         Capability = "send_po"         // POSender
	CapCancelPO       Capability = "cancel_po"       // POCanceller
	CapInbox          Capability = "inbox"           // Inbox
	CapParseDocuments Capability = "parse_documents" // DocumentParser
	CapReplies        Capability = "replies"         // ReplySender
	CapFunctionalAcks Capability = "functional_acks" // FunctionalAckPolicy
	CapStatusPoll     Capability = "status_poll"     // StatusPoller
	CapReturns        Capability = "returns"         // ReturnRequester
	CapPushRefund     Capability = "push_refund"     // RefundPusher
)

// capabilityOf maps each capability interface to its name, so As can
// consult a connector's declared set.
var capabilityOf = map[reflect.Type]Capability{
	reflect.TypeFor[WebhookVerifier]():     CapWebhooks,
	reflect.TypeFor[WebhookSigner]():       CapSignWebhooks,
	reflect.TypeFor[EventDecoder]():        CapDecodeEvents,
	reflect.TypeFor[OrderPoller]():         CapPollOrders,
	reflect.TypeFor[FulfillmentPusher]():   CapFulfillment,
	reflect.TypeFor[OrderCanceller]():      CapCancelOrder,
	reflect.TypeFor[InventoryPusher]():     CapInventory,
	reflect.TypeFor[PricePusher]():         CapPrices,
	reflect.TypeFor[POSender]():            CapSendPO,
	reflect.TypeFor[POCanceller]():         CapCancelPO,
	reflect.TypeFor[Inbox]():               CapInbox,
	reflect.TypeFor[DocumentParser]():      CapParseDocuments,
	reflect.TypeFor[ReplySender]():         CapReplies,
	reflect.TypeFor[FunctionalAckPolicy](): CapFunctionalAcks,
	reflect.TypeFor[StatusPoller]():        CapStatusPoll,
	reflect.TypeFor[ReturnRequester]():     CapReturns,
	reflect.TypeFor[RefundPusher]():        CapPushRefund,
}

// Caps is what a configured instance offers. A connector whose abilities
// depend on its config (cancellation only when a cancel endpoint is set, a
// status poll with its interval) implements Describer; one that does not
// offers every capability interface it implements.
type Caps struct {
	Offers []Capability
	// PollEvery is how often the app runs the instance's polls
	// (OrderPoller, StatusPoller); 0: the app's default. For an
	// OrderPoller it is the default of the channel's reconcile.every.
	PollEvery time.Duration
	// SweepLookback is the default of an OrderPoller channel's
	// reconcile.lookback (how far before the last sweep the next one
	// lists again); 0: the app's default.
	SweepLookback time.Duration
	// SweepDeepEvery, when set, makes the channel's scheduled sweeps list
	// from where the last one ended (its cursor; the connector lists its
	// own overlap before it) and only one sweep per SweepDeepEvery list
	// the whole lookback: for a poller whose listing is costly (Amazon's
	// getOrders refills once a minute). The default of reconcile.deep_every.
	SweepDeepEvery time.Duration
}

// Has reports whether c offers capability x.
func (c Caps) Has(x Capability) bool { return slices.Contains(c.Offers, x) }

// Describer is a connector that says which capabilities its config turns
// on.
type Describer interface {
	Capabilities() Caps
}

// CapsOf returns what an instance offers: its declared set, or every
// capability interface it implements.
func CapsOf(c Connector) Caps {
	if d, ok := c.(Describer); ok {
		return d.Capabilities()
	}
	return Implemented(c)
}

// Implemented lists every capability interface c implements, whatever
// its config says: the base a Describer narrows.
func Implemented(c Connector) Caps {
	var caps Caps
	v := reflect.TypeOf(c)
	for t, name := range capabilityOf {
		if v.Implements(t) {
			caps.Offers = append(caps.Offers, name)
		}
	}
	slices.Sort(caps.Offers)
	return caps
}

// As returns c as capability interface T when c implements it and its
// config turns it on. The core asks for capabilities only through As.
func As[T any](c Connector) (T, bool) {
	var zero T
	if c == nil {
		return zero, false
	}
	t, ok := c.(T)
	if !ok {
		return zero, false
	}
	if d, ok := c.(Describer); ok {
		if name, known := capabilityOf[reflect.TypeFor[T]()]; known && !d.Capabilities().Has(name) {
			return zero, false
		}
	}
	return t, true
}
