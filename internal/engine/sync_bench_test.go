package engine

import (
	"context"
	"slices"
	"testing"

	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/routing"
)

// BenchmarkSyncTenPercentChange counts the Shopify calls of a sync after
// 10 % of 1,000 SKUs changed (the real connector against shopifyfake, on
// the embedded store's limiter), and checks the shop never answered 429.
// The figure that matters is calls/op, not the time.
//
//	go test -run '^$' -bench SyncTenPercentChange -benchtime 5x ./internal/engine/
//
// "inventory" and "prices" change the stock or the cost of 100 SKUs;
// "inventory-every-sku" hands all 1,000 quantities to the connector, as a
// sync without the record of what it pushed would (the connector then
// reads every level back and sets only those that differ).
func BenchmarkSyncTenPercentChange(b *testing.B) {
	const n = 1000
	for _, bc := range []struct {
		name   string
		change func(r *syncRig, round int)
		all    bool
	}{
		{"inventory", changeStock, false},
		{"prices", changeCost, false},
		{"inventory-every-sku", changeStock, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := newSyncRig(b, n)
			if bc.name != "prices" {
				r.e.Sync.Pricing = nil
			}
			first := r.sync()
			var calls, sets, puts int
			round := 0
			for b.Loop() {
				round++
				bc.change(r, round)
				inv, pr, req := len(r.f.InventoryHistory()), len(r.f.PriceHistory()), r.f.Requests("")
				if bc.all {
					pushAll(b, r, round)
				} else {
					r.sync()
				}
				calls += r.f.Requests("") - req
				sets += len(r.f.InventoryHistory()) - inv
				puts += len(r.f.PriceHistory()) - pr
			}
			if t := r.f.Throttled(""); t != 0 {
				b.Fatalf("the shop answered %d 429s", t)
			}
			b.ReportMetric(float64(first), "first-sync-calls")
			b.ReportMetric(float64(calls)/float64(round), "calls/op")
			b.ReportMetric(float64(sets)/float64(round), "sets/op")
			b.ReportMetric(float64(puts)/float64(round), "price-puts/op")
		})
	}
}

// changeStock moves every tenth SKU's stock between 20 and 7.
func changeStock(r *syncRig, round int) {
	stock := int64(7)
	if round%2 == 0 {
		stock = 20
	}
	r.setOffers(func(sku string, o *routing.Offer) {
		if sku[len(sku)-1] == '0' {
			o.Stock = stock
		}
	})
}

// changeCost moves every tenth SKU's cost between 10.00 and 12.34.
func changeCost(r *syncRig, round int) {
	cost := money.MustParse("12.34", "USD")
	if round%2 == 0 {
		cost = money.MustParse("10.00", "USD")
	}
	for i := 0; i < len(r.cost); i += 10 {
		r.cost[skuN(i)] = cost
	}
	r.setOffers(func(string, *routing.Offer) {})
}

// pushAll queues every SKU's quantity, as a sync without the record of
// what was pushed would. The items carry a version no record has, so the
// batches are new to the queue's unique keys.
func pushAll(b *testing.B, r *syncRig, round int) {
	ctx := context.Background()
	want := r.e.desiredInventory(r.cat.SKUs(), nil)
	items := make([]pushItem, 0, len(want))
	for _, sku := range sortedKeys(want) {
		it := want[sku]
		it.Version = -int64(round)
		items = append(items, it)
	}
	for batch := range slices.Chunk(items, DefaultSyncBatch) {
		if err := r.e.queueBatch(ctx, inventorySync, "shop", batch); err != nil {
			b.Fatal(err)
		}
	}
	r.drain()
}
