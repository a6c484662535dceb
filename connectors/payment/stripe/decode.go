package stripe

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// event is the part of a Stripe event dropgate reads. Amounts are
// json.Number: integers in minor units, never floats.
type event struct {
	ID      string      `json:"id"`
	Object  string      `json:"object"`
	Type    string      `json:"type"`
	Created json.Number `json:"created"`
	Data    struct {
		Object object `json:"object"`
	} `json:"data"`
}

// object is a payment_intent, a charge or a refund (the fields each has).
type object struct {
	Object             string            `json:"object"`
	ID                 string            `json:"id"`
	PaymentIntent      *string           `json:"payment_intent"`
	Charge             *string           `json:"charge"`
	Amount             json.Number       `json:"amount"`
	AmountCapturable   json.Number       `json:"amount_capturable"`
	AmountReceived     json.Number       `json:"amount_received"`
	AmountCaptured     json.Number       `json:"amount_captured"`
	AmountRefunded     json.Number       `json:"amount_refunded"`
	Refunded           bool              `json:"refunded"`
	Currency           string            `json:"currency"`
	Status             string            `json:"status"`
	CancellationReason string            `json:"cancellation_reason"`
	Metadata           map[string]string `json:"metadata"`
}

// DecodePaymentEvent maps a verified event to a canonical payment status
// change. Types dropgate does not act on come back Ignored.
func (c *Connector) DecodePaymentEvent(_ context.Context, body []byte) (connector.PaymentEvent, error) {
	return decode(body)
}

func decode(body []byte) (connector.PaymentEvent, error) {
	var e event
	if err := json.Unmarshal(body, &e); err != nil {
		return connector.PaymentEvent{}, fault.Permanent(fmt.Errorf("stripe: decode event: %w", err))
	}
	if e.ID == "" || e.Type == "" {
		return connector.PaymentEvent{}, fault.Permanentf("stripe: decode event: $.id and $.type are required")
	}
	out := connector.PaymentEvent{ID: e.ID, Type: e.Type}
	if e.Created != "" {
		sec, err := e.Created.Int64()
		if err != nil {
			return out, fault.Permanentf("stripe: event %s: $.created: %v", e.ID, err)
		}
		out.At = time.Unix(sec, 0).UTC()
	}
	o := e.Data.Object
	out.OrderID = o.Metadata["order_id"]
	cur := strings.ToUpper(o.Currency)
	amt := func(path string, n json.Number) (money.Money, error) {
		if n == "" {
			return money.Money{}, nil
		}
		v, err := strconv.ParseInt(n.String(), 10, 64)
		if err != nil {
			return money.Money{}, fault.Permanentf("stripe: event %s: $.data.object.%s: not an integer amount: %q", e.ID, path, n)
		}
		if !money.KnownCurrency(cur) {
			return money.Money{}, fault.Permanentf("stripe: event %s: $.data.object.currency: unknown currency %q", e.ID, o.Currency)
		}
		return money.Money{Amount: v, Currency: cur}, nil
	}
	var err error
	switch {
	case strings.HasPrefix(e.Type, "payment_intent.") && o.Object == "payment_intent":
		out.ProviderID = o.ID
		if out.Authorized, err = amt("amount", o.Amount); err != nil {
			return out, err
		}
		if out.Captured, err = amt("amount_received", o.AmountReceived); err != nil {
			return out, err
		}
		total, _ := strconv.ParseInt(o.Amount.String(), 10, 64)
		out.Status = intentStatus(o.Status, total, out.Captured.Amount, o.CancellationReason)
		if e.Type == "payment_intent.payment_failed" {
			out.Status = model.PayFailed
		}
	case (e.Type == "charge.captured" || e.Type == "charge.refunded" || e.Type == "charge.succeeded") && o.Object == "charge":
		out.ProviderID = o.ID
		if o.PaymentIntent != nil && *o.PaymentIntent != "" {
			out.ProviderID = *o.PaymentIntent
		}
		if out.Authorized, err = amt("amount", o.Amount); err != nil {
			return out, err
		}
		if out.Captured, err = amt("amount_captured", o.AmountCaptured); err != nil {
			return out, err
		}
		if out.Refunded, err = amt("amount_refunded", o.AmountRefunded); err != nil {
			return out, err
		}
		out.Status = chargeStatus(e.Type, out, o.Refunded)
	default:
		out.Ignored = true // disputes, refund objects, other families: recorded upstream, not acted on
	}
	if !out.Ignored && out.ProviderID == "" {
		return out, fault.Permanentf("stripe: event %s: $.data.object.id is required", e.ID)
	}
	return out, nil
}

func chargeStatus(typ string, ev connector.PaymentEvent, refunded bool) model.PaymentStatus {
	switch {
	case typ == "charge.refunded" && refunded:
		return model.PayRefunded
	case typ == "charge.refunded":
		return model.PayPartiallyRefunded
	case ev.Captured.Amount > 0 && ev.Captured.Amount < ev.Authorized.Amount:
		return model.PayPartiallyCaptured
	case ev.Captured.Amount > 0:
		return model.PayCaptured
	}
	return model.PayAuthorized
}
