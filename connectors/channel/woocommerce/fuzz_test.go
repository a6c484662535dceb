package woocommerce

import (
	"context"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

// FuzzDecodeEvent: any body decodes or fails with a permanent error;
// never a panic.
func FuzzDecodeEvent(f *testing.F) {
	c, err := newConnector(connector.Env{Name: "fuzz"}, &Config{StoreURL: "https://shop.example.com", WebhookSecret: "s"}, nil)
	if err != nil {
		f.Fatal(err)
	}
	sample, _ := c.SamplePayload("order.created")
	f.Add(sample)
	f.Add([]byte(`{"id":1}`))
	f.Add([]byte(`{"id":1,"status":"cancelled","currency":"KWD","line_items":[{"id":2,"quantity":3,"subtotal":"1.0001"}]}`))
	f.Add([]byte(`webhook_id=7`))
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := c.DecodeEvent(context.Background(), "order.updated", body)
		if err != nil && !fault.IsPermanent(err) {
			t.Fatalf("non-permanent error %v", err)
		}
		if err == nil && len(evs) == 0 {
			t.Fatal("no events and no error")
		}
	})
}
