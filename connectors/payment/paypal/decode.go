package paypal

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// event is the part of a PayPal webhook event dropgate reads. Amounts are
// decimal strings, never floats.
type event struct {
	ID         string `json:"id"`
	EventType  string `json:"event_type"`
	CreateTime string `json:"create_time"`
	Resource   struct {
		ID                string  `json:"id"`
		Status            string  `json:"status"`
		Amount            *Amount `json:"amount"`
		CustomID          string  `json:"custom_id"`
		FinalCapture      *bool   `json:"final_capture"`
		SupplementaryData struct {
			RelatedIDs struct {
				OrderID         string `json:"order_id"`
				AuthorizationID string `json:"authorization_id"`
				CaptureID       string `json:"capture_id"`
			} `json:"related_ids"`
		} `json:"supplementary_data"`
		SellerPayableBreakdown struct {
			TotalRefundedAmount *Amount `json:"total_refunded_amount"`
		} `json:"seller_payable_breakdown"`
		Links []struct {
			Href string `json:"href"`
			Rel  string `json:"rel"`
		} `json:"links"`
	} `json:"resource"`
}

// DecodePaymentEvent maps a verified event to a canonical payment status
// change. Types dropgate does not act on come back Ignored.
func (c *Connector) DecodePaymentEvent(_ context.Context, body []byte) (connector.PaymentEvent, error) {
	return decode(body)
}

func decode(body []byte) (connector.PaymentEvent, error) {
	var e event
	if err := json.Unmarshal(body, &e); err != nil {
		return connector.PaymentEvent{}, fault.Permanent(fmt.Errorf("paypal: decode event: %w", err))
	}
	if e.ID == "" || e.EventType == "" {
		return connector.PaymentEvent{}, fault.Permanentf("paypal: decode event: $.id and $.event_type are required")
	}
	out := connector.PaymentEvent{ID: e.ID, Type: e.EventType, OrderID: e.Resource.CustomID}
	if e.CreateTime != "" {
		t, err := time.Parse(time.RFC3339Nano, e.CreateTime)
		if err != nil {
			return out, fault.Permanentf("paypal: event %s: $.create_time: %v", e.ID, err)
		}
		out.At = t.UTC()
	}
	r := e.Resource
	amount := func(path string, a *Amount) (money.Money, error) {
		if a == nil {
			return money.Money{}, nil
		}
		m, err := FromAmount(*a)
		if err != nil {
			return m, fault.Permanentf("paypal: event %s: $.resource.%s: %v", e.ID, path, err)
		}
		return m, nil
	}
	var err error
	switch {
	case strings.HasPrefix(e.EventType, "PAYMENT.AUTHORIZATION."):
		out.ProviderID = r.ID
		if out.Authorized, err = amount("amount", r.Amount); err != nil {
			return out, err
		}
		out.Status = authStatus(r.Status)
		if e.EventType == "PAYMENT.AUTHORIZATION.VOIDED" && out.Status == "" {
			out.Status = model.PayVoided
		}
	case e.EventType == "PAYMENT.CAPTURE.COMPLETED" || e.EventType == "PAYMENT.CAPTURE.PENDING" ||
		e.EventType == "PAYMENT.CAPTURE.DECLINED" || e.EventType == "PAYMENT.CAPTURE.DENIED":
		out.ProviderID = firstOf(r.SupplementaryData.RelatedIDs.AuthorizationID, linkID(r.Links, "/authorizations/"), r.ID)
		m, err := amount("amount", r.Amount)
		if err != nil {
			return out, err
		}
		switch r.Status {
		case "COMPLETED":
			out.Captured = m
			out.Status = model.PayPartiallyCaptured
			if r.FinalCapture == nil || *r.FinalCapture {
				out.Status = model.PayCaptured
			}
		case "DECLINED", "FAILED":
			out.Status = model.PayFailed
		case "PARTIALLY_REFUNDED":
			out.Captured, out.Status = m, model.PayPartiallyRefunded
		case "REFUNDED":
			out.Captured, out.Status = m, model.PayRefunded
		default:
			// PENDING: the capture is not settled; nothing changes yet.
		}
	case e.EventType == "PAYMENT.CAPTURE.REFUNDED" || e.EventType == "PAYMENT.CAPTURE.REVERSED":
		// The resource is the refund; the payment is the capture it
		// refunds (the authorisation when PayPal names it).
		out.ProviderID = firstOf(r.SupplementaryData.RelatedIDs.AuthorizationID, r.SupplementaryData.RelatedIDs.CaptureID,
			linkID(r.Links, "/captures/"), r.ID)
		refunded, err := amount("seller_payable_breakdown.total_refunded_amount", r.SellerPayableBreakdown.TotalRefundedAmount)
		if err != nil {
			return out, err
		}
		this, err := amount("amount", r.Amount)
		if err != nil {
			return out, err
		}
		if refunded.Currency == "" {
			refunded = this
		}
		out.Refunded = refunded
		out.Status = model.PayPartiallyRefunded
		if e.EventType == "PAYMENT.CAPTURE.REVERSED" {
			// A reversal (a chargeback, a PayPal-side cancellation) takes
			// the whole capture back.
			out.Status = model.PayRefunded
		}
	default:
		out.Ignored = true // orders, disputes, other families: kept raw, not acted on
	}
	if !out.Ignored && out.ProviderID == "" {
		return out, fault.Permanentf("paypal: event %s: $.resource.id is required", e.ID)
	}
	return out, nil
}

// linkID is the last path segment of the first link whose href contains
// marker ("/authorizations/"), without a trailing action.
func linkID(links []struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
}, marker string) string {
	for _, l := range links {
		_, rest, ok := strings.Cut(l.Href, marker)
		if !ok || rest == "" {
			continue
		}
		id, _, _ := strings.Cut(rest, "/")
		return id
	}
	return ""
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
