package connectortest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
)

// WebhookHarness is what RunWebhooks needs of a channel connector.
type WebhookHarness struct {
	// New builds the connector on the rig with webhook secret secret.
	New func(r *Rig, secret string) connector.Connector
	// Sign returns the headers the platform sends with a delivery of body
	// on topic, signed with secret and carrying delivery id id.
	Sign func(secret, topic, id string, body []byte) http.Header
	// Samples are deliveries that must verify and decode (one at least).
	Samples []WebhookSample
	// Required are the headers without which a delivery must be refused:
	// the signature, and a signed timestamp where the platform has one.
	Required []string
	// Ping is the platform's unsigned test delivery (WooCommerce posts
	// webhook_id=N when a webhook is saved), if it has one: it must be
	// refused like any unsigned delivery.
	Ping *Delivery
	// IgnoredTopic is a topic the connector does not act on: signed, it
	// verifies and decodes to EventIgnored only ("" skips the case).
	IgnoredTopic string
	// IgnoredBody is a delivery of IgnoredTopic, for a platform whose
	// topic is inside the signed body (BigCommerce's scope) rather than
	// in a header; default: the first sample's body under the topic.
	IgnoredBody []byte
	// MaxBody is the gateway's body limit (server.max_body_bytes) the
	// oversized case uses; default 1 MiB.
	MaxBody int
	// Pad lengthens a body to n bytes keeping it the same payload;
	// default appends JSON whitespace.
	Pad func(body []byte, n int) []byte
}

// WebhookSample is a delivery and what it must decode to.
type WebhookSample struct {
	Topic string
	Body  []byte
	// Kind and OrderID are the first event's; OrderRef is what
	// Delivery.OrderRef must say ("" when the connector cannot tell).
	Kind     connector.EventKind
	OrderID  string
	OrderRef string
}

// Delivery is a raw webhook request.
type Delivery struct {
	Header http.Header
	Body   []byte
}

const suiteSecret = "suite-webhook-secret"

// RunWebhooks runs the webhook suite.
func RunWebhooks(t *testing.T, h WebhookHarness) { runWebhooks(std{t}, h) }

func runWebhooks(t T, h WebhookHarness) {
	t.Helper()
	if h.New == nil || h.Sign == nil || len(h.Samples) == 0 || len(h.Required) == 0 {
		t.Fatalf("webhook harness: New, Sign, Samples and Required are needed")
	}
	if h.MaxBody == 0 {
		h.MaxBody = 1 << 20
	}
	if h.Pad == nil {
		h.Pad = padJSON
	}
	w := &webhooks{h: h}
	t.Run("valid", w.valid)
	t.Run("tampered body", w.tampered)
	t.Run("wrong secret", w.wrongSecret)
	t.Run("missing header", w.missingHeader)
	t.Run("replayed delivery", w.replayed)
	t.Run("oversized", w.oversized)
	t.Run("unsigned ping", w.unsignedPing)
	if h.IgnoredTopic != "" {
		t.Run("ignored topic", w.ignoredTopic)
	}
}

type webhooks struct{ h WebhookHarness }

// build returns the connector as a verifier and decoder.
func (w *webhooks) build(t T, secret string) (connector.WebhookVerifier, connector.EventDecoder) {
	t.Helper()
	c := w.h.New(NewRig(t, store.Limit{}), secret)
	v, ok := connector.As[connector.WebhookVerifier](c)
	if !ok {
		t.Fatalf("%T does not offer %s (WebhookVerifier)", c, connector.CapWebhooks)
	}
	d, ok := connector.As[connector.EventDecoder](c)
	if !ok {
		t.Fatalf("%T verifies webhooks but does not decode them (EventDecoder)", c)
	}
	return v, d
}

func (w *webhooks) sign(s WebhookSample, id string) http.Header {
	return w.h.Sign(suiteSecret, s.Topic, id, s.Body)
}

// verify calls VerifyWebhook, reporting a panic as a failure. A
// connector that checks the signature in the queued job
// (connector.DeliveryVerifier: eBay fetches its key) is verified in two
// stages, as the gateway and the job do: VerifyWebhook, then
// VerifyDelivery with the delivery's Proof. A refusal at the second stage
// must be permanent (the job dead-letters, never retries a forgery).
func verify(t T, v connector.WebhookVerifier, h http.Header, body []byte) (d connector.Delivery, err error) {
	t.Helper()
	if safely(t, "VerifyWebhook", func() { d, err = v.VerifyWebhook(h, body) }) {
		return d, errors.New("panicked")
	}
	dv, deferred := v.(connector.DeliveryVerifier)
	if err != nil || !deferred {
		return d, err
	}
	if safely(t, "VerifyDelivery", func() { err = dv.VerifyDelivery(context.Background(), d.Proof, body) }) {
		return d, errors.New("VerifyDelivery panicked")
	}
	switch {
	case err == nil:
		return d, nil
	case !fault.IsPermanent(err) || !errors.Is(err, connector.ErrBadSignature):
		return d, fmt.Errorf("VerifyDelivery refused with %v; want a permanent connector.ErrBadSignature", err)
	}
	return d, err
}

// refused asserts a delivery is refused as a bad signature.
func refused(t T, v connector.WebhookVerifier, what string, h http.Header, body []byte) {
	t.Helper()
	d, err := verify(t, v, h, body)
	if !errors.Is(err, connector.ErrBadSignature) {
		t.Errorf("%s: VerifyWebhook = %+v, %v; want connector.ErrBadSignature (from VerifyWebhook: the gateway answers 401 and stores nothing; or permanent from VerifyDelivery: the job dead-letters)", what, d, err)
	}
}

func decode(t T, dec connector.EventDecoder, topic string, body []byte) (evs []connector.ChannelEvent, err error) {
	t.Helper()
	if safely(t, "DecodeEvent", func() { evs, err = dec.DecodeEvent(context.Background(), topic, body) }) {
		return nil, errors.New("panicked")
	}
	return evs, err
}

// valid: each sample verifies, names its delivery and decodes to what it
// says.
func (w *webhooks) valid(t T) {
	v, dec := w.build(t, suiteSecret)
	for i, s := range w.h.Samples {
		id := deliveryID(i)
		d, err := verify(t, v, w.sign(s, id), s.Body)
		if err != nil {
			t.Errorf("sample %d (%s): a correctly signed delivery is refused: %v", i, s.Topic, err)
			continue
		}
		if d.ID == "" || d.Topic != s.Topic || d.OrderRef != s.OrderRef {
			t.Errorf("sample %d: delivery = %+v; want an id, topic %q and order ref %q", i, d, s.Topic, s.OrderRef)
		}
		evs, err := decode(t, dec, d.Topic, s.Body)
		if err != nil || len(evs) == 0 {
			t.Errorf("sample %d: DecodeEvent = %v, %v", i, evs, err)
			continue
		}
		checkEvent(t, i, evs[0], s.Kind, s.OrderID)
	}
}

func checkEvent(t T, i int, ev connector.ChannelEvent, kind connector.EventKind, orderID string) {
	t.Helper()
	if ev.Kind != kind || ev.ChannelOrderID != orderID {
		t.Errorf("sample %d: event %s for order %q, want %s for %q", i, ev.Kind, ev.ChannelOrderID, kind, orderID)
	}
	switch kind {
	case connector.EventOrderCreated, connector.EventOrderUpdated:
		if ev.Order == nil || ev.Order.ChannelOrderID != orderID {
			t.Errorf("sample %d: %s event without its order", i, kind)
		}
	case connector.EventOrderCancelled:
		if !ev.ProvesCancellation() {
			t.Errorf("sample %d: a cancellation without the signed order's cancelled_at (ProvesCancellation)", i)
		}
	}
}

func deliveryID(i int) string { return fmt.Sprintf("suite-delivery-%04d", i) }

// tampered: any byte changed, added or removed breaks the signature.
func (w *webhooks) tampered(t T) {
	v, _ := w.build(t, suiteSecret)
	s := w.h.Samples[0]
	h := w.sign(s, deliveryID(0))
	n := len(s.Body)
	for _, at := range []int{0, n / 2, n - 1} {
		b := bytes.Clone(s.Body)
		b[at] ^= 0x01
		refused(t, v, fmt.Sprintf("a byte flipped at %d", at), h, b)
	}
	refused(t, v, "a byte appended", h, append(bytes.Clone(s.Body), ' '))
	refused(t, v, "the last byte removed", h, s.Body[:n-1])
	refused(t, v, "another sample's body", h, w.other(s))
}

// other returns a body different from s's.
func (w *webhooks) other(s WebhookSample) []byte {
	for _, o := range w.h.Samples {
		if !bytes.Equal(o.Body, s.Body) {
			return o.Body
		}
	}
	return []byte(`{}`)
}

func (w *webhooks) wrongSecret(t T) {
	v, _ := w.build(t, suiteSecret)
	s := w.h.Samples[0]
	for _, secret := range []string{suiteSecret + "x", "", "SUITE-WEBHOOK-SECRET"} {
		refused(t, v, "signed with "+short([]byte(secret)), w.h.Sign(secret, s.Topic, deliveryID(0), s.Body), s.Body)
	}
	other, _ := w.build(t, "another-secret")
	refused(t, other, "a connector with another secret", w.sign(s, deliveryID(0)), s.Body)
}

func (w *webhooks) missingHeader(t T) {
	v, _ := w.build(t, suiteSecret)
	s := w.h.Samples[0]
	for _, name := range w.h.Required {
		h := w.sign(s, deliveryID(0))
		if h.Get(name) == "" {
			t.Errorf("Sign does not set required header %s", name)
			continue
		}
		h.Del(name)
		refused(t, v, name+" missing", h, s.Body)
		for _, junk := range []string{"", " ", "%%%", "sha256=", "dA==", string(bytes.Repeat([]byte("A"), 4096))} {
			h.Set(name, junk)
			refused(t, v, name+" = "+short([]byte(junk)), h, s.Body)
		}
	}
	refused(t, v, "no headers at all", http.Header{}, s.Body)
	refused(t, v, "nil header and body", nil, nil)
}

// replayed: a redelivery is the same delivery (the gateway dedupes on its
// id) and decodes to the same events; distinct deliveries are distinct.
func (w *webhooks) replayed(t T) {
	v, dec := w.build(t, suiteSecret)
	seen := map[string]int{}
	for i, s := range w.h.Samples {
		h := w.sign(s, deliveryID(i))
		d1, err1 := verify(t, v, h, s.Body)
		d2, err2 := verify(t, v, h.Clone(), bytes.Clone(s.Body))
		if err1 != nil || err2 != nil || d1 != d2 {
			t.Errorf("sample %d: a redelivery is %+v (%v), the first %+v (%v); want the same delivery", i, d2, err2, d1, err1)
			continue
		}
		e1, err1 := decode(t, dec, d1.Topic, s.Body)
		e2, err2 := decode(t, dec, d2.Topic, s.Body)
		if err1 != nil || err2 != nil || !reflect.DeepEqual(e1, e2) {
			t.Errorf("sample %d: decoding a redelivery gives other events: %+v / %+v", i, e1, e2)
		}
		if j, dup := seen[d1.ID]; dup && !bytes.Equal(w.h.Samples[j].Body, s.Body) {
			t.Errorf("samples %d and %d are distinct deliveries with the same id %q: the second would be dropped as a duplicate", j, i, d1.ID)
		}
		seen[d1.ID] = i
	}
}

// oversized: a delivery cut at the gateway's limit never verifies, and a
// large one within it does.
func (w *webhooks) oversized(t T) {
	v, dec := w.build(t, suiteSecret)
	s := w.h.Samples[0]
	big := w.h.Pad(bytes.Clone(s.Body), w.h.MaxBody+4096)
	h := w.h.Sign(suiteSecret, s.Topic, deliveryID(0), big)
	refused(t, v, "a delivery cut at the body limit", h, big[:w.h.MaxBody])
	if _, err := verify(t, v, h, big); err != nil && !errors.Is(err, connector.ErrBadSignature) {
		t.Errorf("an oversized signed delivery: %v; want it verified or refused as a bad signature", err)
	}
	within := w.h.Pad(bytes.Clone(s.Body), w.h.MaxBody)
	d, err := verify(t, v, w.h.Sign(suiteSecret, s.Topic, deliveryID(0), within), within)
	if err != nil {
		t.Fatalf("a signed delivery of exactly the body limit is refused: %v", err)
	}
	evs, err := decode(t, dec, d.Topic, within)
	if err != nil || len(evs) == 0 {
		t.Fatalf("a delivery of exactly the body limit does not decode: %v", err)
	}
	checkEvent(t, 0, evs[0], s.Kind, s.OrderID)
}

func (w *webhooks) unsignedPing(t T) {
	v, _ := w.build(t, suiteSecret)
	if w.h.Ping != nil {
		refused(t, v, "the platform's unsigned ping", w.h.Ping.Header.Clone(), w.h.Ping.Body)
	}
	s := w.h.Samples[0]
	h := w.sign(s, deliveryID(0))
	for _, name := range w.h.Required {
		h.Del(name)
	}
	refused(t, v, "a delivery with every header but its signature", h, s.Body)
	refused(t, v, "an empty unsigned body", h, nil)
}

func (w *webhooks) ignoredTopic(t T) {
	v, dec := w.build(t, suiteSecret)
	body := w.h.Samples[0].Body
	if w.h.IgnoredBody != nil {
		body = w.h.IgnoredBody
	}
	d, err := verify(t, v, w.h.Sign(suiteSecret, w.h.IgnoredTopic, deliveryID(0), body), body)
	if err != nil {
		t.Fatalf("a signed %s delivery is refused: %v", w.h.IgnoredTopic, err)
	}
	evs, err := decode(t, dec, d.Topic, body)
	if err != nil {
		t.Fatalf("decode %s: %v", w.h.IgnoredTopic, err)
	}
	for _, ev := range evs {
		if ev.Kind != connector.EventIgnored {
			t.Errorf("topic %s decoded to %s; want only %s", w.h.IgnoredTopic, ev.Kind, connector.EventIgnored)
		}
	}
}

// padJSON appends whitespace, which every JSON decoder skips.
func padJSON(body []byte, n int) []byte {
	for len(body) < n {
		body = append(body, ' ')
	}
	return body
}
