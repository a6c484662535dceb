package ebay

import (
	"context"
	"testing"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/ebayfake"
)

// FuzzDecodeOrder: the decoder never panics, and what it refuses is a
// permanent error.
func FuzzDecodeOrder(f *testing.F) {
	f.Add(paidOrder().Body)
	f.Add(cancelledOrder().Body)
	f.Add([]byte(`{"orderId":"1","pricingSummary":{"total":{"value":"1e9999","currency":"USD"}}}`))
	f.Add([]byte(`{"orderId":"1","creationDate":"2026-01-01T00:00:00Z","pricingSummary":{"total":{"value":"1","currency":"USD"}},"lineItems":[{"lineItemId":"1","quantity":0}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := connectortest.NewRig(connectortest.Wrap(t), store.Limit{})
		c := suiteConnector(r, &Config{}, nil)
		if _, err := c.DecodeEvent(context.Background(), TopicOrder, body); err != nil && !fault.IsPermanent(err) {
			t.Fatalf("not permanent: %v", err)
		}
	})
}

// FuzzVerify: a notification signature header never panics the verifier.
func FuzzVerify(f *testing.F) {
	f.Add("eyJhbGciOiJlY2RzYSIsImtpZCI6IjEiLCJzaWduYXR1cmUiOiJNRVlDIiwiZGlnZXN0IjoiU0hBMSJ9", []byte(`{}`))
	f.Add("", []byte(nil))
	f.Fuzz(func(t *testing.T, sig string, body []byte) {
		r := connectortest.NewRig(connectortest.Wrap(t), store.Limit{})
		c := suiteConnector(r, &Config{}, ebayfake.New().Transport())
		_, _ = c.VerifyWebhook(sigHeader(sig), body)
	})
}
