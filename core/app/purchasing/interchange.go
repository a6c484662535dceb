package purchasing

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/store"
)

// Outbound interchanges are tracked until the partner's functional
// acknowledgement (997/999, CONTRL) names them; one that is rejected, or
// not acknowledged in time, becomes an exception.

func interchangeID(supplier, control string) string {
	return supplier + ":" + strings.TrimLeft(control, "0")
}

// trackInterchange starts waiting for the functional acknowledgement of a
// document just sent, when the partner sends one.
func (s *Service) trackInterchange(ctx context.Context, po *model.PurchaseOrder, sent connector.Sent) error {
	pol, ok := connector.As[connector.FunctionalAckPolicy](s.d.Suppliers[po.Supplier])
	if !ok || sent.Control == "" {
		return nil
	}
	expected, within := pol.ExpectFunctionalAck()
	if !expected || within <= 0 {
		return nil
	}
	now := s.d.Now()
	ic := &model.Interchange{ID: interchangeID(po.Supplier, sent.Control), Supplier: po.Supplier, Control: sent.Control,
		PONumber: po.Number, OrderID: po.OrderID, Document: sent.Document, SentAt: now, DueAt: now.Add(within), Status: "pending"}
	if err := s.d.Interchanges.Create(ctx, ic); err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("track interchange %s: %w", ic.ID, err)
	}
	return job.Enqueue(ctx, s.d.Queue, KindFuncAckDue, Interchange{ID: ic.ID, Supplier: po.Supplier},
		job.At(ic.DueAt), func(j *store.Job) { j.UniqueKey = "ack_due:" + ic.ID })
}

// applyFunctionalAck records the partner's verdict on one of our
// interchanges; a rejection is an exception (the partner's translator
// refused our PO, so the supplier never saw it).
func (s *Service) applyFunctionalAck(ctx context.Context, supplier string, d connector.InboundDoc) error {
	fa := d.FuncAck
	id := interchangeID(supplier, fa.InterchangeControl)
	verdict := "accepted"
	var errs []string
	if !fa.Accepted {
		verdict = "rejected"
		for _, st := range fa.Sets {
			errs = append(errs, st.Errors...)
		}
	}
	ic, err := s.d.Interchanges.Update(ctx, id, func(ic *model.Interchange) error {
		if ic.Status == verdict {
			return repo.ErrNoChange
		}
		ic.Status, ic.Errors = verdict, errs
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		s.d.Log.Info("functional acknowledgement for an interchange we do not track", "supplier", supplier, "control", fa.InterchangeControl)
		return nil
	}
	if err != nil {
		return err
	}
	cause := model.Cause{Kind: model.CauseDocument, Ref: supplier + "/" + d.ID}
	_, _, err = s.d.Change(ctx, ic.OrderID, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		var out lifecycle.Outcome
		if a.HasSeen(d.ID) {
			return out, nil
		}
		out.Changed = true
		a.MarkSeen(d.ID)
		msg := fmt.Sprintf("%s's translator %s interchange %s (%s)", supplier, verdict, ic.Control, ic.Document)
		if len(errs) > 0 {
			msg += ": " + strings.Join(errs, "; ")
		}
		a.Log(model.TimelineEntry{At: st.At, Entity: "po:" + ic.PONumber, Event: "po.functional_ack_" + verdict, Cause: st.Cause, Message: msg})
		if verdict == "rejected" {
			po := a.PO(ic.PONumber)
			out.Raise(model.ExDocumentRejected, a, po, fmt.Sprintf("%s rejected interchange %s (%s): %s", supplier, ic.Control, ic.Document, strings.Join(errs, "; ")), "resolve")
			out.Events[len(out.Events)-1].Exception.Ref = id
		}
		return out, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// handleFuncAckDue flags an interchange still unacknowledged at its
// deadline.
func (s *Service) handleFuncAckDue(ctx context.Context, _ *store.Job, i Interchange) error {
	ic, err := s.d.Interchanges.Update(ctx, i.ID, func(ic *model.Interchange) error {
		if ic.Status != "pending" {
			return repo.ErrNoChange
		}
		ic.Status = "overdue"
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil || ic.Status != "overdue" {
		return err
	}
	return s.raise(ctx, model.Exception{Kind: model.ExAckOverdue, OrderID: ic.OrderID, PONumber: ic.PONumber, Supplier: ic.Supplier, Ref: ic.ID,
		Reason: fmt.Sprintf("no functional acknowledgement from %s for interchange %s (%s), due %s", ic.Supplier, ic.Control, ic.Document,
			ic.DueAt.UTC().Format("2006-01-02 15:04 MST")), Actions: []string{"resolve"}})
}
