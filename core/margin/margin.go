// Package margin works out what an order earned: its revenue (what the
// customer paid less tax and refunds, shipping charged included) minus
// its landed cost (the suppliers' invoices when they came, else the
// purchase orders' agreed costs and the suppliers' per-PO fees) and the
// payment provider's fees. Amounts are never converted: an order whose
// suppliers bill in another currency has one line per currency, and the
// reader sees both.
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
	// Payments are the payment provider fees, one per payment.
	Payments []PaymentCost `json:"payments,omitempty"`
	// Suppliers splits Currencies by supplier (split.go): their sums are
	// Currencies exactly.
	Suppliers []Share `json:"suppliers,omitempty"`
}

// Line is the margin in one currency. Cost is SupplierCost + SupplierFees
// + ShippingCost; Margin is Revenue − Cost − PaymentFees.
type Line struct {
	Currency string      `json:"currency"`
	Revenue  money.Money `json:"revenue"` // total less tax and refunds
	Refunds  money.Money `json:"refunds"`
	// Shipping is what the customer paid for shipping: part of Revenue.
	Shipping     money.Money `json:"shipping"`
	SupplierCost money.Money `json:"supplier_cost"` // the goods
	SupplierFees money.Money `json:"supplier_fees"` // per-PO fees, other invoice charges
	ShippingCost money.Money `json:"shipping_cost"` // freight on the suppliers' invoices
	Cost         money.Money `json:"cost"`
	PaymentFees  money.Money `json:"payment_fees"`
	Margin       money.Money `json:"margin"`
	// MarginPercent is Margin / Revenue with two decimals ("" without
	// revenue).
	MarginPercent string `json:"margin_percent,omitempty"`
}

// POCost is what one PO cost, and on what basis. Cost is SupplierCost +
// SupplierFees + ShippingCost.
type POCost struct {
	PONumber     string      `json:"po_number"`
	Supplier     string      `json:"supplier"`
	Basis        string      `json:"basis"`
	Cost         money.Money `json:"cost"`
	SupplierCost money.Money `json:"supplier_cost"`
	SupplierFees money.Money `json:"supplier_fees"`
	ShippingCost money.Money `json:"shipping_cost"`
}

// PaymentCost is one payment's provider fee.
type PaymentCost struct {
	Provider string      `json:"provider"`
	Captured money.Money `json:"captured"`
	Fee      money.Money `json:"fee"`
}

// Fees returns a supplier's per-PO fees in a currency (routing's
// SupplierProfile.FeesIn); nil counts none.
type Fees func(supplier, currency string) money.Money

// Costs are what Report prices an order with.
type Costs struct {
	// Supplier prices POs not invoiced yet; nil counts no fees.
	Supplier Fees
	// Shipping is the part of Supplier's fees that is shipping (routing's
	// shipping_estimate): it counts as shipping cost; nil, none of it.
	Shipping Fees
	// Payment holds the fee schedule of each payment provider, by its
	// name in payments:; a provider without one costs nothing.
	Payment map[string]PaymentFee
}

// Of works out the margin of a with the suppliers' fees only.
func Of(a *model.Aggregate, fees Fees) (Report, error) {
	return OfWith(a, Costs{Supplier: fees})
}

// OfWith works out the margin of a priced with c.
func OfWith(a *model.Aggregate, c Costs) (Report, error) {
	r := Report{OrderID: a.Order.ID}
	ls := lines{}
	t := a.Order.Totals
	cur := a.Order.Currency
	if cur == "" {
		cur = t.Total.Currency
	}
	ol := ls.line(cur)
	rev, err := sub(t.Total, t.Tax, cur)
	if err != nil {
		return r, fmt.Errorf("order %s revenue: %w", a.Order.ID, err)
	}
	ol.Revenue = rev
	var s sum
	if t.Shipping.Amount != 0 {
		s.add(&ol.Shipping, t.Shipping)
	}
	for _, p := range a.Payments {
		if !p.Refunded.IsZero() {
			l := ls.line(p.Refunded.Currency)
			s.add(&l.Refunds, p.Refunded)
			s.sub(&l.Revenue, p.Refunded)
		}
		if p.Captured.Amount <= 0 {
			continue
		}
		sched, ok := c.Payment[p.Provider]
		if !ok {
			continue
		}
		fee, err := sched.On(p.Captured)
		if err != nil {
			return r, fmt.Errorf("order %s payment %s: %w", a.Order.ID, p.ProviderID, err)
		}
		r.Payments = append(r.Payments, PaymentCost{Provider: p.Provider, Captured: p.Captured, Fee: fee})
		s.add(&ls.line(fee.Currency).PaymentFees, fee)
	}
	for i := range a.POs {
		pc, err := poCost(a, &a.POs[i], c)
		if err == nil {
			pc, err = lessReturnCredits(a, pc)
		}
		if err != nil {
			return r, fmt.Errorf("order %s: %w", a.Order.ID, err)
		}
		if pc.Cost.Currency == "" {
			continue // nothing on it and no currency: it cost nothing
		}
		r.POs = append(r.POs, pc)
		ls.line(pc.Cost.Currency).addPO(&s, pc)
	}
	if s.err != nil {
		return r, fmt.Errorf("order %s: %w", a.Order.ID, s.err)
	}
	if r.Currencies, err = ls.finish(cur); err != nil {
		return r, fmt.Errorf("order %s: %w", a.Order.ID, err)
	}
	if r.Suppliers, err = split(a, r); err != nil {
		return r, fmt.Errorf("order %s by supplier: %w", a.Order.ID, err)
	}
	return r, nil
}

// lines are the lines of a report by currency.
type lines map[string]*Line

func (ls lines) line(cur string) *Line {
	if l, ok := ls[cur]; ok {
		return l
	}
	z := money.Money{Currency: cur}
	l := &Line{Currency: cur, Revenue: z, Refunds: z, Shipping: z, SupplierCost: z, SupplierFees: z, ShippingCost: z,
		Cost: z, PaymentFees: z, Margin: z}
	ls[cur] = l
	return l
}

// finish works out each line's cost, margin and percentage and returns
// them sorted: first the currency first, then by code.
func (ls lines) finish(first string) ([]Line, error) {
	out := make([]Line, 0, len(ls))
	for _, l := range ls {
		if err := l.settle(); err != nil {
			return nil, err
		}
		out = append(out, *l)
	}
	sort.Slice(out, func(i, j int) bool {
		ci, cj := out[i].Currency, out[j].Currency
		if (ci == first) != (cj == first) {
			return ci == first
		}
		return ci < cj
	})
	return out, nil
}

func (l *Line) addPO(s *sum, pc POCost) {
	s.add(&l.SupplierCost, pc.SupplierCost)
	s.add(&l.SupplierFees, pc.SupplierFees)
	s.add(&l.ShippingCost, pc.ShippingCost)
}

// settle works out Cost, Margin and MarginPercent from the parts.
func (l *Line) settle() error {
	var s sum
	l.Cost = money.Money{Currency: l.Currency}
	s.add(&l.Cost, l.SupplierCost)
	s.add(&l.Cost, l.SupplierFees)
	s.add(&l.Cost, l.ShippingCost)
	l.Margin = l.Revenue
	s.sub(&l.Margin, l.Cost)
	s.sub(&l.Margin, l.PaymentFees)
	l.MarginPercent = Percent(l.Margin, l.Revenue)
	return s.err
}

// sum chains money arithmetic, keeping the first error.
type sum struct{ err error }

func (s *sum) add(dst *money.Money, m money.Money) {
	if s.err == nil {
		*dst, s.err = dst.Add(m)
	}
}

func (s *sum) sub(dst *money.Money, m money.Money) {
	if s.err == nil {
		*dst, s.err = dst.Sub(m)
	}
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

// lessReturnCredits subtracts from a PO's goods cost (and so its cost)
// what its supplier owes back for customer returns it received (their
// credit), as a credit memo does.
func lessReturnCredits(a *model.Aggregate, pc POCost) (POCost, error) {
	for _, rt := range a.Returns {
		if rt.PONumber != pc.PONumber || rt.Credit.Amount == 0 || (rt.Status != model.ReturnReceived && rt.Status != model.ReturnRefunded) {
			continue
		}
		var err error
		if pc.Cost, err = sub(pc.Cost, rt.Credit, rt.Credit.Currency); err == nil {
			pc.SupplierCost, err = sub(pc.SupplierCost, rt.Credit, rt.Credit.Currency)
		}
		if err != nil {
			return pc, fmt.Errorf("return %s of %s: %w", rt.ID, pc.PONumber, err)
		}
	}
	return pc, nil
}
