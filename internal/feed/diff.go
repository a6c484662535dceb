package feed

import (
	"bytes"
	"container/heap"
	"math/big"
	"math/bits"
	"sort"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/money"
)

// Change kinds, one per supplier SKU in either snapshot.
const (
	ChangeAdded   = "added"   // only in the new snapshot
	ChangeMissing = "missing" // only in the old one: its stock counts as 0
	ChangeZeroed  = "zeroed"  // stock went from some to none
	ChangeChanged = "changed" // anything else about it changed
)

// Diff is what an import changes, compared with the last applied
// snapshot. The counts partition the union of both snapshots' SKUs.
type Diff struct {
	Old       int `json:"old"` // SKUs in the last applied snapshot
	New       int `json:"new"` // SKUs in this one
	Changed   int `json:"changed"`
	Zeroed    int `json:"zeroed"`
	Added     int `json:"added"`
	Missing   int `json:"missing"`
	Unchanged int `json:"unchanged"`
	// DroppedToZero counts old SKUs that had stock and would have none
	// (zeroed, or missing with stock before): the max_zeroed_share check.
	DroppedToZero int `json:"dropped_to_zero"`
	// Priced counts SKUs with a price in both snapshots, PriceOver those
	// with a price moving beyond guardrails.max_price_change.
	Priced    int `json:"priced"`
	PriceOver int `json:"price_over"`
	// Moves are the largest price moves by |%|, largest first.
	Moves []PriceMove `json:"moves,omitempty"`
	// Changes lists the first MaxChanges changed SKUs in supplier SKU
	// order; Truncated says there were more.
	Changes   []Change `json:"changes,omitempty"`
	Truncated bool     `json:"truncated,omitempty"`
}

// Change is one SKU that changed.
type Change struct {
	Kind        string `json:"kind"`
	SupplierSKU string `json:"supplier_sku"`
	SKU         string `json:"sku,omitempty"`
	OldStock    int64  `json:"old_stock"`
	NewStock    int64  `json:"new_stock"`
}

// PriceMove is one price of one SKU moving.
type PriceMove struct {
	SupplierSKU string          `json:"supplier_sku"`
	SKU         string          `json:"sku,omitempty"`
	Field       string          `json:"field"` // cost, map, msrp
	Old         money.Money     `json:"old"`
	New         money.Money     `json:"new"`
	Percent     decimal.Decimal `json:"percent"` // signed, one decimal
}

// CompareOptions tune Compare.
type CompareOptions struct {
	TopMoves   int              // default 10
	MaxChanges int              // default 1000
	MaxPrice   *decimal.Decimal // percent; nil: PriceOver stays 0
}

// recIter yields an old snapshot's records in supplier SKU order.
type recIter interface {
	next() (rec, bool, error)
	places() []string
}

// Compare merges the old snapshot's records (in supplier SKU order, as
// stored) with the new snapshot. Memory: the new snapshot plus one chunk
// of the old and the top moves.
func Compare(old recIter, cur *Snapshot, o CompareOptions) (*Diff, error) {
	if o.TopMoves == 0 {
		o.TopMoves = 10
	}
	if o.MaxChanges == 0 {
		o.MaxChanges = 1000
	}
	c := &comparer{d: &Diff{New: cur.Len()}, o: o, cur: cur.Currency, exp: exponent(cur.Currency)}
	var oldPlaces []string
	if old != nil {
		oldPlaces = old.places()
	}
	i := 0
	for {
		var or rec
		var ok bool
		if old != nil {
			var err error
			if or, ok, err = old.next(); err != nil {
				return nil, err
			}
		}
		if !ok {
			break
		}
		c.d.Old++
		for ; i < cur.Len(); i++ {
			if bytes.Compare(cur.SupplierSKU(i), or.ssku) >= 0 {
				break
			}
			c.added(cur.rec(i))
		}
		if i < cur.Len() && bytes.Equal(cur.SupplierSKU(i), or.ssku) {
			c.both(or, cur.rec(i), oldPlaces, cur.Places)
			i++
			continue
		}
		c.missing(or)
	}
	for ; i < cur.Len(); i++ {
		c.added(cur.rec(i))
	}
	c.d.Moves = c.moves.sorted(c.cur, c.exp)
	return c.d, nil
}

type comparer struct {
	d     *Diff
	o     CompareOptions
	cur   string
	exp   uint8
	moves moveHeap
}

func (c *comparer) note(kind string, r rec, oldStock, newStock int64) {
	if len(c.d.Changes) >= c.o.MaxChanges {
		c.d.Truncated = true
		return
	}
	c.d.Changes = append(c.d.Changes, Change{Kind: kind, SupplierSKU: string(r.ssku), SKU: string(r.sku), OldStock: oldStock, NewStock: newStock})
}

func (c *comparer) added(r rec) {
	c.d.Added++
	c.note(ChangeAdded, r, 0, r.stock)
}

func (c *comparer) missing(r rec) {
	c.d.Missing++
	if r.flags&hasQty != 0 && r.stock > 0 {
		c.d.DroppedToZero++
	}
	c.note(ChangeMissing, r, r.stock, 0)
}

func (c *comparer) both(o, n rec, oldPlaces, newPlaces []string) {
	c.prices(o, n)
	switch {
	case o.flags&hasQty != 0 && n.flags&hasQty != 0 && o.stock > 0 && n.stock == 0:
		c.d.Zeroed++
		c.d.DroppedToZero++
		c.note(ChangeZeroed, n, o.stock, 0)
	case !same(o, n, oldPlaces, newPlaces):
		c.d.Changed++
		c.note(ChangeChanged, n, o.stock, n.stock)
	default:
		c.d.Unchanged++
	}
}

// prices records the price moves of a SKU in both snapshots.
func (c *comparer) prices(o, n rec) {
	priced, over := false, false
	for _, p := range [...]struct {
		flag     byte
		name     string
		old, new int64
	}{{hasCost, "cost", o.cost, n.cost}, {hasMAP, "map", o.mapP, n.mapP}, {hasMSRP, "msrp", o.msrp, n.msrp}} {
		if o.flags&p.flag == 0 || n.flags&p.flag == 0 || p.old <= 0 {
			continue
		}
		priced = true
		if p.new == p.old {
			continue
		}
		if c.o.MaxPrice != nil && beyond(p.old, p.new, *c.o.MaxPrice) {
			over = true
		}
		c.moves.offer(move{ssku: n.ssku, sku: n.sku, field: p.name, old: p.old, new: p.new}, c.o.TopMoves)
	}
	if priced {
		c.d.Priced++
	}
	if over {
		c.d.PriceOver++
	}
}

// beyond reports |new-old| / old × 100 > limit, exactly: |new-old| ×
// 100 × 10^scale > coef × old in 128-bit arithmetic.
func beyond(from, to int64, limit decimal.Decimal) bool {
	delta := absDiff(from, to)
	scale := uint64(1)
	for range limit.Scale {
		scale *= 10
	}
	lh, ll := mul128(delta, 100, scale)
	rh, rl := bits.Mul64(uint64(limit.Coef), uint64(from))
	return lh > rh || (lh == rh && ll > rl)
}

// mul128 returns a×b×c as a 128-bit (hi, lo); callers keep it in range.
func mul128(a, b, c uint64) (uint64, uint64) {
	hi, lo := bits.Mul64(a, b)
	h2, l2 := bits.Mul64(lo, c)
	return hi*c + h2, l2
}

// move is a candidate for the top price moves; ssku and sku alias the
// new snapshot, which outlives the comparison.
type move struct {
	ssku, sku []byte
	field     string
	old, new  int64
}

// less orders moves by |new-old|/old: a/b < c/d ⇔ a×d < c×b.
func (m move) less(o move) bool {
	a, b := absDiff(m.old, m.new), uint64(m.old)
	c, d := absDiff(o.old, o.new), uint64(o.old)
	h1, l1 := bits.Mul64(a, d)
	h2, l2 := bits.Mul64(c, b)
	return h1 < h2 || (h1 == h2 && l1 < l2)
}

func absDiff(a, b int64) uint64 {
	if a > b {
		return uint64(a - b)
	}
	return uint64(b - a)
}

// moveHeap keeps the n largest moves (a min-heap on |%|).
type moveHeap []move

func (h moveHeap) Len() int           { return len(h) }
func (h moveHeap) Less(i, j int) bool { return h[i].less(h[j]) }
func (h moveHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *moveHeap) Push(x any)        { *h = append(*h, x.(move)) }
func (h *moveHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (h *moveHeap) offer(m move, n int) {
	if h.Len() < n {
		heap.Push(h, m)
		return
	}
	if (*h)[0].less(m) {
		(*h)[0] = m
		heap.Fix(h, 0)
	}
}

// sorted returns the moves largest first, with their percentages.
func (h moveHeap) sorted(currency string, exp uint8) []PriceMove {
	ms := append([]move(nil), h...)
	sort.SliceStable(ms, func(i, j int) bool { return ms[j].less(ms[i]) })
	out := make([]PriceMove, len(ms))
	for i, m := range ms {
		out[i] = PriceMove{
			SupplierSKU: string(m.ssku), SKU: string(m.sku), Field: m.field,
			Old: money.Money{Amount: m.old, Currency: currency}, New: money.Money{Amount: m.new, Currency: currency},
			Percent: percent(m.old, m.new),
		}
	}
	return out
}

// percent is (new-old)/old × 100 rounded half away from zero to one
// decimal, computed exactly with big integers (only for the top moves).
func percent(from, to int64) decimal.Decimal {
	num := new(big.Int).Mul(big.NewInt(to-from), big.NewInt(1000))
	den := big.NewInt(from)
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2)).Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	if !q.IsInt64() {
		return decimal.New(0, 1)
	}
	return decimal.New(q.Int64(), 1)
}

func exponent(currency string) uint8 {
	e, _ := money.Exponent(currency)
	return e
}
