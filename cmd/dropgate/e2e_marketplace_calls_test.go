package main

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/fakes/amazonfake"
	"github.com/dropgate/dropgate/internal/fakes/ebayfake"
	"github.com/dropgate/dropgate/internal/fakes/etsyfake"
	"github.com/dropgate/dropgate/internal/fakes/kit"
	"github.com/dropgate/dropgate/internal/fakes/metafake"
	"github.com/dropgate/dropgate/internal/fakes/walmartfake"
)

// marketCalls is one marketplace's world and the calls its connector may
// make for one order, each bound read from the connector's code.
type marketCalls struct {
	name string
	// start runs the world and returns its fake, a condition true once
	// stock and prices are in, and a function placing one order (TEE ×2,
	// MUG ×1: one PO at acme, one package) returning its channel id.
	start func(t *testing.T) (*loop, *kit.Server, func() bool, func() string)
	// list are the routes that list orders: a sweep's, not an order's.
	list []string
	// perListing are the calls naming the order that each listing of it
	// may make (Amazon: its items, the RDT, its address).
	perListing map[string]int
	// once are intake calls made once per order (an acknowledgement).
	once map[string]int
	// ship are the calls of one shipment of one package.
	ship map[string]int
	// sync bounds the calls of the first stock and price push of the
	// three SKUs, by route.
	sync map[string]int
}

// TestMarketplaceCallsPerOrder drives one order per marketplace through
// intake, PO, 856 and shipment confirmation, counts the fake's requests
// by operation and asserts each stays within what the connector's code
// allows: a change that adds calls per order fails here. The counts are
// logged (docs/MARKETPLACES.md has the table).
func TestMarketplaceCallsPerOrder(t *testing.T) {
	t.Parallel()
	for _, m := range marketplaceCalls() {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			l, srv, synced, place := m.start(t)
			magentoWait(t, m.name+": stock and prices in", synced)
			mark := srv.LastSeq()
			syncCalls := map[string]int{}
			for _, rq := range srv.Requests() {
				if _, ok := m.sync[rq.Route]; ok && rq.Seq <= mark {
					syncCalls[rq.Route]++
				}
			}
			ref := place()
			id := model.OrderID(m.name, ref)
			l.wait(id, "the order shipped", func(a *model.Aggregate) bool { return a.Order.Status == model.OrderShipped })
			got := map[string]int{}
			magentoWait(t, m.name+": the shipment confirmed", func() bool {
				got = countOrderCalls(srv.Since(mark), ref, m)
				for r := range m.ship {
					if strings.HasPrefix(r, "POST ") && got[r] == 0 {
						return false
					}
				}
				return true
			})
			check := func(what string, bounds, counts map[string]int) {
				for r, n := range counts {
					if b, ok := bounds[r]; ok && n > b {
						t.Errorf("%s: %s %d calls; the connector's code allows %d", what, r, n, b)
					}
				}
			}
			check("intake", m.once, got)
			shipOnly := maps.Clone(m.ship)
			for r := range m.perListing {
				delete(shipOnly, r) // bounded per listing below
			}
			check("shipment", shipOnly, got)
			check("first stock and price sync of 3 SKUs", m.sync, syncCalls)
			perListing := maxPerListing(srv.Since(mark), ref, m)
			check("one listing of the order", m.perListing, perListing)
			for r := range m.perListing {
				if got[r] == 0 {
					t.Errorf("intake: no %s call for the order (the count is broken)", r)
				}
			}
			t.Logf("%s calls for one order: %v; at most per listing %v; first sync of 3 SKUs (stock and prices) %v; all by operation %v",
				m.name, got, perListing, syncCalls, srv.Calls())
		})
	}
}

// countOrderCalls counts, by route, the requests of log naming order ref
// (in the path, or the body: Amazon's RDT) among the routes m bounds.
func countOrderCalls(log []kit.Request, ref string, m marketCalls) map[string]int {
	out := map[string]int{}
	for _, rq := range log {
		if !bounded(m, rq.Route) {
			continue
		}
		if strings.Contains(rq.Path, ref) || strings.Contains(string(rq.Body), ref) {
			out[rq.Route]++
		}
	}
	return out
}

func bounded(m marketCalls, route string) bool {
	for _, b := range []map[string]int{m.perListing, m.once, m.ship} {
		if _, ok := b[route]; ok {
			return true
		}
	}
	return false
}

// maxPerListing is, by route, the most calls naming ref between two list
// calls: sweeps run one at a time, and a poll completes each page's
// orders before it asks for the next page. The interval in which the
// shipment is confirmed may also hold the shipment's own calls (Amazon
// reads the items again to confirm each one): it is allowed ship's bound
// on top.
func maxPerListing(log []kit.Request, ref string, m marketCalls) map[string]int {
	out := map[string]int{}
	cur := map[string]int{}
	shipping := false
	flush := func() {
		for r, n := range cur {
			if shipping {
				n -= m.ship[r]
			}
			out[r] = max(out[r], n)
		}
		clear(cur)
		shipping = false
	}
	for _, rq := range log {
		if slices.Contains(m.list, rq.Route) {
			flush()
			continue
		}
		if !strings.Contains(rq.Path, ref) && !strings.Contains(string(rq.Body), ref) {
			continue
		}
		if _, ok := m.perListing[rq.Route]; ok {
			cur[rq.Route]++
		}
		if _, ok := m.ship[rq.Route]; ok && strings.HasPrefix(rq.Route, "POST ") {
			shipping = true
		}
	}
	flush()
	return out
}

func marketplaceCalls() []marketCalls {
	return []marketCalls{
		{
			name: "amazon",
			start: func(t *testing.T) (*loop, *kit.Server, func() bool, func() string) {
				l, f := amazonLoop(t)
				synced := func() bool {
					for _, sku := range []string{"MUG", "TEE", "LAMP"} {
						if li, ok := f.Listing(sku); !ok || !li.HasQuantity || li.Price == "" {
							return false
						}
					}
					return true
				}
				return l, f.Server(), synced, func() string {
					return f.AddOrder(amazonfake.NewLine{SKU: "TEE", Title: "Tee", Qty: 2, Price: "40.00"},
						amazonfake.NewLine{SKU: "MUG", Title: "Mug", Qty: 1, Price: "6.00"})
				}
			},
			list: []string{"GET /orders/v0/orders"},
			// A listing of a routable order not yet taken in at its
			// version reads its items (one page: under 100 items) and its
			// address, with one RDT per chunk of routable orders.
			perListing: map[string]int{
				"GET /orders/v0/orders/{id}/orderItems":       1,
				"POST /tokens/2021-03-01/restrictedDataToken": 1,
				"GET /orders/v0/orders/{id}/address":          1,
			},
			// Once taken in, the order listed again unchanged (every
			// sweep's overlap) is not read again: once per order in all.
			once: map[string]int{
				"GET /orders/v0/orders/{id}/orderItems":       1,
				"POST /tokens/2021-03-01/restrictedDataToken": 1,
				"GET /orders/v0/orders/{id}/address":          1,
			},
			// One confirmation per package; the items are not read again
			// (the shipment names them; only a confirmation whose answer
			// was lost asks Amazon what it has).
			ship: map[string]int{"POST /orders/v0/orders/{id}/shipmentConfirmation": 1},
			// One PATCH per SKU for stock, one per SKU for prices.
			sync: map[string]int{"PATCH /listings/2021-08-01/items/{seller}/{sku}": 6},
		},
		{
			name: "ebay",
			start: func(t *testing.T) (*loop, *kit.Server, func() bool, func() string) {
				l, f := ebayLoop(t)
				synced := func() bool {
					for _, sku := range []string{"MUG", "TEE", "LAMP"} {
						if _, ok := f.Quantity(sku); !ok || f.PriceChanges(sku) == 0 {
							return false
						}
					}
					return true
				}
				return l, f.Server(), synced, func() string {
					return f.AddOrder(ebayfake.NewOrder{Email: "ada@example.com", Shipping: "4.50", Paid: true, Lines: []ebayfake.Line{
						{SKU: "TEE", Title: "Tee", Qty: 2, Price: "10.00"}, {SKU: "MUG", Title: "Mug", Qty: 1, Price: "6.00"}}}).OrderID
				}
			},
			list: []string{"GET /sell/fulfillment/v1/order"},
			// The list carries whole orders: nothing per order.
			perListing: map[string]int{},
			// The order's fulfillments are read once, then one per package.
			ship: map[string]int{
				"GET /sell/fulfillment/v1/order/{id}/shipping_fulfillment":  1,
				"POST /sell/fulfillment/v1/order/{id}/shipping_fulfillment": 1,
			},
			// 25 SKUs a bulk call, once for stock and once for prices;
			// each SKU's offer looked up once.
			sync: map[string]int{"POST /sell/inventory/v1/bulk_update_price_quantity": 2, "GET /sell/inventory/v1/offer": 3},
		},
		{
			name: "etsy",
			start: func(t *testing.T) (*loop, *kit.Server, func() bool, func() string) {
				l, f, _ := etsyLoop(t, "1s", "")
				synced := func() bool {
					return f.Quantity("MUG") == 50 && f.Quantity("TEE") == 40 && f.Quantity("LAMP") == 10 &&
						f.Cents("MUG") == 600 && f.Cents("TEE") == 1000 && f.Cents("LAMP") == 1400
				}
				return l, f.Server(), synced, func() string {
					rc := f.AddReceipt(etsyfake.NewLine{SKU: "TEE", Title: "Tee", Qty: 2, Cents: 2000},
						etsyfake.NewLine{SKU: "MUG", Title: "Mug", Qty: 1, Cents: 600})
					return strconv.FormatInt(rc.ReceiptID, 10)
				}
			},
			list:       []string{"GET /v3/application/shops/{shop_id}/receipts"},
			perListing: map[string]int{},
			// The receipt is read, then one tracking call per package.
			ship: map[string]int{
				"GET /v3/application/shops/{shop_id}/receipts/{receipt_id}":           1,
				"POST /v3/application/shops/{shop_id}/receipts/{receipt_id}/tracking": 1,
			},
			// Per listing (2: MUG and TEE share one) a read and a write,
			// once for stock and once for prices.
			sync: map[string]int{
				"GET /v3/application/listings/{listing_id}/inventory": 4,
				"PUT /v3/application/listings/{listing_id}/inventory": 4,
			},
		},
		{
			name: "walmart",
			start: func(t *testing.T) (*loop, *kit.Server, func() bool, func() string) {
				l, f := walmartLoop(t)
				synced := func() bool {
					for _, sku := range []string{"MUG", "TEE", "LAMP"} {
						if _, ok := f.Inventory(sku); !ok {
							return false
						}
						if _, ok := f.Price(sku); !ok {
							return false
						}
					}
					return true
				}
				return l, f.Server(), synced, func() string {
					return f.AddOrder(walmartfake.NewLine{SKU: "TEE", Name: "Tee", Qty: 2, Price: "20.00"},
						walmartfake.NewLine{SKU: "MUG", Name: "Mug", Qty: 1, Price: "6.00"}).PurchaseOrderID
				}
			},
			list:       []string{"GET /v3/orders", "GET /v3/orders/released"},
			perListing: map[string]int{},
			once:       map[string]int{"POST /v3/orders/{po}/acknowledge": 1},
			// The order is read, then one shipping update for its lines.
			ship: map[string]int{"GET /v3/orders/{po}": 1, "POST /v3/orders/{po}/shipping": 1},
			// One call per SKU for stock, one per SKU for prices.
			sync: map[string]int{"PUT /v3/inventory": 3, "PUT /v3/price": 3},
		},
		{
			name: "meta",
			start: func(t *testing.T) (*loop, *kit.Server, func() bool, func() string) {
				l, f := metaLoop(t)
				synced := func() bool {
					for _, sku := range []string{"MUG", "TEE", "LAMP"} {
						if f.Price(sku) < 0 || f.QuantityChanges(sku) == 0 {
							return false
						}
					}
					return true
				}
				return l, f.Server(), synced, func() string {
					return f.AddOrder(metafake.NewLine{SKU: "TEE", Name: "Tee", Qty: 2, Price: "20.00"},
						metafake.NewLine{SKU: "MUG", Name: "Mug", Qty: 1, Price: "6.00"}).ID
				}
			},
			list:       []string{"GET /{ver}/{cms}/commerce_orders"},
			perListing: map[string]int{},
			// The poll after intake acknowledges; a shipment that comes
			// first acknowledges it itself (the same idempotency key).
			once: map[string]int{"POST /{ver}/{id}/acknowledge_order": 2},
			ship: map[string]int{"POST /{ver}/{id}/shipments": 1},
			// One items_batch call for stock, one for prices.
			sync: map[string]int{"POST /{ver}/{id}/items_batch": 2},
		},
	}
}
