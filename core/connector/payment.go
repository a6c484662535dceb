package connector

import (
	"context"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// PaymentRef names one payment at its provider: the Stripe PaymentIntent
// (pi_…) or the PayPal authorisation an order was paid with.
type PaymentRef struct {
	OrderID    string // ours
	ProviderID string // pi_…
	// Movement names one movement among several of a kind on the order
	// (a return's refund, "return:ret_…"); providers fold it into their
	// idempotency key. Empty for the order's own capture, void, refund.
	Movement string
}

// PaymentResult is what a provider answered to a money movement.
type PaymentResult struct {
	ProviderID string              // the payment (pi_…)
	MovementID string              // the charge, capture or refund id (ch_…, re_…)
	Status     model.PaymentStatus // the payment's status after the call
	Amount     money.Money         // the amount moved
	// IdempotencyKey is the key sent with the call: the same order,
	// operation and shipment always send the same one, so a retried
	// capture never charges twice.
	IdempotencyKey string
	At             time.Time
}

// PaymentAuthorizer adopts a payment the channel took (a PaymentIntent id
// in the order's payment reference) or authorises one, without capturing.
type PaymentAuthorizer interface {
	Authorize(ctx context.Context, order *model.Order, amount money.Money, paymentMethod string) (PaymentResult, error)
	// Lookup reads a payment's current state at the provider (adoption).
	Lookup(ctx context.Context, ref PaymentRef) (PaymentResult, error)
}

// PaymentCapturer captures part or all of an authorisation. shipmentID
// makes the call idempotent per shipment; final says no later capture
// will follow (the provider releases what is left).
type PaymentCapturer interface {
	Capture(ctx context.Context, ref PaymentRef, amount money.Money, shipmentID string, final bool) (PaymentResult, error)
}

// CapturePolicy is when a provider wants the money taken.
type CapturePolicy string

// Capture policies.
const (
	CapturePerShipment CapturePolicy = "per_shipment" // each shipment's value as it ships
	CaptureAtOrder     CapturePolicy = "at_order"     // the whole authorisation at the first shipment
)

// CapturePolicer tells the payments service the instance's capture policy.
type CapturePolicer interface {
	CapturePolicy() CapturePolicy
}

// Multicapturer tells whether one payment takes several captures (Stripe
// multicapture). Under per_shipment, a payment that does not is captured
// once, at the shipment that completes the order, for what shipped:
// a partial capture would release the rest of the authorisation.
type Multicapturer interface {
	Multicapture(ctx context.Context, ref PaymentRef) (bool, error)
}

// PaymentVoider releases an authorisation that was never captured.
type PaymentVoider interface {
	Void(ctx context.Context, ref PaymentRef, reason string) (PaymentResult, error)
}

// PaymentRefunder refunds captured money; a zero amount refunds the rest.
type PaymentRefunder interface {
	Refund(ctx context.Context, ref PaymentRef, amount money.Money, reason string) (PaymentResult, error)
}

// PaymentEvent is a decoded payment webhook: a status change of one
// payment at its provider.
type PaymentEvent struct {
	ID         string // the provider's event id (dedupe)
	Type       string // payment_intent.succeeded, charge.refunded, …
	ProviderID string // the payment (pi_…)
	OrderID    string // ours, from the payment's metadata, when set
	Status     model.PaymentStatus
	// Amounts as the provider reports them; zero when the event does not
	// say.
	Authorized money.Money
	Captured   money.Money
	Refunded   money.Money
	At         time.Time
	Ignored    bool // an event type dropgate does not act on
}

// PaymentEventDecoder decodes a verified payment webhook body.
type PaymentEventDecoder interface {
	DecodePaymentEvent(ctx context.Context, body []byte) (PaymentEvent, error)
}

// PaymentEventVerifier verifies a delivery in its queued job, where I/O
// is allowed (PayPal verifies by calling its verify-webhook-signature
// API with the proof VerifyWebhook kept). An error that is not
// retryable marks the delivery a permanent failure.
type PaymentEventVerifier interface {
	VerifyPaymentEvent(ctx context.Context, proof string, body []byte) error
}

// AuthorizationWindow is how long a provider's authorisation can be
// trusted: past it, an order with nothing shipped is captured in full
// rather than left to lapse (a card authorisation lasts about 7 days).
type AuthorizationWindow interface {
	ReauthorizeBefore() time.Duration
}
