package woocommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/jsonpos"
)

// wcOrder is the part of a WC REST v3 order dropgate reads. Ids and money
// stay as their JSON text (json.Number, decimal strings): never a float.
type wcOrder struct {
	ID              json.Number `json:"id"`
	Number          string      `json:"number"`
	Status          string      `json:"status"`
	Currency        string      `json:"currency"`
	DateCreated     string      `json:"date_created"`
	DateCreatedGMT  string      `json:"date_created_gmt"`
	DateModifiedGMT string      `json:"date_modified_gmt"`
	DatePaidGMT     *string     `json:"date_paid_gmt"`
	DiscountTotal   string      `json:"discount_total"`
	ShippingTotal   string      `json:"shipping_total"`
	Total           string      `json:"total"`
	TotalTax        string      `json:"total_tax"`
	CustomerID      json.Number `json:"customer_id"`
	CustomerNote    string      `json:"customer_note"`
	Billing         *wcAddress  `json:"billing"`
	Shipping        *wcAddress  `json:"shipping"`
	LineItems       []wcLine    `json:"line_items"`
	ShippingLines   []struct {
		MethodTitle string `json:"method_title"`
		Total       string `json:"total"`
	} `json:"shipping_lines"`
}

type wcAddress struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Company   string `json:"company"`
	Address1  string `json:"address_1"`
	Address2  string `json:"address_2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postcode  string `json:"postcode"`
	Country   string `json:"country"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
}

type wcLine struct {
	ID          json.Number `json:"id"`
	Name        string      `json:"name"`
	ProductID   json.Number `json:"product_id"`
	VariationID json.Number `json:"variation_id"`
	Quantity    json.Number `json:"quantity"`
	Subtotal    string      `json:"subtotal"`
	Total       string      `json:"total"`
	TotalTax    string      `json:"total_tax"`
	SKU         string      `json:"sku"`
	Price       json.Number `json:"price"`
}

// DecodeEvent maps an order webhook into canonical events. The topic header
// is not signed: it only selects the order topics; what happened is read
// from the signed body (status "cancelled" is a cancellation, whatever the
// topic). An order.deleted body of only {"id": N} proves nothing and is
// ignored with a warning; one whose status is cancelled or trash cancels.
func (c *Connector) DecodeEvent(_ context.Context, topic string, body []byte) ([]connector.ChannelEvent, error) {
	var kind connector.EventKind
	switch topic {
	case "order.created":
		kind = connector.EventOrderCreated
	case "order.updated", "order.restored", "order.deleted":
		kind = connector.EventOrderUpdated
	default:
		return []connector.ChannelEvent{{Kind: connector.EventIgnored}}, nil
	}
	wo, err := parseOrder(body)
	if err != nil {
		return nil, fault.Permanent(fmt.Errorf("woocommerce: %s: %w", topic, err))
	}
	if wo.ID == "" || wo.ID == "0" {
		return nil, fault.Permanent(fmt.Errorf("woocommerce: %s: $.id: missing order id", topic))
	}
	if wo.Status == "" && wo.Currency == "" && len(wo.LineItems) == 0 {
		c.log().Warn("woocommerce: delivery without an order in its body; ignored", "channel", c.env.Name, "topic", topic, "order", wo.ID.String())
		return []connector.ChannelEvent{{Kind: connector.EventIgnored, ChannelOrderID: wo.ID.String()}}, nil
	}
	o, err := c.ToOrder(wo)
	if err != nil {
		return nil, fault.Permanent(fmt.Errorf("woocommerce: %s: %w", topic, err))
	}
	if o.CancelledAt != nil {
		kind = connector.EventOrderCancelled
	}
	ev := connector.ChannelEvent{Kind: kind, ChannelOrderID: o.ChannelOrderID, Order: &o, At: o.PlacedAt}
	if kind == connector.EventOrderCancelled {
		ev.At, ev.Reason = *o.CancelledAt, o.CancelReason
	}
	return []connector.ChannelEvent{ev}, nil
}

// parseOrder decodes an order body with errors that say where it broke.
func parseOrder(body []byte) (*wcOrder, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("line 1, column 1 ($): not a JSON object")
	}
	var o wcOrder
	if err := jsonpos.Decode(body, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// ToOrder maps a WooCommerce order to the canonical model. A price the
// currency cannot hold becomes a hold, so the order is kept and visible.
func (c *Connector) ToOrder(wo *wcOrder) (model.Order, error) {
	id, err := integer("$.id", wo.ID)
	if err != nil {
		return model.Order{}, err
	}
	o := model.Order{
		ID: model.OrderID(c.env.Name, id), Channel: c.env.Name, ChannelOrderID: id,
		Currency: strings.ToUpper(wo.Currency), Note: wo.CustomerNote,
		PaymentStatus: paymentOf(wo.Status, wo.DatePaidGMT),
		Refs:          []model.Ref{{System: "woocommerce:" + c.base.Host, ID: id}},
	}
	if wo.Number != "" {
		o.ChannelOrderNumber = "#" + wo.Number
	}
	if o.PlacedAt, err = wcTime("$.date_created_gmt", wo.DateCreatedGMT, wo.DateCreated); err != nil {
		return model.Order{}, err
	}
	if wo.Status == "cancelled" || wo.Status == "trash" {
		at, err := wcTime("$.date_modified_gmt", wo.DateModifiedGMT, "")
		if err != nil || at.IsZero() {
			at = c.now()
		}
		o.CancelledAt, o.CancelReason = &at, "status "+wo.Status
	}
	if b := wo.Billing; b != nil {
		o.Customer = model.Customer{Name: strings.TrimSpace(b.FirstName + " " + b.LastName), Email: b.Email, Phone: b.Phone}
	}
	if cid := wo.CustomerID.String(); cid != "" && cid != "0" {
		o.Customer.ID = cid
	}
	o.ShippingAddress = toAddress(wo.Shipping, o.Customer.Email)
	o.BillingAddress = toAddress(wo.Billing, o.Customer.Email)
	if len(wo.ShippingLines) > 0 {
		o.ShippingMethod = wo.ShippingLines[0].MethodTitle
	}
	m := moneyReader{currency: o.Currency}
	o.Totals = model.Totals{
		Shipping: m.read("$.shipping_total", wo.ShippingTotal),
		Tax:      m.read("$.total_tax", wo.TotalTax),
		Discount: m.read("$.discount_total", wo.DiscountTotal),
		Total:    m.read("$.total", wo.Total),
	}
	sub := money.Money{Currency: o.Currency}
	for i, li := range wo.LineItems {
		path := fmt.Sprintf("$.line_items[%d]", i)
		line, err := c.toLine(&m, path, li)
		if err != nil {
			return model.Order{}, err
		}
		if s, err := sub.Add(m.read(path+".subtotal", li.Subtotal)); err == nil {
			sub = s
		}
		o.Lines = append(o.Lines, line)
	}
	o.Totals.Subtotal = sub
	now := c.now()
	for _, p := range m.problems {
		o.AddHold(model.Hold{Code: model.HoldInvalidOrder, Reason: p, At: now})
	}
	return o, nil
}

// toLine maps a line item. The unit price is the line subtotal (before
// coupons) over the quantity; WooCommerce's own "price" number is that
// after discounts and may carry more decimals than the currency.
func (c *Connector) toLine(m *moneyReader, path string, li wcLine) (model.OrderLine, error) {
	id, err := integer(path+".id", li.ID)
	if err != nil {
		return model.OrderLine{}, err
	}
	qty, err := li.Quantity.Int64()
	if err != nil {
		return model.OrderLine{}, fmt.Errorf("%s.quantity: %q is not a whole number", path, li.Quantity)
	}
	line := model.OrderLine{ID: id, SKU: strings.TrimSpace(li.SKU), Title: html.UnescapeString(li.Name), Quantity: qty,
		Tax: m.read(path+".total_tax", li.TotalTax)}
	if p := li.ProductID.String(); p != "" && p != "0" {
		line.ChannelProductID = p
	}
	if v := li.VariationID.String(); v != "" && v != "0" {
		line.ChannelVariantID = v
	}
	sub := m.read(path+".subtotal", li.Subtotal)
	total := m.read(path+".total", li.Total)
	if d, err := sub.Sub(total); err == nil && d.Amount > 0 {
		line.Discount = d
	} else {
		line.Discount = money.Money{Currency: m.currency}
	}
	switch {
	case qty > 0 && sub.Amount%qty == 0 && li.Subtotal != "":
		line.UnitPrice = money.Money{Amount: sub.Amount / qty, Currency: sub.Currency}
	default:
		line.UnitPrice = m.read(path+".price", li.Price.String())
	}
	return line, nil
}

// integer checks a WooCommerce id is a whole number and returns its text.
func integer(path string, n json.Number) (string, error) {
	s := n.String()
	if s == "" {
		return "", fmt.Errorf("%s: missing", path)
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return "", fmt.Errorf("%s: %q is not a WooCommerce id", path, s)
		}
	}
	return s, nil
}

// wcTime reads WooCommerce's zone-less timestamps: the _gmt field is UTC;
// without it, the site-local one is taken as UTC too.
func wcTime(path, gmt, local string) (time.Time, error) {
	v := gmt
	if v == "" {
		v = local
	}
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", time.RFC3339} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s: %q is not a timestamp", path, v)
}

// moneyReader converts decimal strings exactly, collecting problems so
// one bad amount does not lose the order.
type moneyReader struct {
	currency string
	problems []string
}

func (m *moneyReader) read(path, s string) money.Money {
	s = strings.TrimSpace(s)
	if s == "" || !money.KnownCurrency(m.currency) {
		return money.Money{Currency: m.currency}
	}
	v, err := money.Parse(s, m.currency)
	if err != nil {
		m.problems = append(m.problems, fmt.Sprintf("%s: %v", path, err))
		return money.Money{Currency: m.currency}
	}
	return v
}

func toAddress(a *wcAddress, email string) *model.Address {
	if a == nil || (a.Address1 == "" && a.City == "" && a.Country == "") {
		return nil
	}
	return &model.Address{Name: strings.TrimSpace(a.FirstName + " " + a.LastName), Company: a.Company,
		Line1: a.Address1, Line2: a.Address2, City: a.City, Region: a.State, PostalCode: a.Postcode,
		Country: strings.ToUpper(a.Country), Phone: a.Phone, Email: email}
}

// paymentOf maps the order status to the payment state (WooCommerce
// order statuses: pending = awaiting payment, on-hold = awaiting a manual
// payment, processing/completed = paid, refunded, failed, cancelled).
func paymentOf(status string, paid *string) model.OrderPayment {
	switch status {
	case "pending", "on-hold":
		return model.PaymentPending
	case "processing", "completed":
		return model.PaymentPaid
	case "refunded":
		return model.PaymentRefunded
	case "failed":
		return model.PaymentFailed
	case "cancelled":
		if paid != nil && *paid != "" {
			return model.PaymentPaid
		}
		return model.PaymentVoided
	}
	return model.PaymentUnknown
}
