package bigcommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/fakes/bigcommercefake"
	"github.com/dropgate/dropgate/internal/testutil"
)

// BenchmarkDecode is the decode of the docs' order (order, products and
// shipping addresses as fetched) to a canonical order, money exact — on
// its own ("mapping") and with the three fetches from the in-process fake
// a callback costs ("callback") — next to the reference: encoding/json of
// the same three bodies into map[string]any. Compare orders/s and
// allocs/op.
func BenchmarkDecode(b *testing.B) {
	dir := testutil.ConformanceDir(b)
	read := func(name string) []byte {
		raw, err := os.ReadFile(filepath.Join(dir, "channels", "bigcommerce", name))
		if err != nil {
			b.Fatal(err)
		}
		return raw
	}
	order, products, addrs := read("bc-docs.orders.v2.GET-order.example.json"), read("bc-docs.orders.v2.GET-order-products.example.json"), []byte(conformanceAddresses)
	f := bigcommercefake.New(bigcommercefake.WithQuota(1<<30, time.Second)) // the store's quota is not what is measured
	if err := f.AddRaw("250", order, products, addrs); err != nil {
		b.Fatal(err)
	}
	c, err := newConnector(connector.Env{Name: "bench", Clock: clock.Real{}}, &Config{StoreHash: bigcommercefake.StoreHash,
		AccessToken: bigcommercefake.Token, ClientSecret: "s"}, f.Transport())
	if err != nil {
		b.Fatal(err)
	}
	bodies := [][]byte{order, products, addrs}
	size := int64(len(order) + len(products) + len(addrs))
	decode := func(raw []byte, v any) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(v); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("mapping", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(size)
		for b.Loop() {
			var o bcOrder
			var ps []bcProduct
			var as []bcAddress
			decode(order, &o)
			decode(products, &ps)
			decode(addrs, &as)
			if _, err := c.eventOf(o, ps, as, connector.EventOrderCreated); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
	})
	hook := HookBody("store/order/created", bigcommercefake.StoreHash, "250", 11, c.now())
	b.Run("callback", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.DecodeEvent(context.Background(), "store/order/created", hook); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
	})
	b.Run("reference_map_any", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(size)
		for b.Loop() {
			for _, raw := range bodies {
				var m any
				if err := json.Unmarshal(raw, &m); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
	})
}
