package email

import (
	"bytes"
	"context"
	"fmt"
	texttemplate "text/template"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
)

var _ connector.ReturnRequester = (*Connector)(nil)

// returnText is the body of a return request. Like the PO's, its lines
// read "SKU x QTY  description" and avoid the phrases reply patterns
// look for.
var returnText = texttemplate.Must(texttemplate.New("rma").Parse(`Hello,

our customer is sending back items of purchase order {{.PO.Number}}{{with .Order.ChannelOrderNumber}} (order {{.}}){{end}}.
Please authorise the return and reply with your RMA number, keeping
{{.Return.ID}} in the subject.

Return reference: {{.Return.ID}}
{{- with .Return.Reason}}
Reason: {{.}}{{end}}

Items:
{{range .Return.Lines}}- {{.SupplierSKU}} x {{.Quantity}}  {{.Description}} (our SKU {{.SKU}})
{{end}}
Thank you,
{{.Sender}}
`))

// RequestReturn e-mails the supplier a return request (an RMA request),
// threaded under the PO's message. Its Message-ID derives from the
// return's id (<ret_….rma@dropgate.…>), so a retry is the same message.
func (c *Connector) RequestReturn(ctx context.Context, r *model.Return, po *model.PurchaseOrder, order *model.Order) (connector.ReturnSent, error) {
	data, id, err := c.RenderReturn(r, po, order)
	if err != nil {
		return connector.ReturnSent{}, err
	}
	if err := c.out.deliver(ctx, r.ID+".rma.eml", c.from.Address, c.rcpts, data); err != nil {
		return connector.ReturnSent{}, fmt.Errorf("email %s: return %s: %w", c.env.Name, r.ID, err)
	}
	return connector.ReturnSent{Document: "<" + id + ">"}, nil
}

// RenderReturn builds the RFC 5322 message of a return request and
// returns it with its Message-ID.
func (c *Connector) RenderReturn(r *model.Return, po *model.PurchaseOrder, order *model.Order) ([]byte, string, error) {
	if po == nil {
		return nil, "", fault.Permanentf("email %s: return %s names no purchase order", c.env.Name, r.ID)
	}
	if order == nil {
		order = &model.Order{}
	}
	var text bytes.Buffer
	d := struct {
		Return *model.Return
		PO     *model.PurchaseOrder
		Order  *model.Order
		Sender string
	}{r, po, order, senderName(c.from)}
	if err := returnText.Execute(&text, d); err != nil {
		return nil, "", fault.Permanent(fmt.Errorf("email %s: return %s: %w", c.env.Name, r.ID, err))
	}
	subject := fmt.Sprintf("RETURN request %s for purchase order %s", r.ID, po.Number)
	o := &outgoing{From: c.from, To: c.to, Cc: c.cc, ReplyTo: c.replyTo, Date: c.env.Clock.Now(),
		MessageID: messageID(r.ID+".rma", c.fromDomain, false), InReplyTo: messageID(po.Number, c.fromDomain, false),
		PONumber: po.Number, Kind: "return-request", Body: rendered{Subject: subject, Text: text.String()}}
	data, err := o.build()
	if err != nil {
		return nil, "", fault.Permanent(err)
	}
	return data, o.MessageID, nil
}
