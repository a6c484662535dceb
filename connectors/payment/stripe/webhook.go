package stripe

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
)

// Tolerance is how old a Stripe-Signature timestamp may be (stripe-go's
// DefaultTolerance). A timestamp as far in the future is refused too: the
// gateway's clock and Stripe's agree to within seconds, and an unbounded
// future would let a captured delivery be replayed for ever.
const Tolerance = 300 * time.Second

// Signature verification outcomes, each wrapped with ErrBadSignature.
var (
	ErrNotSigned        = errors.New("stripe: no Stripe-Signature header")
	ErrInvalidHeader    = errors.New("stripe: malformed Stripe-Signature header")
	ErrNoValidSignature = errors.New("stripe: no v1 signature matches")
	ErrTooOld           = errors.New("stripe: signature timestamp outside the tolerance")
)

// Sign returns the Stripe-Signature header of body at t with secret.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks header against body: any v1 entry (several during a
// secret rotation) must be the HMAC-SHA256 of "t.body"; v0 and unknown
// keys are ignored, as Stripe's libraries do.
func Verify(secret, header string, body []byte, now time.Time) error {
	if header == "" {
		return ErrNotSigned
	}
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			if b, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, b)
			}
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrInvalidHeader
	}
	if len(sigs) == 0 {
		return ErrNoValidSignature
	}
	want := mac(secret, ts, body)
	ok := false
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			ok = true
		}
	}
	if !ok {
		return ErrNoValidSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > Tolerance || d < -Tolerance {
		return ErrTooOld
	}
	return nil
}

// VerifyWebhook checks Stripe-Signature over the raw body by the env's
// clock; the delivery id is the event id, stable across Stripe's retries.
func (c *Connector) VerifyWebhook(h http.Header, body []byte) (connector.Delivery, error) {
	if err := Verify(c.cfg.WebhookSecret.Reveal(), h.Get("Stripe-Signature"), body, c.env.Clock.Now()); err != nil {
		return connector.Delivery{}, fmt.Errorf("%w: %w", connector.ErrBadSignature, err)
	}
	var head struct {
		ID   string `json:"id"`
		Type string `json:"type"`
		Data struct {
			Object struct {
				Metadata map[string]string `json:"metadata"`
			} `json:"object"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &head); err != nil || head.ID == "" {
		return connector.Delivery{}, fmt.Errorf("%w: stripe: signed body is not an event", connector.ErrBadSignature)
	}
	return connector.Delivery{ID: head.ID, Topic: head.Type, OrderRef: head.Data.Object.Metadata["order_id"]}, nil
}

// SamplePayload is a payment_intent event for `dropgate trigger`.
func (c *Connector) SamplePayload(topic string) ([]byte, error) {
	switch topic {
	case "", "payment_intent.amount_capturable_updated", "payment_intent.succeeded":
	default:
		return nil, fmt.Errorf("stripe: no sample for %q (known: payment_intent.amount_capturable_updated, payment_intent.succeeded)", topic)
	}
	if topic == "" {
		topic = "payment_intent.amount_capturable_updated"
	}
	status, received := "requires_capture", 0
	if topic == "payment_intent.succeeded" {
		status, received = "succeeded", 2000
	}
	now := c.env.Clock.Now().Unix()
	return []byte(fmt.Sprintf(`{"id":"evt_dropgate_%d","object":"event","type":%q,"created":%d,"data":{"object":{"id":"pi_dropgate_sample","object":"payment_intent","amount":2000,"amount_capturable":%d,"amount_received":%d,"currency":"usd","status":%q,"capture_method":"manual","metadata":{"order_id":"ord_sample"}}}}`,
		now, topic, now, 2000-received, received, status)), nil
}

// SignWebhook signs body as Stripe would now.
func (c *Connector) SignWebhook(_ string, body []byte) (http.Header, error) {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Stripe-Signature", Sign(c.cfg.WebhookSecret.Reveal(), c.env.Clock.Now(), body))
	return h, nil
}
