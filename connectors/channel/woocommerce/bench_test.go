package woocommerce

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
)

// BenchmarkDecode is the connector's decode of an order webhook (to a
// canonical order, money exact) next to the reference: encoding/json of
// the same body into map[string]any. Compare orders/s and allocs/op.
func BenchmarkDecode(b *testing.B) {
	c, err := newConnector(connector.Env{Name: "bench", Clock: clock.Real{}}, &Config{StoreURL: "https://shop.example.com", WebhookSecret: "s"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := c.SamplePayload("order.created")
	b.Run("connector", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := c.DecodeEvent(context.Background(), "order.created", body); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
	})
	b.Run("reference_map_any", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
	})
}
