package apptest

import (
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// Cause is what the rigs' tests take orders in and cancel them by: a
// webhook.
var Cause = model.Cause{Kind: model.CauseWebhook, Ref: "test"}

// NewOrder is a valid order of channel with the channel's order id id: in
// USD, to an address in Austin, TX.
func NewOrder(channel, id string, lines ...model.OrderLine) *model.Order {
	return &model.Order{
		ID: model.OrderID(channel, id), Channel: channel, ChannelOrderID: id, ChannelOrderNumber: "#" + id, Currency: "USD",
		ShippingAddress: &model.Address{Name: "Ada", Line1: "1 Road", City: "Austin", Region: "TX", PostalCode: "78701", Country: "US"},
		Lines:           lines,
	}
}

// Line is an order line of qty units of sku at 20.00 USD.
func Line(id, sku string, qty int64) model.OrderLine {
	return model.OrderLine{ID: id, SKU: sku, Quantity: qty, UnitPrice: money.MustParse("20.00", "USD")}
}

// Cancellation is the channel's proven cancellation of o: the event
// carries the order showing it cancelled, half an hour after Start.
func Cancellation(o *model.Order, reason string) connector.ChannelEvent {
	c := *o
	at := Start.Add(30 * time.Minute)
	c.CancelledAt, c.CancelReason = &at, reason
	return connector.ChannelEvent{Kind: connector.EventOrderCancelled, ChannelOrderID: o.ChannelOrderID, Order: &c, Reason: reason, At: at}
}
