package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// docPayload is a canonical supplier document on its way to its order.
type docPayload struct {
	Supplier string               `json:"supplier"`
	Source   string               `json:"source"` // inbound file or message it came from
	Doc      connector.InboundDoc `json:"doc"`
}

// QueueDocument routes one canonical document to its order's queue group.
// The document's id is its unique key: a file delivered twice yields each
// document once.
func (e *Engine) QueueDocument(ctx context.Context, supplier, source string, d connector.InboundDoc) error {
	if d.PONumber == "" {
		return fault.Permanentf("document %s from %s names no purchase order", d.ID, supplier)
	}
	orderID, err := e.OrderOfPO(ctx, d.PONumber)
	if errors.Is(err, store.ErrNotFound) {
		return e.raise(ctx, model.Exception{Kind: model.ExDocumentRejected, Supplier: supplier, PONumber: d.PONumber, Ref: d.ID,
			Reason: fmt.Sprintf("%s sent %s for purchase order %s, which dropgate never issued", supplier, docKind(d), d.PONumber), Actions: []string{"discard"}})
	}
	if err != nil {
		return err
	}
	payload, err := json.Marshal(docPayload{Supplier: supplier, Source: source, Doc: d})
	if err != nil {
		return fault.Permanent(err)
	}
	return e.enqueue(ctx, store.Job{Queue: QueueInbound, Kind: KindDocApply, Group: orderID, Payload: payload,
		Meta:      map[string]string{"order": orderID, "po": d.PONumber, "supplier": supplier, "doc": d.ID, "type": docKind(d)},
		UniqueKey: "doc:" + supplier + ":" + d.ID, UniqueTTL: 90 * 24 * time.Hour})
}

func docKind(d connector.InboundDoc) string {
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
	}
	return "document"
}

// handleDocApply applies a supplier document to its order: the lifecycle
// decides, the engine saves and queues what follows (reroutes, channel
// fulfillments, cancellations, exceptions).
func (e *Engine) handleDocApply(ctx context.Context, j *store.Job) error {
	var p docPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return fault.Permanentf("doc.apply: bad payload: %v", err)
	}
	d := p.Doc
	orderID := j.Meta["order"]
	cause := model.Cause{Kind: model.CauseDocument, Ref: p.Supplier + "/" + firstNonEmpty(p.Source, d.ID)}
	var out lifecycle.Outcome
	var extra []model.Exception
	a, err := e.update(ctx, orderID, func(a *model.Aggregate) error {
		out, extra = lifecycle.Outcome{}, nil
		step := lifecycle.Step{At: e.now(), Cause: cause}
		var err error
		switch {
		case d.POAck != nil:
			out, err = lifecycle.ApplyPOAck(a, d.POAck, d.ID, step)
		case d.ShipNotice != nil:
			out, err = lifecycle.ApplyShipNotice(a, d.ShipNotice, d.ID, step)
		case d.Invoice != nil:
			out, err = lifecycle.ApplyInvoice(a, d.Invoice, d.ID, step)
		default:
			return errNoChange
		}
		if err != nil {
			return fault.Permanent(fmt.Errorf("apply %s %s to order %s: %w", docKind(d), d.ID, orderID, err))
		}
		if !out.Changed {
			return errNoChange
		}
		logDocWarnings(a, p.Supplier, d, step)
		if out.Reroute && a.Order.Status != model.OrderCancelled {
			extra = e.route(a, cause, true)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return e.effects(ctx, a, out, extra)
}

// handleSLA runs when a PO's acknowledgement or shipment is due.
func (e *Engine) handleSLA(ctx context.Context, j *store.Job) error {
	orderID, number, supplier := j.Meta["order"], j.Meta["po"], j.Meta["supplier"]
	onBreach := e.Profiles[supplier].SLA.OnBreach
	cause := model.Cause{Kind: model.CauseTimer, Ref: j.Kind}
	var out lifecycle.Outcome
	var extra []model.Exception
	a, err := e.update(ctx, orderID, func(a *model.Aggregate) error {
		out, extra = lifecycle.Outcome{}, nil
		step := lifecycle.Step{At: e.now(), Cause: cause}
		if j.Kind == KindSLAAck {
			out = lifecycle.CheckAckSLA(a, number, onBreach, step)
		} else {
			out = lifecycle.CheckShipSLA(a, number, onBreach, step)
		}
		if !out.Changed {
			return errNoChange
		}
		if out.Reroute {
			extra = e.route(a, cause, true)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return e.effects(ctx, a, out, extra)
}

// handleFulfillment tells the channel about a shipment.
func (e *Engine) handleFulfillment(ctx context.Context, j *store.Job) error {
	orderID, shipID := j.Meta["order"], j.Meta["shipment"]
	a, _, err := e.load(ctx, orderID)
	if err != nil {
		return err
	}
	var sh *model.Shipment
	for i := range a.Shipments {
		if a.Shipments[i].ID == shipID {
			sh = &a.Shipments[i]
		}
	}
	if sh == nil {
		return fault.Permanentf("fulfillment: order %s has no shipment %s", orderID, shipID)
	}
	if sh.ChannelFulfillmentID != "" {
		return nil
	}
	ch, ok := e.Channels[a.Order.Channel]
	if !ok {
		return fault.Permanentf("fulfillment: channel %q is not configured", a.Order.Channel)
	}
	pusher, ok := connector.As[connector.FulfillmentPusher](ch)
	if !ok {
		return nil // a channel without fulfillments (a marketplace polled elsewhere)
	}
	id, err := pusher.PushFulfillment(ctx, &a.Order, sh)
	if err != nil {
		return fmt.Errorf("push shipment %s to %s: %w", shipID, a.Order.Channel, err)
	}
	cause := model.Cause{Kind: model.CauseSystem, Ref: "job/" + j.ID}
	_, err = e.update(ctx, orderID, func(a *model.Aggregate) error {
		if !lifecycle.RecordFulfillment(a, shipID, id, lifecycle.Step{At: e.now(), Cause: cause}) {
			return errNoChange
		}
		return nil
	})
	return err
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
