package tracking

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// Accepts implements app.WebhookSink: the deliveries of connectors that
// decode tracking (carrier aggregators).
func (s *Service) Accepts(c connector.Connector) bool {
	_, ok := connector.As[connector.TrackingDecoder](c)
	return ok
}

// HandleDelivery implements app.WebhookSink.
func (s *Service) HandleDelivery(ctx context.Context, d app.Delivery) error {
	c, ok := s.d.Connector(d.Connector)
	if !ok {
		return fault.Permanentf("tracking webhook: connector %q is not configured", d.Connector)
	}
	dec, _ := connector.As[connector.TrackingDecoder](c)
	ups, err := dec.DecodeTracking(ctx, d.Topic, d.Body)
	if err != nil {
		return fault.Permanent(fmt.Errorf("tracking webhook %s from %s: %w", d.ID, d.Connector, err))
	}
	cause := model.Cause{Kind: model.CauseWebhook, Ref: d.Connector + "/" + d.ID}
	for _, u := range ups {
		if u.Event.Provider == "" {
			u.Event.Provider = d.Connector
		}
		if _, err := s.Apply(ctx, u, cause); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return nil
}

// Apply moves the parcel of u through the state table and reports whether
// it moved. A parcel we do not track is store.ErrNotFound.
func (s *Service) Apply(ctx context.Context, u connector.TrackingUpdate, cause model.Cause) (bool, error) {
	p, err := s.Lookup(ctx, u.TrackingNumber)
	if err != nil {
		return false, err
	}
	_, out, err := s.d.Change(app.Background(ctx), p.Order, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		return applyUpdate(a, p, u, st), nil
	})
	if err != nil {
		return false, fmt.Errorf("tracking %s: %w", p.Number, err)
	}
	return out.Changed, nil
}

// applyUpdate is the pure part: the package's status, its events, the
// shipment's status, the order's timeline and the events that follow.
func applyUpdate(a *model.Aggregate, p Parcel, u connector.TrackingUpdate, st lifecycle.Step) lifecycle.Outcome {
	var out lifecycle.Outcome
	sh := shipment(a, p.Shipment)
	if sh == nil {
		return out
	}
	var pkg *model.Package
	for i := range sh.Packages {
		if normal(sh.Packages[i].TrackingNumber) == p.Number {
			pkg = &sh.Packages[i]
		}
	}
	if pkg == nil {
		return out
	}
	ev := u.Event
	if ev.At.IsZero() {
		ev.At = st.At
	}
	for _, seen := range pkg.Events {
		if seen.At.Equal(ev.At) && seen.Status == ev.Status && seen.Code == ev.Code {
			return out // the same scan again
		}
	}
	pkg.Events = append(pkg.Events, ev)
	out.Changed = true
	from := pkg.Status
	to, moved := model.NextTracking(from, ev.Status)
	if !moved {
		return out // kept for the record, the status holds
	}
	pkg.Status = to
	if pkg.Carrier == "" && sh.Carrier == "" && u.Carrier != "" {
		pkg.Carrier = u.Carrier
	}
	prevShip := sh.Status
	sh.Status = shipmentStatus(sh)
	a.Recompute()
	data := map[string]string{"tracking": p.Number, "status": string(to), "from": string(from), "code": ev.Code}
	a.Log(model.TimelineEntry{At: st.At, Entity: "shipment:" + sh.ID, Event: string(model.EvTrackingUpdated),
		From: string(from), To: string(to), Cause: st.Cause, Data: data,
		Message: fmt.Sprintf("parcel %s: %s (%s)", p.Number, to, describe(ev))})
	out.Events = append(out.Events, model.Event{Type: model.EvTrackingUpdated, ShipmentID: sh.ID, Data: data})
	if sh.Status == prevShip {
		return out
	}
	var typ model.EventType
	switch sh.Status {
	case model.TrackDelivered:
		typ = model.EvShipmentDelivered
	case model.TrackFailure:
		typ = model.EvShipmentException
	case model.TrackReturningToSender, model.TrackReturned:
		typ = model.EvShipmentReturning
	default:
		return out
	}
	a.Log(model.TimelineEntry{At: st.At, Entity: "shipment:" + sh.ID, Event: string(typ), From: string(prevShip), To: string(sh.Status),
		Cause: st.Cause, Data: data, Message: fmt.Sprintf("shipment %s %s", sh.ID, sh.Status)})
	out.Events = append(out.Events, model.Event{Type: typ, ShipmentID: sh.ID, Supplier: sh.Supplier, PONumber: sh.PONumber, Data: data})
	return out
}

func describe(ev model.TrackingEvent) string {
	s := ev.Code
	if ev.Description != "" {
		s = ev.Description
	}
	if s == "" {
		s = string(ev.Status)
	}
	return s
}

// shipmentStatus is the shipment's status from its parcels: delivered when
// every parcel is, otherwise the least advanced parcel's status, with
// failures and returns showing through.
func shipmentStatus(sh *model.Shipment) model.TrackingStatus {
	var least model.TrackingStatus
	for _, p := range sh.Packages {
		switch p.Status {
		case model.TrackFailure, model.TrackReturningToSender, model.TrackReturned:
			return p.Status
		}
		if least == "" || p.Status.TrackingRank() < least.TrackingRank() {
			least = p.Status
		}
	}
	if least == "" {
		return sh.Status
	}
	return least
}

// onUpdated tells the order's channel, when it has a delivered state.
func (s *Service) onUpdated(ctx context.Context, a *model.Aggregate, ev model.Event) error {
	ch, ok := s.d.Channels[a.Order.Channel]
	if !ok {
		return nil
	}
	dp, ok := connector.As[connector.DeliveryPusher](ch)
	if !ok {
		return nil
	}
	sh := shipment(a, ev.ShipmentID)
	if sh == nil || sh.ChannelFulfillmentID == "" {
		return nil
	}
	if err := dp.PushTrackingStatus(ctx, &a.Order, sh, model.TrackingStatus(ev.Data["status"])); err != nil {
		s.d.Log.WarnContext(ctx, "tracking: channel status push failed", "order", a.Order.ID, "shipment", sh.ID, "err", err)
	}
	return nil
}

// nextPoll is the delay before the next poll of a parcel that has been
// quiet for quiet polls in a row.
func nextPoll(quiet int) time.Duration {
	d := Poll
	for i := 0; i < quiet && d < MaxPoll; i++ {
		d *= 2
	}
	return min(d, MaxPoll)
}
