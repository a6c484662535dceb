package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/routing"
)

const routingSuppliers = `
suppliers:
  - { name: acme, type: testsup, priority: 1, safety_buffer: 5 }
  - { name: backup, type: testsup, priority: 2, score: 80 }
`

func TestRoutingBlock(t *testing.T) {
	cfg, probs := parse(t, routingSuppliers+`
routing:
  strategy: fewest_shipments
  allow_split: true
  allow_line_split: true
  safety_buffer: 2
  stock_aware: true
  exact_max_lines: 8
  rules:
    - name: eu-fragile
      when:
        ship_to: [DE, FR]
        sku: "MUG-*"
        sku_regex: "^MUG-[0-9]+$"
        tag: fragile
        order_value: { min: "100.00", max: "500", currency: EUR }
      prefer: [priority, cheapest]
      suppliers: [acme, backup]
    - name: everything-else
      prefer: [score]
`, nil)
	if len(probs) != 0 {
		t.Fatalf("unexpected problems:\n%s", probs.Error())
	}
	rc := cfg.Routing
	if rc.Strategy != routing.StrategyFewestShipments || !rc.Split() || !rc.LineSplit() || rc.SafetyBuffer != 2 || !rc.UsesStock() || rc.ExactLimit() != 8 {
		t.Errorf("routing = %+v", rc)
	}
	if len(rc.Rules) != 2 {
		t.Fatalf("rules = %+v", rc.Rules)
	}
	r := rc.Rules[0]
	w := r.When
	if r.Name != "eu-fragile" || !slices.Equal(r.Prefer, []string{"priority", "cheapest"}) || !slices.Equal(r.Suppliers, []string{"acme", "backup"}) ||
		!slices.Equal(w.ShipTo, []string{"DE", "FR"}) || w.SKU != "MUG-*" || w.SKURegex != "^MUG-[0-9]+$" || w.Tag != "fragile" {
		t.Errorf("rule = %+v", r)
	}
	if v := w.OrderValue; v == nil || !v.Min.Equal(decimal.MustParse("100")) || !v.Max.Equal(decimal.MustParse("500")) || v.Currency != "EUR" {
		t.Errorf("order_value = %+v", w.OrderValue)
	}
	if b := cfg.Suppliers[0].Supplier.SafetyBuffer; b == nil || *b != 5 || cfg.Suppliers[1].Supplier.Score != 80 {
		t.Errorf("supplier profiles = %+v / %+v", cfg.Suppliers[0].Supplier, cfg.Suppliers[1].Supplier)
	}
}

func TestRoutingProblems(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // each must appear as a whole line
	}{
		{"unknown supplier in a rule", routingSuppliers + `
routing:
  rules:
    - name: a
      when: { tag: x }
    - name: b
      when: { tag: y }
    - name: c
      when: { tag: z }
      suppliers: [acem, acme]
`, []string{`test.yaml:14: routing.rules[2].suppliers[0]: unknown supplier "acem"`}},
		{"unknown strategy", "routing:\n  strategy: fastest\n",
			[]string{`test.yaml:2: routing.strategy: unknown strategy "fastest" (known: cheapest, fewest_shipments, priority, score)`}},
		{"unknown key in a rule", "routing:\n  rules:\n    - name: a\n      wehn: { tag: x }\n",
			[]string{`test.yaml:4: routing.rules[0].wehn: unknown key (known keys: name, prefer, suppliers, when)`}},
		{"unknown filter", "routing:\n  rules:\n    - name: a\n      when: { colour: red }\n",
			[]string{`test.yaml:4: routing.rules[0].when.colour: unknown key (known keys: order_value, ship_to, sku, sku_regex, tag)`}},
		{"rule without a name", "routing:\n  rules:\n    - when: { tag: x }\n",
			[]string{`test.yaml:3: routing.rules[0].name: missing required key`}},
		{"bad criterion", "routing:\n  rules:\n    - name: a\n      prefer: [cheapest, fastest]\n",
			[]string{`test.yaml:4: routing.rules[0].prefer[1]: unknown criterion "fastest" (known: cheapest, fewest_shipments, priority, score)`}},
		{"bad order value", "routing:\n  rules:\n    - name: a\n      when:\n        order_value: { min: 10, max: lots }\n",
			[]string{`test.yaml:5: routing.rules[0].when.order_value.max: expected a decimal number such as 12.50, got "lots"`}},
		{"empty range", "routing:\n  rules:\n    - name: a\n      when:\n        order_value: { min: 10, max: 5 }\n",
			[]string{`test.yaml:5: routing.rules[0].when.order_value.max: must be above min (10): max is exclusive`}},
		{"bad regexp", "routing:\n  rules:\n    - name: a\n      when:\n        sku_regex: \"([\"\n",
			[]string{"test.yaml:5: routing.rules[0].when.sku_regex: invalid regular expression: error parsing regexp: missing closing ]: `[`"}},
		{"negative exact limit", "routing:\n  exact_max_lines: -2\n",
			[]string{`test.yaml:2: routing.exact_max_lines: must not be negative (0 turns the exact search off)`}},
		{"line split without split", "routing:\n  allow_split: false\n  allow_line_split: true\n",
			[]string{`test.yaml:3: routing.allow_line_split: needs allow_split: a line split across suppliers splits the order`}},
		{"supplier buffer", "suppliers:\n  - name: s\n    type: testsup\n    safety_buffer: -3\n",
			[]string{`test.yaml:4: suppliers[0].safety_buffer: must not be negative`}},
		{"fee precision", "suppliers:\n  - name: s\n    type: testsup\n    currency: JPY\n    fees: { dropship: \"2.50\" }\n",
			[]string{`test.yaml:5: suppliers[0].fees.dropship: 2.50 has more decimals than JPY allows`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := parse(t, tt.yaml, nil)
			got := map[string]bool{}
			for _, p := range probs.Errors() {
				got[p.String()] = true
			}
			for _, w := range tt.want {
				if !got[w] {
					t.Errorf("missing problem\n  %s\ngot:\n  %s", w, strings.ReplaceAll(probs.Error(), "\n", "\n  "))
				}
			}
		})
	}
}

func TestUnreachableRuleWarns(t *testing.T) {
	_, probs := parse(t, "routing:\n  rules:\n    - name: all\n    - name: late\n      when: { tag: x }\n", nil)
	w := probs.Warnings()
	if len(probs.Errors()) != 0 || len(w) != 1 || w[0].String() != "test.yaml:4: routing.rules[1]: warning: never applies: rules[0] matches every line before it" {
		t.Errorf("problems:\n%s", probs.Error())
	}
}
