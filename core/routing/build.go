package routing

import (
	"fmt"
	"maps"
	"slices"

	"github.com/dropgate/dropgate/core/money"
)

// result turns a finished plan into the Result the engine and the CLI
// read.
func (p *plan) result(res Result) Result {
	p.allocate()
	res.Notes = append(res.Notes, p.notes...)
	res.Search = p.method
	// Empty lists stay lists in JSON ([] rather than null), so --json
	// consumers need no special case.
	res.Lines = make([]LineResult, 0, len(p.lines))
	for i := range p.lines {
		res.Lines = append(res.Lines, p.lineResults(i)...)
	}
	res.Shipments, res.Totals = p.shipments()
	if res.Shipments == nil {
		res.Shipments = []Shipment{}
	}
	return res
}

// allocate divides each used supplier's per-PO fees among the lines and
// parts it ships, in equal parts by largest remainder (the first lines
// get the odd minor units), so the shares add up exactly to the fees.
//
// Equal, not in proportion to value: the fee pays for the purchase order
// and the parcel, which every line on it needs equally. That is the
// Shapley value of the fee, and it is what cheapest compares, exactly, as
// a fraction (see cmpShared).
func (p *plan) allocate() {
	type slot struct{ line, part int }
	p.shares = make([][]money.Money, len(p.lines))
	slots := map[string][]slot{}
	fee := map[string]money.Money{}
	var order []string
	for i, ls := range p.lines {
		parts := p.partsOf(i)
		p.shares[i] = make([]money.Money, len(parts))
		for k, pt := range parts {
			c := &ls.cands[pt.cand]
			s := c.offer.Supplier
			if _, ok := slots[s]; !ok {
				order = append(order, s)
				fee[s] = c.fees
			}
			slots[s] = append(slots[s], slot{i, k})
		}
	}
	for _, s := range order {
		shares, err := fee[s].Allocate(make([]int64, len(slots[s]))) // all-zero weights: equal parts
		if err != nil {
			continue
		}
		for n, sl := range slots[s] {
			p.shares[sl.line][sl.part] = shares[n]
		}
	}
}

// lineResults explains line i: one LineResult, or one per part of a
// split line.
func (p *plan) lineResults(i int) []LineResult {
	ls := p.lines[i]
	lr := LineResult{
		LineID: ls.line.ID, SKU: ls.line.SKU, Qty: ls.line.Qty,
		Rule: ls.rule.name, Prefer: slices.Clone(ls.rule.prefer), Skipped: ls.skipped,
	}
	ranked, rest := p.rank(i)
	lr.Candidates = p.candidates(i, ranked, rest)
	if parts := p.parts[i]; parts != nil {
		out := make([]LineResult, len(parts))
		for k, pt := range parts {
			part := lr
			if k > 0 {
				part.Candidates = nil
			}
			w := ls.cands[pt.cand].offer
			part.Qty, part.Part, part.Winner, part.Why = pt.qty, fmt.Sprintf("%d/%d", k+1, len(parts)), &w, p.why[i]
			out[k] = part
		}
		return out
	}
	switch {
	case p.pick[i] >= 0:
		w := ls.cands[p.pick[i]].offer
		lr.Winner = &w
		if lr.Why = p.why[i]; lr.Why == "" {
			lr.Why = p.whyWon(i, ranked, lr.Candidates)
		}
	case p.why[i] != "":
		lr.Why = p.why[i]
	default:
		lr.Why = ls.why
	}
	return []LineResult{lr}
}

// rank orders line i's candidates for display: the winner (or the parts
// of a split line, in order), the other eligible ones best first, then
// the filtered ones in catalog order.
func (p *plan) rank(i int) (ranked, rest []int) {
	ls := p.lines[i]
	var parts []int
	for _, pt := range p.parts[i] {
		parts = append(parts, pt.cand)
	}
	for j, c := range ls.cands {
		switch {
		case j == p.pick[i]:
		case slices.Contains(parts, j):
		case c.eligible && p.failed[c.offer.Supplier] == "":
			ranked = append(ranked, j)
		default:
			rest = append(rest, j)
		}
	}
	slices.SortStableFunc(ranked, func(a, b int) int { return p.cmp(i, a, b) })
	if p.pick[i] >= 0 {
		ranked = append([]int{p.pick[i]}, ranked...)
	}
	return ranked, append(parts, rest...)
}

func (p *plan) candidates(i int, ranked, rest []int) []Candidate {
	ls := p.lines[i]
	out := make([]Candidate, 0, len(ls.cands))
	for _, j := range slices.Concat(ranked, rest) { // both empty: [] all the same
		c := &ls.cands[j]
		s := c.offer.Supplier
		cd := Candidate{
			Offer: c.offer, Eligible: c.eligible, Reason: c.reason,
			Items: c.items, Fees: c.fees, Priority: c.priority, Score: c.score,
		}
		if f := p.failed[s]; f != "" && c.eligible {
			cd.Eligible, cd.Reason = false, f
		}
		cd.SharedWith = p.load[s] - p.own(i, s)
		cd.FeeShare = ceilShare(c.fees, cd.SharedWith+1)
		if j == p.pick[i] {
			cd.FeeShare = p.shares[i][0]
		}
		// A part of a split line shows what it ships, not the whole
		// quantity it could not take.
		for k, pt := range p.parts[i] {
			if pt.cand == j {
				cd.Items, _ = c.offer.Cost.Mul(pt.qty)
				cd.FeeShare = p.shares[i][k]
			}
		}
		cd.Landed, _ = cd.Items.Add(cd.FeeShare)
		out = append(out, cd)
	}
	return out
}

// own counts line i's own parts (or pick) at supplier s.
func (p *plan) own(i int, s string) int {
	n := 0
	for _, pt := range p.partsOf(i) {
		if p.lines[i].cands[pt.cand].offer.Supplier == s {
			n++
		}
	}
	return n
}

// ceilShare is fees/n rounded up to the minor unit: what a line would at
// most bear by joining n-1 others.
func ceilShare(fees money.Money, n int) money.Money {
	d := int64(max(n, 1))
	a := fees.Amount / d
	if fees.Amount%d > 0 {
		a++
	}
	return money.Money{Amount: a, Currency: fees.Currency}
}

// shipments groups the routed lines by supplier in order of first
// appearance, as the engine drafts its purchase orders.
func (p *plan) shipments() ([]Shipment, []money.Money) {
	var out []Shipment
	at := map[string]int{}
	for i, ls := range p.lines {
		parts := p.partsOf(i)
		for k, pt := range parts {
			c := &ls.cands[pt.cand]
			n, ok := at[c.offer.Supplier]
			if !ok {
				n = len(out)
				at[c.offer.Supplier] = n
				out = append(out, Shipment{Supplier: c.offer.Supplier, Fees: c.fees, Items: money.Money{Currency: c.fees.Currency}})
			}
			id := ls.line.ID
			if len(parts) > 1 || p.parts[i] != nil {
				id = fmt.Sprintf("%s (%d/%d)", id, k+1, len(parts))
			}
			sh := &out[n]
			sh.Lines = append(sh.Lines, id)
			if items, err := c.offer.Cost.Mul(pt.qty); err == nil {
				sh.Items, _ = sh.Items.Add(items)
			}
		}
	}
	sums := map[string]money.Money{}
	for n := range out {
		out[n].Landed, _ = out[n].Items.Add(out[n].Fees)
		cur := out[n].Landed.Currency
		sums[cur], _ = sums[cur].Add(out[n].Landed)
	}
	var totals []money.Money
	for _, cur := range slices.Sorted(maps.Keys(sums)) {
		totals = append(totals, sums[cur])
	}
	return out, totals
}
