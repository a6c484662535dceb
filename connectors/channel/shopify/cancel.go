package shopify

import (
	"context"
	"net/http"
	"strings"

	goshopify "github.com/bold-commerce/go-shopify/v4"

	"github.com/dropgate/dropgate/core/model"
)

// CancelOrder cancels the order on Shopify (POST orders/{id}/cancel.json,
// https://shopify.dev/docs/api/admin-rest/latest/resources/order#post-orders-order-id-cancel).
// It is idempotent: when Shopify refuses because the order is already
// cancelled (a retry after a lost response), it succeeds. Shopify refuses
// to cancel an order with fulfillments
// (https://shopify.dev/changelog/fulfilled-and-partially-fulfilled-orders-can-no-longer-be-canceled-by-using-the-order-resource);
// that is a permanent error carrying Shopify's message. No refund is
// issued here: payments are their own capability.
func (c *Connector) CancelOrder(ctx context.Context, order *model.Order, reason string) error {
	id, err := parseID("order id", order.ChannelOrderID)
	if err != nil {
		return err
	}
	api, err := c.api()
	if err != nil {
		return err
	}
	_, err = api.Order.Cancel(ctx, id, map[string]string{"reason": cancelReason(reason)})
	if err == nil {
		return nil
	}
	err = c.classify(err, "order %d: cancel", id)
	if statusOf(err) != http.StatusUnprocessableEntity {
		return err
	}
	o, gerr := api.Order.Get(ctx, id, goshopify.ListOptions{Fields: "id,cancelled_at"})
	if gerr == nil && o != nil && o.CancelledAt != nil {
		return nil
	}
	return err
}

// cancelReason maps a canonical reason to one Shopify accepts: customer,
// declined, fraud, inventory, staff or other.
func cancelReason(reason string) string {
	r := strings.ToLower(strings.TrimSpace(reason))
	switch r {
	case "customer", "declined", "fraud", "inventory", "staff", "other":
		return r
	}
	switch {
	case strings.Contains(r, "stock"), strings.Contains(r, "inventory"), strings.Contains(r, "supplier"),
		strings.Contains(r, "backorder"), strings.Contains(r, "unavailable"):
		return "inventory"
	case strings.Contains(r, "payment"), strings.Contains(r, "declined"):
		return "declined"
	case strings.Contains(r, "fraud"):
		return "fraud"
	case strings.Contains(r, "customer"), strings.Contains(r, "buyer"):
		return "customer"
	}
	return "other"
}
