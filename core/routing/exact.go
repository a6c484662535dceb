package routing

import (
	"fmt"
	"slices"

	"github.com/dropgate/dropgate/core/money"
)

// DefaultExactLines is how many lines with a choice of supplier cheapest
// searches exactly when routing.exact_max_lines is not set.
const DefaultExactLines = 12

// exactNodeBudget bounds the nodes (a line tried at a supplier) of one
// exact search. Twelve lines with a choice of a few suppliers each take a
// few hundred; the budget only stops pathological catalogs (many equally
// priced suppliers), whose plan then stays the heuristic's.
const exactNodeBudget = 200_000

// Search methods (Search.Method).
const (
	SearchExact     = "exact"
	SearchHeuristic = "heuristic"
)

// Search says how the cheapest plan was found: by an exact search (branch
// and bound over every assignment of the lines that have a choice) or by
// the one-line-at-a-time heuristic, and why.
type Search struct {
	Method string `json:"method"`          // SearchExact or SearchHeuristic
	Nodes  int    `json:"nodes,omitempty"` // assignments the exact search tried
	Reason string `json:"reason,omitempty"`
	// Saved is how much cheaper the exact plan is than the heuristic's,
	// when it is.
	Saved *money.Money `json:"saved,omitempty"`
}

// String is the one line --explain and the timeline show:
// "exact (branch and bound, 41 nodes)" or "heuristic (order too large…)".
func (s Search) String() string {
	detail := s.Reason
	if s.Method == SearchExact && s.Reason == "" {
		detail = fmt.Sprintf("branch and bound, %d %s", s.Nodes, plural(s.Nodes, "node"))
	}
	if s.Saved != nil {
		detail += fmt.Sprintf("; %s below the one-line-at-a-time plan", s.Saved)
	}
	return s.Method + " (" + detail + ")"
}

// ExactLimit returns how many lines with a choice the exact search takes
// on; 0 means never.
func (c Config) ExactLimit() int {
	if c.ExactMaxLines == nil {
		return DefaultExactLines
	}
	return max(0, *c.ExactMaxLines)
}

// exactSearch finds the assignment of the free lines (those cheapest
// decides and that have a choice) with the lowest landed cost for the
// whole order: items plus the fees of every supplier it opens.
type exactSearch struct {
	lines []int          // plan line index of each free line, request order
	index map[string]int // supplier name → index
	dom   [][]xOption    // per free line: one option per supplier, search order
	fee   []int64        // per supplier index
	open0 []bool         // per supplier: opened by the fixed lines
	// remAt[d][s] counts the free lines from d on that supplier s can
	// take: the most lines its fee could be shared by below depth d.
	remAt  [][]int
	cnt    []int // per supplier: free lines assigned along the path
	path   []int // per free line: the chosen option
	best   int64
	found  []int // the best assignment found; nil: the heuristic's stands
	nodes  int
	budget int
	over   bool
}

// xOption is one supplier for one free line: its best offer there.
type xOption struct {
	sup   int
	cand  int
	items int64
}

// amountLimit keeps sums of amounts far from overflow: twelve lines of
// 2^50 minor units (~11 trillion dollars) still fit in an int64.
const amountLimit = 1 << 50

// exact searches the plan's free lines exactly when the order is small
// enough, replaces the heuristic's picks when it finds a cheaper plan, and
// records which method decided.
func (r *Router) exact(p *plan) {
	limit := r.Config.ExactLimit()
	free, opts, why := p.freeLines(limit)
	switch {
	case why != "":
		p.method = &Search{Method: SearchHeuristic, Reason: why}
		return
	case len(free) == 0:
		p.method = &Search{Method: SearchExact, Reason: "no line leaves cheapest a choice of supplier"}
		return
	case limit == 0:
		p.method = &Search{Method: SearchHeuristic, Reason: "the exact search is off: routing.exact_max_lines is 0"}
		return
	case len(free) > limit:
		p.method = &Search{Method: SearchHeuristic, Reason: fmt.Sprintf("order too large for exact search: more than %d lines with a choice of supplier (routing.exact_max_lines)", limit)}
		return
	}
	x, currency := p.newExactSearch(free, opts)
	x.budget = exactNodeBudget
	if r.nodeBudget > 0 {
		x.budget = r.nodeBudget
	}
	seed := x.cost(p)
	x.best = seed
	x.visit(0, 0)
	if x.over {
		p.method = &Search{Method: SearchHeuristic, Nodes: x.nodes,
			Reason: fmt.Sprintf("the exact search stopped at its budget of %d %s", x.budget, plural(x.budget, "node"))}
	} else {
		p.method = &Search{Method: SearchExact, Nodes: x.nodes}
	}
	if x.found == nil {
		return
	}
	for k, i := range x.lines {
		p.assign(i, x.dom[k][x.found[k]].cand)
	}
	p.method.Saved = &money.Money{Amount: seed - x.best, Currency: currency}
}

// freeLines returns the lines the exact search may move: routed whole by
// a rule whose criteria before cheapest do not depend on the plan
// (priority, score), priced in one currency, with more than one supplier
// tied best on those criteria. The others keep the heuristic's choice. It
// stops counting past limit+1 lines (a large order is not searched). A
// non-empty reason means the search cannot be run at all.
func (p *plan) freeLines(limit int) (free []int, opts [][]int, why string) {
	currency := ""
	for i, ls := range p.lines {
		if p.pick[i] < 0 || p.parts[i] != nil || p.why[i] != "" || !ls.costOK || ls.fewest() {
			continue
		}
		o := p.options(i)
		if len(o) < 2 {
			continue
		}
		for _, j := range o {
			c := &ls.cands[j]
			if currency == "" {
				currency = c.items.Currency
			}
			switch {
			case c.items.Currency != currency:
				return nil, nil, "the lines' offers are priced in several currencies"
			case c.items.Amount < 0 || c.fees.Amount < 0:
				return nil, nil, "an offer has a negative cost or fee"
			case c.items.Amount >= amountLimit || c.fees.Amount >= amountLimit:
				return nil, nil, "amounts too large for an exact sum"
			}
		}
		free, opts = append(free, i), append(opts, o)
		if len(free) > limit {
			break
		}
	}
	return free, opts, ""
}

// options returns line i's candidates the exact search may choose from:
// eligible, tied best on the criteria before cheapest, and per supplier
// only the best offer (the lowest item cost, then the line's own order).
func (p *plan) options(i int) []int {
	ls := p.lines[i]
	pre := ls.rule.prefer[:slices.Index(ls.rule.prefer, StrategyCheapest)]
	var out []int
	for _, j := range ls.elig {
		if p.cmpBy(i, pre, j, p.pick[i], false) != 0 {
			continue
		}
		k := slices.IndexFunc(out, func(o int) bool { return ls.cands[o].offer.Supplier == ls.cands[j].offer.Supplier })
		switch {
		case k < 0:
			out = append(out, j)
		case p.staticCmp(i, j, out[k]) < 0:
			out[k] = j
		}
	}
	slices.SortFunc(out, func(a, b int) int { return p.staticCmp(i, a, b) })
	return out
}

// staticCmp orders two candidates of line i for the search: the lower
// item cost first, then the line's criteria after cheapest, then supplier
// name and SKU, so equal-cost plans are met in a fixed order.
func (p *plan) staticCmp(i, a, b int) int {
	ls := p.lines[i]
	if c := cmpInt(ls.cands[a].items.Amount, ls.cands[b].items.Amount); c != 0 {
		return c
	}
	after := ls.rule.prefer[slices.Index(ls.rule.prefer, StrategyCheapest)+1:]
	return p.cmpBy(i, after, a, b, true)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// newExactSearch indexes the free lines' options (opts, per free line)
// and the suppliers the other lines already open.
func (p *plan) newExactSearch(free []int, opts [][]int) (*exactSearch, string) {
	x := &exactSearch{lines: free, index: map[string]int{}, dom: make([][]xOption, len(free)), path: make([]int, len(free))}
	supplier := func(c *cand) int {
		s, ok := x.index[c.offer.Supplier]
		if !ok {
			s = len(x.fee)
			x.index[c.offer.Supplier] = s
			x.fee = append(x.fee, c.fees.Amount)
		}
		return s
	}
	currency := ""
	for k, i := range free {
		for _, j := range opts[k] {
			c := &p.lines[i].cands[j]
			x.dom[k] = append(x.dom[k], xOption{sup: supplier(c), cand: j, items: c.items.Amount})
			currency = c.items.Currency
		}
	}
	x.open0 = make([]bool, len(x.fee))
	x.cnt = make([]int, len(x.fee))
	for s, n := range x.index {
		fixed := p.load[s]
		for _, i := range free {
			if p.lines[i].cands[p.pick[i]].offer.Supplier == s {
				fixed--
			}
		}
		x.open0[n] = fixed > 0
	}
	x.remAt = make([][]int, len(free)+1)
	x.remAt[len(free)] = make([]int, len(x.fee))
	for d := len(free) - 1; d >= 0; d-- {
		x.remAt[d] = slices.Clone(x.remAt[d+1])
		for _, o := range x.dom[d] {
			x.remAt[d][o.sup]++
		}
	}
	return x, currency
}

// cost is the search's objective for the heuristic's own picks: the free
// lines' items plus the fees of the suppliers only they open.
func (x *exactSearch) cost(p *plan) int64 {
	opened := make([]bool, len(x.fee))
	var sum int64
	for _, i := range x.lines {
		c := &p.lines[i].cands[p.pick[i]]
		s := x.index[c.offer.Supplier]
		sum += c.items.Amount
		if !x.open0[s] && !opened[s] {
			opened[s] = true
			sum += x.fee[s]
		}
	}
	return sum
}

// visit assigns free line d onwards, g being the cost so far. A branch is
// cut when its lower bound reaches the best plan known: only a strictly
// cheaper plan replaces it, so among equal plans the heuristic's stands,
// and otherwise the first met in line order.
func (x *exactSearch) visit(d int, g int64) {
	if d == len(x.lines) {
		if g < x.best {
			x.best, x.found = g, slices.Clone(x.path)
		}
		return
	}
	for n, o := range x.dom[d] {
		if x.nodes++; x.nodes > x.budget {
			x.over = true
			return
		}
		add := o.items
		if !x.open0[o.sup] && x.cnt[o.sup] == 0 {
			add += x.fee[o.sup]
		}
		x.cnt[o.sup]++
		if x.bound(d+1, g+add) < x.best {
			x.path[d] = n
			x.visit(d+1, g+add)
		}
		x.cnt[o.sup]--
		if x.over {
			return
		}
	}
}

// bound is a lower bound on every completion of the path to depth d at
// cost g: each remaining line at its cheapest option, a supplier not yet
// open charging its fee divided by every remaining line it could take
// (its fee is paid once, by at most that many lines), rounded down.
func (x *exactSearch) bound(d int, g int64) int64 {
	lb := g
	for k := d; k < len(x.lines); k++ {
		var low int64
		for n, o := range x.dom[k] {
			v := o.items
			if !x.open0[o.sup] && x.cnt[o.sup] == 0 {
				v += x.fee[o.sup] / int64(x.remAt[d][o.sup])
			}
			if n == 0 || v < low {
				low = v
			}
		}
		lb += low
	}
	return lb
}
