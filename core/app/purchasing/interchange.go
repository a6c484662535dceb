package purchasing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

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

func interchangeID(supplier, control, set string) string {
	id := supplier + ":" + strings.TrimLeft(control, "0")
	if set != "" {
		id += ":" + strings.TrimLeft(set, "0")
	}
	return id
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
	ic := &model.Interchange{ID: interchangeID(po.Supplier, sent.Control, sent.Set), Supplier: po.Supplier, Control: sent.Control, Set: sent.Set,
		PONumber: po.Number, OrderID: po.OrderID, Document: sent.Document, SentAt: now, DueAt: now.Add(within), Status: "pending"}
	if err := s.d.Interchanges.Create(ctx, ic); err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("track interchange %s: %w", ic.ID, err)
	}
	due := Interchange{ID: ic.ID, Supplier: po.Supplier}
	if sent.Set != "" {
		// One timer per batch, not per PO: its POs went out together, and
		// the first of them to get here schedules it (the unique key
		// drops the others' in their commit).
		due = Interchange{ID: interchangeID(po.Supplier, sent.Control, ""), Supplier: po.Supplier, Batch: true}
	}
	return s.scheduleFuncAckDue(ctx, due, ic.DueAt)
}

func (s *Service) scheduleFuncAckDue(ctx context.Context, i Interchange, at time.Time) error {
	return job.Enqueue(ctx, s.d.Queue, KindFuncAckDue, i, job.At(at), func(j *store.Job) { j.UniqueKey = "ack_due:" + i.ID })
}

// applyFunctionalAck records the partner's verdict on one of our
// interchanges; a rejection is an exception (the partner's translator
// refused our PO, so the supplier never saw it).
func (s *Service) applyFunctionalAck(ctx context.Context, supplier string, d connector.InboundDoc) error {
	fa := d.FuncAck
	verdict := "accepted"
	var errs []string
	if !fa.Accepted {
		verdict = "rejected"
		for _, st := range fa.Sets {
			errs = append(errs, st.Errors...)
		}
	}
	id := interchangeID(supplier, fa.InterchangeControl, "")
	if _, _, err := s.d.Interchanges.Get(ctx, id); err == nil {
		return s.applyVerdict(ctx, supplier, d, id, verdict, errs)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	// A batch: one tracked interchange per PO, each with its set.
	members, _, err := s.d.Interchanges.List(ctx, map[string]string{"interchange": id}, repo.Page{Limit: 10000})
	if err != nil {
		return err
	}
	if len(members) == 0 {
		s.d.Log.Info("functional acknowledgement for an interchange we do not track", "supplier", supplier, "control", fa.InterchangeControl)
		return nil
	}
	for _, m := range members {
		// An acknowledgement that lists sets answers those sets only;
		// one that lists none answers the whole group.
		v, e, answered := verdict, errs, len(fa.Sets) == 0
		for _, st := range fa.Sets {
			if strings.TrimLeft(st.ControlNumber, "0") == strings.TrimLeft(m.Set, "0") {
				v, e, answered = "accepted", st.Errors, true
				if !st.Accepted {
					v = "rejected"
				}
			}
		}
		if !answered {
			continue
		}
		if err := s.applyVerdict(ctx, supplier, d, m.ID, v, e); err != nil {
			return err
		}
	}
	return nil
}

// applyVerdict records the verdict on the tracked interchange id and puts
// it on its order's timeline (a rejection is an exception).
func (s *Service) applyVerdict(ctx context.Context, supplier string, d connector.InboundDoc, id, verdict string, errs []string) error {
	ic, err := s.d.Interchanges.Update(ctx, id, func(ic *model.Interchange) error {
		if ic.Status == verdict {
			return repo.ErrNoChange
		}
		ic.Status, ic.Errors = verdict, errs
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	what := ic.Control
	if ic.Set != "" {
		what += " set " + ic.Set
	}
	cause := model.Cause{Kind: model.CauseDocument, Ref: supplier + "/" + d.ID}
	_, _, err = s.d.Change(ctx, ic.OrderID, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		var out lifecycle.Outcome
		seen := d.ID
		if ic.Set != "" {
			seen += "#" + ic.Set // one acknowledgement may answer several of this order's POs
		}
		if a.HasSeen(seen) {
			return out, nil
		}
		out.Changed = true
		a.MarkSeen(seen)
		msg := fmt.Sprintf("%s's translator %s interchange %s (%s)", supplier, verdict, what, ic.Document)
		if len(errs) > 0 {
			msg += ": " + strings.Join(errs, "; ")
		}
		a.Log(model.TimelineEntry{At: st.At, Entity: "po:" + ic.PONumber, Event: "po.functional_ack_" + verdict, Cause: st.Cause, Message: msg})
		if verdict == "rejected" {
			po := a.PO(ic.PONumber)
			out.Raise(model.ExDocumentRejected, a, po, fmt.Sprintf("%s rejected interchange %s (%s): %s", supplier, what, ic.Document, strings.Join(errs, "; ")), "resolve")
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
// deadline; a batch's timer, each of its POs' still unacknowledged at
// theirs.
func (s *Service) handleFuncAckDue(ctx context.Context, _ *store.Job, i Interchange) error {
	if !i.Batch {
		return s.flagAckOverdue(ctx, i.ID)
	}
	now := s.d.Now()
	return s.d.Interchanges.Each(ctx, map[string]string{"interchange": i.ID}, func(ic *model.Interchange) (bool, error) {
		switch {
		case ic.Status != "pending":
			return true, nil
		case ic.DueAt.After(now):
			// Tracked a moment after the PO that scheduled the batch's
			// timer: it waits for its own deadline.
			return true, s.scheduleFuncAckDue(ctx, Interchange{ID: ic.ID, Supplier: ic.Supplier}, ic.DueAt)
		}
		return true, s.flagAckOverdue(ctx, ic.ID)
	})
}

// flagAckOverdue marks the tracked interchange id overdue and raises its
// exception, unless it was answered.
func (s *Service) flagAckOverdue(ctx context.Context, id string) error {
	ic, err := s.d.Interchanges.Update(ctx, id, func(ic *model.Interchange) error {
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
