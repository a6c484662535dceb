package shopify

import (
	"context"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

// A returns/request webhook is a return request on its order, its lines
// named by the order's line item ids (the canonical line ids), ids read
// exactly (beyond 2^53).
func TestDecodeReturnRequest(t *testing.T) {
	c := &Connector{}
	body := []byte(`{"id": 9007199254740993, "name": "#1001-R1", "status": "requested", "order": {"id": 9007199254740995},
 "return_line_items": [{"id": 1, "quantity": 2, "return_reason": "size_too_small", "return_reason_note": "", "customer_note": "too big",
  "fulfillment_line_item": {"id": 7, "line_item": {"id": 9007199254740997}}}]}`)
	evs, err := c.DecodeEvent(context.Background(), "returns/request", body)
	if err != nil || len(evs) != 1 {
		t.Fatalf("%v %v", evs, err)
	}
	ev := evs[0]
	if ev.Kind != connector.EventReturnRequested || ev.ChannelOrderID != "9007199254740995" || ev.Return == nil {
		t.Fatalf("event %+v", ev)
	}
	r := ev.Return
	if r.ID != "9007199254740993" || len(r.Lines) != 1 || r.Lines[0] != (connector.ReturnRequestLine{LineID: "9007199254740997", Quantity: 2}) ||
		r.Reason != "size_too_small: too big" {
		t.Fatalf("return %+v", r)
	}
	for name, bad := range map[string]string{
		"no id":       `{"order": {"id": 1}, "return_line_items": [{"quantity": 1, "fulfillment_line_item": {"line_item": {"id": 3}}}]}`,
		"no order":    `{"id": 1, "return_line_items": [{"quantity": 1, "fulfillment_line_item": {"line_item": {"id": 3}}}]}`,
		"no lines":    `{"id": 1, "order": {"id": 1}, "return_line_items": []}`,
		"no line id":  `{"id": 1, "order": {"id": 1}, "return_line_items": [{"quantity": 1}]}`,
		"broken json": `{"id": 1,`,
	} {
		if _, err := c.DecodeEvent(context.Background(), "returns/request", []byte(bad)); !fault.IsPermanent(err) {
			t.Errorf("%s: %v, want a permanent error", name, err)
		}
	}
}
