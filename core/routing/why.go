package routing

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dropgate/dropgate/core/money"
)

// whyWon says why line i's winner won: by the first of the line's
// criteria on which it beats the runner-up, with both figures, so a
// merchant can see what would have to change for the other to win.
func (p *plan) whyWon(i int, ranked []int, shown []Candidate) string {
	ls := p.lines[i]
	w := &ls.cands[ranked[0]]
	var s string
	switch {
	case len(ranked) == 1:
		s = fmt.Sprintf("%s is the only eligible supplier", w.offer.Supplier)
	case p.method != nil && p.method.Saved != nil && p.cmp(i, ranked[1], ranked[0]) < 0:
		// The exact search's plan: not every line is where its own
		// share would send it.
		s = p.wholeOrder(w, &ls.cands[ranked[1]])
	default:
		s = p.decisive(i, w, &ls.cands[ranked[1]], shown[0], shown[1])
	}
	s = ls.prefix() + s
	if p.tail[i] != "" {
		s += "; " + p.tail[i]
	}
	return s
}

// wholeOrder explains a winner the exact search chose although the
// runner-up n looks better for the line alone: its fee share hides that
// moving the line there costs the order more (n's fee is not paid yet, or
// w's is paid anyway).
func (p *plan) wholeOrder(w, n *cand) string {
	delta := n.items.Amount - w.items.Amount
	if ws, ns := w.offer.Supplier, n.offer.Supplier; ws != ns {
		if p.load[ns] == 0 {
			delta += n.fees.Amount
		}
		if p.load[ws] == 1 {
			delta -= w.fees.Amount
		}
	}
	total := ""
	if t, ok := p.total(); ok {
		total = ", " + t.String()
	}
	return fmt.Sprintf("%s keeps the whole order cheapest%s; moving the line alone to %s (a smaller fee share for this line) would cost the order %s more",
		w.offer.Supplier, total, n.offer.Supplier, money.Money{Amount: delta, Currency: w.items.Currency})
}

// decisive explains the first criterion separating winner w from the
// runner-up n; wc and nc are their figures as shown in the result.
func (p *plan) decisive(i int, w, n *cand, wc, nc Candidate) string {
	ws, ns := w.offer.Supplier, n.offer.Supplier
	for _, crit := range p.lines[i].rule.prefer {
		if p.cmpOn(crit, i, w, n) == 0 {
			continue
		}
		switch crit {
		case StrategyPriority:
			return fmt.Sprintf("%s has priority %d (next: %s with %d)", ws, w.priority, ns, n.priority)
		case StrategyScore:
			return fmt.Sprintf("%s has the best score %d (next: %s with %d)", ws, w.score, ns, n.score)
		case StrategyCheapest:
			shared := ""
			if wc.SharedWith > 0 {
				shared = fmt.Sprintf(", its fees shared with %d other %s", wc.SharedWith, plural(wc.SharedWith, "line"))
			}
			return fmt.Sprintf("%s has the lowest landed cost %s%s (next: %s at %s)", ws, wc.Landed, shared, ns, nc.Landed)
		case StrategyFewestShipments:
			return p.fewestWhy(ws, ns)
		}
	}
	prefer := strings.Join(p.lines[i].rule.prefer, ", ")
	if ws == ns {
		return fmt.Sprintf("%s's offers %s and %s tie on %s; the first by supplier SKU wins", ws, w.offer.SupplierSKU, n.offer.SupplierSKU, prefer)
	}
	return fmt.Sprintf("%s and %s tie on %s; %s comes first by name", ws, ns, prefer, ws)
}

// fewestWhy explains a fewest_shipments decision honestly: either the
// runner-up would add a shipment, or it would make an equally small set
// and the chosen set won on the criteria listed after fewest_shipments.
func (p *plan) fewestWhy(ws, ns string) string {
	size := len(p.cover)
	base := fmt.Sprintf("%s keeps the order to %d %s (%s)", ws, size, plural(size, "shipment"), strings.Join(p.coverSet, ", "))
	alt, key, ok := p.coverWith(ns)
	switch {
	case !ok:
		return base + "; " + ns + " is outside that set"
	case alt > size:
		return fmt.Sprintf("%s; %s would make it %d", base, ns, alt)
	}
	return fmt.Sprintf("%s; %s could too, but %s", base, ns, p.search.wins(ws, p.search.key(p.search.chosen), key))
}

// coverWith returns the number of shipments of the best cover that
// includes supplier s, and that cover's key; false when the search would
// be too long to say.
func (p *plan) coverWith(s string) (int, []int64, bool) {
	cs := p.search
	if cs == nil {
		return len(p.cover) + 1, nil, true // every line is covered without s
	}
	k, found := slices.BinarySearch(cs.sups, s)
	if !found {
		return len(p.cover) + 1, nil, true
	}
	set, ok := cs.exact([]int{k})
	if !ok {
		return 0, nil, false
	}
	return p.free + len(set), cs.key(set), true
}

// wins says on which criterion the chosen set (key a, with supplier w)
// beat an equally small one (key b).
func (cs *coverSearch) wins(w string, a, b []int64) string {
	for x, crit := range cs.crits {
		if a[x] == b[x] {
			continue
		}
		switch crit {
		case StrategyCheapest:
			return fmt.Sprintf("the set with %s costs less: %s against %s", w,
				money.Money{Amount: a[x], Currency: cs.currency}, money.Money{Amount: b[x], Currency: cs.currency})
		case StrategyPriority:
			return fmt.Sprintf("the set with %s has better priorities (sum %d against %d)", w, a[x], b[x])
		case StrategyScore:
			return fmt.Sprintf("the set with %s scores higher (sum %d against %d)", w, -a[x], -b[x])
		}
	}
	return fmt.Sprintf("the set with %s comes first by name", w)
}
