package margin

import (
	"sort"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// NoSupplier is the share of the units no PO carries (not routed yet,
// digital goods, lines no supplier took).
const NoSupplier = "(none)"

// Share is an order's margin in one currency borne by one supplier.
type Share struct {
	Supplier string `json:"supplier"`
	Line
}

// split shares an order's margin among its suppliers. Each PO's costs
// are its supplier's. What the customer paid (revenue, refunds, shipping
// charged) and the payment fees are the order's, and are shared by line
// value: each supplier weighs the units its POs carry (as the PO cost
// counts them) at the order line's unit price; units on no PO weigh for
// NoSupplier. The shares are whole minor units by largest remainder
// (money.Allocate), so they add up to the order's amounts exactly.
func split(a *model.Aggregate, r Report) ([]Share, error) {
	names, weights := shareWeights(a)
	shares := map[[2]string]*Line{}
	share := func(supplier, cur string) *Line {
		k := [2]string{supplier, cur}
		if l, ok := shares[k]; ok {
			return l
		}
		l := lines{}.line(cur)
		shares[k] = l
		return l
	}
	var s sum
	for _, l := range r.Currencies {
		for _, f := range []struct {
			total money.Money
			part  func(*Line) *money.Money
		}{
			{l.Revenue, func(x *Line) *money.Money { return &x.Revenue }},
			{l.Refunds, func(x *Line) *money.Money { return &x.Refunds }},
			{l.Shipping, func(x *Line) *money.Money { return &x.Shipping }},
			{l.PaymentFees, func(x *Line) *money.Money { return &x.PaymentFees }},
		} {
			if f.total.Amount == 0 {
				continue
			}
			parts, err := f.total.Allocate(weights)
			if err != nil {
				return nil, err
			}
			for i, p := range parts {
				s.add(f.part(share(names[i], l.Currency)), p)
			}
		}
	}
	for _, pc := range r.POs {
		share(pc.Supplier, pc.Cost.Currency).addPO(&s, pc)
	}
	if s.err != nil {
		return nil, s.err
	}
	out := make([]Share, 0, len(shares))
	for k, l := range shares {
		if err := l.settle(); err != nil {
			return nil, err
		}
		out = append(out, Share{Supplier: k[0], Line: *l})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Supplier != out[j].Supplier {
			return out[i].Supplier < out[j].Supplier
		}
		return out[i].Currency < out[j].Currency
	})
	return out, nil
}

// shareWeights are the suppliers sharing an order's revenue, sorted, and
// each one's weight (units × unit price). An order with no weight at all
// (nothing priced) is NoSupplier's alone.
func shareWeights(a *model.Aggregate) ([]string, []int64) {
	w := map[string]int64{}
	onPO := map[string]int64{}
	for i := range a.POs {
		po := &a.POs[i]
		for _, l := range po.Lines {
			n := counted(po, l)
			onPO[l.OrderLineID] += n
			if ol := a.Order.Line(l.OrderLineID); ol != nil && n > 0 {
				w[po.Supplier] += n * max(ol.UnitPrice.Amount, 0)
			}
		}
	}
	for _, ol := range a.Order.Lines {
		if rest := ol.Quantity - ol.Cancelled - onPO[ol.ID]; rest > 0 {
			w[NoSupplier] += rest * max(ol.UnitPrice.Amount, 0)
		}
	}
	var total int64
	for _, x := range w {
		total += x
	}
	if total == 0 {
		return []string{NoSupplier}, []int64{1}
	}
	names := make([]string, 0, len(w))
	for n, x := range w {
		if x > 0 {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	weights := make([]int64, len(names))
	for i, n := range names {
		weights[i] = w[n]
	}
	return names, weights
}
