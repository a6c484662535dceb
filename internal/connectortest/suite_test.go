package connectortest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/money"
)

// The suites' own tests: a well-behaved toy passes, and each broken toy
// fails, in the case that names its bug.

func TestPushSuitePassesAWellBehavedConnector(t *testing.T) {
	RunFulfillment(t, toyFulfillmentHarness(""))
}

func TestPushSuiteFailsBrokenConnectors(t *testing.T) {
	for bug, cases := range map[string][]string{
		"retries a 400":           {"400 not retried", "422 not retried"},
		"ignores Retry-After":     {"429 with Retry-After"},
		"second effect on replay": {"replay", "lost answer", "dropped answer"},
		"ignores the limiter":     {"no budget", "quota never exceeded", "asking the limiter"},
	} {
		t.Run(bug, func(t *testing.T) {
			mustFail(t, "a connector that "+bug, func(rt T) { runFulfillment(rt, toyFulfillmentHarness(bug)) }, cases...)
		})
	}
}

// tamperBlind signs only the first half of the body: a tampered second
// half passes.
type tamperBlind struct{ *toyShop }

func (c tamperBlind) VerifyWebhook(h http.Header, body []byte) (connector.Delivery, error) {
	half := body[:len(body)/2]
	if h.Get("X-Toy-Signature") != toySign(c.cfg.WebhookSecret.Reveal(), half) {
		return connector.Delivery{}, connector.ErrBadSignature
	}
	return connector.Delivery{ID: h.Get("X-Toy-Delivery"), Topic: h.Get("X-Toy-Topic"), OrderRef: "1001"}, nil
}

// unsignedPings accepts any delivery without a signature header, as a
// "ping".
type unsignedPings struct{ *toyShop }

func (c unsignedPings) VerifyWebhook(h http.Header, body []byte) (connector.Delivery, error) {
	if h.Get("X-Toy-Signature") == "" {
		return connector.Delivery{ID: "ping", Topic: "ping"}, nil
	}
	return c.toyShop.VerifyWebhook(h, body)
}

// freshIDs names every verification anew: a redelivery is not
// recognised, and the gateway would enqueue it twice.
type freshIDs struct {
	*toyShop
	n *atomic.Int64
}

func (c freshIDs) VerifyWebhook(h http.Header, body []byte) (connector.Delivery, error) {
	d, err := c.toyShop.VerifyWebhook(h, body)
	d.ID = fmt.Sprintf("delivery-%d", c.n.Add(1))
	return d, err
}

func toyWebhookHarness(wrap func(*toyShop) connector.Connector, sign func(string, string, string, []byte) http.Header) WebhookHarness {
	topic, body := renderToy(synthetic("1001", "USD", "9.50", "4.00", "1", "2"))
	return WebhookHarness{
		New: func(r *Rig, secret string) connector.Connector {
			return wrap(&toyShop{env: r.Env, cfg: &toyConfig{WebhookSecret: connector.Secret(secret)}})
		},
		Sign: sign, Required: []string{"X-Toy-Signature"},
		Samples: []WebhookSample{{Topic: topic, Body: body, Kind: connector.EventOrderCreated, OrderID: "1001", OrderRef: "1001"}},
	}
}

func TestWebhookSuiteFailsBrokenConnectors(t *testing.T) {
	halfSigned := func(secret, topic, id string, body []byte) http.Header {
		return toySignHeaders(secret, topic, id, body[:len(body)/2])
	}
	mustFail(t, "a connector that accepts a tampered body", func(rt T) {
		runWebhooks(rt, toyWebhookHarness(func(c *toyShop) connector.Connector { return tamperBlind{c} }, halfSigned))
	}, "tampered body")
	mustFail(t, "a connector that accepts unsigned pings", func(rt T) {
		runWebhooks(rt, toyWebhookHarness(func(c *toyShop) connector.Connector { return unsignedPings{c} }, toySignHeaders))
	}, "missing header", "unsigned ping")
	mustFail(t, "a connector that names each verification anew", func(rt T) {
		runWebhooks(rt, toyWebhookHarness(func(c *toyShop) connector.Connector { return freshIDs{c, &atomic.Int64{}} }, toySignHeaders))
	}, "replayed delivery")
}

// floatIDs decodes like the toy, but reads ids and prices through
// float64, as a decoder into map[string]any does.
type floatIDs struct{ *toyShop }

func (c floatIDs) DecodeEvent(ctx context.Context, topic string, body []byte) ([]connector.ChannelEvent, error) {
	evs, err := c.toyShop.DecodeEvent(ctx, topic, body)
	if err != nil || len(evs) == 0 || evs[0].Order == nil {
		return evs, err
	}
	o := evs[0].Order
	through := func(s string) string {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return s
		}
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	o.ChannelOrderID = through(o.ChannelOrderID)
	for i := range o.Lines {
		o.Lines[i].ID = through(o.Lines[i].ID)
		f, _ := strconv.ParseFloat(o.Lines[i].UnitPrice.Decimal().String(), 64)
		o.Lines[i].UnitPrice, _ = money.New(int64(f*100), o.Currency) // two decimals for every currency
	}
	return evs, nil
}

func TestDecodeSuiteFailsBrokenConnectors(t *testing.T) {
	h := DecodeHarness{Render: renderToy, NoConformance: "toy",
		New: func(r *Rig) connector.Connector {
			return floatIDs{&toyShop{env: r.Env, cfg: &toyConfig{WebhookSecret: "s"}}}
		}}
	mustFail(t, "a decoder through float64", func(rt T) { runDecode(rt, h) },
		"ids beyond 2^53", "zero-decimal currency", "three-decimal currency")
	// A decoder that takes a payload it cannot read for an empty order.
	lenient := DecodeHarness{Render: renderToy, NoConformance: "toy",
		New: func(r *Rig) connector.Connector { return lenientDecoder{&toyShop{env: r.Env, cfg: &toyConfig{}}} }}
	mustFail(t, "a decoder that swallows bad payloads", func(rt T) { runDecode(rt, lenient) }, "malformed payloads")
}

type lenientDecoder struct{ *toyShop }

func (c lenientDecoder) DecodeEvent(ctx context.Context, topic string, body []byte) ([]connector.ChannelEvent, error) {
	if !json.Valid(body) || bytes.HasPrefix(body, []byte("[")) {
		return []connector.ChannelEvent{{Kind: connector.EventIgnored}}, nil
	}
	return c.toyShop.DecodeEvent(ctx, topic, body)
}

// The recorder itself: a Fatalf ends only its subtest, and failures are
// reported with their subtest's path.
func TestRecorder(t *testing.T) {
	rec := newRecorder(t)
	reached := false
	rec.Run("a", func(t T) {
		t.Run("b", func(t T) { t.Fatalf("boom %d", 1) })
		reached = true
	})
	if !reached || !rec.Failed() || len(rec.Failures()) != 1 || rec.Failures()[0] != "/a/b: boom 1" {
		t.Fatalf("reached %v, failures %q", reached, rec.Failures())
	}
	mustPass(t, "nothing", func(T) {})
}
