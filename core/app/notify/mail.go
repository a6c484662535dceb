package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/event"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// MailJob names one customer e-mail: its order, kind and shipment.
type MailJob struct {
	Order    string `json:"order"`
	Kind     string `json:"kind"`
	Shipment string `json:"shipment,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

func (p MailJob) key() string { return "mail:" + p.Order + ":" + p.Kind + ":" + p.Shipment }

// KindMail renders and sends one customer e-mail.
var KindMail = job.Kind[MailJob]{Name: "notify.mail", Queue: app.QueueOutbound,
	Options: func(p MailJob) job.Options {
		return job.Options{Key: "notify:email", UniqueKey: p.key()}
	},
	Subject: func(p MailJob) job.Subject { return job.Subject{Order: p.Order, Connector: "email"} },
}

// RecordMail is the store record kind of the send markers, one per
// e-mail (id: its job's unique key), holding "sending" or "sent".
const RecordMail = "notify_mail"

// mailOn maps the domain events to the e-mail they send.
var mailOn = map[model.EventType]string{
	model.EvShipmentCreated:   MailShipped,
	model.EvShipmentDelivered: MailDelivered,
	model.EvShipmentException: MailDelayed,
	model.EvOrderCancelled:    MailCancelled,
}

func (s *Service) registerMail(t *event.Table) {
	for typ, kind := range mailOn {
		if slices.Contains(s.s.Send, kind) {
			t.On(typ, "notify.email", s.onMailEvent(kind))
		}
	}
}

func (s *Service) onMailEvent(kind string) event.Subscriber {
	return func(ctx context.Context, a *model.Aggregate, ev model.Event) error {
		if a.Order.Customer.Email == "" {
			return nil // nobody to write to (a marketplace hides the address)
		}
		if slices.Contains(s.s.Silent, a.Order.Channel) {
			return nil // the channel mails its customers itself
		}
		p := MailJob{Order: a.Order.ID, Kind: kind, Shipment: ev.ShipmentID, Reason: ev.Data["reason"]}
		switch kind {
		case MailCancelled:
			p.Reason = a.Order.CancelReason
		case MailDelayed:
			if p.Reason == "" {
				p.Reason = lastScan(a, ev.ShipmentID, ev.Data["tracking"])
			}
		}
		if err := job.Enqueue(ctx, s.d.Queue, KindMail, p, job.Attempts(s.s.Attempts)); err != nil {
			return fmt.Errorf("queue %s e-mail of %s: %w", kind, a.Order.ID, err)
		}
		return nil
	}
}

// MessageID is the Message-ID of an e-mail: derived from what it is
// about, so a retried job sends (if at all) the same message.
func MessageID(p MailJob) string {
	return "n" + ids.Derive(20, "notify.mail", p.Order, p.Kind, p.Shipment) + "@dropgate.notify"
}

// handleMail sends the e-mail at most once: a marker written before the
// send and completed after it. A run that finds "sent" only makes sure the
// timeline says so; one that finds "sending" cannot know whether the
// server took the message before the last run died, and does not risk a
// second copy (the Message-ID lets the mail system drop one anyway).
func (s *Service) handleMail(ctx context.Context, j *store.Job, p MailJob) error {
	if s.s.Mailer == nil {
		return fault.Permanentf("notify: customer e-mail is not configured")
	}
	a, _, err := s.d.Orders.Get(ctx, p.Order)
	if err != nil {
		return fmt.Errorf("notify: e-mail for %s: %w", p.Order, err)
	}
	m, err := buildMail(a, p)
	if err != nil {
		return err
	}
	// The markers are stored at once, not with the job's commit: a commit
	// that meets a concurrent write on the order (a tracking update) is
	// lost and the job runs again, which must find "sending" or "sent".
	mctx := store.Durable(ctx)
	rec, err := s.d.Records.GetRecord(mctx, RecordMail, p.key())
	switch {
	case err == nil && string(rec.Data) == "sent":
		return s.logMail(ctx, j, m, "sent")
	case err == nil:
		s.d.Log.Warn("notify: an earlier run may have sent this e-mail; not sending it again", "order", p.Order, "kind", p.Kind)
		return s.logMail(ctx, j, m, "unknown")
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("notify: read send marker: %w", err)
	}
	v, err := s.d.Records.PutRecord(mctx, store.Record{Kind: RecordMail, ID: p.key(), Data: []byte("sending")})
	if err != nil {
		return fmt.Errorf("notify: write send marker: %w", err) // a conflict: another run is at it; retry reads its outcome
	}
	if err := s.s.Mailer.Send(ctx, m); err != nil {
		// Not accepted: the next attempt may send it.
		if derr := s.d.Records.DeleteRecord(store.Durable(app.Background(ctx)), RecordMail, p.key()); derr != nil {
			return fmt.Errorf("notify: %v; and dropping the send marker: %w", err, derr)
		}
		return fmt.Errorf("notify: %s e-mail for order %s: %w", p.Kind, p.Order, err)
	}
	bg := app.Background(ctx)
	if _, err := s.d.Records.PutRecord(store.Durable(bg), store.Record{Kind: RecordMail, ID: p.key(), Data: []byte("sent"), Version: v}); err != nil {
		return fmt.Errorf("notify: mark e-mail sent: %w", err)
	}
	return s.logMail(bg, j, m, "sent")
}

// logMail puts the e-mail on the order's timeline, once.
func (s *Service) logMail(ctx context.Context, j *store.Job, m Mail, status string) error {
	cause := model.Cause{Kind: model.CauseSystem, Ref: "job/" + j.ID}
	_, _, err := s.d.Change(ctx, m.OrderID, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		var out lifecycle.Outcome
		for _, e := range a.Timeline {
			if e.Event == "notify.email" && e.Data["message_id"] == m.MessageID {
				return out, nil
			}
		}
		msg := fmt.Sprintf("e-mailed the customer (%s) to %s", m.Kind, m.To)
		if status != "sent" {
			msg = fmt.Sprintf("the %s e-mail to %s may have been sent (an earlier attempt died during the send)", m.Kind, m.To)
		}
		a.Log(model.TimelineEntry{At: st.At, Entity: "order", Event: "notify.email", Message: msg, Cause: st.Cause,
			Data: map[string]string{"kind": m.Kind, "message_id": m.MessageID, "to": m.To, "status": status}})
		out.Changed = true
		return out, nil
	})
	return err
}

// buildMail gathers what the e-mail says from the order.
func buildMail(a *model.Aggregate, p MailJob) (Mail, error) {
	o := &a.Order
	m := Mail{Kind: p.Kind, MessageID: MessageID(p), To: o.Customer.Email, Customer: o.Customer.Name,
		Order: o.ChannelOrderNumber, OrderID: o.ID, Reason: p.Reason}
	if m.Order == "" {
		m.Order = o.ChannelOrderID
	}
	if p.Shipment == "" {
		for _, l := range o.Lines {
			m.Lines = append(m.Lines, MailLine{SKU: l.SKU, Title: l.Title, Quantity: l.Quantity})
		}
		return m, nil
	}
	var sh *model.Shipment
	for i := range a.Shipments {
		if a.Shipments[i].ID == p.Shipment {
			sh = &a.Shipments[i]
		}
	}
	if sh == nil {
		return m, fault.Permanentf("notify: order %s has no shipment %s", p.Order, p.Shipment)
	}
	m.Carrier = sh.Carrier
	qty := map[string]int64{}
	var order []string
	for _, pk := range sh.Packages {
		c := pk.Carrier
		if c == "" {
			c = sh.Carrier
		}
		if pk.TrackingNumber != "" {
			m.Tracking = append(m.Tracking, Parcel{Carrier: c, Number: pk.TrackingNumber, URL: pk.TrackingURL})
		}
		for _, l := range pk.Lines {
			if _, seen := qty[l.OrderLineID]; !seen {
				order = append(order, l.OrderLineID)
			}
			qty[l.OrderLineID] += l.Quantity
		}
	}
	for _, id := range order {
		ml := MailLine{SKU: id, Quantity: qty[id]}
		if l := o.Line(id); l != nil {
			ml.SKU, ml.Title = l.SKU, l.Title
		}
		m.Lines = append(m.Lines, ml)
	}
	return m, nil
}

// lastScan is what the carrier last said about a parcel ("address
// unknown"), to tell the customer why it is late.
func lastScan(a *model.Aggregate, shipment, number string) string {
	for _, sh := range a.Shipments {
		if sh.ID != shipment {
			continue
		}
		for _, pk := range sh.Packages {
			if pk.TrackingNumber == number && len(pk.Events) > 0 {
				return pk.Events[len(pk.Events)-1].Description
			}
		}
	}
	return ""
}
