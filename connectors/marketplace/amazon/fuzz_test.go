package amazon

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
	f.Add(TopicOrder, renderSynthetic(connectortest.Synthetic{OrderID: "1", Currency: "KWD", PlacedAt: time.Unix(0, 0),
		Lines: []connectortest.SyntheticLine{{ID: "1", Quantity: 3, UnitPrice: "1.234"}}, Shipping: "0.5"}))
	f.Add(TopicOrder, []byte(`{"Order": {"AmazonOrderId": "1", "PurchaseDate": "2026-01-01T00:00:00Z", "OrderStatus": "Canceled", "MarketplaceId": "ATVPDKIKX0DER"},
 "OrderItems": [{"OrderItemId": "2", "QuantityOrdered": 1, "BuyerRequestedCancel": {"IsBuyerRequestedCancel": true}}]}`))
	f.Add(TopicOrders, []byte(`{"payload": {"NextToken": "x", "Orders": [{"AmazonOrderId": "1", "OrderStatus": "Pending", "PurchaseDate": "2026-01-01T00:00:00Z"}]}}`))
	c, err := newConnector(connector.Env{Name: "fuzz"}, &Config{Region: "na"}, nil, nil)
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
