package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/event"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// Outbound event types: the names the merchant's systems subscribe to
// (notifications.events[].types), each from one domain event.
var outbound = map[model.EventType]string{
	model.EvOrderReceived:     "order.created",
	model.EvOrderHeld:         "order.held",
	model.EvOrderCancelled:    "order.cancelled",
	model.EvPOSent:            "po.sent",
	model.EvPOAcknowledged:    "po.acknowledged",
	model.EvPOCancelled:       "po.cancelled",
	model.EvShipmentCreated:   "order.shipped",
	model.EvShipmentDelivered: "order.delivered",
	model.EvShipmentException: "shipment.exception",
	model.EvTrackingUpdated:   "tracking.updated",
	model.EvExceptionRaised:   "exception.raised",
	model.EvReturnUpdated:     "return.updated",
}

// EventTypes lists the outbound event types, sorted, for validating
// configs and for the README.
func EventTypes() []string {
	out := make([]string, 0, len(outbound))
	for _, t := range outbound {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// KindDeliver posts one event to one endpoint. Deliveries of one endpoint
// are not grouped: one failing event must not hold up the others.
var KindDeliver = job.Kind[Delivery]{Name: "notify.event", Queue: app.QueueOutbound,
	Options: func(d Delivery) job.Options {
		return job.Options{Key: "events:" + d.Endpoint, UniqueKey: "event:" + d.Endpoint + ":" + d.ID}
	},
	Subject: func(d Delivery) job.Subject { return job.Subject{Order: d.Order, Connector: "events:" + d.Endpoint} },
}

func (s *Service) registerEvents(t *event.Table) {
	for typ, name := range outbound {
		if slices.ContainsFunc(s.s.Endpoints, func(e Endpoint) bool { return e.wants(name) }) {
			t.On(typ, "notify.events", s.onEvent(name))
		}
	}
}

func (e Endpoint) wants(typ string) bool {
	return slices.Contains(e.Types, typ) || slices.Contains(e.Types, "*")
}

// Body is the JSON body of an outbound event.
type Body struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      EventData `json:"data"`
}

// EventData is what an outbound event says.
type EventData struct {
	OrderID     string            `json:"order_id"`
	Channel     string            `json:"channel"`
	OrderNumber string            `json:"order_number,omitempty"`
	Status      string            `json:"status"`
	PO          string            `json:"po,omitempty"`
	Supplier    string            `json:"supplier,omitempty"`
	Shipment    *model.Shipment   `json:"shipment,omitempty"`
	Exception   *model.Exception  `json:"exception,omitempty"`
	Details     map[string]string `json:"details,omitempty"`
	Cause       model.Cause       `json:"cause"`
}

// EventID is the webhook-id of an event: derived from the event itself,
// which the order's outbox keeps as it was, so an event published again
// after a crash has the same id and the receiver drops the copy.
func EventID(orderID string, ev model.Event) string {
	parts := []string{"notify.event", orderID, string(ev.Type), ev.PONumber, ev.ShipmentID, ev.LineID,
		strconv.FormatInt(ev.At.UnixNano(), 10), strconv.FormatInt(ev.Quantity, 10), ev.Data["tracking"], ev.Data["status"]}
	if r := ev.Data["return"]; r != "" {
		// Two returns moved in one change are two events; other events
		// keep the ids they always had.
		parts = append(parts, r)
	}
	return "evt_" + ids.Derive(20, parts...)
}

func (s *Service) onEvent(name string) event.Subscriber {
	return func(ctx context.Context, a *model.Aggregate, ev model.Event) error {
		data := EventData{OrderID: a.Order.ID, Channel: a.Order.Channel, OrderNumber: a.Order.ChannelOrderNumber,
			Status: string(a.Order.Status), PO: ev.PONumber, Supplier: ev.Supplier, Exception: ev.Exception, Details: ev.Data, Cause: ev.Cause}
		for i := range a.Shipments {
			if ev.ShipmentID != "" && a.Shipments[i].ID == ev.ShipmentID {
				data.Shipment = &a.Shipments[i]
			}
		}
		at := ev.At.UTC()
		if at.IsZero() {
			at = s.d.Now()
		}
		body, err := json.Marshal(Body{Type: name, Timestamp: at, Data: data})
		if err != nil {
			return fmt.Errorf("encode %s event: %w", name, err)
		}
		id := EventID(a.Order.ID, ev)
		for _, e := range s.s.Endpoints {
			if !e.wants(name) {
				continue
			}
			d := Delivery{Endpoint: e.Name, ID: id, Type: name, Timestamp: at, Body: body, Order: a.Order.ID}
			if err := job.Enqueue(ctx, s.d.Queue, KindDeliver, d, job.Attempts(s.s.Attempts)); err != nil {
				return fmt.Errorf("queue %s event for %s: %w", name, e.Name, err)
			}
		}
		return nil
	}
}

// handleDeliver posts the event; the queue retries it with backoff on a
// retryable error and buries it (a dead letter) on a permanent one.
func (s *Service) handleDeliver(ctx context.Context, _ *store.Job, d Delivery) error {
	if s.s.Sender == nil {
		return fault.Permanentf("notify: events are not configured")
	}
	if err := s.s.Sender.Send(ctx, d); err != nil {
		return fmt.Errorf("notify: %s event %s to %s: %w", d.Type, d.ID, d.Endpoint, err)
	}
	return nil
}
