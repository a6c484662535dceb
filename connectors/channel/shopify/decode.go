package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	goshopify "github.com/bold-commerce/go-shopify/v4"
	"github.com/shopspring/decimal"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// DecodeEvent maps an order webhook into canonical events. Topics dropgate
// does not act on decode to EventIgnored. A body that is not a Shopify
// order is a permanent error that says where it broke.
func (c *Connector) DecodeEvent(_ context.Context, topic string, body []byte) ([]connector.ChannelEvent, error) {
	// The topic travels in X-Shopify-Topic, which the HMAC does not
	// cover: anyone holding one signed orders/create body could resend it
	// as orders/cancelled. It only says which order topics to decode;
	// what happened to the order is read from the signed body, so a
	// cancellation is one whose cancelled_at is set, whatever the topic
	// (Shopify also sends orders/updated when an order is cancelled).
	var kind connector.EventKind
	switch topic {
	case "orders/create":
		kind = connector.EventOrderCreated
	case "orders/updated", "orders/edited", "orders/paid", "orders/cancelled":
		kind = connector.EventOrderUpdated
	case "returns/request":
		return decodeReturnRequest(body)
	default:
		return []connector.ChannelEvent{{Kind: connector.EventIgnored}}, nil
	}
	so, err := parseOrder(body)
	if err != nil {
		return nil, fault.Permanent(fmt.Errorf("shopify: %s: %w", topic, err))
	}
	if so.Id == 0 {
		return nil, fault.Permanent(fmt.Errorf("shopify: %s: $.id: missing order id", topic))
	}
	o := c.ToOrder(so)
	markNoShipping(body, so, &o)
	if o.CancelledAt != nil {
		kind = connector.EventOrderCancelled
	} else if topic == "orders/cancelled" {
		c.log().Warn("shopify: orders/cancelled delivery whose order is not cancelled (cancelled_at is empty); treated as an update",
			"channel", c.env.Name, "order", o.ChannelOrderID)
	}
	ev := connector.ChannelEvent{Kind: kind, ChannelOrderID: o.ChannelOrderID, Order: &o, At: o.PlacedAt}
	if kind == connector.EventOrderCancelled {
		ev.Reason = string(so.CancelReason)
		if so.CancelledAt != nil {
			ev.At = *so.CancelledAt
		}
	}
	return []connector.ChannelEvent{ev}, nil
}

// parseOrder decodes a webhook body (a bare order) or an API response
// ({"order": {...}}), with errors that name the position and field.
func parseOrder(body []byte) (*goshopify.Order, error) {
	trimmed := bytes.TrimSpace(body)
	var wrapped struct {
		Order *hookOrder `json:"order"`
	}
	if bytes.HasPrefix(trimmed, []byte(`{"order"`)) {
		if err := json.Unmarshal(trimmed, &wrapped); err != nil {
			return nil, jsonError(body, err, "$.order")
		}
		if wrapped.Order != nil {
			return wrapped.Order.order(), nil
		}
	}
	var o hookOrder
	if err := json.Unmarshal(trimmed, &o); err != nil {
		return nil, jsonError(body, err, "$")
	}
	return o.order(), nil
}

// jsonError turns encoding/json's errors into "line L, column C (JSON path):
// what" so a merchant can find the byte that broke.
func jsonError(body []byte, err error, root string) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		// Offset counts the offending byte; point at it.
		l, c := lineCol(body, se.Offset-1)
		return fmt.Errorf("invalid JSON at line %d, column %d: %v", l, c, se)
	case errors.As(err, &te):
		l, c := lineCol(body, te.Offset)
		path := root
		if te.Field != "" {
			// go-shopify decodes some types through an embedded "alias"
			// type; that name is not part of the JSON.
			path += "." + strings.ReplaceAll(te.Field, "alias.", "")
		}
		return fmt.Errorf("line %d, column %d (%s): expected %s, got JSON %s", l, c, path, te.Type, te.Value)
	}
	return fmt.Errorf("%s: %w", root, err)
}

func lineCol(b []byte, off int64) (int, int) {
	// An empty body fails at offset 0, which the caller's "point at the
	// offending byte" turns into -1.
	off = min(max(off, 0), int64(len(b)))
	line, col := 1, 1
	for _, ch := range b[:off] {
		if ch == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// ToOrder maps a Shopify order to the canonical model. Problems that make
// the order unprocessable but not unreadable (an unknown currency, a price
// with too many decimals) become holds, so the order is visible and kept.
func (c *Connector) ToOrder(so *goshopify.Order) model.Order {
	id := strconv.FormatUint(so.Id, 10)
	o := model.Order{
		ID:                 model.OrderID(c.env.Name, id),
		Channel:            c.env.Name,
		ChannelOrderID:     id,
		ChannelOrderNumber: so.Name,
		Currency:           strings.ToUpper(so.Currency),
		Note:               so.Note,
		PaymentStatus:      paymentOf(string(so.FinancialStatus)),
		Refs:               []model.Ref{{System: "shopify:" + c.cfg.ShopDomain, ID: id}},
	}
	switch {
	case so.ProcessedAt != nil:
		o.PlacedAt = so.ProcessedAt.UTC()
	case so.CreatedAt != nil:
		o.PlacedAt = so.CreatedAt.UTC()
	}
	if so.CancelledAt != nil {
		t := so.CancelledAt.UTC()
		o.CancelledAt = &t
		o.CancelReason = string(so.CancelReason)
	}
	for _, t := range strings.Split(so.Tags, ",") {
		if t = strings.TrimSpace(t); t != "" {
			o.Tags = append(o.Tags, t)
		}
	}
	o.Customer = model.Customer{Email: firstNonEmpty(so.Email, so.ContactEmail), Phone: so.Phone}
	if so.Customer != nil {
		if so.Customer.Id != 0 {
			o.Customer.ID = strconv.FormatUint(so.Customer.Id, 10)
		}
		o.Customer.Name = strings.TrimSpace(so.Customer.FirstName + " " + so.Customer.LastName)
		if o.Customer.Email == "" {
			o.Customer.Email = so.Customer.Email
		}
	}
	o.ShippingAddress = toAddress(so.ShippingAddress, o.Customer.Email)
	o.BillingAddress = toAddress(so.BillingAddress, o.Customer.Email)
	if len(so.ShippingLines) > 0 {
		o.ShippingMethod = so.ShippingLines[0].Title
	}

	m := moneyReader{currency: o.Currency}
	o.Totals = model.Totals{
		Subtotal: m.read("$.subtotal_price", so.SubtotalPrice),
		Tax:      m.read("$.total_tax", so.TotalTax),
		Discount: m.read("$.total_discounts", so.TotalDiscounts),
		Total:    m.read("$.total_price", so.TotalPrice),
	}
	ship := money.Money{Currency: o.Currency}
	for i, sl := range so.ShippingLines {
		var err error
		if ship, err = ship.Add(m.readAt(func() string { return fmt.Sprintf("$.shipping_lines[%d].price", i) }, sl.Price)); err != nil {
			m.fail(err.Error())
		}
	}
	o.Totals.Shipping = ship

	for i, li := range so.LineItems {
		path := func() string { return fmt.Sprintf("$.line_items[%d]", i) }
		line := model.OrderLine{
			ID:        strconv.FormatUint(li.Id, 10),
			SKU:       strings.TrimSpace(li.SKU),
			Title:     firstNonEmpty(li.Name, li.Title),
			Quantity:  int64(li.Quantity),
			UnitPrice: m.readAt(func() string { return path() + ".price" }, li.Price),
			Discount:  m.readAt(func() string { return path() + ".total_discount" }, li.TotalDiscount),
		}
		if li.ProductId != 0 {
			line.ChannelProductID = strconv.FormatUint(li.ProductId, 10)
		}
		if li.VariantId != 0 {
			line.ChannelVariantID = strconv.FormatUint(li.VariantId, 10)
		}
		tax := money.Money{Currency: o.Currency}
		for j, tl := range li.TaxLines {
			var err error
			if tax, err = tax.Add(m.readAt(func() string { return fmt.Sprintf("%s.tax_lines[%d].price", path(), j) }, tl.Price)); err != nil {
				m.fail(err.Error())
			}
		}
		line.Tax = tax
		o.Lines = append(o.Lines, line)
	}
	now := c.now()
	for _, p := range m.problems {
		o.AddHold(model.Hold{Code: model.HoldInvalidOrder, Reason: p, At: now})
	}
	return o
}

// moneyReader converts Shopify's decimal strings exactly, collecting
// problems instead of failing, so one bad price does not lose the order.
type moneyReader struct {
	currency string
	problems []string
}

func (m *moneyReader) fail(p string) { m.problems = append(m.problems, p) }

func (m *moneyReader) read(path string, d *decimal.Decimal) money.Money {
	return m.readAt(func() string { return path }, d)
}

// readAt is read with the path built only when it is reported: most
// orders have none to report, and formatting each line's paths was a
// few allocations per line.
func (m *moneyReader) readAt(path func() string, d *decimal.Decimal) money.Money {
	if d == nil {
		return money.Money{Currency: m.currency}
	}
	if !money.KnownCurrency(m.currency) {
		return money.Money{} // the unknown currency itself is reported by validation
	}
	exp, _ := money.Exponent(m.currency) // known: checked above
	v, ok, err := exactMoney(d, m.currency, exp)
	if !ok {
		v, err = money.Parse(d.String(), m.currency)
	}
	if err != nil {
		m.fail(fmt.Sprintf("%s: %v", path(), err))
		return money.Money{Currency: m.currency}
	}
	return v
}

func toAddress(a *goshopify.Address, email string) *model.Address {
	if a == nil {
		return nil
	}
	name := a.Name
	if name == "" {
		name = strings.TrimSpace(a.FirstName + " " + a.LastName)
	}
	return &model.Address{
		Name:       name,
		Company:    a.Company,
		Line1:      a.Address1,
		Line2:      a.Address2,
		City:       a.City,
		Region:     a.ProvinceCode,
		PostalCode: a.Zip,
		Country:    strings.ToUpper(a.CountryCode),
		Phone:      a.Phone,
		Email:      email,
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func (c *Connector) now() time.Time { return c.env.Now().UTC() }

// markNoShipping flags lines Shopify explicitly marks requires_shipping:
// false (gift cards, digital goods). go-shopify reads the field into a
// plain bool, so an absent field would look like false and a physical
// line would silently never reach a supplier; for a drop-shipper the safe
// default is "ships".
//
// go-shopify's true is always an explicit true, so when every line it read
// says true no line can be marked and the body is not decoded a second
// time (the usual order: 20 % of this decode's CPU).
func markNoShipping(body []byte, so *goshopify.Order, o *model.Order) {
	if allRequireShipping(so) {
		return
	}
	var probe struct {
		Order *struct {
			LineItems []struct {
				RequiresShipping *bool `json:"requires_shipping"`
			} `json:"line_items"`
		} `json:"order"`
		LineItems []struct {
			RequiresShipping *bool `json:"requires_shipping"`
		} `json:"line_items"`
	}
	if json.Unmarshal(body, &probe) != nil {
		return
	}
	items := probe.LineItems
	if probe.Order != nil {
		items = probe.Order.LineItems
	}
	for i, li := range items {
		if i < len(o.Lines) && li.RequiresShipping != nil && !*li.RequiresShipping {
			o.Lines[i].NoShipping = true
		}
	}
}

// allRequireShipping reports whether every line item go-shopify read has
// requires_shipping true.
func allRequireShipping(so *goshopify.Order) bool {
	for _, li := range so.LineItems {
		if !li.RequiresShipping {
			return false
		}
	}
	return true
}

// paymentOf maps Shopify's financial_status to the canonical payment
// state (shopify.dev/docs/api/admin-rest/latest/resources/order:
// pending, authorized, partially_paid, paid, partially_refunded,
// refunded, voided; "expired" for a lapsed authorisation).
func paymentOf(status string) model.OrderPayment {
	switch status {
	case "pending":
		return model.PaymentPending
	case "authorized":
		return model.PaymentAuthorized
	case "partially_paid":
		return model.PaymentPartiallyPaid
	case "paid":
		return model.PaymentPaid
	case "partially_refunded":
		return model.PaymentPartiallyRefunded
	case "refunded":
		return model.PaymentRefunded
	case "voided":
		return model.PaymentVoided
	case "expired":
		return model.PaymentFailed
	}
	return model.PaymentUnknown
}
