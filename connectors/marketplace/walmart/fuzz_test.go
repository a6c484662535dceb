package walmart

import (
	"context"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/connectortest"
)

// FuzzDecode: any body, either topic, decodes or fails permanently; never
// a panic.
func FuzzDecode(f *testing.F) {
	f.Add(TopicOrder, twoLines(`{"status": "Created", "statusQuantity": {"amount": "2"}}`, `{"status": "Cancelled", "statusQuantity": {"amount": "1"}}`))
	f.Add(TopicOrder, renderSynthetic(connectortest.Synthetic{OrderID: "1", Currency: "KWD", PlacedAt: time.Unix(0, 0),
		Lines: []connectortest.SyntheticLine{{ID: "1", Quantity: 3, UnitPrice: "1.234"}}, Shipping: "0.5"}))
	f.Add(TopicOrders, []byte(`{"list": {"meta": {"nextCursor": "?x=1"}, "elements": {"order": [{"purchaseOrderId": "1", "orderDate": 1}]}}}`))
	c, err := newConnector(connector.Env{Name: "fuzz"}, &Config{ClientID: "x"}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, topic string, body []byte) {
		_, err := c.DecodeEvent(context.Background(), topic, body)
		if err != nil && !fault.IsPermanent(err) {
			t.Fatalf("%v: a payload that cannot be decoded is a permanent error", err)
		}
	})
}
