package services

import (
	"context"
	"fmt"
	"time"

	"github.com/dropgate/dropgate/core/app/feeds"
	"github.com/dropgate/dropgate/core/app/orders"
	"github.com/dropgate/dropgate/core/app/reconcile"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
)

// operator serves ports.Operator from the services.
type operator struct{ s *Services }

func (o operator) Orders(ctx context.Context, where map[string]string, p repo.Page) ([]model.Aggregate, string, error) {
	return o.s.Deps.Orders.List(ctx, where, p, "status", "channel")
}

func (o operator) Order(ctx context.Context, id string) (*model.Aggregate, error) {
	a, _, err := o.s.Deps.Orders.Get(ctx, id)
	return a, err
}

func (o operator) OrderOfPO(ctx context.Context, number string) (string, error) {
	return o.s.Deps.Orders.OrderOfPO(ctx, number)
}

func (o operator) Reroute(ctx context.Context, orderID, actor string) (*model.Aggregate, error) {
	return o.s.Orders.Reroute(ctx, orderID, actor)
}

func (o operator) CancelOrder(ctx context.Context, orderID, actor, reason string) (*model.Aggregate, error) {
	return o.s.Orders.CancelOrder(ctx, orderID, actor, reason)
}

func (o operator) Release(ctx context.Context, orderID, actor string) (*model.Aggregate, error) {
	return o.s.Orders.Release(ctx, orderID, actor)
}

func (o operator) Exceptions(ctx context.Context, where map[string]string, p repo.Page) ([]model.Exception, string, error) {
	return o.s.Operations.Exceptions(ctx, where, p)
}

func (o operator) Exception(ctx context.Context, id string) (*model.Exception, error) {
	return o.s.Operations.Exception(ctx, id)
}

func (o operator) ResolveException(ctx context.Context, id, action, actor, note string) (*model.Exception, error) {
	return o.s.Operations.ResolveException(ctx, id, action, actor, note)
}

func (o operator) DeadLetters(ctx context.Context, cursor string, limit int) ([]store.Job, string, error) {
	jobs, next, err := o.s.Deps.Queue.DeadLetters(ctx, cursor, limit)
	for i := range jobs {
		o.withBody(ctx, &jobs[i])
	}
	return jobs, next, err
}

func (o operator) DeadLetter(ctx context.Context, id string) (*store.Job, error) {
	j, err := o.s.Deps.Queue.DeadLetter(ctx, id)
	if err == nil {
		o.withBody(ctx, j)
	}
	return j, err
}

// withBody shows a webhook dead letter with its raw body: the body is
// stored with the job under its raw key, not as its payload
// (orders.KindWebhook). A body no longer readable leaves the payload
// empty; the key is in the metadata.
func (o operator) withBody(ctx context.Context, j *store.Job) {
	key := j.Meta[orders.MetaRawKey]
	if len(j.Payload) > 0 || key == "" || o.s.Deps.Blobs == nil {
		return
	}
	if b, err := o.s.Deps.Blobs.GetBlob(ctx, key); err == nil {
		j.Payload = b
	}
}

func (o operator) ReplayDeadLetter(ctx context.Context, id, actor string) error {
	return o.s.Operations.ReplayDeadLetter(ctx, id, actor)
}

func (o operator) DiscardDeadLetter(ctx context.Context, id, actor string) error {
	return o.s.Operations.DiscardDeadLetter(ctx, id, actor)
}

func (o operator) Queues(ctx context.Context) ([]store.QueueStats, error) {
	return o.s.Deps.Queue.Stats(ctx)
}

func (o operator) ConnectorsHealth(ctx context.Context) (map[string]model.ConnectorHealth, error) {
	return o.s.Operations.ConnectorsHealth(ctx)
}

func (o operator) ImportFeed(ctx context.Context, supplier string, r feeds.Request) (feeds.Report, error) {
	if o.s.Feeds == nil {
		return feeds.Report{}, fmt.Errorf("%w: no supplier has a feed: block", feeds.ErrInput)
	}
	return o.s.Feeds.ImportNow(ctx, supplier, r)
}

func (o operator) ExplainRoute(_ context.Context, ord *model.Order) (routing.Result, string) {
	res := o.s.Deps.Router.Route(routing.OrderRequest(ord))
	desc := ""
	if o.s.Deps.Catalog != nil {
		desc = o.s.Deps.Catalog.Describe()
	}
	return res, desc
}

func (o operator) Reconcile(ctx context.Context, channel string, since time.Time) (reconcile.Report, error) {
	return o.s.Reconcile.SweepNow(ctx, channel, since)
}
