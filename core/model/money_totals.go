package model

import "github.com/dropgate/dropgate/core/money"

// Totals are an order's amounts as the channel reported them.
type Totals struct {
	Subtotal money.Money `json:"subtotal"`
	Shipping money.Money `json:"shipping"`
	Tax      money.Money `json:"tax"`
	Discount money.Money `json:"discount"`
	Total    money.Money `json:"total"`
}

// ShareOf is n units' share, in minor units, of the line's total (unit
// price × quantity − discount + tax, pro rata, rounded down): what a
// capture takes for shipped units and a return refunds.
func (l *OrderLine) ShareOf(n int64) int64 {
	if l.Quantity <= 0 || n <= 0 {
		return 0
	}
	return (l.UnitPrice.Amount*l.Quantity - l.Discount.Amount + l.Tax.Amount) * n / l.Quantity
}
