package routing

import "github.com/dropgate/dropgate/core/money"

// FeesIn returns the supplier's per-PO fees (dropship plus shipping
// estimate) in currency, as routing counts them in a landed cost: the
// what-if replay (core/app/replay) prices stored purchase orders with it.
func (p SupplierProfile) FeesIn(currency string) money.Money { return fees(p, currency) }
