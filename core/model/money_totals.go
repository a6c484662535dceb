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
