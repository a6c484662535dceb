package metacommerce

import (
	"context"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/connectortest"
)

// FuzzDecode: any body, order or list topic, decodes or fails
// permanently; never a panic.
func FuzzDecode(f *testing.F) {
	f.Add(TopicOrder, docOrder("CREATED", ""))
	f.Add(TopicOrder, docOrder("COMPLETED", `, "cancellations": {"data": [{"items": {"data": [{"retailer_id": "MUG-BLK", "quantity": 9}]}}]}`))
	f.Add(TopicOrder, renderSynthetic(connectortest.Synthetic{OrderID: "1", Currency: "KWD", PlacedAt: time.Unix(0, 0),
		Lines: []connectortest.SyntheticLine{{ID: "1", Quantity: 3, UnitPrice: "1.234"}}, Shipping: "0.5"}))
	f.Add(TopicOrders, []byte(`{"data": [{"id": "1", "created": "2026-01-01T00:00:00+0000", "items": {"data": []}}], "paging": {"next": "x"}}`))
	c, err := newConnector(connector.Env{Name: "fuzz"}, &Config{CommerceAccountID: "1", AccessToken: "x"}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, topic string, body []byte) {
		if topic == TopicWebhook {
			return // fetches: not a pure decode
		}
		_, err := c.DecodeEvent(context.Background(), topic, body)
		if err != nil && !fault.IsPermanent(err) {
			t.Fatalf("%v: a payload that cannot be decoded is a permanent error", err)
		}
	})
}
