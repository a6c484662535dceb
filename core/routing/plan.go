package routing

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dropgate/dropgate/core/money"
)

// maxRounds bounds the improvement rounds. With equal fee shares every
// move that lowers a line's cost lowers one potential for the whole
// order (Rosenthal's), so rounds end on their own; the bound guards
// against a cycle that a tie-breaker after cheapest could in theory make.
const maxRounds = 32

// plan routes lines with the split allowed, in five steps:
//
//  1. lines no supplier can take whole are split across suppliers, if
//     allow_line_split;
//  2. every other line takes its best candidate, fees shared
//     prospectively (by every line the supplier could take), except the
//     lines preferring fewest_shipments;
//  3. those find the smallest set of suppliers that, with the ones
//     already chosen, takes them all (the cover), and pick within it;
//  4. rounds of improvement: each line in turn moves to a better
//     candidate now that fee shares count the lines each supplier really
//     got, until no line moves;
//  5. for an order small enough, an exact search of the lines cheapest
//     decides (exact.go), which keeps the heuristic's plan unless it finds
//     a strictly cheaper one.
func (r *Router) plan(lines []*lineState, noFewest bool) *plan {
	p := newPlan(lines)
	var fewest []int
	for i, ls := range lines {
		switch {
		case len(ls.elig) == 0 && r.Config.LineSplit() && len(ls.cands) > 0:
			r.splitLine(p, i)
		case len(ls.elig) == 0:
		case ls.fewest() && !noFewest:
			fewest = append(fewest, i)
		default:
			p.assign(i, p.best(i))
		}
	}
	if len(fewest) > 0 {
		p.computeCover(fewest)
		for _, i := range fewest {
			p.assign(i, p.best(i))
		}
	}
	p.actual = true
	p.improve()
	r.exact(p)
	return p
}

// assign gives line i to candidate j, keeping the load current.
func (p *plan) assign(i, j int) {
	if old := p.pick[i]; old >= 0 {
		p.load[p.lines[i].cands[old].offer.Supplier]--
	}
	p.pick[i] = j
	if j >= 0 {
		p.load[p.lines[i].cands[j].offer.Supplier]++
	}
}

// improve runs best-response rounds with the plan's real fee shares. A
// line moves only when the new candidate is strictly better by its own
// criteria, so criteria listed before cheapest are never traded for cost.
func (p *plan) improve() {
	for round := 0; round < maxRounds; round++ {
		moved := false
		for i, ls := range p.lines {
			if p.pick[i] < 0 || len(ls.elig) < 2 {
				continue
			}
			if b := p.best(i); b != p.pick[i] && p.cmp(i, b, p.pick[i]) < 0 {
				p.assign(i, b)
				moved = true
			}
		}
		if !moved {
			return
		}
	}
}

// splitLine fills a line no single supplier can take from several, best
// candidate first by the line's own criteria: each takes as much as its
// stock (after the buffer) allows, rounded down to its pack size, if that
// reaches its minimum. Only offers filtered for quantity alone take part;
// the other filters (exclusions, the rule's suppliers, ship-to) still
// hold. If the parts cannot cover the line, the line stays unroutable:
// routing half a line would leave the engine a remainder to hold.
func (r *Router) splitLine(p *plan, i int) {
	ls := p.lines[i]
	var pool []int
	for j, c := range ls.cands {
		if c.qtyOnly {
			pool = append(pool, j)
		}
	}
	if len(pool) == 0 {
		return
	}
	slices.SortStableFunc(pool, func(a, b int) int { return p.cmp(i, a, b) })
	left := ls.line.Qty
	var parts []part
	var took []string
	for _, j := range pool {
		o := ls.cands[j].offer
		q := min(left, ls.cands[j].avail)
		if o.PackSize > 1 {
			q -= q % o.PackSize
		}
		if q <= 0 || q < o.MinQty {
			continue
		}
		parts = append(parts, part{cand: j, qty: q})
		took = append(took, fmt.Sprintf("%s %d", o.Supplier, q))
		if left -= q; left == 0 {
			break
		}
	}
	if left > 0 {
		if covered := ls.line.Qty - left; covered == 0 {
			p.why[i] = ls.why + "; allow_line_split: no supplier can spare any of it"
		} else {
			p.why[i] = fmt.Sprintf("%s; allow_line_split: together they can take only %d of %d (%s)", ls.why, covered, ls.line.Qty, strings.Join(took, ", "))
		}
		return
	}
	p.parts[i] = parts
	for _, pt := range parts {
		p.load[ls.cands[pt.cand].offer.Supplier]++
	}
	p.why[i] = ls.prefix() + fmt.Sprintf("no supplier can take all %d, so the line is split: %s (allow_line_split, best first by %s)",
		ls.line.Qty, strings.Join(took, ", "), strings.Join(ls.rule.prefer, ", "))
}

// suppliers returns the suppliers the plan uses, sorted.
func (p *plan) suppliers() []string {
	var out []string
	for s, n := range p.load {
		if n > 0 {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// total is the plan's landed cost (items plus each used supplier's fees
// once), and whether it is in a single currency.
func (p *plan) total() (money.Money, bool) {
	var sum money.Money
	fees := map[string]money.Money{}
	add := func(m money.Money) bool {
		s, err := sum.Add(m)
		sum = s
		return err == nil
	}
	for i, ls := range p.lines {
		for _, pt := range p.partsOf(i) {
			c := ls.cands[pt.cand]
			items, err := c.offer.Cost.Mul(pt.qty)
			if err != nil || !add(items) {
				return money.Money{}, false
			}
			fees[c.offer.Supplier] = c.fees
		}
	}
	for _, f := range fees {
		if !add(f) {
			return money.Money{}, false
		}
	}
	return sum, true
}

// partsOf returns what line i ships: its parts, or its pick as one part.
func (p *plan) partsOf(i int) []part {
	if p.parts[i] != nil {
		return p.parts[i]
	}
	if p.pick[i] >= 0 {
		return []part{{cand: p.pick[i], qty: p.lines[i].line.Qty}}
	}
	return nil
}

// tradeOff explains what fewest_shipments cost: it draws the plan again
// without that criterion and, when that plan is cheaper with more
// shipments, says by how much.
func (r *Router) tradeOff(p *plan) {
	if p.cover == nil {
		return
	}
	alt := r.plan(p.lines, true)
	got, gotOK := p.total()
	other, otherOK := alt.total()
	ns, na := p.suppliers(), alt.suppliers()
	if !gotOK || !otherOK || got.Currency != other.Currency || len(na) <= len(ns) {
		return
	}
	diff, err := got.Sub(other)
	if err != nil || diff.Amount <= 0 {
		return
	}
	p.notes = append(p.notes, fmt.Sprintf("fewest_shipments: %d %s (%s) at %s instead of %d (%s) at %s: %s more for %d fewer",
		len(ns), plural(len(ns), "shipment"), strings.Join(ns, ", "), got,
		len(na), strings.Join(na, ", "), other, diff, len(na)-len(ns)))
	for i := range p.lines {
		if p.pick[i] < 0 || alt.pick[i] < 0 {
			continue
		}
		a, b := p.lines[i].cands[p.pick[i]].offer.Supplier, p.lines[i].cands[alt.pick[i]].offer.Supplier
		if a != b {
			p.tail[i] = fmt.Sprintf("without fewest_shipments it would go to %s", b)
		}
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
