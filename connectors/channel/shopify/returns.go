package shopify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

// returnWebhook is what dropgate reads of a returns/request webhook (a
// customer asked for a return in the store's customer account): the
// return, its order, and per line the order's line item and quantity.
// Ids are read as int64, never through a float.
type returnWebhook struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
	Order  struct {
		ID int64 `json:"id"`
	} `json:"order"`
	Lines []struct {
		Quantity            int64  `json:"quantity"`
		ReturnReason        string `json:"return_reason"`
		ReturnReasonNote    string `json:"return_reason_note"`
		CustomerNote        string `json:"customer_note"`
		FulfillmentLineItem struct {
			LineItem struct {
				ID int64 `json:"id"`
			} `json:"line_item"`
		} `json:"fulfillment_line_item"`
	} `json:"return_line_items"`
}

// decodeReturnRequest maps a returns/request body to a return request on
// its order, its lines named by the order's line item ids.
func decodeReturnRequest(body []byte) ([]connector.ChannelEvent, error) {
	var w returnWebhook
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&w); err != nil {
		return nil, fault.Permanent(fmt.Errorf("shopify: returns/request: %w", err))
	}
	switch {
	case w.ID == 0:
		return nil, fault.Permanentf("shopify: returns/request: $.id: missing return id")
	case w.Order.ID == 0:
		return nil, fault.Permanentf("shopify: returns/request: $.order.id: missing order id")
	case len(w.Lines) == 0:
		return nil, fault.Permanentf("shopify: returns/request: $.return_line_items: no lines")
	}
	r := &connector.ReturnRequest{ID: strconv.FormatInt(w.ID, 10)}
	for i, l := range w.Lines {
		id := l.FulfillmentLineItem.LineItem.ID
		if id == 0 || l.Quantity <= 0 {
			return nil, fault.Permanentf("shopify: returns/request: $.return_line_items[%d]: needs fulfillment_line_item.line_item.id and a positive quantity", i)
		}
		r.Lines = append(r.Lines, connector.ReturnRequestLine{LineID: strconv.FormatInt(id, 10), Quantity: l.Quantity})
		if r.Reason == "" {
			r.Reason = reasonOf(l.ReturnReason, l.ReturnReasonNote, l.CustomerNote)
		}
	}
	return []connector.ChannelEvent{{Kind: connector.EventReturnRequested, ChannelOrderID: strconv.FormatInt(w.Order.ID, 10), Return: r}}, nil
}

// reasonOf joins Shopify's reason code with the notes that explain it.
func reasonOf(code string, notes ...string) string {
	out := code
	for _, n := range notes {
		if n == "" {
			continue
		}
		if out != "" {
			out += ": "
		}
		out += n
	}
	return out
}
