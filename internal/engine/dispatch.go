package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// poIndex maps a PO number to its order, so a supplier document quoting
// only the PO number finds the order.
type poIndex struct {
	OrderID  string `json:"order_id"`
	Supplier string `json:"supplier"`
}

func (e *Engine) indexPO(ctx context.Context, po *model.PurchaseOrder) error {
	data, _ := json.Marshal(poIndex{OrderID: po.OrderID, Supplier: po.Supplier})
	_, err := e.Store.PutRecord(ctx, store.Record{
		Kind: RecPO, ID: po.Number, Data: data, Created: po.Created,
		Index: map[string]string{"supplier": po.Supplier, "order": po.OrderID},
	})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("index PO %s: %w", po.Number, err)
	}
	return nil
}

// OrderOfPO returns the order id a PO number belongs to.
func (e *Engine) OrderOfPO(ctx context.Context, number string) (string, error) {
	rec, err := e.Store.GetRecord(ctx, RecPO, number)
	if err != nil {
		return "", err
	}
	var ix poIndex
	if err := json.Unmarshal(rec.Data, &ix); err != nil {
		return "", fmt.Errorf("PO index %s: %w", number, err)
	}
	return ix.OrderID, nil
}

// supplierOf returns the connector of a PO's supplier with capability T.
func supplierCap[T any](e *Engine, po *model.PurchaseOrder, what string) (T, error) {
	var zero T
	sup, ok := e.Suppliers[po.Supplier]
	if !ok {
		return zero, fault.Permanentf("%s %s: supplier %q is not configured", what, po.Number, po.Supplier)
	}
	c, ok := sup.(T)
	if !ok {
		return zero, fault.Permanentf("%s %s: supplier %q (%s) cannot do this", what, po.Number, po.Supplier, sup.Type())
	}
	return c, nil
}

// handlePOSend sends a draft PO to its supplier, then records it as sent.
// Sending is idempotent on the supplier side (same file name, same
// Message-ID, same idempotency key), so a crash between sending and
// saving only repeats the same document.
func (e *Engine) handlePOSend(ctx context.Context, j *store.Job) error {
	orderID, number := j.Meta["order"], j.Meta["po"]
	a, _, err := e.load(ctx, orderID)
	if err != nil {
		return fmt.Errorf("po.send %s: %w", number, err)
	}
	po := a.PO(number)
	if po == nil {
		return fault.Permanentf("po.send: order %s has no PO %s", orderID, number)
	}
	if po.Status != model.PODraft {
		return nil // already sent, or cancelled before it went out
	}
	sender, err := supplierCap[connector.POSender](e, po, "send PO")
	if err != nil {
		return err
	}
	sent, err := sender.SendPO(ctx, po, &a.Order)
	if err != nil {
		return fmt.Errorf("send PO %s to %s: %w", number, po.Supplier, err)
	}
	cause := model.Cause{Kind: model.CauseSystem, Ref: "job/" + j.ID}
	var out lifecycle.Outcome
	a, err = e.update(ctx, orderID, func(a *model.Aggregate) error {
		out = lifecycle.Outcome{}
		po := a.PO(number)
		if po == nil || po.SentAt != nil {
			return errNoChange
		}
		now := e.now()
		po.SentAt = &now
		po.Document = sent.Document
		for _, r := range sent.Refs {
			po.SetRef(r.System, r.ID)
		}
		if po.Status == model.POCancelled {
			// Cancelled while the send was on the wire: the supplier has
			// it now, so it must be asked to cancel.
			po.Status = model.POCancelRequested
			out.Cancel = append(out.Cancel, number)
			a.Log(model.TimelineEntry{At: now, Entity: "po:" + number, Event: "po.cancel_requested", Cause: cause,
				Message: fmt.Sprintf("%s reached %s as the order was cancelled; asking it to cancel", number, po.Supplier)})
			return nil
		}
		sla := e.Profiles[po.Supplier].SLA
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
			At: now, Entity: "po:" + number, Event: "po.sent", From: string(model.PODraft), To: string(model.POSent), Cause: cause,
			Message: fmt.Sprintf("purchase order %s sent to %s as %s", number, po.Supplier, orDash(sent.Document)),
		})
		if sent.Ack != nil {
			// An HTTP API answered at once: apply it like an 855.
			return e.applySyncAck(a, sent.Ack, "sync:"+number, cause, &out)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if po := a.PO(number); po != nil {
		if po.Status != model.POCancelRequested {
			if err := e.scheduleSLA(ctx, po); err != nil {
				return err
			}
		}
		if err := e.trackInterchange(ctx, po, sent); err != nil {
			return err
		}
	}
	return e.effects(ctx, a, out, nil)
}

// handlePOCancel asks the supplier to cancel a PO. The answer (an 855 to
// our cancellation, an email) settles it later.
func (e *Engine) handlePOCancel(ctx context.Context, j *store.Job) error {
	orderID, number := j.Meta["order"], j.Meta["po"]
	a, _, err := e.load(ctx, orderID)
	if err != nil {
		return fmt.Errorf("po.cancel %s: %w", number, err)
	}
	po := a.PO(number)
	if po == nil {
		return fault.Permanentf("po.cancel: order %s has no PO %s", orderID, number)
	}
	if po.Status != model.POCancelRequested || po.RefValue("dropgate:cancel_sent") != "" {
		return nil
	}
	canceller, err := supplierCap[connector.POCanceller](e, po, "cancel PO")
	if err != nil {
		// The supplier has no way to receive a cancellation: a person
		// must call them.
		_ = e.raise(ctx, model.Exception{Kind: model.ExCancelRejected, OrderID: orderID, PONumber: number, Supplier: po.Supplier,
			Reason: fmt.Sprintf("%s cannot receive cancellations electronically; cancel %s with the supplier by hand", po.Supplier, number), Actions: []string{"resolve"}})
		return nil
	}
	sent, err := canceller.CancelPO(ctx, po, &a.Order)
	if err != nil {
		return fmt.Errorf("cancel PO %s with %s: %w", number, po.Supplier, err)
	}
	cause := model.Cause{Kind: model.CauseSystem, Ref: "job/" + j.ID}
	var out lifecycle.Outcome
	a, err = e.update(ctx, orderID, func(a *model.Aggregate) error {
		out = lifecycle.Outcome{}
		po := a.PO(number)
		if po == nil || po.RefValue("dropgate:cancel_sent") != "" {
			return errNoChange
		}
		now := e.now()
		po.SetRef("dropgate:cancel_sent", now.Format("2006-01-02T15:04:05Z"))
		a.Log(model.TimelineEntry{At: now, Entity: "po:" + number, Event: "po.cancel_sent", Cause: cause,
			Message: fmt.Sprintf("cancellation of %s sent to %s as %s", number, po.Supplier, orDash(sent.Document))})
		if sent.Ack != nil {
			return e.applySyncAck(a, sent.Ack, "sync-cancel:"+number, cause, &out)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if po := a.PO(number); po != nil {
		if err := e.trackInterchange(ctx, po, sent); err != nil {
			return err
		}
	}
	return e.effects(ctx, a, out, nil)
}

// applySyncAck applies an answer the supplier gave in the same call (an
// HTTP API accepting or rejecting lines), rerouting what it released.
func (e *Engine) applySyncAck(a *model.Aggregate, ack *model.POAck, docID string, cause model.Cause, out *lifecycle.Outcome) error {
	o, err := lifecycle.ApplyPOAck(a, ack, docID, lifecycle.Step{At: e.now(), Cause: cause})
	if err != nil {
		return fault.Permanent(err)
	}
	*out = o
	if o.Reroute {
		out.Exceptions = append(out.Exceptions, e.route(a, cause, true)...)
	}
	return nil
}
