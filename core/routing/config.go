// Package routing decides which supplier ships which order line (DESIGN
// §2.1): candidates from the suppliers' catalogs, filtered and scored by
// the merchant's rules, with every decision explained.
//
// The `routing:` block of the config is a default strategy plus an ordered
// list of rules. The first rule whose `when` matches a line decides it:
//
//	routing:
//	  strategy: cheapest          # the default rule: cheapest | priority | fewest_shipments | score
//	  allow_split: true           # false: the whole order goes to one supplier, or nowhere
//	  allow_line_split: false     # true: a line may be split across suppliers when none has the stock
//	  safety_buffer: 2            # units held back from every supplier's stock (a supplier may override)
//	  stock_aware: true
//	  rules:
//	    - name: eu-fragile                       # required, unique; shown in explanations
//	      when:                                  # every key given must match (AND); none given: always
//	        ship_to: [DE, FR]                    # the order's ship-to country is one of these
//	        sku: "MUG-*"                         # glob on the merchant SKU: * any run, ? one character
//	        sku_regex: "^MUG-[0-9]+$"            # RE2, unanchored unless you anchor it
//	        tag: fragile                         # the line's product carries this tag (case-insensitive)
//	        order_value: { min: "100.00", max: "500.00", currency: EUR }  # min ≤ value < max
//	      prefer: [priority, cheapest]           # criteria in order; omitted: the default strategy
//	      suppliers: [acme, backup]              # only these may take the line; omitted: any
//
// See docs/ROUTING.md for the semantics of each criterion.
package routing

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/money"
)

// Strategy (criterion) names. Each may be the default `strategy` or an
// entry of a rule's `prefer` list.
const (
	// StrategyCheapest prefers the lowest landed cost: item cost × quantity
	// plus the line's share of the supplier's per-PO fees.
	StrategyCheapest = "cheapest"
	// StrategyPriority prefers the lowest supplier priority number.
	StrategyPriority = "priority"
	// StrategyFewestShipments prefers the suppliers of the smallest set
	// that can take the order's lines, so the customer gets fewer parcels.
	StrategyFewestShipments = "fewest_shipments"
	// StrategyScore prefers the highest supplier scorecard.
	StrategyScore = "score"
)

// Strategies returns every criterion name, sorted.
func Strategies() []string {
	return []string{StrategyCheapest, StrategyFewestShipments, StrategyPriority, StrategyScore}
}

// DefaultRule is the name results give the default rule (routing.strategy).
// It is reserved: no rule of the list may take it.
const DefaultRule = "default"

// Config is the `routing:` block.
type Config struct {
	// Strategy is the default rule's criterion, for lines no rule matches:
	// cheapest (the default), priority, fewest_shipments or score.
	Strategy string `yaml:"strategy"`
	// AllowSplit lets an order's lines go to different suppliers (default
	// true). When false the whole order goes to one supplier able to take
	// every line, or the order is unroutable.
	AllowSplit *bool `yaml:"allow_split"`
	// AllowLineSplit lets one line's quantity be split across suppliers
	// when no single one can take all of it for quantity reasons (stock,
	// pack size, minimum); default false, needs allow_split. See
	// docs/ROUTING.md.
	AllowLineSplit bool `yaml:"allow_line_split"`
	// SafetyBuffer is subtracted from a supplier's stock before a line is
	// routed to it, so a feed that lags reality does not oversell. A
	// supplier's own safety_buffer overrides it.
	SafetyBuffer int64 `yaml:"safety_buffer"`
	// StockAware skips offers without enough stock (default true).
	StockAware *bool `yaml:"stock_aware"`
	// ExactMaxLines bounds the exact search of cheapest: an order with at
	// most this many lines that have a choice of supplier gets the
	// cheapest plan for the whole order (branch and bound); a larger one
	// the one-line-at-a-time heuristic. Default 12; 0 turns it off.
	ExactMaxLines *int `yaml:"exact_max_lines"`
	// Rules are tried in order; the first whose When matches a line
	// decides it, and the default rule decides the rest.
	Rules []Rule `yaml:"rules"`
	// Score, when set, lets suppliers' measured scorecards replace their
	// configured scores (scoring.go).
	Score *ScoreConfig `yaml:"score"`
}

// Rule is one entry of routing.rules.
type Rule struct {
	Name string `yaml:"name" required:"true"`
	When When   `yaml:"when"`
	// Prefer lists criteria, most important first; later ones break ties
	// of earlier ones. Empty: the default strategy.
	Prefer []string `yaml:"prefer"`
	// Suppliers, when set, are the only ones that may take a matched line.
	Suppliers []string `yaml:"suppliers"`
}

// When holds a rule's filters. Every filter set must match (AND); a list
// matches when any element does (OR). No filter: the rule matches all.
type When struct {
	SKU        string      `yaml:"sku"`       // glob: * any run of characters, ? exactly one
	SKURegex   string      `yaml:"sku_regex"` // RE2 syntax
	Tag        string      `yaml:"tag"`       // a product tag of the line, case-insensitive
	ShipTo     []string    `yaml:"ship_to"`   // ISO 3166-1 alpha-2 countries
	OrderValue *ValueRange `yaml:"order_value"`
}

// ValueRange bounds the order value: merchandise after discounts, before
// shipping and tax, in the order's currency. Min is inclusive and Max
// exclusive, so consecutive ranges ([0,100), [100,…)) never overlap.
type ValueRange struct {
	Min *decimal.Decimal `yaml:"min"`
	Max *decimal.Decimal `yaml:"max"`
	// Currency, when set, restricts the rule to orders in that currency:
	// a threshold of 100 means little across USD and JPY.
	Currency string `yaml:"currency"`
}

// Split reports whether an order may be split across suppliers.
func (c Config) Split() bool { return c.AllowSplit == nil || *c.AllowSplit }

// UsesStock reports whether routing checks stock.
func (c Config) UsesStock() bool { return c.StockAware == nil || *c.StockAware }

// LineSplit reports whether one line may be split across suppliers.
func (c Config) LineSplit() bool { return c.AllowLineSplit && c.Split() }

// Problem is a config finding at a key path relative to the block that was
// checked ("rules[2].suppliers[0]"); the config loader adds the file, the
// line and the block's own path.
type Problem struct {
	Path    string
	Message string
	Warning bool // the config still works, but probably not as meant
}

func (p Problem) String() string { return p.Path + ": " + p.Message }

// Check validates what types alone cannot: criterion names, references to
// suppliers (suppliers are the configured supplier names), patterns,
// ranges and rules that can never apply. It does no I/O.
func (c Config) Check(suppliers []string) []Problem {
	var ps []Problem
	add := func(warn bool, path, format string, args ...any) {
		ps = append(ps, Problem{Path: path, Message: fmt.Sprintf(format, args...), Warning: warn})
	}
	if c.Strategy != "" && !slices.Contains(Strategies(), c.Strategy) {
		add(false, "strategy", "unknown strategy %q (known: %s)", c.Strategy, strings.Join(Strategies(), ", "))
	}
	if c.SafetyBuffer < 0 {
		add(false, "safety_buffer", "must not be negative")
	}
	if c.ExactMaxLines != nil && *c.ExactMaxLines < 0 {
		add(false, "exact_max_lines", "must not be negative (0 turns the exact search off)")
	}
	if c.AllowLineSplit && !c.Split() {
		add(false, "allow_line_split", "needs allow_split: a line split across suppliers splits the order")
	}
	if c.Score != nil {
		ps = append(ps, c.Score.check()...)
		if !c.usesScore() {
			add(true, "score", "has no effect: neither strategy nor any rule's prefer uses the score criterion")
		}
	}
	seen := map[string]int{}
	catchAll := -1
	for i, r := range c.Rules {
		path := fmt.Sprintf("rules[%d]", i)
		switch prev, dup := seen[r.Name]; {
		case r.Name == DefaultRule:
			add(false, path+".name", "%q is reserved for the default rule (routing.strategy)", r.Name)
		case dup && r.Name != "":
			add(false, path+".name", "duplicate rule name %q (first at rules[%d])", r.Name, prev)
		case r.Name != "":
			seen[r.Name] = i
		}
		if catchAll >= 0 {
			add(true, path, "never applies: rules[%d] matches every line before it", catchAll)
		}
		if r.When.empty() && catchAll < 0 {
			catchAll = i
		}
		ps = append(ps, r.check(path, suppliers)...)
	}
	return ps
}

func (r Rule) check(path string, suppliers []string) []Problem {
	var ps []Problem
	add := func(p, format string, args ...any) {
		ps = append(ps, Problem{Path: path + "." + p, Message: fmt.Sprintf(format, args...)})
	}
	for j, name := range r.Prefer {
		switch {
		case !slices.Contains(Strategies(), name):
			add(fmt.Sprintf("prefer[%d]", j), "unknown criterion %q (known: %s)", name, strings.Join(Strategies(), ", "))
		case slices.Index(r.Prefer, name) < j:
			add(fmt.Sprintf("prefer[%d]", j), "%q is listed twice", name)
		}
	}
	for j, s := range r.Suppliers {
		if !slices.Contains(suppliers, s) {
			add(fmt.Sprintf("suppliers[%d]", j), "unknown supplier %q", s)
		}
	}
	w := r.When
	if w.SKURegex != "" {
		if _, err := regexp.Compile(w.SKURegex); err != nil {
			add("when.sku_regex", "invalid regular expression: %v", err)
		}
	}
	for j, cc := range w.ShipTo {
		if !isCountry(cc) {
			add(fmt.Sprintf("when.ship_to[%d]", j), "%q is not an ISO 3166-1 alpha-2 country code", cc)
		}
	}
	if v := w.OrderValue; v != nil {
		ps = append(ps, v.check(path+".when.order_value")...)
	}
	return ps
}

func (v ValueRange) check(path string) []Problem {
	var ps []Problem
	if v.Min == nil && v.Max == nil {
		ps = append(ps, Problem{Path: path, Message: "give min, max or both"})
	}
	if v.Min != nil && v.Max != nil && v.Min.Cmp(*v.Max) >= 0 {
		ps = append(ps, Problem{Path: path + ".max", Message: fmt.Sprintf("must be above min (%s): max is exclusive", v.Min)})
	}
	if v.Currency == "" {
		return ps
	}
	if !money.KnownCurrency(v.Currency) {
		return append(ps, Problem{Path: path + ".currency", Message: fmt.Sprintf("unknown ISO 4217 currency %q", v.Currency)})
	}
	for key, d := range map[string]*decimal.Decimal{"min": v.Min, "max": v.Max} {
		if d == nil {
			continue
		}
		if _, err := money.FromDecimalIn(*d, v.Currency); err != nil {
			ps = append(ps, Problem{Path: path + "." + key, Message: fmt.Sprintf("%s has more decimals than %s allows", d, v.Currency)})
		}
	}
	slices.SortFunc(ps, func(a, b Problem) int { return strings.Compare(a.Path, b.Path) })
	return ps
}

// usesScore reports whether any rule (or the default) ranks by score.
func (c Config) usesScore() bool {
	if c.Strategy == StrategyScore {
		return true
	}
	for _, r := range c.Rules {
		if slices.Contains(r.Prefer, StrategyScore) {
			return true
		}
	}
	return false
}

func (w When) empty() bool {
	return w.SKU == "" && w.SKURegex == "" && w.Tag == "" && len(w.ShipTo) == 0 && w.OrderValue == nil
}

func isCountry(cc string) bool {
	if len(cc) != 2 {
		return false
	}
	for _, r := range cc {
		if (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') {
			return false
		}
	}
	return true
}
