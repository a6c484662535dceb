// Package margin works out what an order earned: its revenue (what the
// customer paid less tax and refunds) minus its landed cost (the
// suppliers' invoices when they came, else the purchase orders' agreed
// costs and the suppliers' per-PO fees). Amounts are never converted: an
// order whose suppliers bill in another currency has one line per
// currency, and the reader sees both.
package margin

import (
	"fmt"
	"sort"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// Cost bases of a PO.
const (
	BasisInvoice = "invoice" // the supplier's invoices for it
	BasisPO      = "po"      // its lines' agreed costs plus the supplier's fees
)

// Report is an order's margin.
type Report struct {
	OrderID string `json:"order_id"`
	// Currencies holds one line per currency the order's revenue or costs
	// are in, the order's currency first.
	Currencies []Line   `json:"currencies"`
	POs        []POCost `json:"purchase_orders,omitempty"`
}

// Line is the margin in one currency.
type Line struct {
	Currency string      `json:"currency"`
	Revenue  money.Money `json:"revenue"` // total less tax and refunds
	Refunds  money.Money `json:"refunds"`
	Cost     money.Money `json:"cost"`
	Margin   money.Money `json:"margin"`
}

// POCost is what one PO cost, and on what basis.
type POCost struct {
	PONumber string      `json:"po_number"`
	Supplier string      `json:"supplier"`
	Basis    string      `json:"basis"`
	Cost     money.Money `json:"cost"`
}

// Fees returns a supplier's per-PO fees in a currency (routing's
// SupplierProfile.FeesIn); nil counts none.
type Fees func(supplier, currency string) money.Money

// Of works out the margin of a. Payment provider fees are not recorded on
// an order yet, so they are not subtracted.
func Of(a *model.Aggregate, fees Fees) (Report, error) {
	r := Report{OrderID: a.Order.ID}
	lines := map[string]*Line{}
	line := func(cur string) *Line {
		if l, ok := lines[cur]; ok {
			return l
		}
		z := money.Money{Currency: cur}
		l := &Line{Currency: cur, Revenue: z, Refunds: z, Cost: z, Margin: z}
		lines[cur] = l
		return l
	}
	t := a.Order.Totals
	cur := a.Order.Currency
	if cur == "" {
		cur = t.Total.Currency
	}
	ol := line(cur)
	rev, err := sub(t.Total, t.Tax, cur)
	if err != nil {
		return r, fmt.Errorf("order %s revenue: %w", a.Order.ID, err)
	}
	ol.Revenue = rev
	for _, p := range a.Payments {
		if p.Refunded.IsZero() {
			continue
		}
		l := line(p.Refunded.Currency)
		if l.Refunds, err = l.Refunds.Add(p.Refunded); err != nil {
			return r, err
		}
		if l.Revenue, err = l.Revenue.Sub(p.Refunded); err != nil {
			return r, err
		}
	}
	for i := range a.POs {
		pc, err := poCost(a, &a.POs[i], fees)
		if err == nil {
			pc.Cost, err = lessReturnCredits(a, pc.PONumber, pc.Cost)
		}
		if err != nil {
			return r, fmt.Errorf("order %s: %w", a.Order.ID, err)
		}
		if pc.Cost.Currency == "" {
			continue // nothing on it and no currency: it cost nothing
		}
		r.POs = append(r.POs, pc)
		l := line(pc.Cost.Currency)
		if l.Cost, err = l.Cost.Add(pc.Cost); err != nil {
			return r, err
		}
	}
	for _, l := range lines {
		if l.Margin, err = l.Revenue.Sub(l.Cost); err != nil {
			return r, err
		}
		r.Currencies = append(r.Currencies, *l)
	}
	sort.Slice(r.Currencies, func(i, j int) bool {
		ci, cj := r.Currencies[i].Currency, r.Currencies[j].Currency
		if (ci == cur) != (cj == cur) {
			return ci == cur
		}
		return ci < cj
	})
	return r, nil
}

// sub is x-y where either may be unset (zero with no currency).
func sub(x, y money.Money, cur string) (money.Money, error) {
	if x.Currency == "" {
		x.Currency = cur
	}
	if y.Currency == "" {
		y.Currency = x.Currency
	}
	return x.Sub(y)
}

// poCost is what a PO cost: its invoices when the supplier sent any
// (credit memos subtract), else its agreed line costs for the units still
// expected or shipped plus the supplier's fees. A PO that came to nothing
// (rejected, cancelled before shipping) costs nothing.
func poCost(a *model.Aggregate, po *model.PurchaseOrder, fees Fees) (POCost, error) {
	pc := POCost{PONumber: po.Number, Supplier: po.Supplier, Basis: BasisInvoice, Cost: money.Money{Currency: po.Currency}}
	invoiced := false
	for _, inv := range a.Invoices {
		if inv.PONumber != po.Number {
			continue
		}
		amt := inv.Total
		if inv.CreditMemo && amt.Amount > 0 {
			amt.Amount = -amt.Amount
		}
		if !invoiced {
			pc.Cost = money.Money{Currency: amt.Currency}
			invoiced = true
		}
		var err error
		if pc.Cost, err = pc.Cost.Add(amt); err != nil {
			return pc, fmt.Errorf("invoices of %s: %w", po.Number, err)
		}
	}
	if invoiced {
		return pc, nil
	}
	pc.Basis = BasisPO
	var units int64
	for _, l := range po.Lines {
		n := l.Live()
		if po.Status == model.PORejected || po.Status == model.POCancelled || po.Withdrawn() {
			n = l.Shipped // only what actually went out is owed
		}
		if n == 0 {
			continue
		}
		units += n
		c, err := l.UnitCost.Mul(n)
		if err == nil {
			if pc.Cost.Currency == "" {
				pc.Cost.Currency = c.Currency
			}
			pc.Cost, err = pc.Cost.Add(c)
		}
		if err != nil {
			return pc, fmt.Errorf("%s line %d cost: %w", po.Number, l.LineNo, err)
		}
	}
	if units > 0 && fees != nil && pc.Cost.Currency != "" {
		var err error
		if pc.Cost, err = pc.Cost.Add(fees(po.Supplier, pc.Cost.Currency)); err != nil {
			return pc, fmt.Errorf("%s fees: %w", po.Number, err)
		}
	}
	return pc, nil
}

// lessReturnCredits subtracts from a PO's cost what its supplier owes back
// for customer returns it received (their credit), as a credit memo does.
func lessReturnCredits(a *model.Aggregate, po string, cost money.Money) (money.Money, error) {
	for _, rt := range a.Returns {
		if rt.PONumber != po || rt.Credit.Amount == 0 || (rt.Status != model.ReturnReceived && rt.Status != model.ReturnRefunded) {
			continue
		}
		var err error
		if cost, err = sub(cost, rt.Credit, rt.Credit.Currency); err != nil {
			return cost, fmt.Errorf("return %s of %s: %w", rt.ID, po, err)
		}
	}
	return cost, nil
}
