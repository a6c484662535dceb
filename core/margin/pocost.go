package margin

import (
	"fmt"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// freightCodes are the invoice-level charge codes that are shipping: X12
// SAC02 (D240 freight, G830 shipping and handling) and EDIFACT ALC/7161
// (FC freight charge, FA freight allowance, SAA shipping and handling, DL
// delivery, PAB postage). Every other invoice-level charge counts as a
// supplier fee; what is left of the total is the goods.
var freightCodes = map[string]bool{"D240": true, "G830": true, "FC": true, "FA": true, "SAA": true, "DL": true, "PAB": true}

// poCost is what a PO cost: its invoices when the supplier sent any
// (credit memos subtract), else its agreed line costs for the units still
// expected or shipped plus the supplier's fees (its shipping estimate as
// shipping cost). A PO that came to nothing
// (rejected, cancelled before shipping) costs nothing.
func poCost(a *model.Aggregate, po *model.PurchaseOrder, c Costs) (POCost, error) {
	z := money.Money{Currency: po.Currency}
	pc := POCost{PONumber: po.Number, Supplier: po.Supplier, Basis: BasisInvoice, Cost: z}
	invoiced := false
	var s sum
	for _, inv := range a.Invoices {
		if inv.PONumber != po.Number {
			continue
		}
		amt := inv.Total
		sign := int64(1)
		if inv.CreditMemo && amt.Amount > 0 {
			sign = -1
		}
		amt.Amount *= sign
		if !invoiced {
			z = money.Money{Currency: amt.Currency}
			pc.Cost, pc.SupplierCost, pc.SupplierFees, pc.ShippingCost = z, z, z, z
			invoiced = true
		}
		s.add(&pc.Cost, amt)
		s.add(&pc.SupplierCost, amt)
		for _, ch := range inv.Charges {
			c := ch.Amount
			if c.Currency == "" {
				c.Currency = amt.Currency
			}
			c.Amount *= sign
			dst := &pc.SupplierFees
			if freightCodes[ch.Code] {
				dst = &pc.ShippingCost
			}
			s.add(dst, c)
			s.sub(&pc.SupplierCost, c) // the goods are what the charges leave
		}
	}
	if s.err != nil {
		return pc, fmt.Errorf("invoices of %s: %w", po.Number, s.err)
	}
	if invoiced {
		return pc, nil
	}
	pc.Basis = BasisPO
	var units int64
	for _, l := range po.Lines {
		n := counted(po, l)
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
	pc.SupplierCost = pc.Cost
	pc.SupplierFees = money.Money{Currency: pc.Cost.Currency}
	pc.ShippingCost = pc.SupplierFees
	if units > 0 && c.Supplier != nil && pc.Cost.Currency != "" {
		f := c.Supplier(po.Supplier, pc.Cost.Currency)
		ship := money.Money{Currency: pc.Cost.Currency}
		if c.Shipping != nil {
			ship = c.Shipping(po.Supplier, pc.Cost.Currency)
		}
		s.add(&pc.SupplierFees, f)
		s.sub(&pc.SupplierFees, ship)
		s.add(&pc.ShippingCost, ship)
		s.add(&pc.Cost, f)
		if s.err != nil {
			return pc, fmt.Errorf("%s fees: %w", po.Number, s.err)
		}
	}
	return pc, nil
}

// counted is how many units of a PO line are owed: those still expected
// or shipped, or of a PO that came to nothing only what actually went out.
func counted(po *model.PurchaseOrder, l model.POLine) int64 {
	if po.Status == model.PORejected || po.Status == model.POCancelled || po.Withdrawn() {
		return l.Shipped
	}
	return l.Live()
}
