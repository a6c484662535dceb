package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// Outbound interchanges are tracked until the partner's functional
// acknowledgement (997/999, CONTRL) names them; one that is rejected, or
// not acknowledged in time, becomes an exception.

// RecInterchange is the record kind of a tracked outbound interchange.
const RecInterchange = "interchange"

// KindAckDue runs when an interchange's functional acknowledgement is due.
const KindAckDue = "interchange.ack_due"

// Interchange is one tracked outbound document.
type Interchange struct {
	Supplier string    `json:"supplier"`
	Control  string    `json:"control"`
	PONumber string    `json:"po_number"`
	OrderID  string    `json:"order_id"`
	Document string    `json:"document"`
	SentAt   time.Time `json:"sent_at"`
	DueAt    time.Time `json:"due_at"`
	Status   string    `json:"status"` // pending, accepted, rejected, overdue
	Errors   []string  `json:"errors,omitempty"`
}

func interchangeID(supplier, control string) string {
	return supplier + ":" + strings.TrimLeft(control, "0")
}

// trackInterchange starts waiting for the functional acknowledgement of a
// document just sent, when the partner sends one.
func (e *Engine) trackInterchange(ctx context.Context, po *model.PurchaseOrder, sent connector.Sent) error {
	pol, ok := connector.As[connector.FunctionalAckPolicy](e.Suppliers[po.Supplier])
	if !ok {
		return nil
	}
	expected, within := pol.ExpectFunctionalAck()
	control := sent.Control
	if !expected || within <= 0 || control == "" {
		return nil
	}
	now := e.now()
	ic := Interchange{Supplier: po.Supplier, Control: control, PONumber: po.Number, OrderID: po.OrderID, Document: sent.Document,
		SentAt: now, DueAt: now.Add(within), Status: "pending"}
	data, _ := json.Marshal(ic)
	id := interchangeID(po.Supplier, control)
	_, err := e.Store.PutRecord(ctx, store.Record{Kind: RecInterchange, ID: id, Data: data, Created: now,
		Index: map[string]string{"status": ic.Status, "supplier": po.Supplier}})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("track interchange %s: %w", id, err)
	}
	return e.enqueue(ctx, store.Job{Queue: QueueInbound, Kind: KindAckDue, RunAt: ic.DueAt,
		Meta: map[string]string{"interchange": id, "supplier": po.Supplier}, UniqueKey: "ack_due:" + id})
}

// updateInterchange applies fn to a tracked interchange.
func (e *Engine) updateInterchange(ctx context.Context, id string, fn func(*Interchange) bool) (*Interchange, error) {
	for try := 0; try < maxUpdateTries; try++ {
		rec, err := e.Store.GetRecord(ctx, RecInterchange, id)
		if err != nil {
			return nil, err
		}
		var ic Interchange
		if err := json.Unmarshal(rec.Data, &ic); err != nil {
			return nil, err
		}
		if !fn(&ic) {
			return &ic, nil
		}
		data, _ := json.Marshal(ic)
		_, err = e.Store.PutRecord(ctx, store.Record{Kind: RecInterchange, ID: id, Data: data, Version: rec.Version, Created: rec.Created,
			Index: map[string]string{"status": ic.Status, "supplier": ic.Supplier}})
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		return &ic, err
	}
	return nil, store.ErrConflict
}

// applyFunctionalAck records the partner's verdict on one of our
// interchanges; a rejection is an exception (the partner's translator
// refused our PO, so the supplier never saw it).
func (e *Engine) applyFunctionalAck(ctx context.Context, supplier string, d connector.InboundDoc) error {
	fa := d.FuncAck
	id := interchangeID(supplier, fa.InterchangeControl)
	verdict := "accepted"
	var errs []string
	if !fa.Accepted {
		verdict = "rejected"
		for _, s := range fa.Sets {
			errs = append(errs, s.Errors...)
		}
	}
	ic, err := e.updateInterchange(ctx, id, func(ic *Interchange) bool {
		if ic.Status == verdict {
			return false
		}
		ic.Status, ic.Errors = verdict, errs
		return true
	})
	if errors.Is(err, store.ErrNotFound) {
		e.Log.Info("functional acknowledgement for an interchange we do not track", "supplier", supplier, "control", fa.InterchangeControl)
		return nil
	}
	if err != nil {
		return err
	}
	cause := model.Cause{Kind: model.CauseDocument, Ref: supplier + "/" + d.ID}
	_, err = e.update(ctx, ic.OrderID, func(a *model.Aggregate) error {
		if a.HasSeen(d.ID) {
			return errNoChange
		}
		a.MarkSeen(d.ID)
		msg := fmt.Sprintf("%s's translator %s interchange %s (%s)", supplier, verdict, ic.Control, ic.Document)
		if len(errs) > 0 {
			msg += ": " + strings.Join(errs, "; ")
		}
		a.Log(model.TimelineEntry{At: e.now(), Entity: "po:" + ic.PONumber, Event: "po.functional_ack_" + verdict, Cause: cause, Message: msg})
		return nil
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if verdict == "rejected" {
		return e.raise(ctx, model.Exception{Kind: model.ExDocumentRejected, OrderID: ic.OrderID, PONumber: ic.PONumber, Supplier: supplier, Ref: id,
			Reason:  fmt.Sprintf("%s rejected interchange %s (%s): %s", supplier, ic.Control, ic.Document, strings.Join(errs, "; ")),
			Actions: []string{"resolve"}})
	}
	return nil
}

// handleAckDue flags an interchange still unacknowledged at its deadline.
func (e *Engine) handleAckDue(ctx context.Context, j *store.Job) error {
	id := j.Meta["interchange"]
	ic, err := e.updateInterchange(ctx, id, func(ic *Interchange) bool {
		if ic.Status != "pending" {
			return false
		}
		ic.Status = "overdue"
		return true
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil || ic.Status != "overdue" {
		return err
	}
	return e.raise(ctx, model.Exception{Kind: model.ExAckOverdue, OrderID: ic.OrderID, PONumber: ic.PONumber, Supplier: ic.Supplier, Ref: id,
		Reason: fmt.Sprintf("no functional acknowledgement from %s for interchange %s (%s), due %s", ic.Supplier, ic.Control, ic.Document,
			ic.DueAt.UTC().Format("2006-01-02 15:04 MST")), Actions: []string{"resolve"}})
}
