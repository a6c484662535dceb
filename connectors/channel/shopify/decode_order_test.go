package shopify

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	goshopify "github.com/bold-commerce/go-shopify/v4"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/testutil"
)

// The slim decode (hookOrder) maps to the same canonical order as
// go-shopify's whole Order did, for a real go-shopify fixture (every
// field set), the built-in sample and an API response's wrapper.
func TestHookOrderMapsAsGoShopifyOrder(t *testing.T) {
	c := newTest(t)
	sample, err := c.SamplePayload("orders/create")
	if err != nil {
		t.Fatal(err)
	}
	fixture := testutil.ConformanceFile(t, "channels/shopify/go-shopify.order.json")
	for name, body := range map[string][]byte{
		"fixture": fixture,
		"sample":  sample,
		"wrapped": append(append([]byte(`{"order":`), sample...), '}'),
	} {
		// What parseOrder did before: go-shopify's Order, bare or wrapped.
		var wrapped struct {
			Order *goshopify.Order `json:"order"`
		}
		if err := json.Unmarshal(body, &wrapped); err != nil {
			t.Fatalf("%s: go-shopify: %v", name, err)
		}
		full := wrapped.Order
		if full == nil {
			full = &goshopify.Order{}
			if err := json.Unmarshal(body, full); err != nil {
				t.Fatalf("%s: go-shopify: %v", name, err)
			}
		}
		slim, err := parseOrder(body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, got := c.ToOrder(full), c.ToOrder(slim)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, want)
		}
		if !reflect.DeepEqual(slim.UpdatedAt, full.UpdatedAt) || allRequireShipping(slim) != allRequireShipping(full) {
			t.Errorf("%s: updated_at %v / %v, all require shipping %v / %v", name, slim.UpdatedAt, full.UpdatedAt,
				allRequireShipping(slim), allRequireShipping(full))
		}
	}
}

func BenchmarkDecodeOrder(b *testing.B) {
	c, _ := New(connector.Env{Name: "shop", Clock: clock.NewFake(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))},
		&Config{ShopDomain: "demo-shop.myshopify.com", WebhookSecret: "demo-secret", APIVersion: DefaultAPIVersion})
	body, _ := c.SamplePayload("orders/create")
	b.Run("hookOrder", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			so, _ := parseOrder(body)
			_ = c.ToOrder(so)
		}
	})
	b.Run("go-shopify", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			var so goshopify.Order
			_ = json.Unmarshal(body, &so)
			_ = c.ToOrder(&so)
		}
	})
}
