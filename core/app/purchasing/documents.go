package purchasing

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dropgate/dropgate/core/app/returns"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// QueueDocument routes one canonical document to its order's queue group.
// The document's id is its unique key: a file delivered twice yields each
// document once.
func (s *Service) QueueDocument(ctx context.Context, supplier, source string, d connector.InboundDoc) error {
	if d.PONumber == "" {
		return fault.Permanentf("document %s from %s names no purchase order", d.ID, supplier)
	}
	orderID, err := s.d.Orders.OrderOfPO(ctx, d.PONumber)
	if errors.Is(err, store.ErrNotFound) {
		return s.raise(ctx, model.Exception{Kind: model.ExDocumentRejected, Supplier: supplier, PONumber: d.PONumber, Ref: d.ID,
			Reason:  fmt.Sprintf("%s sent %s for purchase order %s, which dropgate never issued", supplier, DocKind(d), d.PONumber),
			Actions: []string{"discard"}})
	}
	if err != nil {
		return err
	}
	return job.Enqueue(ctx, s.d.Queue, KindDocApply, DocApply{Order: orderID, Supplier: supplier, Source: source, Doc: d})
}

// raise publishes an exception that belongs to no order change.
func (s *Service) raise(ctx context.Context, x model.Exception) error {
	return s.d.Events.Publish(ctx, nil, []model.Event{{Type: model.EvExceptionRaised, OrderID: x.OrderID, PONumber: x.PONumber,
		Supplier: x.Supplier, At: s.d.Now(), Exception: &x}})
}

// DocKind names what a document is, for messages.
func DocKind(d connector.InboundDoc) string {
	switch {
	case d.POAck != nil:
		return "po_ack"
	case d.ShipNotice != nil:
		return "ship_notice"
	case d.Invoice != nil:
		return "invoice"
	case d.FuncAck != nil:
		return "functional_ack"
	case len(d.Inventory) > 0:
		return "inventory"
	case d.ReturnAnswer != nil:
		return "return_answer"
	}
	return "document"
}

// handleDocApply applies a supplier document to its order: the lifecycle
// decides, and what follows (reroutes, channel fulfillments,
// cancellations, exceptions) goes out as its events.
func (s *Service) handleDocApply(ctx context.Context, _ *store.Job, p DocApply) error {
	d := p.Doc
	cause := model.Cause{Kind: model.CauseDocument, Ref: p.Supplier + "/" + firstNonEmpty(p.Source, d.ID)}
	if p.Actor != "" {
		cause.Ref = p.Actor
	}
	_, _, err := s.d.Change(ctx, p.Order, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		var out lifecycle.Outcome
		var err error
		switch {
		case d.POAck != nil:
			out, err = lifecycle.ApplyPOAck(a, d.POAck, d.ID, st)
		case d.ShipNotice != nil:
			out, err = lifecycle.ApplyShipNotice(a, d.ShipNotice, d.ID, st)
		case d.Invoice != nil:
			out, err = lifecycle.ApplyInvoice(a, d.Invoice, d.ID, st)
		case d.ReturnAnswer != nil:
			out, err = applyReturnAnswer(a, p.Supplier, d.ReturnAnswer, st)
		default:
			return out, nil
		}
		if err != nil {
			return out, fault.Permanent(fmt.Errorf("apply %s %s to order %s: %w", DocKind(d), d.ID, p.Order, err))
		}
		if !out.Changed {
			return out, nil
		}
		logDocWarnings(a, p.Supplier, d, st)
		if out.Reroute && a.Order.Status != model.OrderCancelled {
			out.Add(lifecycle.Route(a, s.d.Router, true, st))
		}
		return out, nil
	})
	return err
}

// applyReturnAnswer applies a supplier's answer to an RMA request as its
// decision: authorise with its RMA number or reject with its reason. A
// replayed answer changes nothing (returns.Authorize/Reject); an answer
// to a return of another supplier is refused.
func applyReturnAnswer(a *model.Aggregate, supplier string, ans *connector.ReturnAnswer, st lifecycle.Step) (lifecycle.Outcome, error) {
	r := a.Return(ans.Return)
	if r == nil || r.Supplier != supplier {
		return lifecycle.Outcome{}, fmt.Errorf("%s answers return %q, which is not one of its returns on this order", supplier, ans.Return)
	}
	by := "supplier " + supplier
	if ans.Decision.Authorized {
		return returns.Authorize(a, r.ID, ans.Decision.RMA, by, st)
	}
	return returns.Reject(a, r.ID, ans.Decision.Reason, by, st)
}

// EventDocumentWarning is the timeline event of a supplier document applied
// although its connector noted defects (InboundDoc.Warnings): the operator
// sees the partner break a rule, and may set the partner strict, without
// the document being lost.
const EventDocumentWarning = "document.warning"

// logDocWarnings records d's warnings on the timeline of the PO it applies
// to. It runs once per document: only when the document changed the
// aggregate, which a document seen before never does.
func logDocWarnings(a *model.Aggregate, supplier string, d connector.InboundDoc, st lifecycle.Step) {
	if len(d.Warnings) == 0 {
		return
	}
	a.Log(model.TimelineEntry{At: st.At, Entity: "po:" + d.PONumber, Event: EventDocumentWarning, Cause: st.Cause,
		Message: fmt.Sprintf("%s %s accepted with warnings: %s", supplier, DocKind(d), strings.Join(d.Warnings, "; ")),
		Data:    map[string]string{"doc": d.ID}})
}

// handleSLA runs when a PO's acknowledgement or shipment is due.
func (s *Service) handleSLA(ctx context.Context, j *store.Job, p PO) error {
	onBreach := s.d.Profiles[p.Supplier].SLA.OnBreach
	cause := model.Cause{Kind: model.CauseTimer, Ref: j.Kind}
	a, _, err := s.d.Change(ctx, p.Order, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		var out lifecycle.Outcome
		if j.Kind == KindAckDue.Name {
			out = lifecycle.CheckAckSLA(a, p.PO, onBreach, st)
		} else {
			out = lifecycle.CheckShipSLA(a, p.PO, onBreach, st)
		}
		if out.Reroute {
			out.Add(lifecycle.Route(a, s.d.Router, true, st))
		}
		return out, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil // the order is gone (a test store emptied, a manual purge)
	}
	if err != nil || j.Kind != KindAckDue.Name {
		return err
	}
	// The acknowledgement's timer schedules the shipment's (onSent), for
	// the PO as it stands: one withdrawn or rerouted by this check has
	// none to wait for, and the ship check finds it so.
	if po := a.PO(p.PO); po != nil && !po.Status.Final() {
		return s.scheduleShipDue(ctx, po)
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
