package woocommerce

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/jsonid"
)

// Webhook headers WooCommerce sends (WC_Webhook::get_delivery_headers in
// woocommerce/includes/class-wc-webhook.php).
const (
	HeaderSignature  = "X-WC-Webhook-Signature"
	HeaderTopic      = "X-WC-Webhook-Topic"
	HeaderResource   = "X-WC-Webhook-Resource"
	HeaderEvent      = "X-WC-Webhook-Event"
	HeaderSource     = "X-WC-Webhook-Source"
	HeaderWebhookID  = "X-WC-Webhook-ID"
	HeaderDeliveryID = "X-WC-Webhook-Delivery-ID"
)

// wpDecode is wp_specialchars_decode(…, ENT_QUOTES): WooCommerce stores a
// webhook secret HTML-escaped and decodes it before signing
// (WC_Webhook::generate_signature), so a secret typed with & < > " '
// signs with the characters themselves.
var wpDecode = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#039;", "'", "&#39;", "'")

// signingKey is the HMAC key WooCommerce uses for secret.
func signingKey(secret string) []byte { return []byte(wpDecode.Replace(secret)) }

// pingRE is the whole body of WooCommerce's ping.
var pingRE = regexp.MustCompile(`^webhook_id=[0-9]+$`)

// Sign returns base64(HMAC-SHA256(secret, body)), WooCommerce's webhook
// signature.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// VerifyWebhook checks X-WC-Webhook-Signature over the raw body in constant
// time. WooCommerce's ping when a webhook is saved (a form body
// webhook_id=N, unsigned) is refused as unverified but marked
// connector.ErrPing: the gateway answers it 200 (WooCommerce will not save
// a webhook whose URL refuses the ping) and stores nothing.
//
// The delivery id: WooCommerce's X-WC-Webhook-Delivery-ID is a fresh
// number per attempt (a retry of the same event gets a new one), so the
// id the gateway dedupes on is the webhook id, topic and a hash of the
// signed body — a retry sends the same bytes.
func (c *Connector) VerifyWebhook(h http.Header, body []byte) (connector.Delivery, error) {
	if h.Get(HeaderSignature) == "" && pingRE.Match(body) {
		return connector.Delivery{}, fmt.Errorf("%w: %w: webhook_id=… without %s", connector.ErrBadSignature, connector.ErrPing, HeaderSignature)
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h.Get(HeaderSignature)))
	if err != nil || len(got) != sha256.Size {
		return connector.Delivery{}, fmt.Errorf("%w: missing or malformed %s", connector.ErrBadSignature, HeaderSignature)
	}
	m := hmac.New(sha256.New, signingKey(c.cfg.WebhookSecret.Reveal()))
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return connector.Delivery{}, connector.ErrBadSignature
	}
	d := connector.Delivery{Topic: h.Get(HeaderTopic)}
	sum := sha256.Sum256(append([]byte(h.Get(HeaderWebhookID)+"\x00"+d.Topic+"\x00"), body...))
	d.ID = "sha256:" + base64.RawURLEncoding.EncodeToString(sum[:])
	if strings.HasPrefix(d.Topic, "order.") {
		d.OrderRef = jsonid.TopLevel(body)
	}
	return d, nil
}
