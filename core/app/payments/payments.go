// Package payments moves the customer's money with the order: it adopts
// the payment a provider's webhook reports (authorised → the release policy
// lets a payment-held order go), captures each shipment's value when the
// shipment is recorded, and voids or refunds on a full cancellation. Every
// movement is appended to the order's payment (Aggregate.Payments), its
// timeline and an event.
package payments

import (
	"context"
	"fmt"
	"slices"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/event"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
)

// Move is one money movement to make: a capture for a shipment, or the
// settlement of a cancellation (void or refund).
type Move struct {
	Order    string `json:"order"`
	Provider string `json:"provider"` // the payment connector's name
	Payment  string `json:"payment"`  // pi_…
	Shipment string `json:"shipment,omitempty"`
	Cancel   bool   `json:"cancel,omitempty"`
	// Deadline: the authorisation is about to lapse with nothing
	// captured; take it all now (a later cancellation refunds).
	Deadline bool `json:"deadline,omitempty"`
}

// KindMove makes one movement; jobs of one order run in order, so a
// capture and the cancellation after it never cross.
var KindMove = job.Kind[Move]{Name: "payment.move", Queue: app.QueueOutbound,
	Options: func(m Move) job.Options {
		group := "order:" + m.Order
		if m.Deadline {
			// Days ahead: in the order's group it would hold back every
			// job of the order queued after it until then.
			group = "payment-deadline:" + m.Order
		}
		return job.Options{Group: group, Key: "payment:" + m.Provider,
			UniqueKey: "payment.move:" + m.Order + ":" + m.Payment + ":" + m.Shipment + fmt.Sprint(m.Cancel, m.Deadline)}
	},
	Subject: func(m Move) job.Subject { return job.Subject{Order: m.Order, Connector: m.Provider} },
}

// Service is the payments service.
type Service struct{ d *app.Deps }

// New returns the service.
func New(d *app.Deps) *Service { return &Service{d: d} }

// Register installs the movement job, the subscriptions and the webhook
// sink of payment providers.
func (s *Service) Register(m *job.Mux, t *event.Table) {
	job.Handle(m, KindMove, s.handleMove)
	t.On(model.EvShipmentCreated, "payments.capture", s.onShipment)
	t.On(model.EvOrderCancelled, "payments.settle", s.onCancelled)
	t.On(model.EvPaymentAuthorized, "payments.deadline", s.onAuthorized)
	if s.d.Webhooks != nil {
		s.d.Webhooks.Add(s)
	}
}

// open reports whether a payment still holds uncaptured money.
func open(p model.Payment) bool {
	return p.Status == model.PayAuthorized || p.Status == model.PayPartiallyCaptured
}

func (s *Service) onShipment(ctx context.Context, a *model.Aggregate, ev model.Event) error {
	for _, p := range a.Payments {
		if !open(p) {
			continue
		}
		m := Move{Order: a.Order.ID, Provider: p.Provider, Payment: p.ProviderID, Shipment: ev.ShipmentID}
		if err := job.Enqueue(ctx, s.d.Queue, KindMove, m); err != nil {
			return fmt.Errorf("payments: order %s: queue capture: %w", a.Order.ID, err)
		}
	}
	return nil
}

func (s *Service) onCancelled(ctx context.Context, a *model.Aggregate, _ model.Event) error {
	for _, p := range a.Payments {
		if p.Status == model.PayVoided || p.Status == model.PayRefunded || p.Status == model.PayFailed {
			continue
		}
		m := Move{Order: a.Order.ID, Provider: p.Provider, Payment: p.ProviderID, Cancel: true}
		if err := job.Enqueue(ctx, s.d.Queue, KindMove, m); err != nil {
			return fmt.Errorf("payments: order %s: queue settlement: %w", a.Order.ID, err)
		}
	}
	return nil
}

// onAuthorized schedules the capture at the provider's trust window
// (reauthorize_before) for a new authorisation: an order whose supplier
// has not shipped by then is captured in full rather than left to lapse.
// A cancelled order's authorisation is voided at once.
func (s *Service) onAuthorized(ctx context.Context, a *model.Aggregate, ev model.Event) error {
	if a.Order.Status == model.OrderCancelled {
		// Authorised after the order was cancelled (the webhook came
		// late): release the money now.
		m := Move{Order: a.Order.ID, Provider: ev.Data["provider"], Payment: ev.Data["payment"], Cancel: true}
		if err := job.Enqueue(ctx, s.d.Queue, KindMove, m); err != nil {
			return fmt.Errorf("payments: order %s: queue void: %w", a.Order.ID, err)
		}
		return nil
	}
	c, ok := s.d.Connector(ev.Data["provider"])
	if !ok {
		return nil
	}
	w, ok := connector.As[connector.AuthorizationWindow](c)
	if !ok || w.ReauthorizeBefore() <= 0 {
		return nil
	}
	m := Move{Order: a.Order.ID, Provider: ev.Data["provider"], Payment: ev.Data["payment"], Deadline: true}
	if err := job.Enqueue(ctx, s.d.Queue, KindMove, m, job.At(s.d.Now().Add(w.ReauthorizeBefore()))); err != nil {
		return fmt.Errorf("payments: order %s: schedule the authorisation deadline: %w", a.Order.ID, err)
	}
	return nil
}

func payment(a *model.Aggregate, provider, id string) *model.Payment {
	for i := range a.Payments {
		if a.Payments[i].Provider == provider && a.Payments[i].ProviderID == id {
			return &a.Payments[i]
		}
	}
	return nil
}

// handleMove calls the provider, then records the movement. The call's
// idempotency key (order, operation, shipment) makes a retry after a lost
// answer or a crash before the record return the first result.
func (s *Service) handleMove(ctx context.Context, j *store.Job, m Move) error {
	a, _, err := s.d.Orders.Get(ctx, m.Order)
	if err != nil {
		return fmt.Errorf("payments: order %s: %w", m.Order, err)
	}
	p := payment(a, m.Provider, m.Payment)
	if p == nil {
		return fault.Permanentf("payments: order %s has no payment %s at %s", m.Order, m.Payment, m.Provider)
	}
	if done(p, m) {
		return nil
	}
	if m.Deadline && (p.Status != model.PayAuthorized || !p.Captured.IsZero() || a.Order.Status == model.OrderCancelled) {
		return nil // shipped, captured, settled or cancelled meanwhile
	}
	c, ok := s.d.Connector(m.Provider)
	if !ok {
		return fault.Permanentf("payments: provider %q is not configured", m.Provider)
	}
	ref := connector.PaymentRef{OrderID: m.Order, ProviderID: m.Payment}
	var res connector.PaymentResult
	kind := "capture"
	switch {
	case m.Cancel && p.Captured.IsZero():
		kind = "void"
		v, ok := connector.As[connector.PaymentVoider](c)
		if !ok {
			return fault.Permanentf("payments: %s cannot void", m.Provider)
		}
		res, err = v.Void(ctx, ref, "requested_by_customer")
	case m.Cancel:
		kind = "refund"
		r, ok := connector.As[connector.PaymentRefunder](c)
		if !ok {
			return fault.Permanentf("payments: %s cannot refund", m.Provider)
		}
		rest, _ := p.Captured.Sub(p.Refunded)
		res, err = r.Refund(ctx, ref, rest, "order cancelled")
	default:
		cp, ok := connector.As[connector.PaymentCapturer](c)
		if !ok {
			return fault.Permanentf("payments: %s cannot capture", m.Provider)
		}
		pol := policy(c)
		if m.Deadline {
			pol = connector.CaptureAtOrder
		}
		amount, final, cerr := captureAmount(a, p, m.Shipment, pol)
		if cerr != nil {
			return fault.Permanent(fmt.Errorf("payments: order %s: %w", m.Order, cerr))
		}
		if amount.IsZero() {
			return nil
		}
		res, err = cp.Capture(ctx, ref, amount, m.Shipment, final)
	}
	if err != nil {
		return err
	}
	cause := model.Cause{Kind: model.CauseSystem, Ref: j.ID}
	_, _, err = s.d.Change(app.Background(ctx), m.Order, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		return record(a, m, kind, res, st), nil
	})
	return err
}

func policy(c connector.Connector) connector.CapturePolicy {
	if p, ok := connector.As[connector.CapturePolicer](c); ok {
		return p.CapturePolicy()
	}
	return connector.CapturePerShipment
}

// done reports whether the movement m is already recorded.
func done(p *model.Payment, m Move) bool {
	return slices.ContainsFunc(p.Movements, func(mv model.PaymentMovement) bool {
		if m.Cancel {
			return mv.Kind == "void" || mv.Kind == "refund"
		}
		return mv.Kind == "capture" && mv.Shipment == m.Shipment
	}) || (m.Deadline && !p.Captured.IsZero())
}

// record appends the movement to the payment, the timeline and the
// events, and moves the order's payment status.
func record(a *model.Aggregate, m Move, kind string, res connector.PaymentResult, st lifecycle.Step) lifecycle.Outcome {
	p := payment(a, m.Provider, m.Payment)
	if p == nil || done(p, m) {
		return lifecycle.Outcome{}
	}
	p.Movements = append(p.Movements, model.PaymentMovement{Kind: kind, Amount: res.Amount, Shipment: m.Shipment,
		ProviderID: res.MovementID, IdempotencyKey: res.IdempotencyKey, At: st.At})
	switch kind {
	case "capture":
		p.Captured = sum(p.Captured, res.Amount)
	case "refund":
		p.Refunded = sum(p.Refunded, res.Amount)
	}
	p.Status = status(*p, kind)
	msg := fmt.Sprintf("%s %s at %s (%s)", kind, res.Amount, m.Provider, m.Payment)
	if m.Deadline {
		msg = fmt.Sprintf("capture %s at %s (%s): nothing shipped before the authorisation's trust window ended", res.Amount, m.Provider, m.Payment)
	}
	if kind == "void" {
		msg = fmt.Sprintf("authorisation of %s released at %s (%s)", p.Authorized, m.Provider, m.Payment)
	}
	a.Log(model.TimelineEntry{At: st.At, Entity: "payment", Event: "payment." + kind, Cause: st.Cause, Message: msg})
	out := lifecycle.Outcome{Changed: true}
	out.Events = append(out.Events, model.Event{Type: model.EvPaymentMoved, At: st.At, OrderID: a.Order.ID, ShipmentID: m.Shipment,
		Cause: st.Cause, Data: map[string]string{"provider": m.Provider, "kind": kind, "amount": res.Amount.String()}})
	a.Order.PaymentStatus = orderPayment(*p, a.Order.PaymentStatus)
	return out
}

func sum(a, b money.Money) money.Money {
	if a.Currency == "" {
		return b
	}
	if s, err := a.Add(b); err == nil {
		return s
	}
	return a
}

// status is the payment's status after a movement of kind.
func status(p model.Payment, kind string) model.PaymentStatus {
	switch kind {
	case "void":
		return model.PayVoided
	case "refund":
		if p.Refunded.Amount >= p.Captured.Amount {
			return model.PayRefunded
		}
		return model.PayPartiallyRefunded
	}
	if p.Captured.Amount >= p.Authorized.Amount {
		return model.PayCaptured
	}
	return model.PayPartiallyCaptured
}

// orderPayment is the order's payment status for a payment's.
func orderPayment(p model.Payment, was model.OrderPayment) model.OrderPayment {
	switch p.Status {
	case model.PayAuthorized:
		return model.PaymentAuthorized
	case model.PayPartiallyCaptured:
		return model.PaymentPartiallyPaid
	case model.PayCaptured:
		return model.PaymentPaid
	case model.PayPartiallyRefunded:
		return model.PaymentPartiallyRefunded
	case model.PayRefunded:
		return model.PaymentRefunded
	case model.PayVoided:
		return model.PaymentVoided
	case model.PayFailed:
		return model.PaymentFailed
	}
	return was
}
