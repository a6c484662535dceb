// Package lifecycle walks orders and purchase orders through their state
// machines (DESIGN §3): what an inbound event may change, what it changes
// to, and what lands in the timeline. It is pure: callers load and store.
package lifecycle

import (
	"fmt"
	"strings"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// Validate lists why an order cannot be fulfilled as received. Each
// problem becomes a hold: the order is kept and visible, never retried in
// a loop.
func Validate(o *model.Order) []string {
	var ps []string
	if !money.KnownCurrency(o.Currency) {
		ps = append(ps, fmt.Sprintf("unknown currency %q", o.Currency))
	}
	if len(o.Lines) == 0 {
		ps = append(ps, "the order has no lines")
	}
	shipping := false
	for _, l := range o.Lines {
		if l.Quantity <= 0 {
			ps = append(ps, fmt.Sprintf("line %s (%s): quantity %d is not positive", l.ID, l.SKU, l.Quantity))
		}
		if !l.NoShipping {
			shipping = true
		}
	}
	if shipping {
		if miss := o.ShippingAddress.Missing(); len(miss) > 0 {
			if o.ShippingAddress == nil {
				ps = append(ps, "missing shipping address")
			} else {
				ps = append(ps, "shipping address is missing "+strings.Join(miss, ", "))
			}
		}
	}
	return ps
}
