package services

import (
	"context"

	"github.com/dropgate/dropgate/core/app/returns"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
)

func (o operator) OpenReturn(ctx context.Context, req returns.Request) ([]model.Return, error) {
	return o.s.Returns.Open(ctx, req)
}

func (o operator) Returns(ctx context.Context, where map[string]string, p repo.Page) ([]model.Return, string, error) {
	return o.s.Returns.List(ctx, where, p)
}

func (o operator) Return(ctx context.Context, id string) (*model.Return, error) {
	return o.s.Returns.Get(ctx, id)
}

func (o operator) DecideReturn(ctx context.Context, id, action, value, actor string) (*model.Return, error) {
	return o.s.Returns.Decide(ctx, id, action, value, actor)
}
