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
		// A negative price is never a sale: a channel bug, an app writing
		// refunds into lines, or tampering. Nothing goes to a supplier
		// until a person has looked.
		ps = append(ps, negatives(fmt.Sprintf("line %s (%s): negative ", l.ID, l.SKU),
			amount{"unit price", l.UnitPrice}, amount{"discount", l.Discount}, amount{"tax", l.Tax})...)
		if !l.NoShipping {
			shipping = true
		}
	}
	t := o.Totals
	ps = append(ps, negatives("negative order ", amount{"subtotal", t.Subtotal}, amount{"shipping", t.Shipping},
		amount{"tax", t.Tax}, amount{"discount", t.Discount}, amount{"total", t.Total})...)
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

type amount struct {
	name string
	m    money.Money
}

// negatives names the amounts below zero.
func negatives(prefix string, as ...amount) []string {
	var out []string
	for _, a := range as {
		if a.m.Amount < 0 {
			out = append(out, fmt.Sprintf("%s%s %s", prefix, a.name, a.m))
		}
	}
	return out
}
