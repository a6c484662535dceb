package routing

import (
	"fmt"
	"testing"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/money"
)

// benchRouter: 20 suppliers and 50 SKUs. Supplier s carries SKU k unless
// (s+k)%4 == 0, so no supplier has everything and covers matter (except
// s00 when full, so a split-forbidden order has a supplier for all of
// it). Costs, stock, fees and priorities vary by formula so no two
// suppliers look alike and some offers are filtered for stock.
func benchRouter(cfg Config, full bool) (*Router, Request) {
	cat := mapCatalog{}
	profiles := map[string]SupplierProfile{}
	for s := range 20 {
		name := fmt.Sprintf("s%02d", s)
		profiles[name] = SupplierProfile{
			Priority: 1 + s%7, Score: 50 + (s*13)%50,
			Fees: Fees{Dropship: decimal.New(int64(100+(s*37)%400), 2), ShippingEstimate: decimal.New(int64(300+(s*53)%700), 2)},
		}
	}
	var lines []Line
	for k := range 50 {
		sku := fmt.Sprintf("SKU-%02d", k)
		for s := range 20 {
			if (s+k)%4 == 0 && !(full && s == 0) {
				continue
			}
			name := fmt.Sprintf("s%02d", s)
			cat[sku] = append(cat[sku], Offer{
				Supplier: name, SKU: sku, SupplierSKU: name + "-" + sku,
				Cost:  money.Money{Amount: int64(500 + (s*97+k*31)%2500), Currency: "USD"},
				Stock: int64((s*7 + k*3) % 40),
			})
		}
		qty := int64(1 + k%3)
		if k%10 == 9 {
			qty = 45 // more than any one supplier stocks: a line split's work
		}
		lines = append(lines, Line{ID: fmt.Sprint(k), SKU: sku, Qty: qty, Tags: []string{"t" + fmt.Sprint(k%5)}})
	}
	return &Router{Config: cfg, Suppliers: profiles, Catalog: cat}, Request{Order: usOrder("1500.00"), Lines: lines}
}

func benchmarkRoute(b *testing.B, cfg Config) {
	r, req := benchRouter(cfg, !cfg.Split())
	if res := r.Route(req); len(res.Unroutable()) == len(req.Lines) {
		b.Fatal("the benchmark order routes nothing")
	}
	b.ReportAllocs()
	for b.Loop() {
		r.Route(req)
	}
}

// BenchmarkRoute50x20 routes a 50-line order across 20 suppliers with the
// default strategy (cheapest, fees shared).
func BenchmarkRoute50x20(b *testing.B) {
	benchmarkRoute(b, Config{SafetyBuffer: 2})
}

// BenchmarkRoute50x20Rules adds rules of each filter kind, a supplier
// list and fewest_shipments (with its trade-off plan).
func BenchmarkRoute50x20Rules(b *testing.B) {
	benchmarkRoute(b, Config{SafetyBuffer: 2, Rules: []Rule{
		{Name: "eu", When: When{ShipTo: []string{"DE", "FR"}}, Prefer: []string{StrategyPriority}},
		{Name: "fragile", When: When{Tag: "t1"}, Prefer: []string{StrategyScore}, Suppliers: []string{"s01", "s02", "s03", "s04"}},
		{Name: "re", When: When{SKURegex: `^SKU-4[0-9]$`}, Prefer: []string{StrategyPriority, StrategyCheapest}},
		{Name: "rest", When: When{SKU: "SKU-*", OrderValue: &ValueRange{Min: dec("100")}}, Prefer: []string{StrategyFewestShipments, StrategyCheapest}},
	}})
}

// BenchmarkRoute50x20Single forbids the split.
func BenchmarkRoute50x20Single(b *testing.B) {
	benchmarkRoute(b, Config{AllowSplit: boolp(false), StockAware: boolp(false)})
}

// BenchmarkRoute50x20LineSplit lets lines split for stock.
func BenchmarkRoute50x20LineSplit(b *testing.B) {
	benchmarkRoute(b, Config{SafetyBuffer: 2, AllowLineSplit: true})
}

// benchmarkFirst routes the first n lines of the benchmark order.
func benchmarkFirst(b *testing.B, cfg Config, n int) {
	r, req := benchRouter(cfg, false)
	req.Lines = req.Lines[:n]
	nodes := r.Route(req).Search.Nodes
	b.ReportAllocs()
	for b.Loop() {
		r.Route(req)
	}
	b.ReportMetric(float64(nodes), "nodes")
}

// BenchmarkRoute12x20Exact routes the first 12 lines across the 20
// suppliers with the exact search (the default for 12 lines);
// BenchmarkRoute12x20Heuristic the same order with it off, the reference.
func BenchmarkRoute12x20Exact(b *testing.B) {
	benchmarkFirst(b, Config{SafetyBuffer: 2}, 12)
}

func BenchmarkRoute12x20Heuristic(b *testing.B) {
	benchmarkFirst(b, Config{SafetyBuffer: 2, ExactMaxLines: intp(0)}, 12)
}
