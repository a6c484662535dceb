package easypost

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/dropgate/dropgate/core/connector"
)

// HeaderSignature carries "hmac-sha256-hex=<hex>" over the raw body.
const HeaderSignature = "X-Hmac-Signature"

const sigPrefix = "hmac-sha256-hex="

// Sign returns the X-Hmac-Signature value EasyPost sends with body: the
// HMAC-SHA256 of the raw body keyed with the NFKD form of the secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(norm.NFKD.String(secret)))
	m.Write(body)
	return sigPrefix + hex.EncodeToString(m.Sum(nil))
}

// VerifyWebhook checks X-Hmac-Signature over the raw body in constant time.
// EasyPost signs no timestamp, so replays are caught by the event id (the
// delivery id the gateway deduplicates on).
func (c *Connector) VerifyWebhook(h http.Header, body []byte) (connector.Delivery, error) {
	got := strings.TrimSpace(h.Get(HeaderSignature))
	if !strings.HasPrefix(got, sigPrefix) {
		return connector.Delivery{}, fmt.Errorf("%w: missing or malformed %s", connector.ErrBadSignature, HeaderSignature)
	}
	if !hmac.Equal([]byte(got), []byte(Sign(c.cfg.WebhookSecret.Reveal(), body))) {
		return connector.Delivery{}, connector.ErrBadSignature
	}
	ev, err := decodeEvent(body)
	if err != nil {
		return connector.Delivery{}, err
	}
	if ev.ID == "" {
		return connector.Delivery{}, fmt.Errorf("easypost webhook: $.id: missing event id")
	}
	d := connector.Delivery{ID: ev.ID, Topic: ev.Description}
	if ev.Result != nil && ev.Result.TrackingCode != "" {
		// One parcel's updates are processed in the order they came.
		d.OrderRef = "parcel:" + ev.Result.TrackingCode
	}
	return d, nil
}

// SignWebhook implements connector.WebhookSigner.
func (c *Connector) SignWebhook(_ string, body []byte) (http.Header, error) {
	h := http.Header{}
	h.Set(HeaderSignature, Sign(c.cfg.WebhookSecret.Reveal(), body))
	h.Set("Content-Type", "application/json")
	return h, nil
}
