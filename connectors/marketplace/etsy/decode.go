package etsy

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
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
	// TopicReceipt is one ShopReceipt (GET …/receipts/{receipt_id}).
	TopicReceipt = "receipt"
	// TopicReceipts is a list answer: {"count", "results": [ShopReceipt…]}.
	TopicReceipts = "receipts"
	// TopicOrderPaid is Etsy's ORDER_PAID webhook: a ping
	// {event_type, resource_url, shop_id} whose receipt is fetched.
	TopicOrderPaid = "order.paid"
)

// eMoney is Etsy's Money: {amount, divisor, currency_code}, the value
// being amount/divisor. Integers, read as json.Number.
type eMoney struct {
	Amount       json.Number `json:"amount"`
	Divisor      json.Number `json:"divisor"`
	CurrencyCode string      `json:"currency_code"`
}

// eTransaction is the part of a receipt's transaction dropgate reads.
type eTransaction struct {
	TransactionID json.Number `json:"transaction_id"`
	Title         string      `json:"title"`
	Quantity      json.Number `json:"quantity"`
	ListingID     json.Number `json:"listing_id"`
	ProductID     json.Number `json:"product_id"`
	SKU           string      `json:"sku"`
	Price         *eMoney     `json:"price"`
}

// eShipment is a tracking record Etsy keeps on the receipt.
type eShipment struct {
	CarrierName  string `json:"carrier_name"`
	TrackingCode string `json:"tracking_code"`
}

// eReceipt is the part of a ShopReceipt dropgate reads. Timestamps are
// epoch seconds.
type eReceipt struct {
	ReceiptID         json.Number    `json:"receipt_id"`
	Status            string         `json:"status"`
	IsPaid            bool           `json:"is_paid"`
	IsShipped         bool           `json:"is_shipped"`
	BuyerEmail        string         `json:"buyer_email"`
	Name              string         `json:"name"`
	FirstLine         string         `json:"first_line"`
	SecondLine        string         `json:"second_line"`
	City              string         `json:"city"`
	State             string         `json:"state"`
	Zip               string         `json:"zip"`
	CountryISO        string         `json:"country_iso"`
	MessageFromBuyer  string         `json:"message_from_buyer"`
	CreateTimestamp   json.Number    `json:"create_timestamp"`
	UpdateTimestamp   json.Number    `json:"update_timestamp"`
	Grandtotal        *eMoney        `json:"grandtotal"`
	Subtotal          *eMoney        `json:"subtotal"`
	TotalShippingCost *eMoney        `json:"total_shipping_cost"`
	TotalTaxCost      *eMoney        `json:"total_tax_cost"`
	TotalVatCost      *eMoney        `json:"total_vat_cost"`
	DiscountAmt       *eMoney        `json:"discount_amt"`
	Shipments         []eShipment    `json:"shipments"`
	Transactions      []eTransaction `json:"transactions"`
}

type eList struct {
	Count   *json.Number      `json:"count"`
	Results []json.RawMessage `json:"results"`
}

// DecodeEvent maps a receipt (TopicReceipt), a list answer
// (TopicReceipts, one event per receipt) or an ORDER_PAID ping
// (TopicOrderPaid: the receipt is fetched from Etsy) into events: a
// cancellation for a canceled receipt, else an update.
func (c *Connector) DecodeEvent(ctx context.Context, topic string, body []byte) ([]connector.ChannelEvent, error) {
	switch topic {
	case TopicReceipt:
		ev, err := c.decodeReceipt(body, "$")
		if err != nil {
			return nil, err
		}
		return []connector.ChannelEvent{ev}, nil
	case TopicReceipts:
		list, err := decodeList(body)
		if err != nil {
			return nil, err
		}
		evs := make([]connector.ChannelEvent, 0, len(list.Results))
		for i, raw := range list.Results {
			ev, err := c.decodeReceipt(raw, fmt.Sprintf("$.results[%d]", i))
			if err != nil {
				return nil, err
			}
			evs = append(evs, ev)
		}
		return evs, nil
	case TopicOrderPaid:
		return c.decodePing(ctx, body)
	}
	return []connector.ChannelEvent{{Kind: connector.EventIgnored}}, nil
}

func decodeList(body []byte) (*eList, error) {
	var l eList
	if err := jsonpos.Decode(body, &l); err != nil {
		return nil, fault.Permanent(fmt.Errorf("etsy: receipt list: %w", err))
	}
	if l.Count == nil && l.Results == nil {
		return nil, fault.Permanentf("etsy: receipt list: $.results is missing")
	}
	return &l, nil
}

func (c *Connector) decodeReceipt(body []byte, path string) (connector.ChannelEvent, error) {
	var r eReceipt
	if err := jsonpos.Decode(body, &r); err != nil {
		return connector.ChannelEvent{}, fault.Permanent(fmt.Errorf("etsy: receipt at %s: %w", path, err))
	}
	o, at, err := toOrder(c.env.Name, &r, path)
	if err != nil {
		return connector.ChannelEvent{}, fault.Permanent(fmt.Errorf("etsy: receipt %s: %w", r.ReceiptID, err))
	}
	return connector.OrderEvent(o, at), nil
}

// toOrder maps a receipt to the canonical order and the instant it last
// changed (update_timestamp, else create_timestamp); errors name the
// JSON path.
func toOrder(channel string, r *eReceipt, path string) (*model.Order, time.Time, error) {
	id, err := wholeID(path+".receipt_id", r.ReceiptID)
	if err != nil {
		return nil, time.Time{}, err
	}
	placed, err := seconds(path+".create_timestamp", r.CreateTimestamp)
	if err != nil {
		return nil, time.Time{}, err
	}
	if placed.IsZero() {
		return nil, time.Time{}, fmt.Errorf("%s.create_timestamp is missing", path)
	}
	at, err := seconds(path+".update_timestamp", r.UpdateTimestamp)
	if err != nil {
		return nil, time.Time{}, err
	}
	if at.Before(placed) {
		at = placed
	}
	o := &model.Order{
		ID: model.OrderID(channel, id), Channel: channel, ChannelOrderID: id, ChannelOrderNumber: id,
		PlacedAt: placed, Status: model.OrderReceived, PaymentStatus: payment(r),
		Customer: model.Customer{Name: r.Name, Email: r.BuyerEmail},
		ShippingAddress: &model.Address{Name: r.Name, Line1: r.FirstLine, Line2: r.SecondLine, City: r.City, Region: r.State,
			PostalCode: r.Zip, Country: strings.ToUpper(r.CountryISO)},
		Note: r.MessageFromBuyer,
	}
	m := moneyReader{}
	var totals [6]money.Money
	for i, f := range []struct {
		name string
		v    *eMoney
	}{{"subtotal", r.Subtotal}, {"total_shipping_cost", r.TotalShippingCost}, {"total_tax_cost", r.TotalTaxCost},
		{"total_vat_cost", r.TotalVatCost}, {"discount_amt", r.DiscountAmt}, {"grandtotal", r.Grandtotal}} {
		if totals[i], err = m.read(path+"."+f.name, f.v); err != nil {
			return nil, time.Time{}, err
		}
	}
	for i := range r.Transactions {
		t := &r.Transactions[i]
		p := fmt.Sprintf("%s.transactions[%d]", path, i)
		lid, err := wholeID(p+".transaction_id", t.TransactionID)
		if err != nil {
			return nil, time.Time{}, err
		}
		qty, err := strconv.ParseInt(t.Quantity.String(), 10, 64)
		if err != nil || qty < 0 {
			return nil, time.Time{}, fmt.Errorf("%s.quantity: %q is not a whole quantity", p, t.Quantity.String())
		}
		price, err := m.read(p+".price", t.Price)
		if err != nil {
			return nil, time.Time{}, err
		}
		o.Lines = append(o.Lines, model.OrderLine{ID: lid, SKU: t.SKU, Title: t.Title, Quantity: qty, UnitPrice: price})
	}
	if m.cur == "" {
		return nil, time.Time{}, fmt.Errorf("%s.grandtotal is missing: the receipt has no currency", path)
	}
	for i := range totals {
		if totals[i].Currency == "" {
			totals[i].Currency = m.cur
		}
	}
	for i := range o.Lines {
		o.Lines[i].Discount, o.Lines[i].Tax = money.Money{Currency: m.cur}, money.Money{Currency: m.cur}
		if o.Lines[i].UnitPrice.Currency == "" {
			o.Lines[i].UnitPrice.Currency = m.cur
		}
	}
	tax, err := totals[2].Add(totals[3])
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("%s: tax: %w", path, err)
	}
	o.Currency = m.cur
	o.Totals = model.Totals{Subtotal: totals[0], Shipping: totals[1], Tax: tax, Discount: totals[4], Total: totals[5]}
	if strings.EqualFold(strings.TrimSpace(r.Status), "canceled") || strings.EqualFold(strings.TrimSpace(r.Status), "cancelled") {
		o.CancelledAt, o.CancelReason = &at, "canceled on Etsy"
		for i := range o.Lines {
			o.Lines[i].Cancelled = o.Lines[i].Quantity
		}
	}
	return o, at, nil
}

// payment maps a receipt's status and is_paid: paid and completed
// receipts are paid; "payment processing" and open ones pending.
// Etsy's spellings vary in case ("Paid", "paid").
func payment(r *eReceipt) model.OrderPayment {
	switch strings.ToLower(strings.TrimSpace(r.Status)) {
	case "paid", "completed":
		return model.PaymentPaid
	case "payment processing", "open":
		if r.IsPaid {
			return model.PaymentPaid
		}
		return model.PaymentPending
	case "canceled", "cancelled":
		if r.IsPaid {
			return model.PaymentPaid
		}
		return model.PaymentUnknown
	}
	if r.IsPaid {
		return model.PaymentPaid
	}
	return model.PaymentPending
}

// moneyReader reads a receipt's amounts in its one currency.
type moneyReader struct{ cur string }

// read converts {amount, divisor, currency_code} to minor units exactly:
// amount × 10^exponent / divisor must be whole, else the amount is more
// precise than its currency and is refused (never rounded). A missing
// amount is zero in the receipt's currency.
func (m *moneyReader) read(path string, v *eMoney) (money.Money, error) {
	if v == nil {
		return money.Money{Currency: m.cur}, nil
	}
	cur := strings.ToUpper(v.CurrencyCode)
	exp, ok := money.Exponent(cur)
	if !ok {
		return money.Money{}, fmt.Errorf("%s.currency_code: %q is not an ISO 4217 currency", path, v.CurrencyCode)
	}
	if m.cur == "" {
		m.cur = cur
	} else if cur != m.cur {
		return money.Money{}, fmt.Errorf("%s.currency_code: %s in a receipt in %s", path, cur, m.cur)
	}
	minor, err := Minor(v.Amount.String(), v.Divisor.String(), exp)
	if err != nil {
		return money.Money{}, fmt.Errorf("%s: %w", path, err)
	}
	return money.Money{Amount: minor, Currency: cur}, nil
}

// Minor is amount/divisor in minor units of a currency with exp decimals,
// exactly; an inexact or out-of-range result is an error.
func Minor(amount, divisor string, exp uint8) (int64, error) {
	a, ok := new(big.Int).SetString(amount, 10)
	if !ok {
		return 0, fmt.Errorf("amount %q is not an integer", amount)
	}
	d, ok := new(big.Int).SetString(divisor, 10)
	if !ok || d.Sign() <= 0 {
		return 0, fmt.Errorf("divisor %q is not a positive integer", divisor)
	}
	a.Mul(a, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(exp)), nil))
	q, r := new(big.Int).QuoRem(a, d, new(big.Int))
	if r.Sign() != 0 {
		return 0, fmt.Errorf("%s/%s has more decimals than the currency's %d", amount, divisor, exp)
	}
	if !q.IsInt64() {
		return 0, fmt.Errorf("%s/%s is out of range", amount, divisor)
	}
	return q.Int64(), nil
}

// wholeID reads an integer id (receipt_id, transaction_id) as its
// decimal string, never through float64.
func wholeID(path string, n json.Number) (string, error) {
	s := n.String()
	if s == "" {
		return "", fmt.Errorf("%s is missing", path)
	}
	if _, err := strconv.ParseUint(s, 10, 64); err != nil {
		return "", fmt.Errorf("%s: %q is not an integer id", path, s)
	}
	return s, nil
}

// seconds reads an epoch-seconds timestamp; empty is the zero time.
func seconds(path string, n json.Number) (time.Time, error) {
	if n == "" {
		return time.Time{}, nil
	}
	v, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %q is not epoch seconds", path, n.String())
	}
	return time.Unix(v, 0).UTC(), nil
}
