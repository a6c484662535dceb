package etsy

import (
	"context"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/connectortest"
)

// FuzzDecode: any body, either receipt topic, decodes or fails
// permanently; never a panic. (The webhook topic makes a call, so it is
// left out: its parsing is the list's.)
func FuzzDecode(f *testing.F) {
	f.Add(TopicReceipt, receiptBody("Paid", true))
	f.Add(TopicReceipt, receiptBody("canceled", false))
	f.Add(TopicReceipt, renderSynthetic(connectortest.Synthetic{OrderID: "1", Currency: "KWD", PlacedAt: time.Unix(0, 0),
		Lines: []connectortest.SyntheticLine{{ID: "1", Quantity: 3, UnitPrice: "1.234"}}, Shipping: "0.5"}))
	f.Add(TopicReceipts, []byte(`{"count": 1, "results": [{"receipt_id": 1, "create_timestamp": 1, "grandtotal": {"amount": 1, "divisor": 0, "currency_code": "USD"}}]}`))
	c, err := newConnector(connector.Env{Name: "fuzz"}, &Config{Keystring: "x", ShopID: "1"}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, topic string, body []byte) {
		if topic == TopicOrderPaid {
			return
		}
		_, err := c.DecodeEvent(context.Background(), topic, body)
		if err != nil && !fault.IsPermanent(err) {
			t.Fatalf("%v: a payload that cannot be decoded is a permanent error", err)
		}
	})
}
