package services

import (
	"context"

	"github.com/dropgate/dropgate/core/app/margins"
	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/margin"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
)

var _ ports.Accounts = operator{}

func (o operator) Payables(ctx context.Context, where map[string]string, p repo.Page) ([]model.Payable, string, error) {
	return o.s.Payables.List(ctx, where, p)
}

func (o operator) MarkPayablePaid(ctx context.Context, id, actor string) (*model.Payable, error) {
	return o.s.Payables.MarkPaid(ctx, id, actor)
}

// Margin prices POs not invoiced yet with the suppliers' configured fees,
// as routing counted them, and payments with their providers' fees.
func (o operator) Margin(ctx context.Context, orderID string) (margin.Report, error) {
	a, _, err := o.s.Deps.Orders.Get(ctx, orderID)
	if err != nil {
		return margin.Report{}, err
	}
	return o.MarginOf(a)
}

// MarginOf is Margin for an order the caller has read already.
func (o operator) MarginOf(a *model.Aggregate) (margin.Report, error) {
	return margin.OfWith(a, o.costs())
}

// costs price margins: the suppliers' fees as routing counted them and
// the payment providers' fee schedules.
func (o operator) costs() margin.Costs {
	return margins.CostsOf(o.s.Deps.Profiles, o.s.Deps.PaymentFees)
}
