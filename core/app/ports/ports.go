// Package ports declares how the outside reaches the application: the
// gateway takes webhooks in through Intake and serves the admin API (and
// the UI) through Operator. The gateway depends on these interfaces only;
// core/app/services implements them.
package ports

import (
	"context"
	"errors"
	"time"

	"github.com/dropgate/dropgate/core/app/feeds"
	"github.com/dropgate/dropgate/core/app/reconcile"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
)

// ErrNoSuchAction is returned for an action an exception does not offer.
var ErrNoSuchAction = errors.New("action not available for this exception")

// Intake accepts verified webhooks.
type Intake interface {
	// AcceptWebhook durably queues a verified delivery and returns its
	// job id; a delivery id seen before is store.ErrDuplicate.
	AcceptWebhook(ctx context.Context, channel string, d connector.Delivery, body []byte, received time.Time) (string, error)
}

// Operator is what an operator reads and does.
type Operator interface {
	// Orders lists orders, newest first, whose index equals every entry
	// of where (status, channel, "supplier.<name>": "1").
	Orders(ctx context.Context, where map[string]string, p repo.Page) ([]model.Aggregate, string, error)
	Order(ctx context.Context, id string) (*model.Aggregate, error)
	OrderOfPO(ctx context.Context, number string) (string, error)
	Reroute(ctx context.Context, orderID, actor string) (*model.Aggregate, error)
	// Release lets an order held by the release policy (payment, risk,
	// manual) become purchase orders.
	Release(ctx context.Context, orderID, actor string) (*model.Aggregate, error)
	// CancelOrder cancels an order at an operator's request: its POs at
	// the suppliers, then the order on its channel.
	CancelOrder(ctx context.Context, orderID, actor, reason string) (*model.Aggregate, error)

	Exceptions(ctx context.Context, where map[string]string, p repo.Page) ([]model.Exception, string, error)
	Exception(ctx context.Context, id string) (*model.Exception, error)
	ResolveException(ctx context.Context, id, action, actor, note string) (*model.Exception, error)

	DeadLetters(ctx context.Context, cursor string, limit int) ([]store.Job, string, error)
	DeadLetter(ctx context.Context, id string) (*store.Job, error)
	ReplayDeadLetter(ctx context.Context, id, actor string) error
	DiscardDeadLetter(ctx context.Context, id, actor string) error

	Queues(ctx context.Context) ([]store.QueueStats, error)
	ConnectorsHealth(ctx context.Context) (map[string]model.ConnectorHealth, error)

	// ImportFeed runs a supplier's feed import now (feeds.ErrInput,
	// feeds.ErrBusy, feeds.ErrConcurrent classify its errors).
	ImportFeed(ctx context.Context, supplier string, r feeds.Request) (feeds.Report, error)
	// Reconcile sweeps a channel now: its orders changed since `since`
	// (zero: since its last sweep minus the lookback) not yet known are
	// taken in.
	Reconcile(ctx context.Context, channel string, since time.Time) (reconcile.Report, error)
	// ExplainRoute routes an order against the live catalog, storing
	// nothing, and says what the catalog held.
	ExplainRoute(ctx context.Context, o *model.Order) (routing.Result, string)
}
