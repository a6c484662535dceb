package routing

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func eur(s string) money.Money { return money.MustParse(s, "EUR") }

func eurOffer(sup, sku, cost string, stock int64) Offer {
	return Offer{Supplier: sup, SKU: sku, SupplierSKU: sup + "-" + sku, Cost: eur(cost), Stock: stock}
}

// explainScenarios are the orders whose explanations are kept as golden
// files: what `dropgate route --explain` prints for them.
func explainScenarios() map[string]func() Result {
	return map[string]func() Result{
		// Rules of every kind, a fragile line held to two suppliers,
		// fees shared, a line split for stock, an unroutable line.
		"rules": func() Result {
			r := &Router{
				Config: Config{Strategy: StrategyCheapest, SafetyBuffer: 2, AllowLineSplit: true, Rules: []Rule{
					{Name: "fragile-eu", When: When{ShipTo: []string{"DE", "FR"}, Tag: "fragile"}, Prefer: []string{StrategyPriority}, Suppliers: []string{"acme", "backup"}},
					{Name: "big-orders", When: When{OrderValue: &ValueRange{Min: dec("1000.00"), Currency: "EUR"}}, Prefer: []string{StrategyScore}},
					{Name: "mugs", When: When{SKU: "MUG-*"}, Prefer: []string{StrategyFewestShipments, StrategyCheapest}},
				}},
				Suppliers: map[string]SupplierProfile{
					"acme":   {Priority: 1, Score: 92, Currency: "EUR", Fees: Fees{Dropship: decimal.MustParse("2.50"), ShippingEstimate: decimal.MustParse("6.00")}},
					"backup": {Priority: 2, Score: 75, Currency: "EUR", Fees: shipFee("4.00")},
					"bulk":   {Priority: 3, Score: 60, Currency: "EUR", SafetyBuffer: int64p(5)},
					"local":  {Priority: 4, Currency: "EUR", ShipTo: []string{"FR"}},
				},
				Catalog: mapCatalog{
					"VASE-1":   {eurOffer("acme", "VASE-1", "30.00", 10), eurOffer("backup", "VASE-1", "25.00", 10), eurOffer("bulk", "VASE-1", "20.00", 50)},
					"MUG-RED":  {eurOffer("acme", "MUG-RED", "4.00", 40), eurOffer("backup", "MUG-RED", "3.50", 40), eurOffer("bulk", "MUG-RED", "3.00", 6), eurOffer("local", "MUG-RED", "2.00", 99)},
					"MUG-BLUE": {eurOffer("acme", "MUG-BLUE", "4.00", 40), eurOffer("backup", "MUG-BLUE", "3.20", 40)},
					"TEE":      {eurOffer("acme", "TEE", "9.00", 8), eurOffer("backup", "TEE", "8.00", 6)},
				},
			}
			o := &model.Order{ID: "ord_7f3a", Currency: "EUR", ShippingAddress: &model.Address{Country: "DE"}, Totals: model.Totals{Subtotal: eur("180.00")}}
			return r.Route(Request{Order: o, Lines: []Line{
				{ID: "1", SKU: "VASE-1", Qty: 1, Tags: []string{"Fragile"}},
				{ID: "2", SKU: "MUG-RED", Qty: 2},
				{ID: "3", SKU: "MUG-BLUE", Qty: 2},
				{ID: "4", SKU: "TEE", Qty: 10},
				{ID: "5", SKU: "CAP", Qty: 1},
			}})
		},
		// fewest_shipments keeps one parcel and says what it costs.
		"fewest": func() Result {
			r := fewestRouter(StrategyFewestShipments)
			r.Suppliers = map[string]SupplierProfile{"a": {Priority: 2, Fees: shipFee("3.00")}, "b": {Priority: 1}, "c": {Priority: 1, Fees: shipFee("1.00")}}
			return r.Route(Request{Order: usOrder("60.00"), Lines: []Line{line("L1", 2), line("L2", 1)}})
		},
		// The exact search beats the heuristic: 22.40 instead of 22.70.
		"exact": func() Result {
			r, req := sampleRouter(Config{})
			return r.Route(req)
		},
		// Split forbidden: one supplier for the order.
		"split_forbidden": func() Result {
			r := fewestRouter(StrategyCheapest)
			r.Config.AllowSplit = boolp(false)
			r.Catalog.(mapCatalog)["L1"] = append(r.Catalog.(mapCatalog)["L1"], offer("c", "L1", "9.00", 9))
			return r.Route(Request{Order: usOrder("60.00"), Lines: []Line{line("L1", 2), line("L2", 1)}})
		},
	}
}

func TestExplainGolden(t *testing.T) {
	for name, scenario := range explainScenarios() {
		t.Run(name, func(t *testing.T) {
			res := scenario()
			var text bytes.Buffer
			if err := res.Explain(&text); err != nil {
				t.Fatal(err)
			}
			js, err := json.MarshalIndent(res, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name+".golden", text.Bytes())
			golden(t, name+".json", append(js, '\n'))

			// Explain reads only the Result: the JSON form explains
			// identically, so --json output can be explained later.
			var back Result
			if err := json.Unmarshal(js, &back); err != nil {
				t.Fatal(err)
			}
			var again bytes.Buffer
			if err := back.Explain(&again); err != nil || again.String() != text.String() {
				t.Errorf("explaining the decoded JSON differs (err %v):\n%s", err, again.String())
			}
		})
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n--; w.n < 0 {
		return 0, os.ErrClosed
	}
	return len(p), nil
}

func TestExplainReportsWriteErrors(t *testing.T) {
	res := explainScenarios()["fewest"]()
	for n := range 5 {
		if err := res.Explain(&failingWriter{n: n}); err == nil {
			t.Errorf("a writer failing after %d writes: no error", n)
		}
	}
}
