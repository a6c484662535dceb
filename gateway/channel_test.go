package gateway

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/app/orders"
	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
)

// The gateway imports no connector, not even in tests: its tests use this
// channel, which verifies an HMAC-SHA256 of the body like most platforms
// (the connectors' own signature schemes are tested in their folders).
const (
	headerHmac  = "X-Test-Hmac-Sha256"
	headerTopic = "X-Test-Topic"
	headerID    = "X-Test-Delivery"
)

type hmacChannel struct{ secret string }

func (hmacChannel) Name() string { return "shop" }
func (hmacChannel) Type() string { return "test" }

func (c hmacChannel) VerifyWebhook(h http.Header, body []byte) (connector.Delivery, error) {
	got, err := base64.StdEncoding.DecodeString(h.Get(headerHmac))
	if err != nil || !hmac.Equal(got, mac(c.secret, body)) {
		return connector.Delivery{}, connector.ErrBadSignature
	}
	d := connector.Delivery{ID: h.Get(headerID), Topic: h.Get(headerTopic)}
	var head struct {
		ID json.Number `json:"id"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&head) == nil {
		d.OrderRef = head.ID.String()
	}
	return d, nil
}

func mac(secret string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return m.Sum(nil)
}

func sign(secret string, body []byte) string {
	return base64.StdEncoding.EncodeToString(mac(secret, body))
}

// intakeOn is the application's webhook intake on q.
func intakeOn(q store.Queue) ports.Intake { return orders.New(&app.Deps{Queue: q}) }
