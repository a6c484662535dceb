// Package services composes the application: it builds every service on
// the shared dependencies, registers their job handlers on one mux and
// their subscriptions in one event table, and serves the ports
// (core/app/ports) the gateway uses.
package services

import (
	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/app/channelsync"
	"github.com/dropgate/dropgate/core/app/feeds"
	"github.com/dropgate/dropgate/core/app/fulfilment"
	"github.com/dropgate/dropgate/core/app/notify"
	"github.com/dropgate/dropgate/core/app/operations"
	"github.com/dropgate/dropgate/core/app/orders"
	"github.com/dropgate/dropgate/core/app/payables"
	"github.com/dropgate/dropgate/core/app/payments"
	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/app/purchasing"
	"github.com/dropgate/dropgate/core/app/reconcile"
	"github.com/dropgate/dropgate/core/app/returns"
	"github.com/dropgate/dropgate/core/app/scorecards"
	"github.com/dropgate/dropgate/core/app/tracking"
	"github.com/dropgate/dropgate/core/event"
	"github.com/dropgate/dropgate/core/job"
)

// Options for New.
type Options struct {
	Sync channelsync.Settings
	// Feeds is the feed driver; nil when no supplier has a feed.
	Feeds feeds.Importer
	// Reconcile are the channels' `reconcile:` blocks, by channel.
	Reconcile map[string]reconcile.Settings
	// Detector guesses a parcel's carrier from its tracking number.
	Detector tracking.Detector
	// Notify are the customer e-mails and outbound events
	// (notifications:); zero sends nothing.
	Notify notify.Settings
}

// Services is the running application.
type Services struct {
	Deps       *app.Deps
	Mux        *job.Mux
	Orders     *orders.Service
	Purchasing *purchasing.Service
	Fulfilment *fulfilment.Service
	Sync       *channelsync.Service
	Feeds      *feeds.Service // nil without a feed driver
	Operations *operations.Service
	Reconcile  *reconcile.Service
	Tracking   *tracking.Service
	Scorecards *scorecards.Service
	Payments   *payments.Service
	Notify     *notify.Service
	Payables   *payables.Service
	Returns    *returns.Service
}

// Compile-time checks: the ports the gateway uses.
var (
	_ ports.Intake   = (*orders.Service)(nil)
	_ ports.Operator = operator{}
	_ ports.Returns  = operator{}
)

// New builds and registers every service on d (whose Events table it
// fills).
func New(d *app.Deps, o Options) (*Services, error) {
	if d.Events == nil {
		d.Events = event.NewTable()
	}
	if d.Webhooks == nil {
		d.Webhooks = &app.WebhookRouter{}
	}
	s := &Services{Deps: d, Mux: job.NewMux()}
	s.Orders = orders.New(d)
	s.Purchasing = purchasing.New(d)
	s.Fulfilment = fulfilment.New(d)
	var err error
	if s.Sync, err = channelsync.New(d, o.Sync); err != nil {
		return nil, err
	}
	var fs operations.Feeds
	if o.Feeds != nil {
		s.Feeds = feeds.New(d, o.Feeds)
		fs = s.Feeds
	}
	s.Operations = operations.New(d, s.Orders, fs)
	s.Reconcile = reconcile.New(d, s.Orders, o.Reconcile)
	type registrar interface {
		Register(*job.Mux, *event.Table)
	}
	s.Tracking = tracking.New(d, o.Detector)
	s.Scorecards = scorecards.New(d, o.Detector)
	s.Payments = payments.New(d)
	s.Notify = notify.New(d, o.Notify)
	s.Payables = payables.New(d)
	s.Returns = returns.New(d)
	rs := []registrar{s.Orders, s.Purchasing, s.Fulfilment, s.Sync, s.Operations, s.Reconcile, s.Tracking, s.Payments, s.Notify, s.Payables, s.Returns}
	if s.Feeds != nil {
		rs = append(rs, s.Feeds)
	}
	for _, r := range rs {
		r.Register(s.Mux, d.Events)
	}
	return s, nil
}

// Intake is the port webhooks come in by.
func (s *Services) Intake() ports.Intake { return s.Orders }

// Operator is the port of the admin API and the UI.
func (s *Services) Operator() ports.Operator { return operator{s} }
