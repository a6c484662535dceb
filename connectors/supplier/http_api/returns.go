package http_api

import (
	"context"
	"fmt"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
)

var _ connector.ReturnRequester = (*Connector)(nil)

// RequestReturn sends the return_request: the return's id is its
// idempotency key, so a retry is the same request. A refused status
// (return_request.refused) rejects the return with the supplier's
// message; a 2xx whose answer holds an RMA number (return_request.rma)
// authorises it; any other 2xx leaves the answer to an operator.
func (c *Connector) RequestReturn(ctx context.Context, r *model.Return, po *model.PurchaseOrder, order *model.Order) (connector.ReturnSent, error) {
	if c.c.returnReq == nil {
		return connector.ReturnSent{}, c.permanentf("http_api %s: no return_request is configured", c.env.Name)
	}
	if po == nil {
		return connector.ReturnSent{}, c.permanentf("http_api %s: return %s names no purchase order", c.env.Name, r.ID)
	}
	op := fmt.Sprintf("http_api %s: return %s of order %s", c.env.Name, r.ID, po.Number)
	d := c.data(po, order, po.RefValue(c.refSystem()), r.ID)
	d.Return = r
	rep, err := c.call(ctx, op, c.c.returnReq, d, r.ID)
	if err != nil {
		return connector.ReturnSent{}, err
	}
	sent := connector.ReturnSent{Document: "return request " + r.ID}
	switch {
	case c.c.returnRefused[rep.status]:
		sent.Decision = &connector.ReturnDecision{Reason: c.errorText(rep.body)}
		return sent, nil
	case rep.status < 200 || rep.status > 299:
		return connector.ReturnSent{}, c.statusError(op, rep)
	case c.c.rmaPath == nil:
		return sent, nil
	}
	doc, err := decodeJSON(rep.body)
	var rma string
	if err == nil {
		rma, err = optionalText(c.c.rmaPath, doc, "$")
	}
	if err != nil {
		c.env.Logger.Error("http_api: cannot read the RMA number; an operator records the answer",
			"connector", c.env.Name, "return", r.ID, "err", c.red.string(err.Error()))
		return sent, nil
	}
	if rma != "" {
		sent.Decision = &connector.ReturnDecision{Authorized: true, RMA: rma}
	}
	return sent, nil
}
