// Package margins adds up the margin of the stored orders of a period by
// supplier and by channel (GET /api/v1/reports/margin, `dropgate reports
// margin`).
package margins

import (
	"context"
	"fmt"
	"time"

	"github.com/dropgate/dropgate/core/margin"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/routing"
)

// Summary is the margin of the orders received in [Since, Until).
type Summary struct {
	Since time.Time  `json:"since"`
	Until *time.Time `json:"until,omitempty"`
	// Orders counts the orders added up; Cancelled those left out.
	Orders    int `json:"orders"`
	Cancelled int `json:"cancelled"`
	// Unpriced counts the orders whose margin could not be worked out
	// (amounts in clashing currencies), with the first few ids.
	Unpriced    int          `json:"unpriced,omitempty"`
	UnpricedIDs []string     `json:"unpriced_ids,omitempty"`
	BySupplier  []margin.Row `json:"by_supplier,omitempty"`
	ByChannel   []margin.Row `json:"by_channel,omitempty"`
}

// Orders are the stored orders (repo.Orders), read a page at a time.
type Orders interface {
	EachBetween(ctx context.Context, where map[string]string, since, until time.Time, fn func(*model.Aggregate) (bool, error)) error
}

const maxUnpricedIDs = 20

// Report adds up the margin of the orders created in [since, until)
// (a zero until: up to now), priced with c. Cancelled orders are left out
// and counted: what they earned is refunds and what shipped before the
// cancellation, which their order pages show.
func Report(ctx context.Context, orders Orders, since, until time.Time, c margin.Costs) (*Summary, error) {
	t := margin.NewTotals()
	s := &Summary{Since: since}
	if !until.IsZero() {
		s.Until = &until
	}
	err := orders.EachBetween(ctx, nil, since, until, func(a *model.Aggregate) (bool, error) {
		if a.Order.Status == model.OrderCancelled {
			s.Cancelled++
			return true, nil
		}
		r, err := margin.OfWith(a, c)
		if err != nil {
			// One broken order must not hide the period's margin.
			s.Unpriced++
			if len(s.UnpricedIDs) < maxUnpricedIDs {
				s.UnpricedIDs = append(s.UnpricedIDs, a.Order.ID)
			}
			return true, nil
		}
		return true, t.Add(a.Order.Channel, r)
	})
	if err != nil {
		return nil, fmt.Errorf("margins: %w", err)
	}
	s.Orders = t.Orders
	if s.BySupplier, err = t.BySupplier(); err != nil {
		return nil, err
	}
	if s.ByChannel, err = t.ByChannel(); err != nil {
		return nil, err
	}
	return s, nil
}

// CostsOf prices margins with the suppliers' per-PO fees as routing
// counts them (profiles), their shipping_estimate as shipping cost, and
// the payment providers' fee schedules.
func CostsOf(profiles map[string]routing.SupplierProfile, payments map[string]margin.PaymentFee) margin.Costs {
	return margin.Costs{Payment: payments,
		Supplier: func(supplier, currency string) money.Money { return profiles[supplier].FeesIn(currency) },
		// The same conversion FeesIn makes: a fee it leaves out is left
		// out here too, so the shipping part never exceeds the whole.
		Shipping: func(supplier, currency string) money.Money {
			m, err := money.FromDecimalIn(profiles[supplier].Fees.ShippingEstimate, currency)
			if err != nil {
				return money.Money{Currency: currency}
			}
			return m
		}}
}
