package routing

import (
	"slices"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// TestRuleFilters routes one line through a single rule and checks which
// rule decided it and, when it did not match, why.
func TestRuleFilters(t *testing.T) {
	eur := func(country, subtotal string) *model.Order {
		return &model.Order{ID: "o", Currency: "EUR", ShippingAddress: &model.Address{Country: country},
			Totals: model.Totals{Subtotal: money.MustParse(subtotal, "EUR")}}
	}
	tests := []struct {
		name    string
		when    When
		order   *model.Order
		line    Line
		matched bool
		skipped string // the rule's skip reason when it did not match
	}{
		{"no filter matches all", When{}, usOrder("1.00"), line("ANY", 1), true, ""},
		{"sku glob", When{SKU: "MUG-*"}, usOrder("1"), line("MUG-RED", 1), true, ""},
		{"sku glob ?", When{SKU: "MUG-??"}, usOrder("1"), line("MUG-RED", 1), false, "SKU MUG-RED does not match MUG-??"},
		{"sku glob is case-sensitive", When{SKU: "mug-*"}, usOrder("1"), line("MUG-RED", 1), false, "SKU MUG-RED does not match mug-*"},
		{"sku glob crosses /", When{SKU: "A*Z"}, usOrder("1"), line("A/B/Z", 1), true, ""},
		{"sku regex", When{SKURegex: `^MUG-[0-9]+$`}, usOrder("1"), line("MUG-12", 1), true, ""},
		{"sku regex miss", When{SKURegex: `^MUG-[0-9]+$`}, usOrder("1"), line("MUG-X", 1), false, "SKU MUG-X does not match /^MUG-[0-9]+$/"},
		{"tag ignores case", When{Tag: "fragile"}, usOrder("1"), line("S", 1, "Glass", " Fragile"), true, ""},
		{"tag missing", When{Tag: "fragile"}, usOrder("1"), line("S", 1, "glass"), false, "no tag fragile"},
		{"ship_to", When{ShipTo: []string{"DE", "FR"}}, eur("fr", "1"), line("S", 1), true, ""},
		{"ship_to miss", When{ShipTo: []string{"DE", "FR"}}, usOrder("1"), line("S", 1), false, "ships to US, not DE, FR"},
		{"ship_to without address", When{ShipTo: []string{"DE"}}, &model.Order{ID: "o"}, line("S", 1), false, "ships to -, not DE"},
		{"min is inclusive", When{OrderValue: &ValueRange{Min: dec("100")}}, usOrder("100.00"), line("S", 1), true, ""},
		{"below min", When{OrderValue: &ValueRange{Min: dec("100")}}, usOrder("99.99"), line("S", 1), false, "order value 99.99 USD is below 100"},
		{"max is exclusive", When{OrderValue: &ValueRange{Max: dec("100.00")}}, usOrder("100.00"), line("S", 1), false, "order value 100.00 USD is not below 100.00"},
		{"under max", When{OrderValue: &ValueRange{Max: dec("100.00")}}, usOrder("99.99"), line("S", 1), true, ""},
		{"currency must match", When{OrderValue: &ValueRange{Min: dec("1"), Currency: "EUR"}}, usOrder("500"), line("S", 1), false, "the order is in USD, not EUR"},
		{"currency matches", When{OrderValue: &ValueRange{Min: dec("1"), Currency: "EUR"}}, eur("DE", "500"), line("S", 1), true, ""},
		{"value unknown", When{OrderValue: &ValueRange{Min: dec("1")}}, nil, line("S", 1), false, "the order value is unknown"},
		{"all filters AND", When{SKU: "S*", Tag: "x", ShipTo: []string{"US"}, OrderValue: &ValueRange{Min: dec("5")}}, usOrder("9"), line("SS", 1, "x"), true, ""},
		{"one filter fails the AND", When{SKU: "S*", Tag: "x", ShipTo: []string{"US"}}, usOrder("9"), line("SS", 1), false, "no tag x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Router{
				Config:    Config{Rules: []Rule{{Name: "r", When: tt.when}}},
				Suppliers: map[string]SupplierProfile{"a": {}},
				Catalog:   mapCatalog{tt.line.SKU: {offer("a", tt.line.SKU, "1.00", 9)}},
			}
			l := r.Route(Request{Order: tt.order, Lines: []Line{tt.line}}).Lines[0]
			want, skipped := DefaultRule, []string{"r: " + tt.skipped}
			if tt.matched {
				want, skipped = "r", nil
			}
			if l.Rule != want || !slices.Equal(l.Skipped, skipped) {
				t.Errorf("rule %q, skipped %q; want %q, %q", l.Rule, l.Skipped, want, skipped)
			}
		})
	}
}

// The order value falls back to the lines when the channel gave no
// subtotal: unit price × quantity minus the line's discount.
func TestOrderValueFromLines(t *testing.T) {
	o := order("US")
	o.Lines = []model.OrderLine{
		{ID: "1", Quantity: 3, UnitPrice: usd("20.00"), Discount: usd("5.00")},
		{ID: "2", Quantity: 1, UnitPrice: usd("40.01")},
	}
	f := factsOf(o)
	if !f.hasValue || f.value != usd("95.01") {
		t.Fatalf("value = %v (%v)", f.value, f.hasValue)
	}
}

func TestFirstMatchingRuleDecides(t *testing.T) {
	r := &Router{
		Config: Config{Strategy: StrategyCheapest, Rules: []Rule{
			{Name: "eu", When: When{ShipTo: []string{"DE"}}, Prefer: []string{StrategyScore}},
			{Name: "mugs", When: When{SKU: "MUG*"}, Prefer: []string{StrategyPriority}},
			{Name: "also-mugs", When: When{SKU: "MUG*"}, Prefer: []string{StrategyScore}},
		}},
		Suppliers: map[string]SupplierProfile{"cheap": {Priority: 9, Score: 10}, "pref": {Priority: 1, Score: 20}, "star": {Priority: 5, Score: 99}},
		Catalog: mapCatalog{
			"MUG": {offer("cheap", "MUG", "1.00", 9), offer("pref", "MUG", "5.00", 9), offer("star", "MUG", "9.00", 9)},
			"TEE": {offer("cheap", "TEE", "1.00", 9), offer("pref", "TEE", "5.00", 9), offer("star", "TEE", "9.00", 9)},
		},
	}
	res := r.Route(Request{Order: order("US"), Lines: []Line{line("MUG", 1), line("TEE", 1)}})
	// MUG: eu does not match, mugs does (priority), also-mugs never gets a say.
	if l := res.Lines[0]; l.Rule != "mugs" || l.Winner.Supplier != "pref" || l.Why != "rule mugs: pref has priority 1 (next: star with 5)" {
		t.Errorf("MUG: rule %s winner %s why %q", l.Rule, l.Winner.Supplier, l.Why)
	}
	// TEE: no rule: the default strategy, cheapest.
	if l := res.Lines[1]; l.Rule != DefaultRule || l.Winner.Supplier != "cheap" || len(l.Skipped) != 3 {
		t.Errorf("TEE: rule %s winner %s skipped %q", l.Rule, l.Winner.Supplier, l.Skipped)
	}
	// To Germany the eu rule comes first for both lines.
	res = r.Route(Request{Order: order("DE"), Lines: []Line{line("MUG", 1), line("TEE", 1)}})
	for _, l := range res.Lines {
		if l.Rule != "eu" || l.Winner.Supplier != "star" || len(l.Skipped) != 0 {
			t.Errorf("%s to DE: rule %s winner %s", l.SKU, l.Rule, l.Winner.Supplier)
		}
	}
}

// A rule's supplier list filters; a matched rule with nobody left does
// not fall through to the next rule: the merchant said who may ship it.
func TestRuleSuppliersRestrict(t *testing.T) {
	r := &Router{
		Config: Config{Rules: []Rule{
			{Name: "fragile", When: When{Tag: "fragile"}, Suppliers: []string{"careful", "backup"}},
		}},
		Suppliers: map[string]SupplierProfile{"careful": {}, "backup": {}, "cheap": {}},
		Catalog: mapCatalog{
			"VASE": {offer("cheap", "VASE", "1.00", 9), offer("careful", "VASE", "5.00", 9)},
			"BOWL": {offer("cheap", "BOWL", "1.00", 9), offer("careful", "BOWL", "5.00", 0)},
		},
	}
	res := r.Route(Request{Order: order("US"), Lines: []Line{line("VASE", 1, "fragile"), line("BOWL", 1, "fragile")}})
	vase := res.Lines[0]
	if vase.Winner.Supplier != "careful" || vase.Why != "rule fragile: careful is the only eligible supplier" {
		t.Errorf("VASE → %s: %s", vase.Winner.Supplier, vase.Why)
	}
	if c := candidate(t, vase, "cheap"); c.Eligible || c.Reason != "not among rule fragile's suppliers (careful, backup)" {
		t.Errorf("cheap: %+v", c)
	}
	bowl := res.Lines[1]
	if bowl.Winner != nil || !strings.HasPrefix(bowl.Why, "rule fragile: no eligible supplier for SKU BOWL (cheap: not among") {
		t.Errorf("BOWL: %v %q", bowl.Winner, bowl.Why)
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true}, {"", "a", false}, {"*", "", true}, {"*", "anything/at all", true},
		{"MUG-*", "MUG-", true}, {"MUG-*", "MUG", false}, {"*-RED", "MUG-RED", true}, {"*-RED", "MUG-REDX", false},
		{"M?G", "MUG", true}, {"M?G", "MG", false}, {"a*b*c", "aXbYbZc", true}, {"a*b*c", "aXbYbZ", false},
		{"**", "x", true}, {"é?", "éü", true}, {"a*", "b", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v", tt.pattern, tt.s, got)
		}
	}
}

func TestCheck(t *testing.T) {
	known := []string{"acme", "backup"}
	tests := []struct {
		name string
		cfg  Config
		want []string // Problem.String(), in order; "warning: " marks warnings
	}{
		{"valid", Config{Strategy: "fewest_shipments", Rules: []Rule{
			{Name: "a", When: When{SKU: "X*", SKURegex: "^X", ShipTo: []string{"de"}, OrderValue: &ValueRange{Min: dec("1"), Max: dec("2"), Currency: "EUR"}},
				Prefer: []string{"priority", "score"}, Suppliers: []string{"acme"}},
		}}, nil},
		{"unknown strategy", Config{Strategy: "fastest"}, []string{`strategy: unknown strategy "fastest" (known: cheapest, fewest_shipments, priority, score)`}},
		{"negative buffer", Config{SafetyBuffer: -1}, []string{"safety_buffer: must not be negative"}},
		{"negative exact limit", Config{ExactMaxLines: intp(-1)}, []string{"exact_max_lines: must not be negative (0 turns the exact search off)"}},
		{"line split needs split", Config{AllowSplit: boolp(false), AllowLineSplit: true},
			[]string{"allow_line_split: needs allow_split: a line split across suppliers splits the order"}},
		{"unknown supplier", Config{Rules: []Rule{{Name: "a", When: When{SKU: "A*"}}, {Name: "b", When: When{Tag: "t"}}, {Name: "c", When: When{Tag: "u"}, Suppliers: []string{"acme", "acem"}}}},
			[]string{`rules[2].suppliers[1]: unknown supplier "acem"`}},
		{"names", Config{Rules: []Rule{{Name: "x", When: When{Tag: "t"}}, {Name: "x", When: When{Tag: "u"}}, {Name: "default", When: When{Tag: "v"}}}},
			[]string{`rules[1].name: duplicate rule name "x" (first at rules[0])`, `rules[2].name: "default" is reserved for the default rule (routing.strategy)`}},
		{"prefer", Config{Rules: []Rule{{Name: "x", Prefer: []string{"cheapest", "fast", "cheapest"}}}},
			[]string{`rules[0].prefer[1]: unknown criterion "fast" (known: cheapest, fewest_shipments, priority, score)`, `rules[0].prefer[2]: "cheapest" is listed twice`}},
		{"patterns and countries", Config{Rules: []Rule{{Name: "x", When: When{SKURegex: "(", ShipTo: []string{"DEU"}}}}},
			[]string{"rules[0].when.sku_regex: invalid regular expression: error parsing regexp: missing closing ): `(`",
				`rules[0].when.ship_to[0]: "DEU" is not an ISO 3166-1 alpha-2 country code`}},
		{"order value", Config{Rules: []Rule{
			{Name: "a", When: When{OrderValue: &ValueRange{}}},
			{Name: "b", When: When{OrderValue: &ValueRange{Min: dec("5"), Max: dec("5")}}},
			{Name: "c", When: When{OrderValue: &ValueRange{Min: dec("1.005"), Currency: "USD"}}},
			{Name: "d", When: When{OrderValue: &ValueRange{Min: dec("1"), Currency: "XXQ"}}},
		}}, []string{
			"rules[0].when.order_value: give min, max or both",
			"rules[1].when.order_value.max: must be above min (5): max is exclusive",
			"rules[2].when.order_value.min: 1.005 has more decimals than USD allows",
			`rules[3].when.order_value.currency: unknown ISO 4217 currency "XXQ"`,
		}},
		{"unreachable rule", Config{Rules: []Rule{{Name: "all"}, {Name: "late", When: When{Tag: "t"}}}},
			[]string{"warning: rules[1]: never applies: rules[0] matches every line before it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range tt.cfg.Check(known) {
				s := p.String()
				if p.Warning {
					s = "warning: " + s
				}
				got = append(got, s)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestSupplierProfileCheck(t *testing.T) {
	p := SupplierProfile{Currency: "JPY", Score: 101, SafetyBuffer: int64p(-1), Fees: Fees{Dropship: *dec("2.5"), ShippingEstimate: *dec("-1")}}
	var got []string
	for _, pr := range p.Check() {
		got = append(got, pr.String())
	}
	want := []string{
		"safety_buffer: must not be negative",
		"score: 101 is outside 0–100",
		"fees.dropship: 2.5 has more decimals than JPY allows",
		"fees.shipping_estimate: must not be negative",
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n  %s", strings.Join(got, "\n  "))
	}
}

// A Router built without the loader's checks still routes: a broken rule
// matches nothing and says so.
func TestBrokenRuleIsIgnoredWithANote(t *testing.T) {
	r := &Router{
		Config:    Config{Rules: []Rule{{Name: "bad", When: When{SKURegex: "("}, Prefer: []string{StrategyPriority}}}},
		Suppliers: map[string]SupplierProfile{"a": {}},
		Catalog:   mapCatalog{"S": {offer("a", "S", "1.00", 9)}},
	}
	res := r.Route(Request{Order: order("US"), Lines: []Line{line("S", 1)}})
	if res.Lines[0].Rule != DefaultRule || len(res.Notes) != 1 || !strings.HasPrefix(res.Notes[0], "rule bad never matches: invalid sku_regex") {
		t.Errorf("rule %s, notes %q", res.Lines[0].Rule, res.Notes)
	}
}
