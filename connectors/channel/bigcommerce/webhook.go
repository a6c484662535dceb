package bigcommerce

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
)

// Standard Webhooks headers, which BigCommerce signs its callbacks with
// (https-webhook-overview.mdx, "Webhook signature"; standardwebhooks.com).
const (
	HeaderID        = "Webhook-Id"
	HeaderTimestamp = "Webhook-Timestamp"
	HeaderSignature = "Webhook-Signature"
)

// Sign returns the Standard Webhooks signature "v1,<base64 HMAC-SHA256>"
// of "id.timestamp.body" under secret. BigCommerce's key is the app's
// client secret as bytes (its sample base64-encodes the secret only to
// hand it to a library that decodes it again).
func Sign(secret []byte, id string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(id + "." + strconv.FormatInt(ts, 10) + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// hook is a BigCommerce callback: thin, the order must be fetched.
type hook struct {
	Scope   string `json:"scope"`
	StoreID string `json:"store_id"`
	Data    struct {
		Type   string      `json:"type"`
		ID     json.Number `json:"id"`
		Status *struct {
			Previous json.Number `json:"previous_status_id"`
			New      json.Number `json:"new_status_id"`
		} `json:"status"`
	} `json:"data"`
	Hash      string      `json:"hash"`
	CreatedAt json.Number `json:"created_at"`
	Producer  string      `json:"producer"`
}

// VerifyWebhook checks the Standard Webhooks signature over the raw body
// in constant time, refuses a timestamp outside the tolerance (a replayed
// capture), and reads the delivery from the signed body: its scope is the
// topic (the body is signed, a header is not), its hash the dedupe key —
// BigCommerce's retries of one event share it — and data.id the order.
func (c *Connector) VerifyWebhook(h http.Header, body []byte) (connector.Delivery, error) {
	id, tsText, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || tsText == "" || sigs == "" {
		return connector.Delivery{}, fmt.Errorf("%w: missing %s, %s or %s", connector.ErrBadSignature, HeaderID, HeaderTimestamp, HeaderSignature)
	}
	ts, err := strconv.ParseInt(strings.TrimSpace(tsText), 10, 64)
	if err != nil {
		return connector.Delivery{}, fmt.Errorf("%w: %s %q is not a Unix time", connector.ErrBadSignature, HeaderTimestamp, tsText)
	}
	if d := c.now().Sub(time.Unix(ts, 0)); d > c.cfg.WebhookTolerance || d < -c.cfg.WebhookTolerance {
		return connector.Delivery{}, fmt.Errorf("%w: %s is %s away from now (tolerance %s)", connector.ErrBadSignature, HeaderTimestamp, d.Round(time.Second), c.cfg.WebhookTolerance)
	}
	want := Sign([]byte(c.cfg.ClientSecret.Reveal()), id, ts, body)
	ok := false
	for _, s := range strings.Fields(sigs) {
		if hmac.Equal([]byte(s), []byte(want)) {
			ok = true
		}
	}
	if !ok {
		return connector.Delivery{}, connector.ErrBadSignature
	}
	d := connector.Delivery{ID: "bc:" + id}
	var hk hook
	if json.Unmarshal(body, &hk) == nil {
		d.Topic = hk.Scope
		if hk.Hash != "" {
			d.ID = "bc-hash:" + hk.Hash
		}
		if hk.Data.Type == "order" {
			d.OrderRef = hk.Data.ID.String()
		}
	}
	return d, nil
}

// SamplePayload is a thin order callback (`dropgate trigger`); the order
// it names must exist in the store the connector reaches.
func (c *Connector) SamplePayload(topic string) ([]byte, error) {
	if topic == "" {
		topic = "store/order/created"
	}
	if !strings.HasPrefix(topic, "store/order/") {
		return nil, fmt.Errorf("bigcommerce: no sample for topic %q (store/order/created, store/order/statusUpdated)", topic)
	}
	return HookBody(topic, c.cfg.StoreHash, "100", 11, c.now()), nil
}

// SignWebhook returns the headers BigCommerce would send with body.
func (c *Connector) SignWebhook(_ string, body []byte) (http.Header, error) {
	sum := sha256.Sum256(body)
	id := fmt.Sprintf("msg_%x", sum[:12])
	ts := c.now().Unix()
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(HeaderSignature, Sign([]byte(c.cfg.ClientSecret.Reveal()), id, ts, body))
	return h, nil
}

// HookBody renders a thin order callback as BigCommerce sends it; the
// hash is derived from the content, as a redelivery repeats it.
func HookBody(scope, storeHash, orderID string, newStatus int, at time.Time) []byte {
	data := map[string]any{"type": "order", "id": json.Number(orderID)}
	if scope == "store/order/statusUpdated" {
		data["status"] = map[string]any{"previous_status_id": 0, "new_status_id": newStatus}
	}
	sum := sha256.Sum256([]byte(scope + "|" + orderID + "|" + strconv.Itoa(newStatus) + "|" + strconv.FormatInt(at.Unix(), 10)))
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(map[string]any{"scope": scope, "store_id": "1025646", "data": data,
		"hash": fmt.Sprintf("%x", sum[:20]), "created_at": at.Unix(), "producer": "stores/" + storeHash})
	return bytes.TrimSpace(b.Bytes())
}
