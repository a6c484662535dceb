package bigcommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

// FuzzDecodeHook: any callback body either decodes to an ignored event
// (a scope dropgate does not act on) or fails with a permanent error
// before any call; never a panic.
func FuzzDecodeHook(f *testing.F) {
	c, err := newConnector(connector.Env{Name: "fuzz"}, &Config{StoreHash: "abc123", ClientSecret: "s"}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"scope":"store/product/updated","data":{"type":"product","id":1}}`))
	f.Add([]byte(`{"scope":"store/order/created","data":{"type":"order","id":"x"}}`))
	f.Add([]byte(`{"scope":"store/order/created","data":{"type":"order","id":1.5e3}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		hk, err := parseHook(body)
		if err == nil && hk.Data.Type == "order" {
			if _, err := integer("$.data.id", hk.Data.ID); err == nil {
				return // a valid order callback: decoding it would call the API
			}
		}
		evs, err := c.DecodeEvent(context.Background(), "", body)
		if err != nil && !fault.IsPermanent(err) {
			t.Fatalf("non-permanent error %v", err)
		}
		if err == nil && len(evs) == 0 {
			t.Fatal("no events and no error")
		}
	})
}

// FuzzToOrder: any fetched order and products map to an order or an
// error that says where; never a panic.
func FuzzToOrder(f *testing.F) {
	c, err := newConnector(connector.Env{Name: "fuzz"}, &Config{StoreHash: "abc123", ClientSecret: "s"}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"id":1,"status_id":5,"currency_code":"KWD","total_inc_tax":"1.0001","date_created":"Tue, 05 Mar 2019 21:40:11 +0000"}`),
		[]byte(`[{"id":2,"quantity":3,"base_price":"1.0000","applied_discounts":[{"amount":"x"}]}]`))
	f.Fuzz(func(t *testing.T, order, products []byte) {
		var o bcOrder
		var ps []bcProduct
		for _, x := range []struct {
			b []byte
			v any
		}{{order, &o}, {products, &ps}} {
			dec := json.NewDecoder(bytes.NewReader(x.b))
			dec.UseNumber()
			if dec.Decode(x.v) != nil {
				return
			}
		}
		_, _ = c.ToOrder(o, ps, nil)
	})
}
