package ports

import (
	"context"

	"github.com/dropgate/dropgate/core/margin"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
)

// Accounts is what an operator reads of the money side: the suppliers'
// payables and an order's margin. The Operator the services build
// implements it; the gateway asks for it with a type assertion so other
// Operators (test fakes) need not.
type Accounts interface {
	// Payables lists payables, newest first, whose index equals every
	// entry of where (supplier, status, order).
	Payables(ctx context.Context, where map[string]string, p repo.Page) ([]model.Payable, string, error)
	// MarkPayablePaid records that a payable was paid (store.ErrNotFound
	// when unknown).
	MarkPayablePaid(ctx context.Context, id, actor string) (*model.Payable, error)
	// Margin is an order's margin now.
	Margin(ctx context.Context, orderID string) (margin.Report, error)
	// MarginOf is the margin of an order already read (no second read).
	MarginOf(a *model.Aggregate) (margin.Report, error)
}
