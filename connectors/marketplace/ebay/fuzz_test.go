package ebay

import (
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/fakes/ebayfake"
)

// FuzzDecodeOrder: the decoder never panics, and what it refuses is a
// permanent error.
func FuzzDecodeOrder(f *testing.F) {
	f.Add(paidOrder().Body)
	f.Add(cancelledOrder().Body)
	f.Add([]byte(`{"orderId":"1","pricingSummary":{"total":{"value":"1e9999","currency":"USD"}}}`))
	f.Add([]byte(`{"orderId":"1","creationDate":"2026-01-01T00:00:00Z","pricingSummary":{"total":{"value":"1","currency":"USD"}},"lineItems":[{"lineItemId":"1","quantity":0}]}`))
	c := fuzzConnector(f, nil)
	f.Fuzz(func(t *testing.T, body []byte) {
		if _, err := c.DecodeEvent(context.Background(), TopicOrder, body); err != nil && !fault.IsPermanent(err) {
			t.Fatalf("not permanent: %v", err)
		}
	})
}

// FuzzVerify: a notification signature header never panics the verifier.
func FuzzVerify(f *testing.F) {
	f.Add("eyJhbGciOiJlY2RzYSIsImtpZCI6IjEiLCJzaWduYXR1cmUiOiJNRVlDIiwiZGlnZXN0IjoiU0hBMSJ9", []byte(`{}`))
	f.Add("", []byte(nil))
	c := fuzzConnector(f, ebayfake.New().Transport())
	f.Fuzz(func(t *testing.T, sig string, body []byte) {
		_, _ = c.VerifyWebhook(sigHeader(sig), body)
	})
}

// fuzzConnector is a connector on a bare environment: the fuzz bodies
// need no store, and a store per input would be most of the time spent.
func fuzzConnector(f *testing.F, base http.RoundTripper) *Connector {
	c, err := newConnector(connector.Env{Name: "fuzz", Logger: slog.New(slog.DiscardHandler)}, &Config{ClientID: ebayfake.ClientID,
		ClientSecret: ebayfake.ClientSecret, RefreshToken: ebayfake.RefreshToken, BaseURL: suiteURL}, base)
	if err != nil {
		f.Fatal(err)
	}
	return c
}
