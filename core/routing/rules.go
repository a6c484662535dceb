package routing

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// rule is a Rule ready to match: its regexp compiled and its criteria
// completed with the implicit tie-breakers.
type rule struct {
	name   string
	index  int // precedence: position in routing.rules; the default rule is last
	when   When
	skuRE  *regexp.Regexp
	broken string   // why the rule cannot match (an invalid regexp that escaped Check)
	prefer []string // criteria, most important first
	only   []string // the suppliers allowed; nil: any
}

// compile prepares the rules once per Router. Config.Check rejects what
// would break here; a Router built without the loader still routes, and
// says in Result.Notes which rule it had to ignore.
func (r *Router) compile() {
	def := r.defaultStrategy()
	if !slices.Contains(Strategies(), def) {
		r.notes = append(r.notes, fmt.Sprintf("unknown strategy %q: using %s", def, StrategyCheapest))
		def = StrategyCheapest
	}
	for i, cr := range r.Config.Rules {
		ru := &rule{name: cr.Name, index: i, when: cr.When, only: cr.Suppliers, prefer: completePrefer(cr.Prefer, def)}
		if ru.name == "" {
			ru.name = fmt.Sprintf("rules[%d]", i)
		}
		if cr.When.SKURegex != "" {
			re, err := regexp.Compile(cr.When.SKURegex)
			if err != nil {
				ru.broken = "its sku_regex is invalid"
				r.notes = append(r.notes, fmt.Sprintf("rule %s never matches: invalid sku_regex: %v", ru.name, err))
			}
			ru.skuRE = re
		}
		r.rules = append(r.rules, ru)
	}
	r.rules = append(r.rules, &rule{name: DefaultRule, index: len(r.Config.Rules), prefer: completePrefer(nil, def)})
}

// completePrefer appends the implicit tie-breakers (cheapest, then
// priority) that a list does not name, so every decision is total and the
// same configuration always routes the same way; the supplier name and
// SKU settle what is still tied.
func completePrefer(explicit []string, def string) []string {
	if len(explicit) == 0 {
		explicit = []string{def}
	}
	out := make([]string, 0, len(explicit)+2)
	for _, c := range append(slices.Clone(explicit), StrategyCheapest, StrategyPriority) {
		if slices.Contains(Strategies(), c) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// ruleFor returns the first rule matching the line and, for the
// explanation, why each earlier rule did not.
func (r *Router) ruleFor(l Line, f orderFacts) (*rule, []string) {
	var skipped []string
	for _, ru := range r.rules {
		ok, why := ru.match(l, f)
		if ok {
			return ru, skipped
		}
		skipped = append(skipped, ru.name+": "+why)
	}
	return r.rules[len(r.rules)-1], skipped // unreachable: the default has no filter
}

// match reports whether every filter of the rule holds, or the first that
// does not.
func (ru *rule) match(l Line, f orderFacts) (bool, string) {
	w := ru.when
	switch {
	case ru.broken != "":
		return false, ru.broken
	case w.SKU != "" && !globMatch(w.SKU, l.SKU):
		return false, fmt.Sprintf("SKU %s does not match %s", l.SKU, w.SKU)
	case ru.skuRE != nil && !ru.skuRE.MatchString(l.SKU):
		return false, fmt.Sprintf("SKU %s does not match /%s/", l.SKU, w.SKURegex)
	case w.Tag != "" && !slices.ContainsFunc(l.Tags, func(t string) bool { return strings.EqualFold(strings.TrimSpace(t), w.Tag) }):
		return false, "no tag " + w.Tag
	case len(w.ShipTo) > 0 && !slices.ContainsFunc(w.ShipTo, func(c string) bool { return strings.EqualFold(c, f.country) }):
		return false, fmt.Sprintf("ships to %s, not %s", orDash(f.country), strings.Join(w.ShipTo, ", "))
	case w.OrderValue != nil:
		return w.OrderValue.match(f)
	}
	return true, ""
}

func (v *ValueRange) match(f orderFacts) (bool, string) {
	switch {
	case !f.hasValue:
		return false, "the order value is unknown"
	case v.Currency != "" && !strings.EqualFold(v.Currency, f.value.Currency):
		return false, fmt.Sprintf("the order is in %s, not %s", f.value.Currency, v.Currency)
	case v.Min != nil && f.value.Decimal().Cmp(*v.Min) < 0:
		return false, fmt.Sprintf("order value %s is below %s", f.value, v.Min)
	case v.Max != nil && f.value.Decimal().Cmp(*v.Max) >= 0:
		return false, fmt.Sprintf("order value %s is not below %s", f.value, v.Max)
	}
	return true, ""
}

// globMatch matches s against a pattern where * is any run of characters
// (including none and including "/", unlike path.Match: SKUs are not
// paths) and ? exactly one character; everything else is literal.
func globMatch(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	pi, ti := 0, 0
	star, resume := -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, resume = pi, ti
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case star >= 0:
			// Let the last * swallow one more character and retry.
			resume++
			pi, ti = star+1, resume
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// orderFacts is what rules read from the order.
type orderFacts struct {
	country  string
	value    money.Money
	hasValue bool
	// scores are the suppliers' scores for this routing, read once so
	// every line and the explanation see the same snapshot.
	scores map[string]ScoreBasis
}

// factsOf derives the ship-to country and the order value: merchandise
// after discounts, before shipping and tax. That is the channel's subtotal
// (Shopify's subtotal_price); without one, the lines' unit price ×
// quantity minus their discounts.
func factsOf(o *model.Order) orderFacts {
	var f orderFacts
	if o == nil {
		return f
	}
	if o.ShippingAddress != nil {
		f.country = strings.ToUpper(o.ShippingAddress.Country)
	}
	if o.Totals.Subtotal.Currency != "" {
		f.value, f.hasValue = o.Totals.Subtotal, true
		return f
	}
	var sum money.Money
	for _, l := range o.Lines {
		if l.UnitPrice.Currency == "" {
			continue
		}
		gross, err := l.UnitPrice.Mul(l.Quantity)
		if err != nil {
			return f
		}
		net, err := gross.Sub(l.Discount)
		if err != nil {
			return f
		}
		if sum, err = sum.Add(net); err != nil {
			return f
		}
		f.hasValue = true
	}
	f.value = sum
	return f
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
