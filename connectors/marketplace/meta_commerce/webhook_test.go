package metacommerce

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/metafake"
)

const hookOrder = "64000841790004"

func hookBody(id string) []byte {
	return []byte(`{"object": "commerce_account", "entry": [{"id": "` + metafake.CommerceAccountID +
		`", "time": 1773500966, "changes": [{"field": "commerce_orders", "value": {"order_id": "` + id + `"}}]}]}`)
}

func TestSuiteWebhooks(t *testing.T) {
	connectortest.RunWebhooks(t, connectortest.WebhookHarness{
		New: func(r *connectortest.Rig, secret string) connector.Connector {
			f := metafake.New(metafake.WithClock(r.Clock))
			f.PutOrder(hookOrder, connectortest.Epoch)
			f.PutOrder("64000841790005", connectortest.Epoch)
			return suiteConnector(r, &Config{AppSecret: connector.Secret(secret)}, f.Transport())
		},
		Sign: func(secret, _, _ string, b []byte) http.Header {
			m := hmac.New(sha256.New, []byte(secret))
			m.Write(b)
			h := http.Header{}
			h.Set(SignatureHeader, "sha256="+hex.EncodeToString(m.Sum(nil)))
			return h
		},
		Samples: []connectortest.WebhookSample{
			{Topic: TopicWebhook, Body: hookBody(hookOrder), Kind: connector.EventOrderUpdated, OrderID: hookOrder, OrderRef: hookOrder},
			{Topic: TopicWebhook, Body: hookBody("64000841790005"), Kind: connector.EventOrderUpdated, OrderID: "64000841790005", OrderRef: "64000841790005"},
		},
		Required:     []string{SignatureHeader},
		IgnoredTopic: "page feed",
		// A page feed change names no order: verified, then ignored.
		IgnoredBody: []byte(`{"object": "page", "entry": [{"id": "1", "time": 1, "changes": [{"field": "feed", "value": {"id": "1_2"}}]}]}`),
	})
}

// TestWebhookSignatureVector: the header is sha256= and the hex HMAC of
// the raw body under the app secret; a signature by another secret, or
// the right one without its prefix, is refused.
func TestWebhookSignatureVector(t *testing.T) {
	c, err := newConnector(connector.Env{Name: "meta"}, &Config{AppSecret: "hush", AccessToken: "x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`"my secret message"`)
	// Computed independently: printf '"my secret message"' | openssl dgst -sha256 -hmac hush
	want := "sha256=84c4ead0adb1ee8c8e8e80701987938f9a317e7695617cdb6a7506f5a6a3a4a2"
	h, _ := c.SignWebhook(TopicWebhook, body)
	if got := h.Get(SignatureHeader); got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
	if _, err := c.VerifyWebhook(h, body); err != nil {
		t.Fatalf("verify: %v", err)
	}
	for _, bad := range []string{want[len("sha256="):], "sha256=" + hex.EncodeToString(make([]byte, 32)), "sha1=abc"} {
		hh := http.Header{}
		hh.Set(SignatureHeader, bad)
		if _, err := c.VerifyWebhook(hh, body); err == nil {
			t.Errorf("signature %q accepted", bad)
		}
	}
}

func TestChallenge(t *testing.T) {
	c, _ := newConnector(connector.Env{Name: "meta"}, &Config{VerifyToken: "tok", AccessToken: "x"}, nil)
	got, err := c.RespondChallenge(url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"tok"}, "hub.challenge": {"1158201444"}})
	if err != nil {
		t.Fatal(err)
	}
	if got != connector.PlainChallenge("1158201444") {
		t.Errorf("challenge answered %#v, want the challenge as plain text", got)
	}
	for _, q := range []url.Values{
		{"hub.mode": {"subscribe"}, "hub.verify_token": {"other"}, "hub.challenge": {"1"}},
		{"hub.mode": {"unsubscribe"}, "hub.verify_token": {"tok"}, "hub.challenge": {"1"}},
		{"hub.mode": {"subscribe"}, "hub.verify_token": {"tok"}, "hub.challenge": {"a b\n"}},
	} {
		if _, err := c.RespondChallenge(q); err == nil {
			t.Errorf("%v answered", q)
		}
	}
	c2, _ := newConnector(connector.Env{Name: "meta"}, &Config{AccessToken: "x"}, nil)
	if _, err := c2.RespondChallenge(url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {""}, "hub.challenge": {"1"}}); err == nil {
		t.Error("a handshake answered without a verify_token configured")
	}
}

// TestWebhookFetchesOrder: a ping fetches the order it names; an order
// Meta no longer has is a permanent error.
func TestWebhookFetchesOrder(t *testing.T) {
	f := metafake.New()
	o := f.AddOrder(metafake.NewLine{SKU: "MUG", Name: "Mug", Qty: 2, Price: "19.99"})
	c, _ := newConnector(connector.Env{Name: "meta"}, &Config{CommerceAccountID: metafake.CommerceAccountID,
		AccessToken: metafake.AccessToken, BaseURL: "https://graph.example"}, f.Transport())
	evs, err := c.DecodeEvent(context.Background(), TopicWebhook, hookBody(o.ID))
	if err != nil || len(evs) != 1 || evs[0].Order == nil || evs[0].Order.Lines[0].Quantity != 2 || evs[0].Order.Totals.Subtotal.Amount != 3998 {
		t.Fatalf("decode: %v %+v", err, evs)
	}
	if n := len(f.Server().Requests()); n != 1 {
		t.Errorf("%d requests, want the one order fetch", n)
	}
	_, err = c.DecodeEvent(context.Background(), TopicWebhook, hookBody("404"))
	if err == nil {
		t.Fatal("a missing order decoded")
	}
}
