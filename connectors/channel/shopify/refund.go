package shopify

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	goshopify "github.com/bold-commerce/go-shopify/v4"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
)

// PushRefund records a refunded return on the Shopify order
// (POST orders/{id}/refunds.json,
// https://shopify.dev/docs/api/admin-rest/latest/resources/refund): the
// returned line items and quantities, restock_type "no_restock" (dropgate
// holds no stock; the supplier took the units back), notify false (the
// customer heard from the payment provider). It sends no transactions: a
// return reaches "refunded" only when dropgate's payment provider moved
// the money, and a transaction would make Shopify refund its gateway a
// second time. The refund is a record; no amount is sent.
//
// Shopify takes no idempotency key for refunds, so the note carries the
// return id, and the order's refunds are listed first: a refund with that
// note and the same lines is this one (a retry after a lost response).
func (c *Connector) PushRefund(ctx context.Context, order *model.Order, r *model.Return) error {
	id, err := parseID("order id", order.ChannelOrderID)
	if err != nil {
		return err
	}
	want, err := refundLines(r)
	if err != nil {
		return err
	}
	api, err := c.api()
	if err != nil {
		return err
	}
	done, err := refunded(ctx, api, id, r.ID, want)
	if err != nil {
		return c.classify(err, "order %d: list refunds", id)
	}
	if done {
		return nil
	}
	body := refundRequest{Refund: refundBody{Note: refundNote(r), Notify: false}}
	for _, li := range slices.Sorted(maps.Keys(want)) {
		body.Refund.Lines = append(body.Refund.Lines, refundLine{LineItemID: li, Quantity: want[li], RestockType: "no_restock"})
	}
	err = api.Post(ctx, fmt.Sprintf("orders/%d/refunds.json", id), body, nil)
	if err == nil {
		return nil
	}
	err = c.classify(err, "order %d: refund return %s", id, r.ID)
	if statusOf(err) == http.StatusUnprocessableEntity {
		// A concurrent attempt may have won; then the quantities are gone.
		if done, lerr := refunded(ctx, api, id, r.ID, want); lerr == nil && done {
			return nil
		}
	}
	return err
}

type refundRequest struct {
	Refund refundBody `json:"refund"`
}

// refundBody has no transactions on purpose (see PushRefund).
type refundBody struct {
	Note   string       `json:"note"`
	Notify bool         `json:"notify"`
	Lines  []refundLine `json:"refund_line_items"`
}

type refundLine struct {
	LineItemID  uint64 `json:"line_item_id"`
	Quantity    int64  `json:"quantity"`
	RestockType string `json:"restock_type,omitempty"`
}

type refundList struct {
	Refunds []struct {
		Note  string       `json:"note"`
		Lines []refundLine `json:"refund_line_items"`
	} `json:"refunds"`
}

// refundMarker identifies return id in a refund's note; the brackets keep
// ret_1 from matching ret_12.
func refundMarker(id string) string { return "[dropgate return " + id + "]" }

func refundNote(r *model.Return) string {
	return fmt.Sprintf("%s refunded %s through the payment provider", refundMarker(r.ID), r.Refund)
}

// refundLines sums the return's units per Shopify line item id.
func refundLines(r *model.Return) (map[uint64]int64, error) {
	want := map[uint64]int64{}
	for i, l := range r.Lines {
		li, err := parseID(fmt.Sprintf("return %s: lines[%d].order_line_id", r.ID, i), l.OrderLineID)
		if err != nil {
			return nil, err
		}
		if l.Quantity <= 0 {
			return nil, fault.Permanentf("shopify: return %s: lines[%d]: quantity %d is not positive", r.ID, i, l.Quantity)
		}
		want[li] += l.Quantity
	}
	if len(want) == 0 {
		return nil, fault.Permanentf("shopify: return %s has no lines to refund", r.ID)
	}
	return want, nil
}

// refunded reports whether the order has a refund of return id with
// exactly the wanted lines.
func refunded(ctx context.Context, api *goshopify.Client, orderID uint64, id string, want map[uint64]int64) (bool, error) {
	var list refundList
	if err := api.Get(ctx, fmt.Sprintf("orders/%d/refunds.json", orderID), &list, nil); err != nil {
		return false, err
	}
	for _, rf := range list.Refunds {
		if !strings.Contains(rf.Note, refundMarker(id)) {
			continue
		}
		got := map[uint64]int64{}
		for _, l := range rf.Lines {
			got[l.LineItemID] += l.Quantity
		}
		if maps.Equal(got, want) {
			return true, nil
		}
	}
	return false, nil
}

var _ connector.RefundPusher = (*Connector)(nil)
