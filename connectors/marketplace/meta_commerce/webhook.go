package metacommerce

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/jsonpos"
)

// SignatureHeader carries Meta's webhook signature:
// "sha256=" + hex(HMAC-SHA256(app secret, raw body)).
// https://developers.facebook.com/docs/graph-api/webhooks/getting-started
const SignatureHeader = "X-Hub-Signature-256"

var (
	_ connector.WebhookVerifier    = (*Connector)(nil)
	_ connector.WebhookSigner      = (*Connector)(nil)
	_ connector.ChallengeResponder = (*Connector)(nil)
)

// webhookBody is a Graph API webhook delivery: entries of changes, each
// naming the order it is about. Meta sends no order body worth trusting
// (the ping is thin), so each named order is fetched.
type webhookBody struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      string `json:"id"`
		Changes []struct {
			Field string `json:"field"`
			Value struct {
				OrderID string `json:"order_id"`
				ID      string `json:"id"`
			} `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

func (w *webhookBody) orderIDs() []string {
	var ids []string
	seen := map[string]bool{}
	for _, e := range w.Entry {
		for _, ch := range e.Changes {
			id := ch.Value.OrderID
			if id == "" && strings.Contains(ch.Field, "order") {
				id = ch.Value.ID
			}
			if id != "" && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return ids
}

func (c *Connector) sign(body []byte) string {
	m := hmac.New(sha256.New, []byte(c.cfg.AppSecret.Reveal()))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifyWebhook checks X-Hub-Signature-256 in constant time. Meta sends
// no delivery id, so the body's hash identifies a delivery (a retry
// sends the same bytes).
func (c *Connector) VerifyWebhook(h http.Header, body []byte) (connector.Delivery, error) {
	if c.cfg.AppSecret.IsZero() {
		return connector.Delivery{}, fmt.Errorf("%w: app_secret is not configured", connector.ErrBadSignature)
	}
	got := strings.TrimSpace(h.Get(SignatureHeader))
	hexSig, ok := strings.CutPrefix(got, "sha256=")
	raw, err := hex.DecodeString(hexSig)
	if !ok || err != nil || len(raw) != sha256.Size {
		return connector.Delivery{}, fmt.Errorf("%w: missing or malformed %s", connector.ErrBadSignature, SignatureHeader)
	}
	m := hmac.New(sha256.New, []byte(c.cfg.AppSecret.Reveal()))
	m.Write(body)
	if !hmac.Equal(raw, m.Sum(nil)) {
		return connector.Delivery{}, connector.ErrBadSignature
	}
	sum := sha256.Sum256(body)
	d := connector.Delivery{ID: "sha256:" + base64.RawURLEncoding.EncodeToString(sum[:]), Topic: TopicWebhook}
	var wb webhookBody
	if json.Unmarshal(body, &wb) == nil {
		if ids := wb.orderIDs(); len(ids) == 1 {
			d.OrderRef = ids[0]
		}
	}
	return d, nil
}

// SamplePayload is a commerce order webhook naming one order.
func (c *Connector) SamplePayload(topic string) ([]byte, error) {
	if topic != "" && topic != TopicWebhook {
		return nil, fmt.Errorf("meta_commerce: no sample for topic %q (use %q)", topic, TopicWebhook)
	}
	return []byte(`{"object": "commerce_account", "entry": [{"id": "` + c.cfg.CommerceAccountID +
		`", "time": 1773500966, "changes": [{"field": "commerce_orders", "value": {"order_id": "64000841790004"}}]}]}`), nil
}

// SignWebhook signs body as Meta would.
func (c *Connector) SignWebhook(_ string, body []byte) (http.Header, error) {
	if c.cfg.AppSecret.IsZero() {
		return nil, errors.New("meta_commerce: app_secret is not configured")
	}
	h := http.Header{}
	h.Set(SignatureHeader, c.sign(body))
	h.Set("Content-Type", "application/json")
	return h, nil
}

// RespondChallenge answers the subscription handshake, GET
// ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=N: the challenge
// echoed verbatim (text/plain) when the verify token matches.
func (c *Connector) RespondChallenge(q url.Values) (any, error) {
	if q.Get("hub.mode") != "subscribe" {
		return nil, errors.New("meta_commerce: hub.mode is not subscribe")
	}
	if c.cfg.VerifyToken.IsZero() || !hmac.Equal([]byte(q.Get("hub.verify_token")), []byte(c.cfg.VerifyToken.Reveal())) {
		return nil, errors.New("meta_commerce: hub.verify_token does not match verify_token")
	}
	ch := q.Get("hub.challenge")
	if ch == "" || len(ch) > 256 || strings.ContainsFunc(ch, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return nil, errors.New("meta_commerce: hub.challenge is empty, too long or not printable")
	}
	return connector.PlainChallenge(ch), nil
}

// decodeWebhook fetches every order a webhook names (GET /{order_id}
// with the order fields) and decodes it: the queue retries a failed
// fetch.
func (c *Connector) decodeWebhook(ctx context.Context, body []byte) ([]connector.ChannelEvent, error) {
	var wb webhookBody
	if err := jsonpos.Decode(body, &wb); err != nil {
		return nil, fault.Permanent(fmt.Errorf("meta_commerce: webhook: %w", err))
	}
	ids := wb.orderIDs()
	if len(ids) == 0 {
		return []connector.ChannelEvent{{Kind: connector.EventIgnored}}, nil
	}
	var (
		evs     []connector.ChannelEvent
		created []string
	)
	for _, id := range ids {
		var raw json.RawMessage
		if err := c.get(ctx, "order "+id+": read", "/"+url.PathEscape(id), url.Values{"fields": {orderFields}}, &raw); err != nil {
			return nil, err
		}
		ev, err := c.decodeOrder(raw, "$")
		if err != nil {
			return nil, err
		}
		evs = append(evs, ev)
		if state(raw) == "CREATED" {
			created = append(created, ev.ChannelOrderID)
		}
	}
	// Orders a webhook brought in are acknowledged at the next poll, as
	// the poll's own are.
	if err := c.acks().Add(ctx, created); err != nil {
		return nil, err
	}
	return evs, nil
}
