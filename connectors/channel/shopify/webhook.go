package shopify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/jsonid"
)

// Webhook headers Shopify sends (shopify.dev/docs/apps/build/webhooks).
const (
	HeaderHmac       = "X-Shopify-Hmac-Sha256"
	HeaderTopic      = "X-Shopify-Topic"
	HeaderShopDomain = "X-Shopify-Shop-Domain"
	HeaderWebhookID  = "X-Shopify-Webhook-Id"
	HeaderAPIVersion = "X-Shopify-API-Version"
	HeaderTriggered  = "X-Shopify-Triggered-At"
	HeaderEventID    = "X-Shopify-Event-Id"
)

// Sign returns base64(HMAC-SHA256(secret, body)), Shopify's webhook
// signature.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// VerifyWebhook checks X-Shopify-Hmac-Sha256 over the raw body in constant
// time and that the delivery is for this shop: the secret is the app's,
// shared by every shop that installed it, so a valid signature alone does
// not prove the shop.
func (c *Connector) VerifyWebhook(h http.Header, body []byte) (connector.Delivery, error) {
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h.Get(HeaderHmac)))
	if err != nil || len(got) != sha256.Size {
		return connector.Delivery{}, fmt.Errorf("%w: missing or malformed %s", connector.ErrBadSignature, HeaderHmac)
	}
	m := hmac.New(sha256.New, []byte(c.cfg.WebhookSecret.Reveal()))
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return connector.Delivery{}, connector.ErrBadSignature
	}
	if shop := strings.ToLower(h.Get(HeaderShopDomain)); shop != "" && shop != c.cfg.ShopDomain {
		return connector.Delivery{}, fmt.Errorf("%w: delivery for shop %q, this channel is %q", connector.ErrBadSignature, shop, c.cfg.ShopDomain)
	}
	d := connector.Delivery{ID: h.Get(HeaderWebhookID), Topic: h.Get(HeaderTopic)}
	if d.ID == "" {
		// Without a delivery id, the body and topic identify the delivery:
		// a platform retry sends the same bytes.
		sum := sha256.Sum256(append([]byte(d.Topic+"\x00"), body...))
		d.ID = "sha256:" + base64.RawURLEncoding.EncodeToString(sum[:])
	}
	if strings.HasPrefix(d.Topic, "orders/") {
		d.OrderRef = jsonid.TopLevel(body)
	}
	return d, nil
}
