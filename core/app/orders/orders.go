// Package orders is the order intake service: verified webhooks decoded
// into canonical orders, orders taken in (validated, held or routed into
// purchase orders), cancellations, and the operator's reroute and
// withdrawal of a purchase order.
package orders

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/event"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/stage"
	"github.com/dropgate/dropgate/core/store"
)

// Service takes orders in.
type Service struct{ d *app.Deps }

// New returns the service.
func New(d *app.Deps) *Service { return &Service{d: d} }

// Register installs the service's job handlers.
func (s *Service) Register(m *job.Mux, t *event.Table) {
	job.Handle(m, KindWebhook, s.handleWebhook)
	s.d.Webhooks.Add(s)
	job.Handle(m, KindShipByCheck, s.handleShipBy)
	t.On(model.EvOrderReceived, "orders.ship_by", s.onReceived)
	job.Handle(m, KindReviewDue, s.handleReviewDue)
	job.Handle(m, KindCancelOnChannel, s.handleCancelOnChannel)
	t.On(model.EvOrderHeld, "orders.review_due", s.onHeld)
}

// dedupeWindow is how long a webhook's delivery id is remembered: longer
// than any platform's retry window (Shopify retries for up to 4 hours;
// BigCommerce and WooCommerce less).
const dedupeWindow = 72 * time.Hour

// AcceptWebhook durably queues a verified delivery (the gateway's intake
// port). A delivery id seen before is store.ErrDuplicate.
//
// The body is stored with the job, in the same commit, under its raw key
// (store.Job.Blobs): it is written once, where it is kept for replay.
func (s *Service) AcceptWebhook(ctx context.Context, channel string, d connector.Delivery, body []byte, received time.Time) (string, error) {
	at := received.UTC().Format(time.RFC3339Nano)
	rawKey := RawKey(channel, d.ID, at)
	j, err := KindWebhook.New(Webhook{Channel: channel, Topic: d.Topic, Delivery: d.ID, OrderRef: d.OrderRef, Proof: d.Proof,
		ReceivedAt: at, RawKey: rawKey})
	if err != nil {
		return "", err
	}
	j.Blobs = []store.Blob{{Key: rawKey, Data: body}}
	return s.d.Queue.Enqueue(ctx, j)
}

// RawKey is where a webhook's raw body is kept for replay: under its
// channel, the time it was received (UTC, fixed width, so keys sort by
// it) and its delivery id. Delivery ids are random: keyed by them alone,
// each body landed on a page of its own in an ordered store, and every
// commit rewrote one page per webhook; by time, the bodies of one commit
// share the pages at the end. The key is read from where it was recorded
// (the order's raw_ref, the timeline), never rebuilt, so keys of either
// form stay readable. A receipt time that does not parse (a job queued
// by an older version) keeps the old form.
func RawKey(channel, delivery, receivedAt string) string {
	t, err := time.Parse(time.RFC3339Nano, receivedAt)
	if err != nil {
		return "raw/webhook/" + channel + "/" + delivery
	}
	return "raw/webhook/" + channel + "/" + t.UTC().Format(rawTimeLayout) + "/" + delivery
}

// rawTimeLayout is RFC 3339 in UTC with all nine fractional digits, so
// byte order is time order.
const rawTimeLayout = "2006-01-02T15:04:05.000000000Z"

// handleWebhook keeps a delivery's raw body for replay and hands it to the
// service that processes its connector's deliveries.
func (s *Service) handleWebhook(ctx context.Context, j *store.Job, w Webhook) error {
	c, ok := s.d.Connector(w.Channel)
	if !ok {
		return fault.Permanentf("webhook for unknown connector %q", w.Channel)
	}
	sink, err := s.d.Webhooks.Sink(w.Channel, c)
	if err != nil {
		return err
	}
	rawKey, body := w.RawKey, w.Body
	if rawKey != "" && len(body) == 0 {
		// Stored with the job when it was queued.
		b, err := s.d.Blobs.GetBlob(ctx, rawKey)
		if errors.Is(err, store.ErrNotFound) {
			return fault.Permanentf("webhook %s from %s: raw body %s is not in the store", w.Delivery, w.Channel, rawKey)
		}
		if err != nil {
			return fmt.Errorf("read raw webhook %s: %w", rawKey, err)
		}
		body = b
	} else {
		// A job of an earlier version carries its body: keep it now.
		rawKey = RawKey(w.Channel, w.Delivery, w.ReceivedAt)
		if err := s.d.Blobs.PutBlob(ctx, rawKey, body); err != nil {
			return fmt.Errorf("keep raw webhook: %w", err)
		}
	}
	return sink.HandleDelivery(ctx, app.Delivery{Connector: w.Channel, Topic: w.Topic, ID: w.Delivery, Body: body, RawKey: rawKey, Proof: w.Proof})
}

// Accepts implements app.WebhookSink: the deliveries of channels, which
// decode into order events.
func (s *Service) Accepts(c connector.Connector) bool {
	_, ok := connector.As[connector.EventDecoder](c)
	return ok
}

// HandleDelivery implements app.WebhookSink: a channel's webhook decoded
// into order events, each taken in, updated or cancelled.
func (s *Service) HandleDelivery(ctx context.Context, d app.Delivery) error {
	dec, err := app.Channel[connector.EventDecoder](s.d, d.Connector, "webhook")
	if err != nil {
		return err
	}
	if v, notOne := app.Channel[connector.DeliveryVerifier](s.d, d.Connector, "webhook"); notOne == nil {
		if err := v.VerifyDelivery(ctx, d.Proof, d.Body); err != nil {
			// The raw body is kept (handleWebhook) for an operator; a
			// forgery reaches no order. The connector says whether it is
			// permanent (a bad signature) or worth a retry (no key yet).
			return fmt.Errorf("webhook %s from %s: verify signature: %w", d.ID, d.Connector, err)
		}
	}
	events, err := stage.Call(ctx, stage.Decode, func(ctx context.Context) ([]connector.ChannelEvent, error) {
		return dec.DecodeEvent(ctx, d.Topic, d.Body)
	})
	if err != nil {
		return err
	}
	cause := model.Cause{Kind: model.CauseWebhook, Ref: d.Connector + "/" + d.ID}
	for _, ev := range events {
		switch ev.Kind {
		case connector.EventOrderCreated, connector.EventOrderUpdated:
			ev.Order.RawRef = d.RawKey
			if err := s.Intake(ctx, ev.Order, cause); err != nil {
				return err
			}
		case connector.EventOrderCancelled:
			if err := s.Cancel(ctx, d.Connector, ev, cause); err != nil {
				return err
			}
		case connector.EventReturnRequested:
			if err := s.ReturnRequested(ctx, d.Connector, ev, cause); err != nil {
				return err
			}
		case connector.EventIgnored:
			s.d.Log.Debug("webhook topic ignored", "channel", d.Connector, "topic", d.Topic)
		}
	}
	return nil
}

// Intake takes a decoded order in: validate, route, draft purchase orders,
// save, and queue the sends (through the events it emits). Receiving the
// same order again only makes sure its drafts are on their way.
func (s *Service) Intake(ctx context.Context, o *model.Order, cause model.Cause) error {
	existing, version, err := s.d.Orders.Get(ctx, o.ID)
	switch {
	case err == nil:
		if len(existing.POs) == 0 && existing.Order.Status == model.OrderOnHold {
			// An order held as invalid may come back complete (an
			// address filled in, a SKU fixed): take the newer version.
			a, out, err := s.d.ChangeFrom(ctx, existing, version, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
				return lifecycle.Corrected(a, o, s.d.ReleasePolicy(a.Order.Channel), s.d.Router, st), nil
			})
			if err != nil {
				return err
			}
			if out.Changed {
				// The newer version, payment and risk included, is in.
				return s.redeliver(ctx, a)
			}
		}
		if existing.Order.PaymentStatus != o.PaymentStatus || existing.Order.Risk != o.Risk {
			// An update (orders/updated, a poll, the sweep) with news of
			// the payment: it may release a payment hold.
			existing, _, err = s.d.ChangeFrom(ctx, existing, version, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
				if a.Order.Status == model.OrderCancelled {
					return lifecycle.Outcome{}, nil
				}
				return lifecycle.PaymentChanged(a, o.PaymentStatus, o.Risk, s.d.ReleasePolicy(a.Order.Channel), s.d.Router, st), nil
			})
			if err != nil {
				return err
			}
		}
		return s.redeliver(ctx, existing)
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	step := s.d.Step(cause)
	a := &model.Aggregate{Order: *o, Created: step.At}
	var out lifecycle.Outcome
	stage.Route.Do(ctx, func(context.Context) { out = lifecycle.Receive(a, s.d.Router, s.d.ReleasePolicy(o.Channel), step) })
	err = stage.Draft.Err(ctx, func(ctx context.Context) error { return s.d.Create(ctx, a, out, cause) })
	if errors.Is(err, store.ErrConflict) {
		return nil // created concurrently by a duplicate delivery: that one wins
	}
	return err
}

// redeliver makes sure what the first intake of an order decided is on
// its way (a redelivered webhook, an update of an order seen before): its
// drafts are sent, and a retry publishes what its first run left.
func (s *Service) redeliver(ctx context.Context, a *model.Aggregate) error {
	if err := s.d.Republish(ctx, a); err != nil {
		return err
	}
	if a.Order.Status == model.OrderCancelled {
		return nil
	}
	var drafts []model.Event
	for _, po := range a.POs {
		if po.Status == model.PODraft {
			drafts = append(drafts, model.Event{Type: model.EvPODrafted, OrderID: a.Order.ID, PONumber: po.Number, Supplier: po.Supplier, At: s.d.Now()})
		}
	}
	return s.d.Events.Publish(ctx, a, drafts)
}

// Cancel applies a channel cancellation: drafts are cancelled on the
// spot, POs with suppliers get a cancellation request, shipped ones are
// flagged.
//
// The same rule holds for every channel and every path (webhook, poll,
// sweep): a cancellation is what the platform signed, so an event whose
// order does not show it cancelled changes nothing.
func (s *Service) Cancel(ctx context.Context, channel string, ev connector.ChannelEvent, cause model.Cause) error {
	if !ev.ProvesCancellation() {
		s.d.Log.Warn("cancellation ignored: the payload does not show the order cancelled",
			"channel", channel, "order", ev.ChannelOrderID, "cause", cause.Ref)
		return nil
	}
	orderID := model.OrderID(channel, ev.ChannelOrderID)
	_, _, err := s.d.Change(ctx, orderID, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		return lifecycle.RequestCancel(a, ev.Reason, st), nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return s.cancelUnseen(ctx, channel, ev, cause)
	}
	return err
}

// cancelUnseen keeps an order cancelled before dropgate ever saw it (its
// orders/create was lost or comes late) as a cancelled record, so a late
// orders/create does not resurrect it.
func (s *Service) cancelUnseen(ctx context.Context, channel string, ev connector.ChannelEvent, cause model.Cause) error {
	o := *ev.Order
	o.Status = model.OrderCancelled
	now := s.d.Now()
	a := &model.Aggregate{Order: o, Created: now}
	a.Log(model.TimelineEntry{At: now, Entity: "order", Event: "order.cancelled", To: string(model.OrderCancelled), Cause: cause,
		Message: fmt.Sprintf("order cancelled on %s before dropgate received it", channel)})
	if err := s.d.Create(ctx, a, lifecycle.Outcome{}, cause); err != nil && !errors.Is(err, store.ErrConflict) {
		return err
	}
	return nil
}

// Reroute clears an order's routing holds and routes its open units again
// (after the merchant fixed a catalog or a supplier came back).
func (s *Service) Reroute(ctx context.Context, orderID, actor string) (*model.Aggregate, error) {
	cause := model.Cause{Kind: model.CauseOperator, Ref: actor}
	a, _, err := s.d.Change(ctx, orderID, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		out, err := lifecycle.Reroute(a, s.d.Router, actor, st)
		if err != nil {
			return out, fault.Permanent(err)
		}
		return out, nil
	})
	return a, err
}

// Release lets an order held by the release policy (payment, risk,
// manual) go: its release holds are lifted and it is routed.
func (s *Service) Release(ctx context.Context, orderID, actor string) (*model.Aggregate, error) {
	cause := model.Cause{Kind: model.CauseOperator, Ref: actor}
	a, _, err := s.d.Change(ctx, orderID, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		out, err := lifecycle.Release(a, actor, s.d.Router, st)
		if err != nil {
			return out, fault.Permanent(err)
		}
		return out, nil
	})
	return a, err
}

// Withdraw takes a PO back from its supplier (which is asked to cancel
// it) and routes its unshipped units to the next eligible supplier.
func (s *Service) Withdraw(ctx context.Context, orderID, number, actor, why string) error {
	cause := model.Cause{Kind: model.CauseOperator, Ref: actor}
	_, _, err := s.d.Change(ctx, orderID, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		out := lifecycle.Withdraw(a, number, fmt.Sprintf("%s by %s", why, actor), st)
		if !out.Changed {
			return out, fault.Permanentf("purchase order %s of order %s cannot be withdrawn (already shipped, cancelled or withdrawn)", number, orderID)
		}
		out.Add(lifecycle.Route(a, s.d.Router, true, st))
		return out, nil
	})
	return err
}
