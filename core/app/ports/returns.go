package ports

import (
	"context"

	"github.com/dropgate/dropgate/core/app/returns"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
)

// Returns is what an operator does with customer returns. The Operator
// the services build implements it; the gateway asks for it with a type
// assertion so other Operators (test fakes) need not.
type Returns interface {
	// OpenReturn records a return of shipped units (returns.ErrInput when
	// the request asks for what cannot be returned).
	OpenReturn(ctx context.Context, req returns.Request) ([]model.Return, error)
	// Returns lists returns, newest first, whose index equals every entry
	// of where (status, supplier, order).
	Returns(ctx context.Context, where map[string]string, p repo.Page) ([]model.Return, string, error)
	Return(ctx context.Context, id string) (*model.Return, error)
	// DecideReturn records an answer: authorize (value: the RMA number),
	// reject (value: why) or received.
	DecideReturn(ctx context.Context, id, action, value, actor string) (*model.Return, error)
}
