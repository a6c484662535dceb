package payments

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// Accepts implements app.WebhookSink: the deliveries of payment providers.
func (s *Service) Accepts(c connector.Connector) bool {
	_, ok := connector.As[connector.PaymentEventDecoder](c)
	return ok
}

// HandleDelivery implements app.WebhookSink: a payment's status change
// updates (or adopts) the order's payment, and an authorisation or a
// capture lifts the order's payment hold through the release policy.
// Events are deduped on their id per order (Aggregate.Seen), on top of the
// gateway's dedupe of deliveries.
func (s *Service) HandleDelivery(ctx context.Context, d app.Delivery) error {
	c, ok := s.d.Connector(d.Connector)
	if !ok {
		return fault.Permanentf("payment webhook: connector %q is not configured", d.Connector)
	}
	if v, ok := connector.As[connector.PaymentEventVerifier](c); ok {
		if err := v.VerifyPaymentEvent(ctx, d.Proof, d.Body); err != nil {
			// The provider's verdict is permanent (the connector says so);
			// the provider being unreachable is retried.
			return fmt.Errorf("payment webhook %s from %s: verify: %w", d.ID, d.Connector, err)
		}
	}
	dec, _ := connector.As[connector.PaymentEventDecoder](c)
	ev, err := dec.DecodePaymentEvent(ctx, d.Body)
	if err != nil {
		return fault.Permanent(fmt.Errorf("payment webhook %s from %s: %w", d.ID, d.Connector, err))
	}
	if ev.Ignored || ev.Status == "" {
		return nil
	}
	if ev.OrderID == "" {
		// A payment made without our order id in its metadata is not ours
		// to act on; it stays in the raw store for an operator.
		s.d.Log.Info("payment webhook without an order id", "connector", d.Connector, "event", ev.ID, "payment", ev.ProviderID)
		return nil
	}
	cause := model.Cause{Kind: model.CauseWebhook, Ref: d.Connector + "/" + d.ID}
	_, _, err = s.d.Change(app.Background(ctx), ev.OrderID, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		return s.apply(a, d.Connector, ev, st), nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return fault.Permanent(fmt.Errorf("payment webhook %s: order %s: %w", d.ID, ev.OrderID, err))
	}
	return err
}

// apply is the pure part of HandleDelivery.
func (s *Service) apply(a *model.Aggregate, provider string, ev connector.PaymentEvent, st lifecycle.Step) lifecycle.Outcome {
	seen := provider + ":" + ev.ID
	if slices.Contains(a.Seen, seen) {
		return lifecycle.Outcome{}
	}
	a.Seen = append(a.Seen, seen)
	p := payment(a, provider, ev.ProviderID)
	if p == nil {
		a.Payments = append(a.Payments, model.Payment{Provider: provider, ProviderID: ev.ProviderID})
		p = &a.Payments[len(a.Payments)-1]
	}
	from := p.Status
	// Webhooks arrive out of order: the state table keeps a payment from
	// moving back (a late "authorized" after a capture).
	next, moved := model.NextPayment(p.Status, ev.Status)
	p.Status = next
	if ev.Authorized.Currency != "" {
		p.Authorized = ev.Authorized
	}
	// Our own captures and refunds are recorded as they happen; the
	// provider's totals only ever raise them (a capture made elsewhere).
	if ev.Captured.Amount > p.Captured.Amount {
		p.Captured = ev.Captured
	}
	if ev.Refunded.Amount > p.Refunded.Amount {
		p.Refunded = ev.Refunded
	}
	msg := fmt.Sprintf("%s reports payment %s %s (%s)", provider, ev.ProviderID, ev.Status, ev.Type)
	if !moved && ev.Status != from {
		msg += fmt.Sprintf("; it stays %s (older news)", from)
	}
	a.Log(model.TimelineEntry{At: st.At, Entity: "payment", Event: "payment.status", Cause: st.Cause, From: string(from), To: string(p.Status), Message: msg})
	out := lifecycle.Outcome{Changed: true}
	if p.Status == model.PayAuthorized && from != model.PayAuthorized && p.Captured.IsZero() {
		out.Events = append(out.Events, model.Event{Type: model.EvPaymentAuthorized, At: st.At, OrderID: a.Order.ID, Cause: st.Cause,
			Data: map[string]string{"provider": provider, "payment": ev.ProviderID}})
	}
	if a.Order.Status == model.OrderCancelled {
		return out
	}
	want := orderPayment(*p, a.Order.PaymentStatus)
	out.Add(lifecycle.PaymentChanged(a, want, a.Order.Risk, s.d.ReleasePolicy(a.Order.Channel), s.d.Router, st))
	out.Changed = true
	return out
}
