package routing

import (
	"cmp"
	"math"
	"math/big"
	"strings"

	"github.com/dropgate/dropgate/core/money"
)

// plan is one assignment of lines to suppliers, being built or final.
// Lines are shared and read-only; everything a plan decides lives here,
// so the router can draw a second plan (without fewest_shipments) to
// explain a trade-off.
type plan struct {
	lines []*lineState
	pick  []int          // per line: the chosen cand, or -1
	parts [][]part       // per line: the parts of a split line
	why   []string       // per line: replaces the usual explanation (single(), line splits)
	tail  []string       // per line: appended to the explanation (trade-offs)
	load  map[string]int // per supplier: the lines and parts it ships
	// reach counts, per supplier, the lines it is eligible for: the most
	// lines its fees could be shared by, used before the plan exists.
	reach map[string]int
	// actual switches fee shares from the prospective reach to the plan's
	// own load.
	actual bool
	// cover is the set fewest_shipments ranks first; nil when no line
	// prefers fewest_shipments or when the plan ignores it.
	cover    map[string]bool
	coverSet []string     // its members, sorted, for explanations
	free     int          // members of cover that other lines brought
	search   *coverSearch // kept to explain decisions against other sets
	notes    []string
	// failed says, per supplier, why it cannot take the whole order
	// (split forbidden only).
	failed map[string]string
	// shares holds per line the fee share of each part it ships (see
	// allocate).
	shares [][]money.Money
	// method says how the cheapest plan was found (exact.go).
	method *Search
}

// part is a piece of a line split across suppliers.
type part struct {
	cand int
	qty  int64
}

func newPlan(lines []*lineState) *plan {
	p := &plan{
		lines: lines, pick: make([]int, len(lines)), parts: make([][]part, len(lines)), why: make([]string, len(lines)),
		tail: make([]string, len(lines)),
		load: map[string]int{}, reach: map[string]int{},
	}
	for i, ls := range lines {
		p.pick[i] = -1
		seen := map[string]bool{}
		for _, j := range ls.elig {
			s := ls.cands[j].offer.Supplier
			if !seen[s] {
				seen[s] = true
				p.reach[s]++
			}
		}
	}
	return p
}

// den is the number of lines among which a supplier's fees are divided
// when line i weighs candidate c: before the plan exists, every line the
// supplier could take (the best it can hope for); afterwards, the lines
// it actually got plus this one.
func (p *plan) den(i int, c *cand) int64 {
	s := c.offer.Supplier
	if !p.actual {
		return int64(max(1, p.reach[s]))
	}
	n := p.load[s]
	if j := p.pick[i]; j >= 0 && p.lines[i].cands[j].offer.Supplier == s {
		n-- // the line itself is already counted there
	}
	return int64(n + 1)
}

// cmp orders two candidates of line i by the line's criteria: negative
// when a is better.
func (p *plan) cmp(i, a, b int) int {
	return p.cmpBy(i, p.lines[i].rule.prefer, a, b, true)
}

// cmpBy compares on crits; final settles remaining ties by supplier name
// and supplier SKU so the outcome never depends on catalog order.
func (p *plan) cmpBy(i int, crits []string, a, b int, final bool) int {
	ls := p.lines[i]
	ca, cb := &ls.cands[a], &ls.cands[b]
	for _, crit := range crits {
		if c := p.cmpOn(crit, i, ca, cb); c != 0 {
			return c
		}
	}
	if !final {
		return 0
	}
	if c := strings.Compare(ca.offer.Supplier, cb.offer.Supplier); c != 0 {
		return c
	}
	return strings.Compare(ca.offer.SupplierSKU, cb.offer.SupplierSKU)
}

func (p *plan) cmpOn(crit string, i int, a, b *cand) int {
	switch crit {
	case StrategyPriority:
		return cmp.Compare(a.priority, b.priority)
	case StrategyScore:
		return cmp.Compare(b.score, a.score) // higher is better
	case StrategyCheapest:
		if !p.lines[i].costOK {
			return 0
		}
		return cmpShared(a.items.Amount, a.fees.Amount, p.den(i, a), b.items.Amount, b.fees.Amount, p.den(i, b))
	case StrategyFewestShipments:
		if p.cover == nil {
			return 0
		}
		return cmp.Compare(out(p.cover, a), out(p.cover, b))
	}
	return 0
}

func out(cover map[string]bool, c *cand) int {
	if cover[c.offer.Supplier] {
		return 0
	}
	return 1
}

// best returns line i's best eligible candidate.
func (p *plan) best(i int) int {
	elig := p.lines[i].elig
	b := elig[0]
	for _, j := range elig[1:] {
		if p.cmp(i, j, b) < 0 {
			b = j
		}
	}
	return b
}

// cmpShared compares items + fees/den exactly, as fractions: an equal
// share of 10.00 among 3 lines is 3.333…, and rounding it before
// comparing could flip a decision by a cent.
func cmpShared(ia, fa, da, ib, fb, db int64) int {
	const lim = 1 << 40 // ~11 billion in minor units: products stay below 2^62
	if abs(ia) < lim && abs(fa) < lim && abs(ib) < lim && abs(fb) < lim && da < 1<<10 && db < 1<<10 {
		return cmp.Compare((ia*da+fa)*db, (ib*db+fb)*da)
	}
	x := new(big.Int).Mul(big.NewInt(ia), big.NewInt(da))
	x.Add(x, big.NewInt(fa)).Mul(x, big.NewInt(db))
	y := new(big.Int).Mul(big.NewInt(ib), big.NewInt(db))
	y.Add(y, big.NewInt(fb)).Mul(y, big.NewInt(da))
	return x.Cmp(y)
}

func abs(n int64) int64 {
	if n == math.MinInt64 {
		return math.MaxInt64
	}
	if n < 0 {
		return -n
	}
	return n
}
