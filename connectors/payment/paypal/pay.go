package paypal

import (
	"context"
	"fmt"
	"net/url"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// authorization is the part of a Payments v2 authorisation read here.
type authorization struct {
	ID                string `json:"id"`
	Status            string `json:"status"`
	Amount            Amount `json:"amount"`
	CustomID          string `json:"custom_id"`
	ExpirationTime    string `json:"expiration_time"`
	SupplementaryData struct {
		RelatedIDs struct {
			OrderID string `json:"order_id"`
		} `json:"related_ids"`
	} `json:"supplementary_data"`
}

// capture is a capture or a refund (the fields both have).
type capture struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	Amount       Amount `json:"amount"`
	FinalCapture bool   `json:"final_capture"`
}

// order is the part of an Orders v2 order read here.
type order struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	PurchaseUnits []struct {
		Payments struct {
			Authorizations []authorization `json:"authorizations"`
			Captures       []capture       `json:"captures"`
		} `json:"payments"`
	} `json:"purchase_units"`
}

// Authorize authorises the PayPal order the buyer approved (paymentMethod
// is its id, intent AUTHORIZE); the payment dropgate then follows is the
// authorisation (its id in PaymentRef.ProviderID).
func (c *Connector) Authorize(ctx context.Context, o *model.Order, amount money.Money, paymentMethod string) (connector.PaymentResult, error) {
	if paymentMethod == "" {
		return connector.PaymentResult{}, fault.Permanentf("paypal: order %s: authorize: no approved PayPal order id", o.ID)
	}
	key := RequestID(o.ID, "authorize", "")
	var out order
	if err := c.call(ctx, "POST", "/v2/checkout/orders/"+url.PathEscape(paymentMethod)+"/authorize", key, struct{}{}, &out); err != nil {
		return connector.PaymentResult{}, fmt.Errorf("paypal: order %s: authorize %s: %w", o.ID, paymentMethod, err)
	}
	for _, pu := range out.PurchaseUnits {
		for _, a := range pu.Payments.Authorizations {
			r, err := c.authResult(a, key)
			if err != nil {
				return r, fmt.Errorf("paypal: order %s: authorize %s: %w", o.ID, paymentMethod, err)
			}
			if amount.Currency != "" && r.Amount != amount {
				c.env.Log().Warn("paypal authorised another amount than the order's", "order", o.ID, "authorized", r.Amount.String(), "expected", amount.String())
			}
			return r, nil
		}
	}
	return connector.PaymentResult{}, fault.Permanentf("paypal: order %s: authorize %s: no authorisation in the answer (status %s)", o.ID, paymentMethod, out.Status)
}

// Lookup reads an authorisation (adoption, expiry checks).
func (c *Connector) Lookup(ctx context.Context, ref connector.PaymentRef) (connector.PaymentResult, error) {
	var a authorization
	if err := c.call(ctx, "GET", "/v2/payments/authorizations/"+url.PathEscape(ref.ProviderID), "", nil, &a); err != nil {
		return connector.PaymentResult{}, fmt.Errorf("paypal: order %s: read %s: %w", ref.OrderID, ref.ProviderID, err)
	}
	return c.authResult(a, "")
}

func (c *Connector) authResult(a authorization, key string) (connector.PaymentResult, error) {
	m, err := FromAmount(a.Amount)
	if err != nil {
		return connector.PaymentResult{}, fault.Permanent(err)
	}
	return connector.PaymentResult{ProviderID: a.ID, Status: authStatus(a.Status), Amount: m, IdempotencyKey: key, At: c.env.Clock.Now()}, nil
}

// Capture takes amount of the authorisation for one shipment. Without
// final, final_capture=false keeps the rest authorised for the shipments
// to come; PayPal's default (final) would release it.
func (c *Connector) Capture(ctx context.Context, ref connector.PaymentRef, amount money.Money, shipmentID string, final bool) (connector.PaymentResult, error) {
	key := RequestID(ref.OrderID, "capture", shipmentID)
	amt, err := ToAmount(amount)
	if err != nil {
		return connector.PaymentResult{}, fault.Permanent(fmt.Errorf("paypal: order %s: capture: %w", ref.OrderID, err))
	}
	body := map[string]any{"amount": amt, "final_capture": final}
	var out capture
	if err := c.call(ctx, "POST", "/v2/payments/authorizations/"+url.PathEscape(ref.ProviderID)+"/capture", key, body, &out); err != nil {
		return connector.PaymentResult{}, fmt.Errorf("paypal: order %s: capture %s for shipment %s: %w", ref.OrderID, amount, shipmentID, err)
	}
	got, err := FromAmount(out.Amount)
	if err != nil {
		return connector.PaymentResult{}, fault.Permanent(fmt.Errorf("paypal: order %s: capture %s: %w", ref.OrderID, out.ID, err))
	}
	st := model.PayPartiallyCaptured
	if final {
		st = model.PayCaptured
	}
	switch out.Status {
	case "DECLINED", "FAILED":
		return connector.PaymentResult{}, fault.Permanentf("paypal: order %s: capture %s for shipment %s: %s", ref.OrderID, out.ID, shipmentID, out.Status)
	}
	return connector.PaymentResult{ProviderID: ref.ProviderID, MovementID: out.ID, Status: st, Amount: got, IdempotencyKey: key, At: c.env.Clock.Now()}, nil
}

// Void releases an authorisation nothing was captured from.
func (c *Connector) Void(ctx context.Context, ref connector.PaymentRef, _ string) (connector.PaymentResult, error) {
	key := RequestID(ref.OrderID, "void", "")
	if err := c.call(ctx, "POST", "/v2/payments/authorizations/"+url.PathEscape(ref.ProviderID)+"/void", key, nil, nil); err != nil {
		return connector.PaymentResult{}, fmt.Errorf("paypal: order %s: void %s: %w", ref.OrderID, ref.ProviderID, err)
	}
	return connector.PaymentResult{ProviderID: ref.ProviderID, Status: model.PayVoided, IdempotencyKey: key, At: c.env.Clock.Now()}, nil
}

// Refund refunds amount (zero: everything) of what the authorisation's
// captures took. PayPal refunds captures, not authorisations: the captures
// are read from the order, and amount is taken from the latest capture
// back. The split depends only on the capture amounts, never on what is
// already refunded, so a retried job sends the same PayPal-Request-Ids and
// PayPal answers the refunds already made instead of making them again.
func (c *Connector) Refund(ctx context.Context, ref connector.PaymentRef, amount money.Money, reason string) (connector.PaymentResult, error) {
	caps, err := c.captures(ctx, ref)
	if err != nil {
		return connector.PaymentResult{}, err
	}
	res := connector.PaymentResult{ProviderID: ref.ProviderID, Status: model.PayRefunded, At: c.env.Clock.Now()}
	left := amount.Amount
	var total, captured int64
	for i := len(caps) - 1; i >= 0; i-- {
		cp := caps[i]
		m, err := FromAmount(cp.Amount)
		if err != nil {
			return res, fault.Permanent(fmt.Errorf("paypal: order %s: capture %s: %w", ref.OrderID, cp.ID, err))
		}
		if cp.Status == "DECLINED" || cp.Status == "FAILED" || cp.Status == "PENDING" {
			continue
		}
		captured += m.Amount
		body := map[string]any{}
		if amount.Amount == 0 && cp.Status == "REFUNDED" {
			continue // nothing left on it
		}
		if amount.Amount > 0 {
			if left <= 0 {
				continue
			}
			if m.Currency != amount.Currency {
				return res, fault.Permanentf("paypal: order %s: refund %s of a %s capture", ref.OrderID, amount, m.Currency)
			}
			take := min(left, m.Amount)
			left -= take
			m.Amount = take
			amt, err := ToAmount(m)
			if err != nil {
				return res, fault.Permanent(fmt.Errorf("paypal: order %s: refund: %w", ref.OrderID, err))
			}
			body["amount"] = amt
		}
		if reason != "" {
			body["note_to_payer"] = reason
		}
		key := RequestID(ref.OrderID, "refund", ref.Movement+fmt.Sprintf("%d%s-%s", amount.Amount, amount.Currency, cp.ID))
		var out capture
		if err := c.call(ctx, "POST", "/v2/payments/captures/"+url.PathEscape(cp.ID)+"/refund", key, body, &out); err != nil {
			return res, fmt.Errorf("paypal: order %s: refund capture %s: %w", ref.OrderID, cp.ID, err)
		}
		got, err := FromAmount(out.Amount)
		if err != nil {
			return res, fault.Permanent(fmt.Errorf("paypal: order %s: refund %s: %w", ref.OrderID, out.ID, err))
		}
		total += got.Amount
		res.Amount = money.Money{Amount: total, Currency: got.Currency}
		res.MovementID, res.IdempotencyKey = out.ID, key
	}
	if amount.Amount > 0 && left > 0 {
		return res, fault.Permanentf("paypal: order %s: refund %s: only %d captured", ref.OrderID, amount, captured)
	}
	if res.MovementID == "" {
		return res, fault.Permanentf("paypal: order %s: refund: nothing captured on %s", ref.OrderID, ref.ProviderID)
	}
	if amount.Amount > 0 && amount.Amount < captured {
		res.Status = model.PayPartiallyRefunded
	}
	return res, nil
}

// captures reads the captures of an authorisation, oldest first, from its
// order.
func (c *Connector) captures(ctx context.Context, ref connector.PaymentRef) ([]capture, error) {
	var a authorization
	if err := c.call(ctx, "GET", "/v2/payments/authorizations/"+url.PathEscape(ref.ProviderID), "", nil, &a); err != nil {
		return nil, fmt.Errorf("paypal: order %s: read %s: %w", ref.OrderID, ref.ProviderID, err)
	}
	oid := a.SupplementaryData.RelatedIDs.OrderID
	if oid == "" {
		return nil, fault.Permanentf("paypal: order %s: authorisation %s names no order", ref.OrderID, ref.ProviderID)
	}
	var o order
	if err := c.call(ctx, "GET", "/v2/checkout/orders/"+url.PathEscape(oid), "", nil, &o); err != nil {
		return nil, fmt.Errorf("paypal: order %s: read PayPal order %s: %w", ref.OrderID, oid, err)
	}
	var out []capture
	for _, pu := range o.PurchaseUnits {
		out = append(out, pu.Payments.Captures...)
	}
	return out, nil
}

// authStatus maps an authorisation's status to ours.
func authStatus(s string) model.PaymentStatus {
	switch s {
	case "CREATED":
		return model.PayAuthorized
	case "PARTIALLY_CAPTURED":
		return model.PayPartiallyCaptured
	case "CAPTURED":
		return model.PayCaptured
	case "VOIDED":
		return model.PayVoided
	case "DENIED", "EXPIRED":
		return model.PayFailed
	}
	return "" // PENDING: nothing settled yet
}
