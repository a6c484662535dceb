package metacommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/jsonpos"
)

// Topics of DecodeEvent.
const (
	// TopicOrder is one order object as GET /{order_id} (with the
	// orderFields) answers it.
	TopicOrder = "order"
	// TopicOrders is a page of GET /{cms_id}/commerce_orders:
	// {"data": [order…], "paging": {…}}.
	TopicOrders = "orders"
	// TopicWebhook is a commerce webhook delivery: a ping naming orders,
	// each fetched (see webhook.go).
	TopicWebhook = "webhook"
)

// orderFields are the fields the connector asks of an order; items,
// cancellations and refunds come through field expansion of the order's
// edges so one call reads the whole order.
const orderFields = "id,order_status,created,last_updated,merchant_order_id,channel,ship_by_date,buyer_details," +
	"shipping_address,selected_shipping_option,estimated_payment_details," +
	"items{id,product_id,retailer_id,product_name,quantity,price_per_unit,tax_details}," +
	"cancellations{id,cancel_reason,items},refunds{id,total_refund_amount}"

// mAmount is Meta's currency amount: a decimal string and a currency.
type mAmount struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

type mItem struct {
	ID           string      `json:"id"`
	ProductID    string      `json:"product_id"`
	RetailerID   string      `json:"retailer_id"`
	ProductName  string      `json:"product_name"`
	Quantity     json.Number `json:"quantity"`
	PricePerUnit mAmount     `json:"price_per_unit"`
	TaxDetails   struct {
		EstimatedTax mAmount `json:"estimated_tax"`
	} `json:"tax_details"`
}

type mCancellation struct {
	ID           string `json:"id"`
	CancelReason struct {
		ReasonCode        string `json:"reason_code"`
		ReasonDescription string `json:"reason_description"`
	} `json:"cancel_reason"`
	Items struct {
		Data []struct {
			ID         string      `json:"id"`
			RetailerID string      `json:"retailer_id"`
			Quantity   json.Number `json:"quantity"`
		} `json:"data"`
	} `json:"items"`
}

// mOrder is the part of a Meta commerce order dropgate reads.
// https://developers.facebook.com/docs/commerce-platform/order-management/order-api
type mOrder struct {
	ID          string `json:"id"`
	OrderStatus struct {
		State string `json:"state"`
	} `json:"order_status"`
	Created         string `json:"created"`
	LastUpdated     string `json:"last_updated"`
	MerchantOrderID string `json:"merchant_order_id"`
	Channel         string `json:"channel"`
	ShipByDate      string `json:"ship_by_date"`
	BuyerDetails    struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"buyer_details"`
	ShippingAddress struct {
		Name       string `json:"name"`
		Street1    string `json:"street1"`
		Street2    string `json:"street2"`
		City       string `json:"city"`
		State      string `json:"state"`
		PostalCode string `json:"postal_code"`
		Country    string `json:"country"`
	} `json:"shipping_address"`
	SelectedShippingOption struct {
		Name          string  `json:"name"`
		Price         mAmount `json:"price"`
		CalculatedTax mAmount `json:"calculated_tax"`
	} `json:"selected_shipping_option"`
	EstimatedPaymentDetails struct {
		TotalAmount mAmount `json:"total_amount"`
	} `json:"estimated_payment_details"`
	Items *struct {
		Data []mItem `json:"data"`
	} `json:"items"`
	Cancellations *struct {
		Data []mCancellation `json:"data"`
	} `json:"cancellations"`
	Refunds *struct {
		Data []struct {
			ID                string  `json:"id"`
			TotalRefundAmount mAmount `json:"total_refund_amount"`
		} `json:"data"`
	} `json:"refunds"`
}

// mList is a page of an edge.
type mList struct {
	Data   []json.RawMessage `json:"data"`
	Paging *struct {
		Cursors struct {
			After string `json:"after"`
		} `json:"cursors"`
		Next string `json:"next"`
	} `json:"paging"`
}

// DecodeEvent maps an order (TopicOrder), a list page (TopicOrders, one
// event per order) or a webhook ping (TopicWebhook: the named orders are
// fetched) into events.
func (c *Connector) DecodeEvent(ctx context.Context, topic string, body []byte) ([]connector.ChannelEvent, error) {
	switch topic {
	case TopicOrder:
		ev, err := c.decodeOrder(body, "$")
		if err != nil {
			return nil, err
		}
		return []connector.ChannelEvent{ev}, nil
	case TopicOrders:
		var l mList
		if err := jsonpos.Decode(body, &l); err != nil {
			return nil, fault.Permanent(fmt.Errorf("meta_commerce: order list: %w", err))
		}
		if l.Data == nil {
			return nil, fault.Permanentf("meta_commerce: order list: $.data is missing")
		}
		evs := make([]connector.ChannelEvent, 0, len(l.Data))
		for i, raw := range l.Data {
			ev, err := c.decodeOrder(raw, fmt.Sprintf("$.data[%d]", i))
			if err != nil {
				return nil, err
			}
			evs = append(evs, ev)
		}
		return evs, nil
	case TopicWebhook:
		return c.decodeWebhook(ctx, body)
	}
	return []connector.ChannelEvent{{Kind: connector.EventIgnored}}, nil
}

func (c *Connector) decodeOrder(body []byte, path string) (connector.ChannelEvent, error) {
	var mo mOrder
	if err := jsonpos.Decode(body, &mo); err != nil {
		return connector.ChannelEvent{}, fault.Permanent(fmt.Errorf("meta_commerce: order at %s: %w", path, err))
	}
	o, at, err := toOrder(c.env.Name, &mo, path)
	if err != nil {
		return connector.ChannelEvent{}, fault.Permanent(fmt.Errorf("meta_commerce: order %s: %w", mo.ID, err))
	}
	return connector.OrderEvent(o, at), nil
}

// parseTime reads Meta's ISO 8601 times ("2019-01-14T19:17:31+00:00",
// sometimes "+0000") and dates ("2019-01-16"); empty is the zero time.
func parseTime(path, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05-0700", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s: %q is not an ISO 8601 time", path, s)
}

// toOrder maps a Meta order to the canonical one and the instant it last
// changed; errors name the JSON path.
func toOrder(channel string, mo *mOrder, path string) (*model.Order, time.Time, error) {
	if mo.ID == "" {
		return nil, time.Time{}, fmt.Errorf("%s.id is missing", path)
	}
	placed, err := parseTime(path+".created", mo.Created)
	if err != nil {
		return nil, time.Time{}, err
	}
	if placed.IsZero() {
		return nil, time.Time{}, fmt.Errorf("%s.created is missing", path)
	}
	at, err := parseTime(path+".last_updated", mo.LastUpdated)
	if err != nil {
		return nil, time.Time{}, err
	}
	if at.Before(placed) {
		at = placed
	}
	if mo.Items == nil {
		return nil, time.Time{}, fmt.Errorf("%s.items is missing (the order was read without its items edge)", path)
	}
	sa := mo.ShippingAddress
	o := &model.Order{
		ID: model.OrderID(channel, mo.ID), Channel: channel, ChannelOrderID: mo.ID, ChannelOrderNumber: mo.MerchantOrderID,
		PlacedAt: placed, Status: model.OrderReceived, PaymentStatus: model.PaymentPaid, // Meta collects payment
		Customer: model.Customer{Name: mo.BuyerDetails.Name, Email: mo.BuyerDetails.Email},
		ShippingAddress: &model.Address{Name: sa.Name, Line1: sa.Street1, Line2: sa.Street2, City: sa.City, Region: sa.State,
			PostalCode: sa.PostalCode, Country: strings.ToUpper(sa.Country)},
		ShippingMethod: mo.SelectedShippingOption.Name,
	}
	if shipBy, err := parseTime(path+".ship_by_date", mo.ShipByDate); err != nil {
		return nil, time.Time{}, err
	} else if !shipBy.IsZero() {
		o.ShipBy = &shipBy
	}
	var cur string
	amount := func(p string, a mAmount, optional bool) (money.Money, error) {
		if a.Amount == "" && optional {
			return money.Money{}, nil
		}
		cc := strings.ToUpper(a.Currency)
		if !money.KnownCurrency(cc) {
			return money.Money{}, fmt.Errorf("%s.currency: %q is not an ISO 4217 currency", p, a.Currency)
		}
		if cur == "" {
			cur = cc
		} else if cc != cur {
			return money.Money{}, fmt.Errorf("%s.currency: %s in an order in %s", p, cc, cur)
		}
		m, err := money.Parse(a.Amount, cc)
		if err != nil {
			return money.Money{}, fmt.Errorf("%s.amount: %q in %s: %w", p, a.Amount, cc, err)
		}
		return m, nil
	}
	var sub, tax int64
	for i, it := range mo.Items.Data {
		p := fmt.Sprintf("%s.items.data[%d]", path, i)
		qty, err := quantity(p+".quantity", it.Quantity)
		if err != nil {
			return nil, time.Time{}, err
		}
		if it.ID == "" {
			return nil, time.Time{}, fmt.Errorf("%s.id is missing", p)
		}
		price, err := amount(p+".price_per_unit", it.PricePerUnit, false)
		if err != nil {
			return nil, time.Time{}, err
		}
		t, err := amount(p+".tax_details.estimated_tax", it.TaxDetails.EstimatedTax, true)
		if err != nil {
			return nil, time.Time{}, err
		}
		if qty > 0 && (price.Amount > math.MaxInt64/qty/4 || price.Amount < 0) {
			return nil, time.Time{}, fmt.Errorf("%s: %d × %s is out of range", p, qty, it.PricePerUnit.Amount)
		}
		sub += price.Amount * qty
		tax += t.Amount
		o.Lines = append(o.Lines, model.OrderLine{ID: it.ID, SKU: it.RetailerID, Title: it.ProductName, Quantity: qty,
			UnitPrice: price, Tax: money.Money{Amount: t.Amount}})
	}
	ship, err := amount(path+".selected_shipping_option.price", mo.SelectedShippingOption.Price, true)
	if err != nil {
		return nil, time.Time{}, err
	}
	shipTax, err := amount(path+".selected_shipping_option.calculated_tax", mo.SelectedShippingOption.CalculatedTax, true)
	if err != nil {
		return nil, time.Time{}, err
	}
	tax += shipTax.Amount
	if cur == "" {
		return nil, time.Time{}, fmt.Errorf("%s: no amount names the order's currency", path)
	}
	m := func(v int64) money.Money { return money.Money{Amount: v, Currency: cur} }
	o.Currency = cur
	o.Totals = model.Totals{Subtotal: m(sub), Shipping: m(ship.Amount), Tax: m(tax), Discount: m(0), Total: m(sub + ship.Amount + tax)}
	if mo.EstimatedPaymentDetails.TotalAmount.Amount != "" {
		// Meta's own total wins: it includes discounts the items do not show.
		total, err := amount(path+".estimated_payment_details.total_amount", mo.EstimatedPaymentDetails.TotalAmount, false)
		if err != nil {
			return nil, time.Time{}, err
		}
		o.Totals.Total = total
		if d := sub + ship.Amount + tax - total.Amount; d > 0 {
			o.Totals.Discount = m(d)
		}
	}
	for i := range o.Lines {
		o.Lines[i].Tax.Currency, o.Lines[i].Discount = cur, m(0)
	}
	if mo.Refunds != nil {
		// Refunds only move the payment status: what was refunded per
		// item is not read.
		var refunded int64
		for i, rf := range mo.Refunds.Data {
			m, err := amount(fmt.Sprintf("%s.refunds.data[%d].total_refund_amount", path, i), rf.TotalRefundAmount, true)
			if err != nil {
				return nil, time.Time{}, err
			}
			refunded += m.Amount
		}
		switch {
		case refunded > 0 && refunded >= o.Totals.Total.Amount:
			o.PaymentStatus = model.PaymentRefunded
		case refunded > 0:
			o.PaymentStatus = model.PaymentPartiallyRefunded
		}
	}
	if err := cancellations(o, mo, path); err != nil {
		return nil, time.Time{}, err
	}
	if strings.EqualFold(mo.OrderStatus.State, "CANCELLED") && o.CancelledAt == nil {
		for i := range o.Lines {
			o.Lines[i].Cancelled = o.Lines[i].Quantity
		}
		cancelled := at
		o.CancelledAt, o.CancelReason = &cancelled, "cancelled on Meta"
	}
	return o, at, nil
}

// cancellations counts the units Meta's cancellations cover per line
// (matched by item id, else retailer id); when every unit is covered the
// order is cancelled, with the first cancellation's reason.
func cancellations(o *model.Order, mo *mOrder, path string) error {
	if mo.Cancellations == nil || len(mo.Cancellations.Data) == 0 {
		return nil
	}
	reason := ""
	for i, cn := range mo.Cancellations.Data {
		if reason == "" {
			reason = strings.TrimSpace(cn.CancelReason.ReasonCode + " " + cn.CancelReason.ReasonDescription)
		}
		for j, it := range cn.Items.Data {
			p := fmt.Sprintf("%s.cancellations.data[%d].items.data[%d]", path, i, j)
			n, err := quantity(p+".quantity", it.Quantity)
			if err != nil {
				return err
			}
			for k := range o.Lines {
				l := &o.Lines[k]
				if (it.ID != "" && it.ID == l.ID) || (it.ID == "" && it.RetailerID != "" && it.RetailerID == l.SKU) {
					l.Cancelled = min(l.Cancelled+n, l.Quantity)
					break
				}
			}
		}
	}
	all := len(o.Lines) > 0
	for _, l := range o.Lines {
		if l.Cancelled < l.Quantity {
			all = false
		}
	}
	if all || strings.EqualFold(mo.OrderStatus.State, "CANCELLED") {
		at, _ := parseTime("", mo.LastUpdated)
		if at.IsZero() {
			at = o.PlacedAt
		}
		if reason == "" {
			reason = "cancelled on Meta"
		}
		o.CancelledAt, o.CancelReason = &at, reason
	}
	return nil
}

// quantity reads a whole quantity (a JSON number or string).
func quantity(path string, n json.Number) (int64, error) {
	s := n.String()
	if s == "" {
		return 0, fmt.Errorf("%s is missing", path)
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%s: %q is not a whole quantity", path, s)
	}
	return v, nil
}
