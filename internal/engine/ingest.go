package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// Webhook job metadata keys, set by the gateway.
const (
	MetaConnector = "connector"
	MetaTopic     = "topic"
	MetaDelivery  = "delivery"
	MetaReceived  = "received_at"
)

// RawKey is where a webhook's raw body is kept for replay.
func RawKey(channel, delivery string) string { return "raw/webhook/" + channel + "/" + delivery }

// WebhookJob builds the ingest job for a verified delivery. The payload is
// the raw body, byte for byte.
func WebhookJob(channel string, d connector.Delivery, body []byte, received string) store.Job {
	j := store.Job{
		Queue:   QueueIngest,
		Kind:    KindWebhook,
		Payload: body,
		Meta: map[string]string{
			MetaConnector: channel, MetaTopic: d.Topic, MetaDelivery: d.ID, MetaReceived: received,
		},
		UniqueKey: "webhook:" + channel + ":" + d.ID,
		// Longer than any platform's retry window (Shopify retries for
		// up to 4 hours; BigCommerce and WooCommerce less).
		UniqueTTL: 72 * time.Hour,
	}
	if d.OrderRef != "" {
		j.Group = model.OrderID(channel, d.OrderRef)
	}
	return j
}

func (e *Engine) handleWebhook(ctx context.Context, j *store.Job) error {
	name := j.Meta[MetaConnector]
	ch, ok := e.Channels[name]
	if !ok {
		return fault.Permanentf("webhook for unknown channel %q", name)
	}
	dec, ok := connector.As[connector.EventDecoder](ch)
	if !ok {
		return fault.Permanentf("channel %q cannot decode events", name)
	}
	rawKey := RawKey(name, j.Meta[MetaDelivery])
	if err := e.Store.PutBlob(ctx, rawKey, j.Payload); err != nil {
		return fmt.Errorf("keep raw webhook: %w", err)
	}
	events, err := dec.DecodeEvent(ctx, j.Meta[MetaTopic], j.Payload)
	if err != nil {
		return err
	}
	cause := model.Cause{Kind: model.CauseWebhook, Ref: name + "/" + j.Meta[MetaDelivery]}
	for _, ev := range events {
		switch ev.Kind {
		case connector.EventOrderCreated, connector.EventOrderUpdated:
			ev.Order.RawRef = rawKey
			if err := e.Intake(ctx, ev.Order, cause); err != nil {
				return err
			}
		case connector.EventOrderCancelled:
			if err := e.CancelOrder(ctx, name, ev, cause); err != nil {
				return err
			}
		case connector.EventIgnored:
			e.Log.Debug("webhook topic ignored", "channel", name, "topic", j.Meta[MetaTopic])
		}
	}
	return nil
}

// Intake takes a decoded order in: validate, route, draft purchase orders,
// save, and queue the sends. Receiving the same order again only makes
// sure its drafts are on their way.
func (e *Engine) Intake(ctx context.Context, o *model.Order, cause model.Cause) error {
	existing, _, err := e.load(ctx, o.ID)
	switch {
	case err == nil:
		// Redelivered, or retried after a crash: make sure what the first
		// run decided is on its way.
		return e.effects(ctx, existing, lifecycle.Outcome{}, nil)
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	now := e.now()
	a := &model.Aggregate{Order: *o, Created: now}
	a.Order.Status = model.OrderReceived
	a.Log(model.TimelineEntry{
		At: now, Entity: "order", Event: "order.received", To: string(model.OrderReceived), Cause: cause,
		Message: fmt.Sprintf("order %s received from %s with %d line(s)", orDash(o.ChannelOrderNumber), o.Channel, len(o.Lines)),
	})
	for _, p := range lifecycle.Validate(&a.Order) {
		a.Order.AddHold(model.Hold{Code: model.HoldInvalidOrder, Reason: p, At: now})
	}
	if len(a.Order.Holds) == 0 {
		e.route(a, cause, false)
	}
	for _, h := range a.Order.Holds {
		a.Log(model.TimelineEntry{At: now, Entity: "order", Event: "order.on_hold", To: string(model.OrderOnHold), Cause: cause, Message: h.Reason, Data: map[string]string{"code": h.Code}})
	}
	if err := e.save(ctx, a, 0); err != nil {
		if errors.Is(err, store.ErrConflict) {
			// Created concurrently by a duplicate delivery: that one wins.
			return nil
		}
		return err
	}
	e.syncSoon(ctx) // its units are now committed
	// An invalid order is fixed on the channel (a person resolves the
	// exception); an unroutable one by a catalog change and a reroute.
	var xs []model.Exception
	for _, h := range a.Order.Holds {
		x := model.Exception{Kind: model.ExInvalidOrder, OrderID: a.Order.ID, Reason: h.Reason, Actions: []string{"resolve"}}
		if h.Code == model.HoldUnroutable {
			x.Kind, x.Actions = model.ExUnroutable, []string{"reroute", "resolve"}
		}
		xs = append(xs, x)
	}
	return e.effects(ctx, a, lifecycle.Outcome{}, xs)
}

// dispatchDrafts queues a send for every draft PO. The unique key makes a
// second call (a redelivered webhook, a retry after a crash) a no-op.
func (e *Engine) dispatchDrafts(ctx context.Context, a *model.Aggregate) error {
	if a.Order.Status == model.OrderCancelled {
		return nil
	}
	for _, po := range a.POs {
		if po.Status != model.PODraft {
			continue
		}
		j := POSendJob(&po)
		j.MaxAttempts = e.attempts(po.Supplier)
		if err := e.enqueue(ctx, j); err != nil {
			return fmt.Errorf("queue send of %s: %w", po.Number, err)
		}
	}
	return nil
}

// POSendJob is the job that sends one PO to its supplier.
func POSendJob(po *model.PurchaseOrder) store.Job {
	return store.Job{
		Queue: QueueOutbound, Kind: KindPOSend, Group: supplierGroup(po),
		Key:       "supplier:" + po.Supplier,
		Meta:      map[string]string{"order": po.OrderID, "po": po.Number, "supplier": po.Supplier},
		UniqueKey: "po.send:" + po.Number,
	}
}

func poLinesSummary(po *model.PurchaseOrder) string {
	parts := make([]string, len(po.Lines))
	for i, l := range po.Lines {
		parts[i] = fmt.Sprintf("%d × %s (%s)", l.Quantity, l.SKU, l.SupplierSKU)
	}
	return strings.Join(parts, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
