package magento2

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/testutil"
)

// benchOrder is Adobe's example order when the conformance folder is
// here, else the configurable sample.
func benchOrder(b *testing.B) []byte {
	if dir, err := testutil.LocateConformance(); err == nil {
		if body, err := os.ReadFile(filepath.Join(dir, "channels/magento/adobe-webapi-docs.GET-V1-orders-id.response.json")); err == nil {
			return body
		}
	}
	return configurableOrder().Body
}

// BenchmarkDecode decodes one order into the canonical model; the
// reference, in the same run, is encoding/json into map[string]any of the
// same payload (which does less: no money, no mapping).
func BenchmarkDecode(b *testing.B) {
	body := benchOrder(b)
	b.Run("magento2", func(b *testing.B) {
		c := &Connector{env: connector.Env{Name: "bench"}, cfg: &Config{}}
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := c.DecodeEvent(context.Background(), TopicOrder, body); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
	})
	b.Run("json-map", func(b *testing.B) {
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
