// Package purchasing is the supplier side of an order: purchase orders
// sent and cancelled, the supplier's documents (acknowledgements, ship
// notices, invoices) read from its inbox or its API and applied to the
// order, SLA timers, and the tracking of EDI interchanges until the
// partner's functional acknowledgement.
package purchasing

import (
	"context"
	"fmt"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/event"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/model"
)

// Service deals with suppliers.
type Service struct{ d *app.Deps }

// New returns the service.
func New(d *app.Deps) *Service { return &Service{d: d} }

// Register installs the service's job handlers and subscriptions.
func (s *Service) Register(m *job.Mux, t *event.Table) {
	job.Handle(m, KindSend, s.handleSend)
	job.Handle(m, KindCancel, s.handleCancel)
	job.Handle(m, KindAckDue, s.handleSLA)
	job.Handle(m, KindShipDue, s.handleSLA)
	job.Handle(m, KindDocApply, s.handleDocApply)
	job.Handle(m, KindInboxPoll, s.handleInboxPoll)
	job.Handle(m, KindFetch, s.handleFetch)
	job.Handle(m, KindParse, s.handleParse)
	job.Handle(m, KindStatusPoll, s.handleStatusPoll)
	job.Handle(m, KindFuncAckDue, s.handleFuncAckDue)
	t.On(model.EvPODrafted, "purchasing.send", s.onDrafted)
	t.On(model.EvPOCancelRequested, "purchasing.cancel", s.onCancelRequested)
	t.On(model.EvPOSent, "purchasing.sla", s.onSent)
}

// onDrafted indexes a drafted PO (a document quoting only its number
// finds the order) and queues its send. The send's unique key makes a
// second delivery of the event a no-op.
func (s *Service) onDrafted(ctx context.Context, a *model.Aggregate, ev model.Event) error {
	po := a.PO(ev.PONumber)
	if po == nil || po.Status != model.PODraft || a.Order.Status == model.OrderCancelled {
		return nil
	}
	if err := s.d.Orders.IndexPO(ctx, po); err != nil {
		return err
	}
	p := PO{Order: a.Order.ID, PO: po.Number, Supplier: po.Supplier}
	if err := job.Enqueue(ctx, s.d.Queue, KindSend, p, job.Attempts(s.d.Attempts(po.Supplier))); err != nil {
		return fmt.Errorf("queue send of %s: %w", po.Number, err)
	}
	return nil
}

// onCancelRequested queues the cancellation the supplier must receive.
func (s *Service) onCancelRequested(ctx context.Context, a *model.Aggregate, ev model.Event) error {
	p := PO{Order: a.Order.ID, PO: ev.PONumber, Supplier: ev.Supplier}
	if err := job.Enqueue(ctx, s.d.Queue, KindCancel, p, job.Attempts(s.d.Attempts(ev.Supplier))); err != nil {
		return fmt.Errorf("queue cancellation of %s: %w", ev.PONumber, err)
	}
	return nil
}

// onSent schedules the first timer of a PO just sent: a job that runs
// when its acknowledgement is due, which schedules the one for its
// shipment (scheduleShipDue); without an acknowledgement SLA, the
// shipment's at once. Durable and shared by every replica, they fire once
// even across restarts. One timer per send, not two: each is a job
// written with the send (docs/BENCHMARKS.md, "CPU per order").
func (s *Service) onSent(ctx context.Context, a *model.Aggregate, ev model.Event) error {
	po := a.PO(ev.PONumber)
	if po == nil || po.Status == model.POCancelRequested {
		return nil
	}
	p := PO{Order: po.OrderID, PO: po.Number, Supplier: po.Supplier}
	if po.AckDueAt == nil {
		return s.scheduleShipDue(ctx, po)
	}
	if err := job.Enqueue(ctx, s.d.Queue, KindAckDue, p, job.At(*po.AckDueAt)); err != nil {
		return fmt.Errorf("schedule %s for %s: %w", KindAckDue.Name, po.Number, err)
	}
	return nil
}

// scheduleShipDue schedules the timer of po's shipment SLA, once (its
// unique key makes a second call a no-op). A time already past runs it
// at once.
func (s *Service) scheduleShipDue(ctx context.Context, po *model.PurchaseOrder) error {
	if po.ShipDueAt == nil {
		return nil
	}
	p := PO{Order: po.OrderID, PO: po.Number, Supplier: po.Supplier}
	if err := job.Enqueue(ctx, s.d.Queue, KindShipDue, p, job.At(*po.ShipDueAt)); err != nil {
		return fmt.Errorf("schedule %s for %s: %w", KindShipDue.Name, po.Number, err)
	}
	return nil
}
