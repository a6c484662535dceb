package edi_x12

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/edipartner"
	"github.com/dropgate/dropgate/internal/x12"
)

var _ connector.ReturnRequester = (*Connector)(nil)

// Capabilities is everything the connector implements, with return
// requests (X12 180) only for a partner whose profile says it takes them
// (partner.rma: edi_180); the others' returns wait for an operator.
func (c *Connector) Capabilities() connector.Caps {
	if c.caps.Offers == nil {
		return c.capabilities() // a Connector not made by New
	}
	caps := c.caps
	caps.Offers = slices.Clone(caps.Offers) // the caller's to change
	return caps
}

func (c *Connector) capabilities() connector.Caps {
	caps := connector.Implemented(c)
	if c.cfg.Partner.RMA != rma180 {
		caps.Offers = slices.DeleteFunc(caps.Offers, func(x connector.Capability) bool { return x == connector.CapReturns })
	}
	return caps
}

// RequestReturn asks the partner to authorise a customer return: an X12
// 180 (Return Merchandise Authorization and Notification) put in the
// outbox as <return id>.180.x12. Its control number is allocated once
// per return, so a retry rewrites the same file with the same number.
// The partner answers with its RMA number by its usual means; an
// operator records it (dropgate returns authorize).
func (c *Connector) RequestReturn(ctx context.Context, r *model.Return, po *model.PurchaseOrder, order *model.Order) (connector.ReturnSent, error) {
	if po == nil {
		return connector.ReturnSent{}, fault.Permanentf("180 %s: the return names no purchase order", r.ID)
	}
	out := edipartner.Outbound{PO: r.ID, Name: r.ID + ".180." + names.Ext, Once: edipartner.OrderKey("180", "00", r.ID), Ref: RefISA13,
		Render: func(ctrl int64) ([]byte, error) { return c.Render180(r, po, order, ctrl, c.env.Clock.Now()) }}
	sent, err := c.Deliver(ctx, c.env.Counters, out)
	if err != nil {
		return connector.ReturnSent{}, err
	}
	return connector.ReturnSent{Document: sent.Document}, nil
}

// Render180 writes one interchange (GS01 AN) holding one 180 for the
// return, in the 004010 layout drop-ship partners use for a return
// request:
//
//	BGN*00*<return id>*<date>     BGN01 00: original
//	RDR*CR***<reason>              disposition CR: credit; RDR04 the reason
//	PRF*<PO number>                the purchase order that shipped the units
//	N9*CO*<channel order no.>      the customer's order number
//	N9*RZ*<return id>              the return's reference
//	BLI*VP*<supplier SKU>*<qty>*EA one per returned line
//	N9*BP*<our SKU>, PID*F****<description>
func (c *Connector) Render180(r *model.Return, po *model.PurchaseOrder, order *model.Order, ctrl int64, now time.Time) ([]byte, error) {
	e, err := c.newEnvelope(now)
	if err != nil {
		return nil, fault.Permanent(fmt.Errorf("180 %s: %w", r.ID, err))
	}
	e.fid = "AN"
	_ = e.Begin(ctrl)
	writeReturnSet(e.w, r, po, order, e.now)
	data, err := e.End()
	if err != nil {
		return nil, fault.Permanent(fmt.Errorf("180 %s: %w", r.ID, err))
	}
	return data, nil
}

func writeReturnSet(w *x12.Writer, r *model.Return, po *model.PurchaseOrder, order *model.Order, now time.Time) {
	_ = w.BeginSet(x12.SetHeader{ID: "180", Control: "0001"})
	_ = w.WriteSegment("BGN", "00", r.ID, now.Format("20060102"))
	_ = w.WriteSegment("RDR", "CR", "", "", truncate(r.Reason, 80))
	_ = w.WriteSegment("PRF", po.Number)
	if order != nil && order.ChannelOrderNumber != "" {
		_ = w.WriteSegment("N9", "CO", order.ChannelOrderNumber)
	}
	_ = w.WriteSegment("N9", "RZ", r.ID)
	for _, l := range r.Lines {
		_ = w.WriteSegment("BLI", "VP", l.SupplierSKU, strconv.FormatInt(l.Quantity, 10), "EA")
		if l.SKU != "" {
			_ = w.WriteSegment("N9", "BP", l.SKU)
		}
		if l.Description != "" {
			_ = w.WriteSegment("PID", "F", "", "", "", truncate(l.Description, 80))
		}
	}
	_ = w.EndSet()
}
