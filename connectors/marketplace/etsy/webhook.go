package etsy

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/jsonpos"
)

// Webhook headers (Standard Webhooks).
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// webhookTolerance is how far a delivery's timestamp may be from now: a
// replayed old delivery is refused.
const webhookTolerance = 5 * time.Minute

// signatures computes the Standard Webhooks signature: "v1," + base64 of
// HMAC-SHA256 over "{id}.{timestamp}.{body}". The secret is used as
// given, or base64-decoded after a "whsec_" prefix.
func (c *Connector) signature(id, ts string, body []byte) string {
	secret := []byte(c.cfg.WebhookSecret.Reveal())
	if s, ok := strings.CutPrefix(string(secret), "whsec_"); ok {
		if b, err := base64.StdEncoding.DecodeString(s); err == nil {
			secret = b
		}
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// VerifyWebhook checks an ORDER_PAID delivery: the three webhook-*
// headers, a timestamp within webhookTolerance, and one of the
// space-separated v1 signatures matching (constant time). Etsy's exact
// signed string is reported, not documented; this is the Standard
// Webhooks scheme the headers name.
func (c *Connector) VerifyWebhook(h http.Header, body []byte) (connector.Delivery, error) {
	if c.cfg.WebhookSecret.IsZero() {
		return connector.Delivery{}, fmt.Errorf("etsy: webhook: no webhook_secret configured: %w", connector.ErrBadSignature)
	}
	id, ts, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || ts == "" || sigs == "" {
		return connector.Delivery{}, fmt.Errorf("etsy: webhook: %s, %s and %s are required: %w", HeaderID, HeaderTimestamp, HeaderSignature, connector.ErrBadSignature)
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return connector.Delivery{}, fmt.Errorf("etsy: webhook: %s %q is not epoch seconds: %w", HeaderTimestamp, ts, connector.ErrBadSignature)
	}
	if d := c.now().Sub(time.Unix(secs, 0)); d > webhookTolerance || d < -webhookTolerance {
		return connector.Delivery{}, fmt.Errorf("etsy: webhook: timestamp %s is %v away: %w", ts, d, connector.ErrBadSignature)
	}
	want := []byte(c.signature(id, ts, body))
	ok := false
	for _, s := range strings.Fields(sigs) {
		if hmac.Equal([]byte(s), want) {
			ok = true
		}
	}
	if !ok {
		return connector.Delivery{}, fmt.Errorf("etsy: webhook: signature mismatch: %w", connector.ErrBadSignature)
	}
	var p ping
	_ = jsonpos.Decode(body, &p)
	topic := strings.ToLower(strings.ReplaceAll(p.EventType, "_", "."))
	switch {
	case topic == "" && p.ReceiptID != "":
		topic = TopicReceipt // a whole receipt (`dropgate trigger --event receipt`)
	case topic == "":
		topic = TopicOrderPaid
	}
	d := connector.Delivery{ID: id, Topic: topic}
	if u, err := url.Parse(p.ResourceURL); err == nil {
		if i := strings.LastIndex(u.Path, "/receipts/"); i >= 0 {
			d.OrderRef = u.Path[i+len("/receipts/"):]
		}
	}
	return d, nil
}

// SignWebhook signs a test delivery as Etsy would (`dropgate trigger`).
func (c *Connector) SignWebhook(_ string, body []byte) (http.Header, error) {
	if c.cfg.WebhookSecret.IsZero() {
		return nil, fault.Permanentf("etsy: webhook: no webhook_secret configured")
	}
	id := fmt.Sprintf("msg_%d", c.now().UnixNano())
	ts := strconv.FormatInt(c.now().Unix(), 10)
	h := http.Header{}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderSignature, c.signature(id, ts, body))
	return h, nil
}

// ping is what Etsy delivers (reported): no receipt, a URL to fetch it.
type ping struct {
	EventType   string          `json:"event_type"`
	ResourceURL string          `json:"resource_url"`
	ShopID      json.Number     `json:"shop_id"`
	Data        json.RawMessage `json:"data"`
	ReceiptID   json.Number     `json:"receipt_id"`
}

// decodePing fetches the receipt an ORDER_PAID ping names. Only a
// receipt path of the configured shop is fetched, on the configured API
// host: the URL in a delivery is never followed elsewhere.
func (c *Connector) decodePing(ctx context.Context, body []byte) ([]connector.ChannelEvent, error) {
	var p ping
	if err := jsonpos.Decode(body, &p); err != nil {
		return nil, fault.Permanent(fmt.Errorf("etsy: webhook: %w", err))
	}
	if p.ResourceURL == "" {
		return nil, fault.Permanentf("etsy: webhook: $.resource_url is missing")
	}
	u, err := url.Parse(p.ResourceURL)
	if err != nil {
		return nil, fault.Permanentf("etsy: webhook: $.resource_url %q is not a URL", p.ResourceURL)
	}
	prefix := "/v3/application/shops/" + c.cfg.ShopID + "/receipts/"
	rid, ok := strings.CutPrefix(u.Path, prefix)
	if !ok || rid == "" || strings.Trim(rid, "0123456789") != "" {
		return nil, fault.Permanentf("etsy: webhook: $.resource_url %q is not a receipt of shop %s", p.ResourceURL, c.cfg.ShopID)
	}
	var raw json.RawMessage
	if err := c.do(ctx, "receipt "+rid+": read", "GET", prefix+rid, nil, nil, &raw); err != nil {
		return nil, err
	}
	ev, err := c.decodeReceipt(raw, "$")
	if err != nil {
		return nil, err
	}
	return []connector.ChannelEvent{ev}, nil
}

// SamplePayload is a built-in body for `dropgate trigger`: an ORDER_PAID
// ping for receipt 1000000001 of the configured shop (order.paid, the
// default), or that receipt whole (receipt).
func (c *Connector) SamplePayload(topic string) ([]byte, error) {
	const rid = "1000000001"
	switch topic {
	case "", TopicOrderPaid:
		shop := c.cfg.ShopID
		if shop == "" {
			shop = "0"
		}
		return []byte(fmt.Sprintf(`{"event_type":"ORDER_PAID","resource_url":%q,"shop_id":%s}`,
			c.api.String()+"/v3/application/shops/"+shop+"/receipts/"+rid, shop)), nil
	case TopicReceipt:
		now := c.now().Unix()
		usd := func(cents int) string { return fmt.Sprintf(`{"amount":%d,"divisor":100,"currency_code":"USD"}`, cents) }
		return []byte(fmt.Sprintf(`{"receipt_id":%s,"status":"Paid","is_paid":true,"buyer_email":"buyer@example.com","name":"Sample Buyer",`+
			`"first_line":"1 Sample St","city":"Austin","state":"TX","zip":"78701","country_iso":"US","create_timestamp":%d,"update_timestamp":%d,`+
			`"subtotal":%s,"total_shipping_cost":%s,"total_tax_cost":%s,"discount_amt":%s,"grandtotal":%s,`+
			`"transactions":[{"transaction_id":2000000001,"title":"Sample mug","quantity":1,"sku":"SAMPLE-SKU","price":%s}]}`,
			rid, now, now, usd(1000), usd(450), usd(0), usd(0), usd(1450), usd(1000))), nil
	}
	return nil, fmt.Errorf("etsy: no sample for topic %q (%s, %s)", topic, TopicOrderPaid, TopicReceipt)
}
