package authorizenet

import (
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// Signature outcomes, each wrapped with connector.ErrBadSignature.
var (
	ErrNotSigned   = errors.New("authorize_net: no X-ANET-Signature header")
	ErrBadSigValue = errors.New("authorize_net: X-ANET-Signature does not match")
)

// Sign returns X-ANET-Signature for body: "sha512=" and the upper-case
// hex HMAC-SHA512 of the raw body, keyed with the signature key as
// Authorize.net shows it (the SDK samples key with the text itself).
func Sign(key string, body []byte) string {
	m := hmac.New(sha512.New, []byte(key))
	m.Write(body)
	return "sha512=" + strings.ToUpper(hex.EncodeToString(m.Sum(nil)))
}

// Verify checks the header in constant time; the hex's case is ignored.
func Verify(key, header string, body []byte) error {
	if header == "" {
		return ErrNotSigned
	}
	v, ok := strings.CutPrefix(strings.TrimSpace(header), "sha512=")
	if !ok {
		v, ok = strings.CutPrefix(strings.TrimSpace(header), "SHA512=")
	}
	got, err := hex.DecodeString(v)
	if !ok || err != nil {
		return ErrBadSigValue
	}
	m := hmac.New(sha512.New, []byte(key))
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return ErrBadSigValue
	}
	return nil
}

// notification is an Authorize.net webhook body.
type notification struct {
	NotificationID string `json:"notificationId"`
	EventType      string `json:"eventType"`
	EventDate      string `json:"eventDate"`
	WebhookID      string `json:"webhookId"`
	Payload        struct {
		ResponseCode  json.Number `json:"responseCode"`
		AuthAmount    json.Number `json:"authAmount"`
		EntityName    string      `json:"entityName"`
		ID            string      `json:"id"`
		InvoiceNumber string      `json:"invoiceNumber"`
	} `json:"payload"`
}

// VerifyWebhook checks X-ANET-Signature over the raw body; the delivery id
// is notificationId, the same on Authorize.net's retries.
func (c *Connector) VerifyWebhook(h http.Header, body []byte) (connector.Delivery, error) {
	if err := Verify(c.cfg.SignatureKey.Reveal(), h.Get("X-ANET-Signature"), body); err != nil {
		return connector.Delivery{}, fmt.Errorf("%w: %w", connector.ErrBadSignature, err)
	}
	var n notification
	if err := json.Unmarshal(body, &n); err != nil || n.NotificationID == "" {
		return connector.Delivery{}, fmt.Errorf("%w: authorize_net: signed body is not a notification", connector.ErrBadSignature)
	}
	return connector.Delivery{ID: n.NotificationID, Topic: n.EventType, OrderRef: n.Payload.InvoiceNumber}, nil
}

// SignWebhook signs body as Authorize.net would (`dropgate trigger`).
func (c *Connector) SignWebhook(_ string, body []byte) (http.Header, error) {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-ANET-Signature", Sign(c.cfg.SignatureKey.Reveal(), body))
	return h, nil
}

// SamplePayload is an authorization.created notification.
func (c *Connector) SamplePayload(topic string) ([]byte, error) {
	if topic != "" && topic != "net.authorize.payment.authorization.created" {
		return nil, fmt.Errorf("authorize_net: no sample for %q (known: net.authorize.payment.authorization.created)", topic)
	}
	now := c.env.Clock.Now().UTC()
	return []byte(fmt.Sprintf(`{"notificationId":"dropgate-%d","eventType":"net.authorize.payment.authorization.created","eventDate":%q,"webhookId":"sample","payload":{"responseCode":1,"authCode":"LZ6I19","avsResponse":"Y","authAmount":20.00,"invoiceNumber":"ord_sample","entityName":"transaction","id":"60000000001"}}`,
		now.Unix(), now.Format(time.RFC3339))), nil
}

// DecodePaymentEvent maps a verified notification to a payment status
// change; invoiceNumber is our order id (set at authorisation).
func (c *Connector) DecodePaymentEvent(_ context.Context, body []byte) (connector.PaymentEvent, error) {
	return decode(body, c.cfg.Currency)
}

func decode(body []byte, currency string) (connector.PaymentEvent, error) {
	var n notification
	if err := json.Unmarshal(body, &n); err != nil {
		return connector.PaymentEvent{}, fault.Permanent(fmt.Errorf("authorize_net: decode notification: %w", err))
	}
	if n.NotificationID == "" || n.EventType == "" {
		return connector.PaymentEvent{}, fault.Permanentf("authorize_net: decode notification: $.notificationId and $.eventType are required")
	}
	out := connector.PaymentEvent{ID: n.NotificationID, Type: n.EventType, ProviderID: n.Payload.ID, OrderID: n.Payload.InvoiceNumber}
	if n.EventDate != "" {
		t, err := time.Parse(time.RFC3339Nano, n.EventDate)
		if err != nil {
			return out, fault.Permanentf("authorize_net: notification %s: $.eventDate: %v", n.NotificationID, err)
		}
		out.At = t.UTC()
	}
	var amt money.Money
	if n.Payload.AuthAmount != "" {
		m, err := money.Parse(n.Payload.AuthAmount.String(), currency)
		if err != nil {
			return out, fault.Permanentf("authorize_net: notification %s: $.payload.authAmount: %v", n.NotificationID, err)
		}
		amt = m
	}
	declined := n.Payload.ResponseCode != "" && n.Payload.ResponseCode != "1"
	switch n.EventType {
	case "net.authorize.payment.authorization.created":
		out.Authorized, out.Status = amt, model.PayAuthorized
	case "net.authorize.payment.authcapture.created", "net.authorize.payment.capture.created", "net.authorize.payment.priorAuthCapture.created":
		out.Captured, out.Status = amt, model.PayCaptured
	case "net.authorize.payment.refund.created":
		out.Refunded, out.Status = amt, model.PayPartiallyRefunded
	case "net.authorize.payment.void.created":
		out.Status = model.PayVoided
	default:
		out.Ignored = true // fraud holds, profiles, subscriptions: kept raw
	}
	if declined && !out.Ignored {
		out.Status = model.PayFailed
	}
	if !out.Ignored && out.ProviderID == "" {
		return out, fault.Permanentf("authorize_net: notification %s: $.payload.id is required", n.NotificationID)
	}
	return out, nil
}
