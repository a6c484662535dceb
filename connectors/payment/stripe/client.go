package stripe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	stripeapi "github.com/stripe/stripe-go/v82"
)

// IdempotencyKey is the key of one money movement: the same order,
// operation and shipment always give the same key, so Stripe answers a
// replayed capture with the first capture's result instead of charging
// again. Stripe keeps keys for at least 24 hours; a job retried later than
// that is still safe for captures, which Stripe refuses once the intent is
// no longer requires_capture.
func IdempotencyKey(orderID, op, shipmentID string) string {
	k := "dropgate:" + orderID + ":" + op
	if shipmentID != "" {
		k += ":" + shipmentID
	}
	if len(k) > 255 { // Stripe's limit
		k = "dropgate:" + ids.Derive(32, orderID, op, shipmentID)
	}
	return k
}

// Authorize creates a PaymentIntent for amount with capture_method=manual,
// confirmed with paymentMethod (a pm_… id). The order's id goes in the
// metadata, so webhooks find the order.
func (c *Connector) Authorize(ctx context.Context, order *model.Order, amount money.Money, paymentMethod string) (connector.PaymentResult, error) {
	key := IdempotencyKey(order.ID, "authorize", "")
	p := &stripeapi.PaymentIntentCreateParams{
		Amount:        stripeapi.Int64(amount.Amount),
		Currency:      stripeapi.String(strings.ToLower(amount.Currency)),
		CaptureMethod: stripeapi.String(string(stripeapi.PaymentIntentCaptureMethodManual)),
	}
	if paymentMethod != "" {
		p.PaymentMethod = stripeapi.String(paymentMethod)
		p.Confirm = stripeapi.Bool(true)
	}
	if c.CapturePolicy() == connector.CapturePerShipment {
		// Several captures need multicapture; "if_available" keeps cards
		// without it working (their second capture is then refused).
		p.PaymentMethodOptions = &stripeapi.PaymentIntentCreatePaymentMethodOptionsParams{
			Card: &stripeapi.PaymentIntentCreatePaymentMethodOptionsCardParams{RequestMulticapture: stripeapi.String("if_available")}}
	}
	p.AddMetadata("order_id", order.ID)
	p.SetIdempotencyKey(key)
	pi, err := c.client.V1PaymentIntents.Create(ctx, p)
	if err != nil {
		return connector.PaymentResult{}, classify(fmt.Sprintf("stripe: order %s: authorize", order.ID), err)
	}
	return c.result(pi, key, amount), nil
}

// Lookup reads a PaymentIntent (adopting one the storefront created).
func (c *Connector) Lookup(ctx context.Context, ref connector.PaymentRef) (connector.PaymentResult, error) {
	pi, err := c.client.V1PaymentIntents.Retrieve(ctx, ref.ProviderID, nil)
	if err != nil {
		return connector.PaymentResult{}, classify(fmt.Sprintf("stripe: order %s: read %s", ref.OrderID, ref.ProviderID), err)
	}
	return c.result(pi, "", money.Money{}), nil
}

// Multicapture reports whether the PaymentIntent takes several captures:
// its card charge says multicapture "available" (Stripe grants it per
// account and card; request_multicapture only asks). Anything else, an
// intent not yet charged included, takes one capture.
func (c *Connector) Multicapture(ctx context.Context, ref connector.PaymentRef) (bool, error) {
	p := &stripeapi.PaymentIntentRetrieveParams{}
	p.AddExpand("latest_charge")
	pi, err := c.client.V1PaymentIntents.Retrieve(ctx, ref.ProviderID, p)
	if err != nil {
		return false, classify(fmt.Sprintf("stripe: order %s: read %s", ref.OrderID, ref.ProviderID), err)
	}
	ch := pi.LatestCharge
	if ch == nil || ch.PaymentMethodDetails == nil || ch.PaymentMethodDetails.Card == nil || ch.PaymentMethodDetails.Card.Multicapture == nil {
		return false, nil
	}
	return ch.PaymentMethodDetails.Card.Multicapture.Status == stripeapi.ChargePaymentMethodDetailsCardMulticaptureStatusAvailable, nil
}

// Capture takes amount of the authorisation for one shipment
// (amount_to_capture). Without final, final_capture=false keeps the rest
// authorised for later shipments (multicapture); the payments service
// asks Multicapture first and, for a card without it, captures once at the
// last shipment instead.
func (c *Connector) Capture(ctx context.Context, ref connector.PaymentRef, amount money.Money, shipmentID string, final bool) (connector.PaymentResult, error) {
	key := IdempotencyKey(ref.OrderID, "capture", shipmentID)
	p := &stripeapi.PaymentIntentCaptureParams{AmountToCapture: stripeapi.Int64(amount.Amount)}
	if !final {
		p.FinalCapture = stripeapi.Bool(false)
	}
	p.SetIdempotencyKey(key)
	pi, err := c.client.V1PaymentIntents.Capture(ctx, ref.ProviderID, p)
	if err != nil {
		return connector.PaymentResult{}, classify(fmt.Sprintf("stripe: order %s: capture %s for shipment %s", ref.OrderID, amount, shipmentID), err)
	}
	r := c.result(pi, key, amount)
	if pi.LatestCharge != nil {
		r.MovementID = pi.LatestCharge.ID
	}
	return r, nil
}

// Void cancels an uncaptured PaymentIntent, releasing the authorisation.
func (c *Connector) Void(ctx context.Context, ref connector.PaymentRef, reason string) (connector.PaymentResult, error) {
	key := IdempotencyKey(ref.OrderID, "void", "")
	p := &stripeapi.PaymentIntentCancelParams{CancellationReason: stripeapi.String(cancellationReason(reason))}
	p.SetIdempotencyKey(key)
	pi, err := c.client.V1PaymentIntents.Cancel(ctx, ref.ProviderID, p)
	if err != nil {
		return connector.PaymentResult{}, classify(fmt.Sprintf("stripe: order %s: void %s", ref.OrderID, ref.ProviderID), err)
	}
	r := c.result(pi, key, money.Money{})
	r.Status = model.PayVoided
	return r, nil
}

// Refund refunds amount of what was captured (zero: all of it).
func (c *Connector) Refund(ctx context.Context, ref connector.PaymentRef, amount money.Money, reason string) (connector.PaymentResult, error) {
	key := IdempotencyKey(ref.OrderID, "refund", fmt.Sprintf("%d%s", amount.Amount, amount.Currency))
	if ref.Movement != "" { // one of several refunds (a return's): its own key
		key = IdempotencyKey(ref.OrderID, "refund", ref.Movement)
	}
	p := &stripeapi.RefundCreateParams{PaymentIntent: stripeapi.String(ref.ProviderID)}
	if amount.Amount > 0 {
		p.Amount = stripeapi.Int64(amount.Amount)
	}
	if reason != "" {
		p.Reason = stripeapi.String(string(stripeapi.RefundReasonRequestedByCustomer))
		p.AddMetadata("reason", reason)
	}
	p.SetIdempotencyKey(key)
	re, err := c.client.V1Refunds.Create(ctx, p)
	if err != nil {
		return connector.PaymentResult{}, classify(fmt.Sprintf("stripe: order %s: refund %s", ref.OrderID, ref.ProviderID), err)
	}
	m := money.Money{Amount: re.Amount, Currency: strings.ToUpper(string(re.Currency))}
	return connector.PaymentResult{ProviderID: ref.ProviderID, MovementID: re.ID, Status: model.PayRefunded, Amount: m,
		IdempotencyKey: key, At: c.env.Clock.Now()}, nil
}

func (c *Connector) result(pi *stripeapi.PaymentIntent, key string, amount money.Money) connector.PaymentResult {
	return connector.PaymentResult{ProviderID: pi.ID, Status: intentStatus(string(pi.Status), pi.Amount, pi.AmountReceived, string(pi.CancellationReason)),
		Amount: amount, IdempotencyKey: key, At: c.env.Clock.Now()}
}

// cancellationReason maps our reason to one Stripe accepts.
func cancellationReason(reason string) string {
	switch reason {
	case "fraud", "fraudulent":
		return string(stripeapi.PaymentIntentCancellationReasonFraudulent)
	case "duplicate":
		return string(stripeapi.PaymentIntentCancellationReasonDuplicate)
	case "abandoned":
		return string(stripeapi.PaymentIntentCancellationReasonAbandoned)
	}
	return string(stripeapi.PaymentIntentCancellationReasonRequestedByCustomer)
}

// intentStatus maps a PaymentIntent's status to ours.
func intentStatus(status string, amount, received int64, cancelReason string) model.PaymentStatus {
	switch status {
	case "requires_capture":
		if received > 0 {
			return model.PayPartiallyCaptured
		}
		return model.PayAuthorized
	case "succeeded":
		if received > 0 && received < amount {
			return model.PayPartiallyCaptured
		}
		return model.PayCaptured
	case "canceled":
		if received > 0 {
			return model.PayPartiallyCaptured
		}
		if cancelReason == "automatic" || cancelReason == "expired" {
			return model.PayFailed // the authorisation lapsed
		}
		return model.PayVoided
	case "requires_payment_method":
		return model.PayFailed
	}
	return "" // requires_action, processing, …: nothing settled yet
}

// classify turns a Stripe error into the queue's vocabulary: 429, 409
// (idempotent request in flight), 5xx and the network are retryable; any
// other 4xx is permanent. Messages never carry the key.
func classify(op string, err error) error {
	var se *stripeapi.Error
	if errors.As(err, &se) {
		e := fmt.Errorf("%s: %d %s: %s", op, se.HTTPStatusCode, se.Code, se.Msg)
		switch {
		case se.HTTPStatusCode == 429, se.HTTPStatusCode == 409, se.HTTPStatusCode == 408, se.HTTPStatusCode >= 500:
			return fault.Retryable(e)
		case se.HTTPStatusCode == 0:
			return fault.Retryable(e)
		}
		return fault.Permanent(e)
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fault.Retryable(fmt.Errorf("%s: %w", op, err))
	}
	var te *fault.ThrottledError
	if errors.As(err, &te) {
		return err
	}
	return fault.Retryable(fmt.Errorf("%s: %w", op, err))
}
