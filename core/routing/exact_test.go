package routing

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/money"
)

// sampleRouter is the two-supplier sample of docs/ROUTING.md (and of
// cmd/dropgate/testdata/route): acme carries the mug and the tee, with
// 8.50 of fees; bargain only the mug, cheaper, with 3.50. The tee must go
// to acme. One line at a time the mug goes to bargain, since at acme it
// would bear half of acme's fees (4.25): 8.70 against 12.65. But acme's
// fees are paid anyway, so the mug at acme costs the order 8.40, not
// 8.70: 22.40 against 22.70.
func sampleRouter(cfg Config) (*Router, Request) {
	r := &Router{
		Config: cfg,
		Suppliers: map[string]SupplierProfile{
			"acme":    {Priority: 1, Fees: Fees{Dropship: decimal.MustParse("2.50"), ShippingEstimate: decimal.MustParse("6.00")}},
			"bargain": {Priority: 2, Fees: shipFee("3.50")},
		},
		Catalog: mapCatalog{
			"MUG-BLK-11": {offer("acme", "MUG-BLK-11", "4.20", 250), offer("bargain", "MUG-BLK-11", "2.60", 90)},
			"TEE-WHT-M":  {offer("acme", "TEE-WHT-M", "5.50", 80)},
		},
	}
	return r, Request{Order: usOrder("54.90"), Lines: []Line{
		{ID: "1", SKU: "MUG-BLK-11", Qty: 2},
		{ID: "2", SKU: "TEE-WHT-M", Qty: 1},
	}}
}

func TestExactSearchFindsTheSampleOptimum(t *testing.T) {
	r, req := sampleRouter(Config{ExactMaxLines: intp(0)})
	res := r.Route(req)
	if res.Totals[0] != usd("22.70") || res.Search.Method != SearchHeuristic {
		t.Fatalf("heuristic alone: totals %v, search %+v", res.Totals, res.Search)
	}
	wantContains(t, "search", res.Search.String(), "heuristic (the exact search is off: routing.exact_max_lines is 0)")

	r, req = sampleRouter(Config{})
	res = r.Route(req)
	wantWinners(t, res, map[string]string{"1": "acme", "2": "acme"})
	if len(res.Totals) != 1 || res.Totals[0] != usd("22.40") || len(res.Shipments) != 1 {
		t.Fatalf("totals %v, shipments %+v", res.Totals, res.Shipments)
	}
	s := res.Search
	if s == nil || s.Method != SearchExact || s.Nodes == 0 || s.Saved == nil || *s.Saved != usd("0.30") {
		t.Fatalf("search = %+v", s)
	}
	if got := s.String(); got != fmt.Sprintf("exact (branch and bound, %d nodes; 0.30 USD below the one-line-at-a-time plan)", s.Nodes) {
		t.Errorf("search = %q", got)
	}
	wantContains(t, "why", res.Lines[0].Why,
		"acme keeps the whole order cheapest, 22.40 USD; moving the line alone to bargain (a smaller fee share for this line) would cost the order 0.30 USD more")
}

// A fee already paid by other lines costs nothing more: the exact search
// puts Z with X and Y at a (1.00 more for the order) rather than at b
// (4.33 more), though a's share of 10.00/3 makes a look dearer for Z.
func TestExactSearchJoinsAPaidFee(t *testing.T) {
	r, req := paidFeeRouter(Config{})
	res := r.Route(req)
	wantWinners(t, res, map[string]string{"X": "a", "Y": "a", "Z": "a"})
	if res.Totals[0] != usd("11.00") {
		t.Errorf("totals %v", res.Totals)
	}
	wantContains(t, "why", res.Lines[2].Why, "a keeps the whole order cheapest, 11.00 USD; moving the line alone to b", "would cost the order 3.33 USD more")
}

// When the heuristic's plan is already the cheapest, the exact search
// keeps it, ties included: results only change where money is saved.
func TestExactSearchKeepsAnOptimalHeuristicPlan(t *testing.T) {
	r := fewestRouter(StrategyCheapest)
	res := r.Route(Request{Order: order("US"), Lines: []Line{line("L1", 1), line("L2", 1)}})
	wantWinners(t, res, map[string]string{"L1": "b", "L2": "c"})
	if s := res.Search; s.Method != SearchExact || s.Saved != nil || s.Nodes == 0 {
		t.Errorf("search = %+v", s)
	}
	// Two suppliers at the same price: the name settles it, as always.
	r = &Router{Suppliers: map[string]SupplierProfile{"alpha": {}, "bravo": {}},
		Catalog: mapCatalog{"S": {offer("bravo", "S", "5.00", 9), offer("alpha", "S", "5.00", 9)}}}
	if l := r.Route(Request{Order: order("US"), Lines: []Line{line("S", 1)}}).Lines[0]; l.Winner.Supplier != "alpha" {
		t.Errorf("winner %s: %s", l.Winner.Supplier, l.Why)
	}
}

func TestExactSearchLimits(t *testing.T) {
	// 13 lines, each carried by a and b: above the default limit.
	cat := mapCatalog{}
	var lines []Line
	for k := range 13 {
		sku := fmt.Sprintf("S%02d", k)
		cat[sku] = []Offer{offer("a", sku, "1.00", 9), offer("b", sku, "1.10", 9)}
		lines = append(lines, line(sku, 1))
	}
	profiles := map[string]SupplierProfile{"a": {Fees: shipFee("5.00")}, "b": {Fees: shipFee("1.00")}}
	r := &Router{Suppliers: profiles, Catalog: cat}
	res := r.Route(Request{Order: order("US"), Lines: lines})
	if got := res.Search.String(); got != "heuristic (order too large for exact search: more than 12 lines with a choice of supplier (routing.exact_max_lines))" {
		t.Errorf("search = %q", got)
	}
	r = &Router{Config: Config{ExactMaxLines: intp(13)}, Suppliers: profiles, Catalog: cat}
	if res := r.Route(Request{Order: order("US"), Lines: lines}); res.Search.Method != SearchExact {
		t.Errorf("limit 13: search = %+v", res.Search)
	}
	// The node budget: past it the heuristic's plan stands, and says so.
	r = &Router{Suppliers: profiles, Catalog: cat, nodeBudget: 1}
	res = r.Route(Request{Order: order("US"), Lines: lines[:4]})
	if got := res.Search.String(); res.Search.Method != SearchHeuristic || !strings.Contains(got, "the exact search stopped at its budget of 1 node") {
		t.Errorf("search = %q", got)
	}
	// Several currencies: no sum to minimise.
	cat["E"] = []Offer{{Supplier: "a", SKU: "E", SupplierSKU: "a-E", Cost: mustEUR("1.00"), Stock: 9}, {Supplier: "b", SKU: "E", SupplierSKU: "b-E", Cost: mustEUR("2.00"), Stock: 9}}
	res = (&Router{Suppliers: profiles, Catalog: cat}).Route(Request{Order: order("US"), Lines: []Line{line("S00", 1), line("E", 1)}})
	if got := res.Search.String(); got != "heuristic (the lines' offers are priced in several currencies)" {
		t.Errorf("search = %q", got)
	}
}

// TestExactSearchMatchesBruteForce is a property test: on random small
// orders, the exact plan's landed cost equals the cheapest of every
// assignment of the eligible offers, found by brute force; routing the
// same order with the catalog shuffled gives the same winners.
func TestExactSearchMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(20261121))
	improved := 0
	for iter := range 3000 {
		r, req := randomOrder(rng)
		res := r.Route(req)
		if res.Search == nil || res.Search.Method != SearchExact {
			t.Fatalf("case %d: search %+v", iter, res.Search)
		}
		if res.Search.Saved != nil {
			improved++
		}
		want, ok := bruteForce(res)
		if !ok {
			continue // some line has no eligible offer
		}
		if len(res.Totals) != 1 || res.Totals[0].Amount != want {
			t.Fatalf("case %d: exact total %v, brute force %d\n%s", iter, res.Totals, want, explainText(res))
		}
		for _, offers := range r.Catalog.(mapCatalog) {
			rng.Shuffle(len(offers), func(a, b int) { offers[a], offers[b] = offers[b], offers[a] })
		}
		r2 := &Router{Config: r.Config, Suppliers: r.Suppliers, Catalog: r.Catalog}
		if a, b := winnerOffers(res), winnerOffers(r2.Route(req)); !slices.Equal(a, b) {
			t.Fatalf("case %d: winners depend on catalog order: %v against %v", iter, a, b)
		}
	}
	// The property is only worth something if the heuristic alone misses
	// the optimum on a fair share of the cases.
	t.Logf("the exact search improved %d of 3000 plans", improved)
	if improved < 100 {
		t.Errorf("the exact search improved only %d of 3000 plans", improved)
	}
}

// randomOrder builds 1–6 lines over 2–5 suppliers with random costs,
// fees, stock (some offers filtered out), priorities and now and then two
// offers of one supplier for a SKU.
func randomOrder(rng *rand.Rand) (*Router, Request) {
	ns, nl := 2+rng.Intn(4), 1+rng.Intn(6)
	profiles := map[string]SupplierProfile{}
	for s := range ns {
		profiles[string(rune('a'+s))] = SupplierProfile{Priority: 1 + rng.Intn(3),
			Fees: Fees{Dropship: decimal.New(int64(rng.Intn(4)*100), 2), ShippingEstimate: decimal.New(int64(rng.Intn(12)*50), 2)}}
	}
	cat := mapCatalog{}
	var lines []Line
	for l := range nl {
		sku := fmt.Sprintf("L%d", l)
		for s := range ns {
			if rng.Intn(3) == 0 {
				continue
			}
			name := string(rune('a' + s))
			for n := range 1 + rng.Intn(4)/3 {
				cat[sku] = append(cat[sku], Offer{Supplier: name, SKU: sku, SupplierSKU: fmt.Sprintf("%s-%s-%d", name, sku, n),
					Cost: money.Money{Amount: int64(100 + rng.Intn(60)*10), Currency: "USD"}, Stock: int64(rng.Intn(6))})
			}
		}
		lines = append(lines, Line{ID: sku, SKU: sku, Qty: int64(1 + rng.Intn(2))})
	}
	return &Router{Suppliers: profiles, Catalog: cat}, Request{Order: order("US"), Lines: lines}
}

// bruteForce returns the lowest landed cost over every assignment of the
// result's eligible candidates: items plus each used supplier's fees once.
func bruteForce(res Result) (int64, bool) {
	best, found := int64(0), false
	pick := make([]Candidate, len(res.Lines))
	var rec func(k int)
	rec = func(k int) {
		if k == len(res.Lines) {
			var sum int64
			fees := map[string]int64{}
			for _, c := range pick {
				sum += c.Items.Amount
				fees[c.Offer.Supplier] = c.Fees.Amount
			}
			for _, f := range fees {
				sum += f
			}
			if !found || sum < best {
				best, found = sum, true
			}
			return
		}
		for _, c := range res.Lines[k].Candidates {
			if c.Eligible {
				pick[k] = c
				rec(k + 1)
			}
		}
	}
	rec(0)
	return best, found
}

func winnerOffers(res Result) []string {
	var out []string
	for _, l := range res.Lines {
		if l.Winner != nil {
			out = append(out, l.LineID+"→"+l.Winner.SupplierSKU)
		}
	}
	return out
}

func explainText(res Result) string {
	var b strings.Builder
	_ = res.Explain(&b)
	return b.String()
}
