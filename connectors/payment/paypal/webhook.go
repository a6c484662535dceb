package paypal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

// The transmission headers PayPal signs a delivery with, as Proof keys.
const (
	HeaderTransmissionID   = "PAYPAL-TRANSMISSION-ID"
	HeaderTransmissionTime = "PAYPAL-TRANSMISSION-TIME"
	HeaderTransmissionSig  = "PAYPAL-TRANSMISSION-SIG"
	HeaderCertURL          = "PAYPAL-CERT-URL"
	HeaderAuthAlgo         = "PAYPAL-AUTH-ALGO"
)

var proofHeaders = []string{HeaderTransmissionID, HeaderTransmissionTime, HeaderTransmissionSig, HeaderCertURL, HeaderAuthAlgo}

// Verification outcomes.
var (
	ErrNotSigned  = errors.New("paypal: a PayPal transmission header is missing")
	ErrBadCertURL = errors.New("paypal: PAYPAL-CERT-URL is not an https URL on paypal.com")
	ErrUnverified = errors.New("paypal: verify-webhook-signature did not answer SUCCESS")
)

// VerifyWebhook does what can be done without I/O: every transmission
// header present, the algorithm PayPal uses and a certificate on
// paypal.com. The signature itself is checked by PayPal in the queued job
// (VerifyPaymentEvent); the headers travel with it as the Proof. The
// delivery id is the event id, the same on PayPal's retries.
func (c *Connector) VerifyWebhook(h http.Header, body []byte) (connector.Delivery, error) {
	proof := map[string]string{}
	for _, k := range proofHeaders {
		v := strings.TrimSpace(h.Get(k))
		if v == "" {
			return connector.Delivery{}, fmt.Errorf("%w: %w: %s", connector.ErrBadSignature, ErrNotSigned, k)
		}
		proof[k] = v
	}
	if !strings.EqualFold(proof[HeaderAuthAlgo], "SHA256withRSA") {
		return connector.Delivery{}, fmt.Errorf("%w: paypal: unknown PAYPAL-AUTH-ALGO %q", connector.ErrBadSignature, proof[HeaderAuthAlgo])
	}
	if !paypalCertURL(proof[HeaderCertURL]) {
		return connector.Delivery{}, fmt.Errorf("%w: %w", connector.ErrBadSignature, ErrBadCertURL)
	}
	var head struct {
		ID        string `json:"id"`
		EventType string `json:"event_type"`
		Resource  struct {
			CustomID string `json:"custom_id"`
		} `json:"resource"`
	}
	if err := json.Unmarshal(body, &head); err != nil || head.ID == "" || head.EventType == "" {
		return connector.Delivery{}, fmt.Errorf("%w: paypal: body is not an event", connector.ErrBadSignature)
	}
	enc, _ := json.Marshal(proof) // a map of strings always encodes
	return connector.Delivery{ID: head.ID, Topic: head.EventType, OrderRef: head.Resource.CustomID, Proof: string(enc)}, nil
}

// paypalCertURL: PayPal's signing certificates are served over https from
// paypal.com hosts; anything else could be an attacker's key.
func paypalCertURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" {
		return false
	}
	h := strings.ToLower(u.Hostname())
	return h == "paypal.com" || strings.HasSuffix(h, ".paypal.com")
}

// VerifyPaymentEvent asks PayPal whether the delivery is genuine
// (POST /v1/notifications/verify-webhook-signature with the transmission
// headers, our webhook id and the event). Anything but SUCCESS is a
// permanent failure; PayPal being unreachable is retried.
func (c *Connector) VerifyPaymentEvent(ctx context.Context, encoded string, body []byte) error {
	var proof map[string]string
	if encoded != "" {
		if err := json.Unmarshal([]byte(encoded), &proof); err != nil {
			return fault.Permanent(fmt.Errorf("paypal: the delivery's proof: %w", err))
		}
	}
	for _, k := range proofHeaders {
		if proof[k] == "" {
			return fault.Permanent(fmt.Errorf("%w: %s (a delivery replayed without its headers cannot be verified)", ErrNotSigned, k))
		}
	}
	if !json.Valid(body) {
		return fault.Permanentf("paypal: the delivery's body is not JSON")
	}
	req := map[string]any{
		"auth_algo":         proof[HeaderAuthAlgo],
		"cert_url":          proof[HeaderCertURL],
		"transmission_id":   proof[HeaderTransmissionID],
		"transmission_sig":  proof[HeaderTransmissionSig],
		"transmission_time": proof[HeaderTransmissionTime],
		"webhook_id":        c.cfg.WebhookID,
		"webhook_event":     json.RawMessage(body),
	}
	var out struct {
		VerificationStatus string `json:"verification_status"`
	}
	if err := c.call(ctx, "POST", "/v1/notifications/verify-webhook-signature", "", req, &out); err != nil {
		return fmt.Errorf("paypal: verify delivery %s: %w", proof[HeaderTransmissionID], err)
	}
	if out.VerificationStatus != "SUCCESS" {
		return fault.Permanent(fmt.Errorf("%w: transmission %s: %q", ErrUnverified, proof[HeaderTransmissionID], out.VerificationStatus))
	}
	return nil
}
