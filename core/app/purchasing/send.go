package purchasing

import (
	"context"
	"fmt"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// handleSend sends a draft PO to its supplier, then records it as sent.
// Sending is idempotent on the supplier side (same file name, same
// Message-ID, same idempotency key), so a crash between sending and
// saving only repeats the same document.
func (s *Service) handleSend(ctx context.Context, j *store.Job, p PO) error {
	a, version, err := s.d.Orders.Get(ctx, p.Order)
	if err != nil {
		return fmt.Errorf("po.send %s: %w", p.PO, err)
	}
	po := a.PO(p.PO)
	if po == nil {
		return fault.Permanentf("po.send: order %s has no PO %s", p.Order, p.PO)
	}
	if po.Status != model.PODraft {
		return s.d.Republish(ctx, a) // already sent, or cancelled before it went out
	}
	sender, err := app.Supplier[connector.POSender](s.d, po.Supplier, "send PO "+po.Number)
	if err != nil {
		return err
	}
	sent, err := sender.SendPO(ctx, po, &a.Order)
	if err != nil {
		return fmt.Errorf("send PO %s to %s: %w", p.PO, po.Supplier, err)
	}
	cause := model.Cause{Kind: model.CauseSystem, Ref: "job/" + j.ID}
	// From the copy read above: the send took no lock, so another write
	// may have come in meanwhile, and then ChangeFrom reads afresh.
	a, _, err = s.d.ChangeFrom(app.AfterSend(ctx, sender), a, version, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		return s.recordSent(a, p.PO, sent, st)
	})
	if err != nil {
		return err
	}
	if po := a.PO(p.PO); po != nil {
		return s.trackInterchange(ctx, po, sent)
	}
	return nil
}

// recordSent marks a PO sent with its SLA deadlines, or, when the order
// was cancelled while the send was on the wire, asks the supplier to
// cancel what it now has.
func (s *Service) recordSent(a *model.Aggregate, number string, sent connector.Sent, st lifecycle.Step) (lifecycle.Outcome, error) {
	var out lifecycle.Outcome
	po := a.PO(number)
	if po == nil || po.SentAt != nil {
		return out, nil
	}
	out.Changed = true
	now := st.At
	po.SentAt = &now
	po.Document = sent.Document
	for _, r := range sent.Refs {
		po.SetRef(r.System, r.ID)
	}
	if po.Status == model.POCancelled {
		po.Status = model.POCancelRequested
		out.Emit(model.Event{Type: model.EvPOCancelRequested, PONumber: number, Supplier: po.Supplier})
		a.Log(model.TimelineEntry{At: now, Entity: "po:" + number, Event: "po.cancel_requested", Cause: st.Cause,
			Message: fmt.Sprintf("%s reached %s as the order was cancelled; asking it to cancel", number, po.Supplier)})
		return out, nil
	}
	sla := s.d.Profiles[po.Supplier].SLA
	if sla.AcknowledgeWithin > 0 {
		due := now.Add(sla.AcknowledgeWithin)
		po.AckDueAt = &due
	}
	if sla.ShipWithin > 0 {
		due := now.Add(sla.ShipWithin)
		po.ShipDueAt = &due
	}
	po.Status = model.POSent
	a.Log(model.TimelineEntry{
		At: now, Entity: "po:" + number, Event: "po.sent", From: string(model.PODraft), To: string(model.POSent), Cause: st.Cause,
		Message: fmt.Sprintf("purchase order %s sent to %s as %s", number, po.Supplier, orDash(sent.Document)),
	})
	out.Emit(model.Event{Type: model.EvPOSent, PONumber: number, Supplier: po.Supplier})
	if sent.Ack != nil {
		// An HTTP API answered at once: apply it like an 855.
		return s.applySyncAck(a, sent.Ack, "sync:"+number, st, out)
	}
	return out, nil
}

// handleCancel asks the supplier to cancel a PO. The answer (an 855 to
// our cancellation, an email) settles it later.
func (s *Service) handleCancel(ctx context.Context, j *store.Job, p PO) error {
	a, version, err := s.d.Orders.Get(ctx, p.Order)
	if err != nil {
		return fmt.Errorf("po.cancel %s: %w", p.PO, err)
	}
	po := a.PO(p.PO)
	if po == nil {
		return fault.Permanentf("po.cancel: order %s has no PO %s", p.Order, p.PO)
	}
	if po.Status != model.POCancelRequested || po.RefValue(refCancelSent) != "" {
		return s.d.Republish(ctx, a)
	}
	canceller, err := app.Supplier[connector.POCanceller](s.d, po.Supplier, "cancel PO "+po.Number)
	if err != nil {
		// The supplier has no way to receive a cancellation: a person
		// must call them.
		return s.d.Events.Publish(ctx, a, []model.Event{{Type: model.EvExceptionRaised, OrderID: a.Order.ID, PONumber: po.Number, At: s.d.Now(),
			Exception: &model.Exception{Kind: model.ExCancelRejected, OrderID: a.Order.ID, PONumber: po.Number, Supplier: po.Supplier,
				Reason:  fmt.Sprintf("%s cannot receive cancellations electronically; cancel %s with the supplier by hand", po.Supplier, po.Number),
				Actions: []string{"resolve"}}}})
	}
	sent, err := canceller.CancelPO(ctx, po, &a.Order)
	if err != nil {
		return fmt.Errorf("cancel PO %s with %s: %w", p.PO, po.Supplier, err)
	}
	cause := model.Cause{Kind: model.CauseSystem, Ref: "job/" + j.ID}
	// As in handleSend: from the copy read above.
	a, _, err = s.d.ChangeFrom(app.AfterSend(ctx, canceller), a, version, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		var out lifecycle.Outcome
		po := a.PO(p.PO)
		if po == nil || po.RefValue(refCancelSent) != "" {
			return out, nil
		}
		out.Changed = true
		po.SetRef(refCancelSent, st.At.Format("2006-01-02T15:04:05Z"))
		a.Log(model.TimelineEntry{At: st.At, Entity: "po:" + p.PO, Event: "po.cancel_sent", Cause: st.Cause,
			Message: fmt.Sprintf("cancellation of %s sent to %s as %s", p.PO, po.Supplier, orDash(sent.Document))})
		if sent.Ack != nil {
			return s.applySyncAck(a, sent.Ack, "sync-cancel:"+p.PO, st, out)
		}
		return out, nil
	})
	if err != nil {
		return err
	}
	if po := a.PO(p.PO); po != nil {
		return s.trackInterchange(ctx, po, sent)
	}
	return nil
}

// refCancelSent marks a PO whose cancellation reached the supplier.
const refCancelSent = "dropgate:cancel_sent"

// applySyncAck applies an answer the supplier gave in the same call (an
// HTTP API accepting or rejecting lines), rerouting what it released.
func (s *Service) applySyncAck(a *model.Aggregate, ack *model.POAck, docID string, st lifecycle.Step, out lifecycle.Outcome) (lifecycle.Outcome, error) {
	o, err := lifecycle.ApplyPOAck(a, ack, docID, st)
	if err != nil {
		return out, fault.Permanent(err)
	}
	out.Add(o)
	if o.Reroute {
		out.Add(lifecycle.Route(a, s.d.Router, true, st))
	}
	return out, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
