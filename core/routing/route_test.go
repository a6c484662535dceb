package routing

import (
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

type mapCatalog map[string][]Offer

func (m mapCatalog) Offers(sku string) []Offer { return m[sku] }

func offer(sup, sku string, cost string, stock int64) Offer {
	return Offer{Supplier: sup, SKU: sku, SupplierSKU: sup + "-" + sku, Cost: money.MustParse(cost, "USD"), Stock: stock}
}

func order(country string) *model.Order {
	return &model.Order{ID: "o1", Currency: "USD", ShippingAddress: &model.Address{Country: country}}
}

func TestCheapestLandedCostWins(t *testing.T) {
	r := &Router{
		Config: Config{Strategy: StrategyCheapest},
		Suppliers: map[string]SupplierProfile{
			"a": {Name: "a", Fees: Fees{Dropship: decimal.MustParse("5.00")}},
			"b": {Name: "b"},
		},
		Catalog: mapCatalog{"SKU1": {offer("a", "SKU1", "10.00", 100), offer("b", "SKU1", "13.00", 100)}},
	}
	res := r.Route(Request{Order: order("US"), Lines: []Line{{ID: "1", SKU: "SKU1", Qty: 2}}})
	l := res.Lines[0]
	// a: 2×10 + 5 = 25; b: 2×13 = 26.
	if l.Winner == nil || l.Winner.Supplier != "a" {
		t.Fatalf("winner = %+v (%s)", l.Winner, l.Why)
	}
	if l.Candidates[0].Landed.Amount != 2500 || l.Candidates[1].Landed.Amount != 2600 {
		t.Errorf("landed = %v / %v", l.Candidates[0].Landed, l.Candidates[1].Landed)
	}
	if !strings.Contains(l.Why, "lowest landed cost 25.00 USD") {
		t.Errorf("why = %q", l.Why)
	}
}

func TestPriorityStrategy(t *testing.T) {
	r := &Router{
		Config:    Config{Strategy: StrategyPriority},
		Suppliers: map[string]SupplierProfile{"cheap": {Priority: 5}, "pref": {Priority: 1}},
		Catalog:   mapCatalog{"S": {offer("cheap", "S", "1.00", 10), offer("pref", "S", "9.00", 10)}},
	}
	res := r.Route(Request{Order: order("US"), Lines: []Line{{ID: "1", SKU: "S", Qty: 1}}})
	if res.Lines[0].Winner.Supplier != "pref" {
		t.Fatalf("winner = %s", res.Lines[0].Winner.Supplier)
	}
}

func TestFiltersExplainThemselves(t *testing.T) {
	r := &Router{
		Config: Config{SafetyBuffer: 2},
		Suppliers: map[string]SupplierProfile{
			"eu": {ShipTo: []string{"DE", "FR"}}, "low": {}, "pack": {}, "moq": {}, "rej": {},
		},
		Catalog: mapCatalog{"S": {
			offer("eu", "S", "1.00", 100),
			offer("low", "S", "1.00", 4), // 4 - buffer 2 < 3
			{Supplier: "pack", SKU: "S", Cost: money.MustParse("1.00", "USD"), Stock: 100, PackSize: 2},
			{Supplier: "moq", SKU: "S", Cost: money.MustParse("1.00", "USD"), Stock: 100, MinQty: 5},
			offer("rej", "S", "1.00", 100),
			offer("ghost", "S", "1.00", 100),
		}},
	}
	res := r.Route(Request{Order: order("US"), Lines: []Line{{ID: "1", SKU: "S", Qty: 3}}, Exclude: map[string][]string{"1": {"rej"}}})
	l := res.Lines[0]
	if l.Winner != nil {
		t.Fatalf("nobody should win, got %s", l.Winner.Supplier)
	}
	want := map[string]string{
		"eu":    "does not ship to US",
		"low":   "stock 4 (minus safety buffer 2) is below quantity 3",
		"pack":  "quantity 3 is not a multiple of pack size 2",
		"moq":   "quantity 3 is below the minimum order quantity 5",
		"rej":   "excluded for this line (rejected it or missed its SLA)",
		"ghost": "supplier is not configured",
	}
	for _, c := range l.Candidates {
		if c.Eligible || c.Reason != want[c.Offer.Supplier] {
			t.Errorf("%s: eligible=%v reason=%q, want %q", c.Offer.Supplier, c.Eligible, c.Reason, want[c.Offer.Supplier])
		}
	}
	if len(res.Unroutable()) != 1 || !strings.HasPrefix(l.Why, "no eligible supplier for SKU S (") {
		t.Errorf("why = %q", l.Why)
	}
}

func TestUnknownSKUAndEmptySKU(t *testing.T) {
	r := &Router{Catalog: mapCatalog{}}
	res := r.Route(Request{Order: order("US"), Lines: []Line{{ID: "1", SKU: "NOPE", Qty: 1}, {ID: "2", Qty: 1}}})
	if got := res.Lines[0].Why; got != "SKU NOPE is carried by no supplier" {
		t.Errorf("why = %q", got)
	}
	if got := res.Lines[1].Why; got != "the line has no SKU, so no supplier can be matched" {
		t.Errorf("why = %q", got)
	}
	if len(res.Unroutable()) != 2 {
		t.Error("both lines are unroutable")
	}
}

func TestStockAwareCanBeOff(t *testing.T) {
	off := false
	r := &Router{Config: Config{StockAware: &off}, Suppliers: map[string]SupplierProfile{"a": {}}, Catalog: mapCatalog{"S": {offer("a", "S", "1.00", 0)}}}
	if res := r.Route(Request{Order: order("US"), Lines: []Line{{ID: "1", SKU: "S", Qty: 9}}}); res.Lines[0].Winner == nil {
		t.Error("stock_aware: false must ignore stock")
	}
}
