package routing

import (
	"fmt"
	"math/bits"
	"slices"
)

// coverBudget bounds the supplier sets the exact fewest_shipments search
// tries (C(20,4) is 4 845, C(30,5) already 142 506). Past it a greedy
// cover is used, and the result says so.
const coverBudget = 50_000

// computeCover finds, for the lines preferring fewest_shipments, the
// smallest set of suppliers that takes them all, counting the suppliers
// other lines already use as free: a line that can join an existing
// purchase order adds no shipment. Each line only considers its
// shortlist: the candidates tied best on the criteria it lists before
// fewest_shipments. Among sets of the same size, the criteria listed after
// fewest_shipments choose (by the highest-precedence such rule): cheapest
// by the set's total landed cost, priority by the sum of priorities,
// score by the sum of scores; then supplier names.
func (p *plan) computeCover(fewest []int) {
	free := map[string]bool{}
	for s, n := range p.load {
		if n > 0 {
			free[s] = true
		}
	}
	var need []int
	short := map[int][]int{}
	lead := p.lines[fewest[0]].rule
	for _, i := range fewest {
		if ru := p.lines[i].rule; ru.index < lead.index {
			lead = ru
		}
		sl := p.shortlist(i)
		if slices.ContainsFunc(sl, func(j int) bool { return free[p.lines[i].cands[j].offer.Supplier] }) {
			continue
		}
		need = append(need, i)
		short[i] = sl
	}
	after := lead.prefer[slices.Index(lead.prefer, StrategyFewestShipments)+1:]
	p.free = len(free)
	p.cover = free
	for _, s := range p.minCover(need, short, after) {
		p.cover[s] = true
	}
	for s := range p.cover {
		p.coverSet = append(p.coverSet, s)
	}
	slices.Sort(p.coverSet)
}

// shortlist returns line i's eligible candidates tied best on the
// criteria before fewest_shipments.
func (p *plan) shortlist(i int) []int {
	ls := p.lines[i]
	pre := ls.rule.prefer[:slices.Index(ls.rule.prefer, StrategyFewestShipments)]
	b := ls.elig[0]
	for _, j := range ls.elig[1:] {
		if p.cmpBy(i, pre, j, b, false) < 0 {
			b = j
		}
	}
	var out []int
	for _, j := range ls.elig {
		if p.cmpBy(i, pre, j, b, false) == 0 {
			out = append(out, j)
		}
	}
	return out
}

// coverSearch holds what set evaluation needs.
type coverSearch struct {
	sups     []string
	can      [][]uint64       // per supplier: bitset of the need-lines it can take
	items    []map[int]int64  // per need-line: supplier index → cheapest item cost
	info     map[string]*cand // per supplier: one offer, for fees, priority, score
	costOK   bool             // one currency throughout: cheapest may sum
	currency string
	crits    []string
	lines    int // need-lines
	chosen   []int
}

func (p *plan) minCover(need []int, short map[int][]int, crits []string) []string {
	if len(need) == 0 {
		return nil
	}
	cs := &coverSearch{info: map[string]*cand{}, costOK: true, crits: crits, lines: len(need)}
	p.search = cs
	currency := ""
	for _, i := range need {
		for _, j := range short[i] {
			c := &p.lines[i].cands[j]
			if _, ok := cs.info[c.offer.Supplier]; !ok {
				cs.info[c.offer.Supplier] = c
				cs.sups = append(cs.sups, c.offer.Supplier)
			}
			if currency == "" {
				currency = c.items.Currency
			}
			cs.costOK = cs.costOK && c.items.Currency == currency
		}
	}
	cs.currency = currency
	slices.Sort(cs.sups)
	words := (len(need) + 63) / 64
	cs.can = make([][]uint64, len(cs.sups))
	for k := range cs.can {
		cs.can[k] = make([]uint64, words)
	}
	cs.items = make([]map[int]int64, len(need))
	for n, i := range need {
		cs.items[n] = map[int]int64{}
		for _, j := range short[i] {
			c := &p.lines[i].cands[j]
			k, _ := slices.BinarySearch(cs.sups, c.offer.Supplier)
			cs.can[k][n/64] |= 1 << (n % 64)
			if v, ok := cs.items[n][k]; !ok || c.items.Amount < v {
				cs.items[n][k] = c.items.Amount
			}
		}
	}
	set, exact := cs.exact(nil)
	if !exact {
		set = cs.greedy()
		p.notes = append(p.notes, fmt.Sprintf("fewest_shipments: %d suppliers are too many for an exhaustive search; a greedy cover was used", len(cs.sups)))
	}
	cs.chosen = set
	out := make([]string, len(set))
	for n, k := range set {
		out[n] = cs.sups[k]
	}
	return out
}

// exact tries every set of 1, 2, … suppliers added to base (forced
// members), in name order, and returns the best of the smallest size that
// covers all lines; false when the budget would be exceeded.
func (cs *coverSearch) exact(base []int) ([]int, bool) {
	var pool []int
	for k := range cs.sups {
		if !slices.Contains(base, k) {
			pool = append(pool, k)
		}
	}
	if len(base) > 0 && cs.covers(base) {
		return base, true
	}
	n, tried := len(pool), 0
	for k := 1; k <= n; k++ {
		if tried += binomial(n, k, coverBudget+1); tried > coverBudget {
			return nil, false
		}
		var best []int
		var bestKey []int64
		idx := make([]int, k)
		for x := range idx {
			idx[x] = x
		}
		set := make([]int, 0, len(base)+k)
		for {
			set = append(set[:0], base...)
			for _, x := range idx {
				set = append(set, pool[x])
			}
			if cs.covers(set) {
				if key := cs.key(set); best == nil || slices.Compare(key, bestKey) < 0 {
					best, bestKey = slices.Clone(set), key
				}
			}
			if !nextCombination(idx, n) {
				break
			}
		}
		if best != nil {
			slices.Sort(best)
			return best, true
		}
	}
	return nil, true // unreachable: every need-line has a candidate
}

// greedy repeatedly adds the supplier taking the most lines still
// uncovered (ties: the better key, then the name).
func (cs *coverSearch) greedy() []int {
	left := make([]uint64, len(cs.can[0]))
	for n := 0; n < cs.lines; n++ {
		left[n/64] |= 1 << (n % 64)
	}
	var set []int
	for popcount(left) > 0 {
		best, bestN := -1, 0
		for k := range cs.sups {
			n := 0
			for w := range left {
				n += bits.OnesCount64(left[w] & cs.can[k][w])
			}
			if n > bestN || (n == bestN && n > 0 && slices.Compare(cs.key([]int{k}), cs.key([]int{best})) < 0) {
				best, bestN = k, n
			}
		}
		set = append(set, best)
		for w := range left {
			left[w] &^= cs.can[best][w]
		}
	}
	slices.Sort(set)
	return set
}

func (cs *coverSearch) covers(set []int) bool {
	for w := range cs.can[0] {
		var got uint64
		for _, k := range set {
			got |= cs.can[k][w]
		}
		want := ^uint64(0)
		if rest := cs.lines - w*64; rest < 64 {
			want = 1<<rest - 1
		}
		if got&want != want {
			return false
		}
	}
	return true
}

// key scores a set on the criteria after fewest_shipments; lower is better.
func (cs *coverSearch) key(set []int) []int64 {
	key := make([]int64, 0, len(cs.crits))
	for _, crit := range cs.crits {
		var v int64
		switch crit {
		case StrategyCheapest:
			if !cs.costOK {
				break // abstains, keeping key positions aligned with crits
			}
			for _, byS := range cs.items {
				first := true
				var low int64
				for _, k := range set {
					if a, ok := byS[k]; ok && (first || a < low) {
						low, first = a, false
					}
				}
				v += low
			}
			for _, k := range set {
				v += cs.info[cs.sups[k]].fees.Amount
			}
		case StrategyPriority:
			for _, k := range set {
				v += int64(cs.info[cs.sups[k]].priority)
			}
		case StrategyScore:
			for _, k := range set {
				v -= int64(cs.info[cs.sups[k]].score)
			}
		}
		key = append(key, v)
	}
	return key
}

// nextCombination advances idx to the next k-subset of 0..n-1 in
// lexicographic order.
func nextCombination(idx []int, n int) bool {
	k := len(idx)
	x := k - 1
	for x >= 0 && idx[x] == n-k+x {
		x--
	}
	if x < 0 {
		return false
	}
	idx[x]++
	for y := x + 1; y < k; y++ {
		idx[y] = idx[y-1] + 1
	}
	return true
}

// binomial is C(n, k), saturating at limit.
func binomial(n, k, limit int) int {
	k = min(k, n-k)
	c := 1
	for x := 1; x <= k; x++ {
		c = c * (n - k + x) / x
		if c >= limit {
			return limit
		}
	}
	return c
}

func popcount(set []uint64) int {
	n := 0
	for _, w := range set {
		n += bits.OnesCount64(w)
	}
	return n
}
