package shopify_test

import (
	"context"
	"testing"

	"github.com/dropgate/dropgate/core/app/channelsync"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
)

// BenchmarkSyncTenPercentChange counts the Shopify calls of a sync after
// 10 % of 1,000 SKUs changed (this connector against shopifyfake, on the
// embedded store's limiter, through core/app/channelsync), and checks the
// shop never answered 429. The figure that matters is calls/op, not the
// time.
//
//	go test -run '^$' -bench SyncTenPercentChange -benchtime 5x ./connectors/channel/shopify/
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
		{"inventory-every-sku", changeStockAnew, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var edits []func(*channelsync.Settings)
			if bc.name != "prices" {
				edits = append(edits, withoutPricing)
			}
			r := newSyncRig(b, n, edits...)
			first := r.sync()
			var calls, sets, puts int
			round := 0
			for b.Loop() {
				round++
				bc.change(r, round)
				if bc.all {
					forgetPushed(b, r)
				}
				inv, pr, req := len(r.f.InventoryHistory()), len(r.f.PriceHistory()), r.f.Requests("")
				r.sync()
				calls += r.f.Requests("") - req
				sets += len(r.f.InventoryHistory()) - inv
				puts += len(r.f.PriceHistory()) - pr
				if bc.all {
					if got := countPushed(b, r); got != n {
						b.Fatalf("round %d pushed %d SKUs, want every one of %d", round, got, n)
					}
				}
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

// changeStockAnew moves every tenth SKU's stock to a value it never had
// (21, 22, …): like changeStock, 100 SKUs differ from what the shop shows,
// and the batches of a sync that forgot what it pushed (whose identity is
// then their SKUs and values alone) are new to the queue's unique keys.
func changeStockAnew(r *syncRig, round int) {
	r.setOffers(func(sku string, o *routing.Offer) {
		if sku[len(sku)-1] == '0' {
			o.Stock = int64(20 + round)
		}
	})
}

// forgetPushed deletes the record of what was pushed to the shop: the next
// sync hands every quantity to the connector; countPushed checks that
// every SKU went out.
func forgetPushed(b *testing.B, r *syncRig) {
	for _, id := range pushedIDs(b, r) {
		if err := r.st.DeleteRecord(context.Background(), channelsync.RecPushedInventory, id); err != nil {
			b.Fatal(err)
		}
	}
}

// countPushed is the number of SKUs with a record of what was pushed.
func countPushed(b *testing.B, r *syncRig) int { return len(pushedIDs(b, r)) }

func pushedIDs(b *testing.B, r *syncRig) []string {
	var ids []string
	q := store.Query{Field: "channel", Value: "shop", Limit: 500}
	for {
		recs, next, err := r.st.ListRecords(context.Background(), channelsync.RecPushedInventory, q)
		if err != nil {
			b.Fatal(err)
		}
		for _, rec := range recs {
			ids = append(ids, rec.ID)
		}
		if next == "" {
			return ids
		}
		q.Cursor = next
	}
}
