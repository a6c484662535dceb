package routing

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/money"
)

// fewestRouter: a carries both lines at 10.00; b and c each carry one at
// 8.00. The cheapest plan splits (16.00, two parcels); one parcel costs
// 20.00.
func fewestRouter(strategy string) *Router {
	return &Router{
		Config:    Config{Strategy: strategy},
		Suppliers: map[string]SupplierProfile{"a": {}, "b": {}, "c": {}},
		Catalog: mapCatalog{
			"L1": {offer("a", "L1", "10.00", 9), offer("b", "L1", "8.00", 9)},
			"L2": {offer("a", "L2", "10.00", 9), offer("c", "L2", "8.00", 9)},
		},
	}
}

func TestFewestShipmentsOverCheaperSplit(t *testing.T) {
	req := Request{Order: order("US"), Lines: []Line{line("L1", 1), line("L2", 1)}}
	res := fewestRouter(StrategyCheapest).Route(req)
	wantWinners(t, res, map[string]string{"L1": "b", "L2": "c"})
	if len(res.Notes) != 0 {
		t.Errorf("cheapest has no trade-off to explain: %q", res.Notes)
	}

	res = fewestRouter(StrategyFewestShipments).Route(req)
	wantWinners(t, res, map[string]string{"L1": "a", "L2": "a"})
	if !slices.Equal(shipped(res), []string{"a"}) || res.Totals[0] != usd("20.00") {
		t.Errorf("shipments %v totals %v", shipped(res), res.Totals)
	}
	want := "fewest_shipments: 1 shipment (a) at 20.00 USD instead of 2 (b, c) at 16.00 USD: 4.00 USD more for 1 fewer"
	if len(res.Notes) != 1 || res.Notes[0] != want {
		t.Errorf("notes = %q\nwant %q", res.Notes, want)
	}
	if got := res.Lines[0].Why; got != "a keeps the order to 1 shipment (a); b would make it 2; without fewest_shipments it would go to b" {
		t.Errorf("why = %q", got)
	}
}

// Greedy set cover takes the supplier with most lines first (c: four) and
// then needs two more; the exact search finds two.
func TestFewestShipmentsFindsTheSmallestSet(t *testing.T) {
	cat := mapCatalog{}
	carry := map[string][]string{"a": {"1", "2", "3"}, "b": {"4", "5", "6"}, "c": {"1", "2", "4", "5"}}
	for sup, skus := range carry {
		for _, sku := range skus {
			cat[sku] = append(cat[sku], offer(sup, sku, "1.00", 9))
		}
	}
	r := &Router{Config: Config{Strategy: StrategyFewestShipments}, Suppliers: map[string]SupplierProfile{"a": {}, "b": {}, "c": {}}, Catalog: cat}
	var lines []Line
	for _, sku := range []string{"1", "2", "3", "4", "5", "6"} {
		lines = append(lines, line(sku, 1))
	}
	res := r.Route(Request{Order: order("US"), Lines: lines})
	if got := shipped(res); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("shipments %v, want [a b]", got)
	}
	if len(res.Unroutable()) != 0 {
		t.Errorf("unroutable: %v", res.Unroutable())
	}
}

// A line decided by another rule opens a purchase order; fewest_shipments
// lines join it rather than open a cheaper second one.
func TestFewestShipmentsJoinsAnExistingPO(t *testing.T) {
	r := &Router{
		Config: Config{Strategy: StrategyFewestShipments, Rules: []Rule{
			{Name: "hero", When: When{SKU: "HERO"}, Prefer: []string{StrategyPriority}},
		}},
		Suppliers: map[string]SupplierProfile{"acme": {Priority: 1}, "beta": {Priority: 2}},
		Catalog: mapCatalog{
			"HERO": {offer("acme", "HERO", "50.00", 9), offer("beta", "HERO", "40.00", 9)},
			"X":    {offer("acme", "X", "5.00", 9), offer("beta", "X", "4.00", 9)},
			"Y":    {offer("acme", "Y", "5.00", 9), offer("beta", "Y", "4.00", 9)},
		},
	}
	res := r.Route(Request{Order: order("US"), Lines: []Line{line("HERO", 1), line("X", 1), line("Y", 1)}})
	wantWinners(t, res, map[string]string{"HERO": "acme", "X": "acme", "Y": "acme"})
	wantContains(t, "why", res.Lines[1].Why, "acme keeps the order to 1 shipment (acme); beta would make it 2")
}

func TestSplitForbidden(t *testing.T) {
	no := boolp(false)
	tests := []struct {
		name    string
		cfg     Config
		catalog mapCatalog
		want    map[string]string
		why     string // every line's why
		filter  map[string]string
	}{
		{
			name: "one supplier takes all, though a split is cheaper",
			cfg:  Config{AllowSplit: no},
			catalog: mapCatalog{
				"L1": {offer("a", "L1", "10.00", 9), offer("b", "L1", "8.00", 9)},
				"L2": {offer("a", "L2", "10.00", 9), offer("c", "L2", "8.00", 9)},
			},
			want:   map[string]string{"L1": "a", "L2": "a"},
			why:    "split is forbidden: a is the only supplier that can take every line",
			filter: map[string]string{"b": "split is forbidden and it cannot take line L2 (L2): does not carry L2"},
		},
		{
			name: "the cheapest whole order wins",
			cfg:  Config{AllowSplit: no},
			catalog: mapCatalog{
				"L1": {offer("a", "L1", "10.00", 9), offer("b", "L1", "8.00", 9)},
				"L2": {offer("a", "L2", "10.00", 9), offer("b", "L2", "13.00", 9)},
			},
			want: map[string]string{"L1": "a", "L2": "a"},
			why:  "split is forbidden: a takes the whole order: it has the lowest landed cost for the order, 20.00 USD (next: b at 21.00 USD)",
		},
		{
			name: "the highest-precedence rule any line matched ranks the order",
			cfg: Config{AllowSplit: no, Rules: []Rule{
				{Name: "l2", When: When{SKU: "L2"}, Prefer: []string{StrategyPriority}},
			}},
			catalog: mapCatalog{
				"L1": {offer("a", "L1", "10.00", 9), offer("b", "L1", "8.00", 9)},
				"L2": {offer("a", "L2", "10.00", 9), offer("b", "L2", "8.00", 9)},
			},
			want: map[string]string{"L1": "a", "L2": "a"},
			why:  "split is forbidden: a takes the whole order (ranked by rule l2): it has priority 1 (next: b with 2)",
		},
		{
			name: "nobody takes all: unroutable",
			cfg:  Config{AllowSplit: no, SafetyBuffer: 1},
			catalog: mapCatalog{
				"L1": {offer("a", "L1", "10.00", 9), offer("b", "L1", "8.00", 1)},
				"L2": {offer("b", "L2", "10.00", 9), offer("c", "L2", "8.00", 9)},
			},
			want: map[string]string{"L1": "", "L2": ""},
			why: "split is forbidden and no supplier can take every line (a: line L2 (L2): does not carry L2; " +
				"b: line L1 (L1): stock 1 (minus safety buffer 1) is below quantity 1; c: line L1 (L1): does not carry L1)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Router{Config: tt.cfg, Suppliers: map[string]SupplierProfile{"a": {Priority: 1}, "b": {Priority: 2}, "c": {Priority: 3}}, Catalog: tt.catalog}
			res := r.Route(Request{Order: order("US"), Lines: []Line{line("L1", 1), line("L2", 1)}})
			wantWinners(t, res, tt.want)
			for _, l := range res.Lines {
				if l.Why != tt.why {
					t.Errorf("line %s why = %q\n want %q", l.LineID, l.Why, tt.why)
				}
			}
			for sup, reason := range tt.filter {
				if c := candidate(t, res.Lines[0], sup); c.Eligible || c.Reason != reason {
					t.Errorf("%s: eligible %v reason %q", sup, c.Eligible, c.Reason)
				}
			}
		})
	}
}

func TestLineSplit(t *testing.T) {
	cat := mapCatalog{"S": {offer("a", "S", "1.00", 6), offer("b", "S", "2.00", 4), offer("c", "S", "3.00", 100)}}
	profiles := map[string]SupplierProfile{"a": {}, "b": {}, "c": {ShipTo: []string{"DE"}}}
	req := Request{Order: order("US"), Lines: []Line{{ID: "1", SKU: "S", Qty: 10}}}

	// Off (the default): no single supplier has 10, c does not ship here.
	r := &Router{Suppliers: profiles, Catalog: cat}
	if res := r.Route(req); len(res.Unroutable()) != 1 {
		t.Fatalf("without allow_line_split the line is unroutable: %+v", res.Lines)
	}

	// On: a takes its 6 (cheapest first), b the other 4. c is filtered
	// for ship-to, which a split does not lift.
	r = &Router{Config: Config{AllowLineSplit: true}, Suppliers: profiles, Catalog: cat}
	res := r.Route(req)
	if len(res.Lines) != 2 || len(res.Unroutable()) != 0 {
		t.Fatalf("lines = %+v", res.Lines)
	}
	for k, want := range []struct {
		sup  string
		qty  int64
		part string
	}{{"a", 6, "1/2"}, {"b", 4, "2/2"}} {
		l := res.Lines[k]
		if l.LineID != "1" || l.Winner.Supplier != want.sup || l.Qty != want.qty || l.Part != want.part {
			t.Errorf("part %d = %s %s × %d (%s)", k, l.LineID, l.Winner.Supplier, l.Qty, l.Part)
		}
	}
	wantContains(t, "why", res.Lines[0].Why, "no supplier can take all 10, so the line is split: a 6, b 4")
	if res.Lines[1].Candidates != nil || res.Totals[0] != usd("14.00") {
		t.Errorf("second part candidates %v, totals %v", res.Lines[1].Candidates, res.Totals)
	}

	// Pack sizes bound each part; when the parts fall short, nothing is
	// routed and the reason says how far they got.
	cat["S"] = []Offer{packOffer("a", "S", "1.00", 7, 4, 0), offer("b", "S", "2.00", 3)}
	res = r.Route(req)
	if len(res.Unroutable()) != 1 {
		t.Fatalf("lines = %+v", res.Lines)
	}
	wantContains(t, "why", res.Lines[0].Why, "allow_line_split: together they can take only 7 of 10 (a 4, b 3)")
}

func TestPackSizeAndMinimum(t *testing.T) {
	tests := []struct {
		qty    int64
		pack   int64
		moq    int64
		reason string
	}{
		{6, 3, 0, ""},
		{7, 3, 0, "quantity 7 is not a multiple of pack size 3"},
		{4, 0, 5, "quantity 4 is below the minimum order quantity 5"},
		{5, 0, 5, ""},
		{6, 2, 8, "quantity 6 is below the minimum order quantity 8"},
		{1, 1, 0, ""}, // a pack of one is no constraint
	}
	for _, tt := range tests {
		r := &Router{Suppliers: map[string]SupplierProfile{"a": {}}, Catalog: mapCatalog{"S": {packOffer("a", "S", "1.00", 100, tt.pack, tt.moq)}}}
		l := r.Route(Request{Order: order("US"), Lines: []Line{line("S", tt.qty)}}).Lines[0]
		if c := l.Candidates[0]; c.Reason != tt.reason || c.Eligible != (tt.reason == "") || (l.Winner == nil) != (tt.reason != "") {
			t.Errorf("qty %d pack %d moq %d: eligible %v reason %q", tt.qty, tt.pack, tt.moq, c.Eligible, c.Reason)
		}
	}
}

func TestSafetyBuffer(t *testing.T) {
	tests := []struct {
		name     string
		global   int64
		override *int64
		stock    int64
		qty      int64
		reason   string
	}{
		{"no buffer", 0, nil, 3, 3, ""},
		{"global buffer bites", 2, nil, 4, 3, "stock 4 (minus safety buffer 2) is below quantity 3"},
		{"global buffer leaves enough", 2, nil, 5, 3, ""},
		{"supplier override raises it", 0, int64p(5), 7, 3, "stock 7 (minus safety buffer 5) is below quantity 3"},
		{"supplier override lowers it", 10, int64p(0), 3, 3, ""},
	}
	for _, tt := range tests {
		r := &Router{
			Config:    Config{SafetyBuffer: tt.global},
			Suppliers: map[string]SupplierProfile{"a": {SafetyBuffer: tt.override}},
			Catalog:   mapCatalog{"S": {offer("a", "S", "1.00", tt.stock)}},
		}
		c := r.Route(Request{Order: order("US"), Lines: []Line{line("S", tt.qty)}}).Lines[0].Candidates[0]
		if c.Reason != tt.reason {
			t.Errorf("%s: reason %q, want %q", tt.name, c.Reason, tt.reason)
		}
	}
}

// Exclusions are per line: the supplier that rejected line 1 may still
// take line 2.
func TestExclusionsArePerLine(t *testing.T) {
	r := &Router{
		Suppliers: map[string]SupplierProfile{"a": {}, "b": {}},
		Catalog: mapCatalog{
			"X": {offer("a", "X", "1.00", 9), offer("b", "X", "2.00", 9)},
			"Y": {offer("a", "Y", "1.00", 9), offer("b", "Y", "2.00", 9)},
		},
	}
	res := r.Route(Request{Order: order("US"), Lines: []Line{line("X", 1), line("Y", 1)}, Exclude: map[string][]string{"X": {"a"}}})
	wantWinners(t, res, map[string]string{"X": "b", "Y": "a"})
	if c := candidate(t, res.Lines[0], "a"); c.Reason != "excluded for this line (rejected it or missed its SLA)" {
		t.Errorf("a on X: %q", c.Reason)
	}
}

// The engine's contract: Lines in request order, Winner per line,
// Unroutable for the rest, shipments grouped as the engine groups POs.
func TestResultForTheEngine(t *testing.T) {
	r := fewestRouter(StrategyCheapest)
	r.Catalog.(mapCatalog)["GONE"] = nil
	res := r.Route(Request{Order: order("US"), Lines: []Line{line("L1", 1), line("GONE", 1), line("L2", 3)}})
	ids := []string{}
	for _, l := range res.Lines {
		ids = append(ids, l.LineID)
	}
	if !slices.Equal(ids, []string{"L1", "GONE", "L2"}) {
		t.Errorf("order = %v", ids)
	}
	if bad := res.Unroutable(); len(bad) != 1 || bad[0].Why != "SKU GONE is carried by no supplier" {
		t.Errorf("unroutable = %+v", bad)
	}
	if len(res.Shipments) != 2 || res.Shipments[0].Supplier != "b" || !slices.Equal(res.Shipments[1].Lines, []string{"L2"}) ||
		res.Shipments[1].Items != usd("24.00") {
		t.Errorf("shipments = %+v", res.Shipments)
	}
	if !strings.HasPrefix(res.Lines[2].Why, "c has the lowest landed cost 24.00 USD") {
		t.Errorf("why = %q", res.Lines[2].Why)
	}
}

// TestInvariants routes the benchmark's 50-line order under several
// configurations and checks what must always hold.
func TestInvariants(t *testing.T) {
	configs := map[string]Config{
		"cheapest":   {SafetyBuffer: 2},
		"priority":   {Strategy: StrategyPriority},
		"score":      {Strategy: StrategyScore, SafetyBuffer: 1},
		"fewest":     {Strategy: StrategyFewestShipments, SafetyBuffer: 2},
		"line split": {SafetyBuffer: 2, AllowLineSplit: true},
		"single":     {AllowSplit: boolp(false), StockAware: boolp(false)},
		"rules": {SafetyBuffer: 2, Rules: []Rule{
			{Name: "t1", When: When{Tag: "t1"}, Prefer: []string{StrategyScore}, Suppliers: []string{"s01", "s02", "s03"}},
			{Name: "mugs", When: When{SKU: "SKU-1*"}, Prefer: []string{StrategyPriority, StrategyFewestShipments}},
		}},
	}
	for name, cfg := range configs {
		t.Run(name, func(t *testing.T) {
			r, req := benchRouter(cfg, !cfg.Split())
			res := r.Route(req)
			if again := r.Route(req); !reflect.DeepEqual(res, again) {
				t.Fatal("two routings of the same order differ")
			}
			if len(res.Unroutable()) == len(req.Lines) {
				t.Fatal("nothing routed")
			}
			qty := map[string]int64{}
			shares := map[string]money.Money{}
			for k, l := range res.Lines {
				qty[l.LineID] += l.Qty
				if l.Winner == nil {
					continue
				}
				first := l
				for first.Part != "" && first.Candidates == nil {
					k--
					first = res.Lines[k]
				}
				c := winnerCandidate(t, first, *l.Winner)
				if l.Part == "" && (!c.Eligible || first.Candidates[0].Offer != *l.Winner) {
					t.Errorf("line %s: winner %s is not the first eligible candidate", l.LineID, l.Winner.Supplier)
				}
				shares[l.Winner.Supplier], _ = shares[l.Winner.Supplier].Add(c.FeeShare)
			}
			for _, l := range req.Lines {
				if qty[l.ID] != l.Qty {
					t.Errorf("line %s: %d routed or held, ordered %d", l.ID, qty[l.ID], l.Qty)
				}
			}
			var total money.Money
			for _, s := range res.Shipments {
				if shares[s.Supplier] != s.Fees {
					t.Errorf("%s: shares sum to %v, fees are %v", s.Supplier, shares[s.Supplier], s.Fees)
				}
				total, _ = total.Add(s.Landed)
			}
			if len(res.Totals) != 1 || res.Totals[0] != total {
				t.Errorf("totals %v, shipments sum to %v", res.Totals, total)
			}
			if !cfg.Split() && len(res.Shipments) != 1 {
				t.Errorf("split forbidden, yet %d shipments", len(res.Shipments))
			}
		})
	}
}

func winnerCandidate(t *testing.T, l LineResult, w Offer) Candidate {
	t.Helper()
	for _, c := range l.Candidates {
		if c.Offer == w {
			return c
		}
	}
	t.Fatalf("line %s: winner %s is not among the candidates", l.LineID, w.Supplier)
	return Candidate{}
}

// Workers share one Router; the rules compile on first use.
func TestRouterIsSafeForConcurrentUse(t *testing.T) {
	r, req := benchRouter(Config{Rules: []Rule{{Name: "re", When: When{SKURegex: "^SKU-1"}, Prefer: []string{StrategyFewestShipments}}}}, false)
	want := r.Route(req)
	r, _ = benchRouter(r.Config, false) // a fresh, uncompiled Router
	done := make(chan Result)
	for range 8 {
		go func() { done <- r.Route(req) }()
	}
	for range 8 {
		if got := <-done; !reflect.DeepEqual(got, want) {
			t.Error("concurrent routings differ")
		}
	}
}
