package routing

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/dropgate/dropgate/core/money"
)

// option is one supplier able to take a whole order.
type option struct {
	supplier string
	picks    []int // per line, its best offer from this supplier
	info     *cand // one of its offers: priority, score, fees
	total    money.Money
	totalOK  bool
}

// single routes an order whose split is forbidden: one supplier must take
// every line, or none does. The lines' rules still filter (a rule's
// supplier list, exclusions, stock); the choice among the suppliers that
// pass for every line follows the order's rule, which is the
// highest-precedence rule any line matched: its first criterion is the
// merchant's most specific wish for this order. Cheapest compares the
// whole order's landed cost (items plus the fees once); fewest_shipments
// is moot, every option being one shipment.
func (r *Router) single(lines []*lineState) *plan {
	p := newPlan(lines)
	p.actual, p.failed = true, map[string]string{}
	p.method = &Search{Method: SearchExact, Reason: "split forbidden: every supplier able to take the whole order compared"}
	lead := lines[0].rule
	var sups []string
	for _, ls := range lines {
		if ls.rule.index < lead.index {
			lead = ls.rule
		}
		for _, c := range ls.cands {
			if !slices.Contains(sups, c.offer.Supplier) {
				sups = append(sups, c.offer.Supplier)
			}
		}
	}
	slices.Sort(sups)
	var opts []option
	var failures []string
	for _, s := range sups {
		o, why := p.optionFor(s)
		if why != "" {
			failures = append(failures, s+": "+why)
			p.failed[s] = "split is forbidden and it cannot take " + why
			continue
		}
		opts = append(opts, o)
	}
	if len(opts) == 0 {
		for i, ls := range lines {
			p.why[i] = ls.why
			if p.why[i] == "" {
				p.why[i] = "split is forbidden and no supplier can take every line (" + strings.Join(failures, "; ") + ")"
			}
		}
		return p
	}
	costOK := !slices.ContainsFunc(opts, func(o option) bool { return !o.totalOK || o.total.Currency != opts[0].total.Currency })
	compare := func(a, b option) int {
		for _, crit := range lead.prefer {
			if c := compareOption(crit, a, b, costOK); c != 0 {
				return c
			}
		}
		return strings.Compare(a.supplier, b.supplier)
	}
	slices.SortStableFunc(opts, compare)
	win := opts[0]
	for i := range lines {
		p.assign(i, win.picks[i])
	}
	why := "split is forbidden: " + win.supplier + " is the only supplier that can take every line"
	if len(opts) > 1 {
		by := ""
		if lead.name != DefaultRule {
			by = " (ranked by rule " + lead.name + ")"
		}
		why = "split is forbidden: " + win.supplier + " takes the whole order" + by + ": " + explainOption(lead, win, opts[1], costOK)
	}
	for i := range lines {
		p.why[i] = why
	}
	return p
}

// optionFor picks supplier s's best offer for every line, or says which
// line it cannot take.
func (p *plan) optionFor(s string) (option, string) {
	o := option{supplier: s, totalOK: true}
	var fee money.Money
	for i, ls := range p.lines {
		best := -1
		for _, j := range ls.elig {
			if ls.cands[j].offer.Supplier == s && (best < 0 || p.cmp(i, j, best) < 0) {
				best = j
			}
		}
		if best < 0 {
			return o, fmt.Sprintf("line %s (%s): %s", ls.line.ID, ls.line.SKU, reasonFor(ls, s))
		}
		c := &ls.cands[best]
		o.picks, o.info, fee = append(o.picks, best), c, c.fees
		sum, err := o.total.Add(c.items)
		o.total, o.totalOK = sum, o.totalOK && err == nil
	}
	sum, err := o.total.Add(fee)
	o.total, o.totalOK = sum, o.totalOK && err == nil
	return o, ""
}

// reasonFor says why supplier s cannot take a line.
func reasonFor(ls *lineState, s string) string {
	for _, c := range ls.cands {
		if c.offer.Supplier == s {
			return c.reason
		}
	}
	if ls.line.SKU == "" {
		return "the line has no SKU"
	}
	return "does not carry " + ls.line.SKU
}

func compareOption(crit string, a, b option, costOK bool) int {
	switch crit {
	case StrategyPriority:
		return cmp.Compare(a.info.priority, b.info.priority)
	case StrategyScore:
		return cmp.Compare(b.info.score, a.info.score)
	case StrategyCheapest:
		if costOK {
			return cmp.Compare(a.total.Amount, b.total.Amount)
		}
	}
	return 0
}

func explainOption(lead *rule, w, next option, costOK bool) string {
	for _, crit := range lead.prefer {
		if compareOption(crit, w, next, costOK) == 0 {
			continue
		}
		switch crit {
		case StrategyPriority:
			return fmt.Sprintf("it has priority %d (next: %s with %d)", w.info.priority, next.supplier, next.info.priority)
		case StrategyScore:
			return fmt.Sprintf("it has the best score %d (next: %s with %d)", w.info.score, next.supplier, next.info.score)
		case StrategyCheapest:
			return fmt.Sprintf("it has the lowest landed cost for the order, %s (next: %s at %s)", w.total, next.supplier, next.total)
		}
	}
	return fmt.Sprintf("it ties with %s on %s and comes first by name", next.supplier, strings.Join(lead.prefer, ", "))
}
