package magento2

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/jsonpos"
)

// TopicOrder is the topic of a polled order (Magento sends no webhooks;
// `dropgate trigger` and the decode suite use it).
const TopicOrder = "order"

// timeLayout is how Magento writes dates: UTC, no zone.
const timeLayout = "2006-01-02 15:04:05"

// mOrder is the part of a sales order (salesDataOrderInterface) dropgate
// reads. Amounts are json.Number: Magento writes them as JSON numbers,
// which must never pass through float64.
type mOrder struct {
	EntityID        json.Number `json:"entity_id"`
	IncrementID     string      `json:"increment_id"`
	State           string      `json:"state"`
	Status          string      `json:"status"`
	CreatedAt       string      `json:"created_at"`
	UpdatedAt       string      `json:"updated_at"`
	Currency        string      `json:"order_currency_code"`
	CustomerID      json.Number `json:"customer_id"`
	CustomerEmail   string      `json:"customer_email"`
	CustomerFirst   string      `json:"customer_firstname"`
	CustomerLast    string      `json:"customer_lastname"`
	Subtotal        json.Number `json:"subtotal"`
	ShippingAmount  json.Number `json:"shipping_amount"`
	TaxAmount       json.Number `json:"tax_amount"`
	DiscountAmount  json.Number `json:"discount_amount"`
	GrandTotal      json.Number `json:"grand_total"`
	TotalPaid       json.Number `json:"total_paid"`
	TotalDue        json.Number `json:"total_due"`
	TotalRefunded   json.Number `json:"total_refunded"`
	ShippingDesc    string      `json:"shipping_description"`
	Items           []mItem     `json:"items"`
	BillingAddress  *mAddress   `json:"billing_address"`
	ExtensionAttrib struct {
		ShippingAssignments []struct {
			Shipping struct {
				Address *mAddress `json:"address"`
				Method  string    `json:"method"`
			} `json:"shipping"`
		} `json:"shipping_assignments"`
	} `json:"extension_attributes"`
}

type mItem struct {
	ItemID         json.Number `json:"item_id"`
	ParentItemID   json.Number `json:"parent_item_id"`
	ProductID      json.Number `json:"product_id"`
	ProductType    string      `json:"product_type"`
	SKU            string      `json:"sku"`
	Name           string      `json:"name"`
	QtyOrdered     json.Number `json:"qty_ordered"`
	QtyCanceled    json.Number `json:"qty_canceled"`
	QtyRefunded    json.Number `json:"qty_refunded"`
	Price          json.Number `json:"price"`
	DiscountAmount json.Number `json:"discount_amount"`
	TaxAmount      json.Number `json:"tax_amount"`
	IsVirtual      json.Number `json:"is_virtual"`
}

type mAddress struct {
	Firstname string   `json:"firstname"`
	Lastname  string   `json:"lastname"`
	Company   string   `json:"company"`
	Street    []string `json:"street"`
	City      string   `json:"city"`
	Region    string   `json:"region"`
	RegionCd  string   `json:"region_code"`
	Postcode  string   `json:"postcode"`
	Country   string   `json:"country_id"`
	Telephone string   `json:"telephone"`
	Email     string   `json:"email"`
}

// DecodeEvent maps a Magento order (as GET /V1/orders/{id} or an item of
// GET /V1/orders answers it) into one event: a cancellation when its
// state is canceled, else an update.
func (c *Connector) DecodeEvent(_ context.Context, topic string, body []byte) ([]connector.ChannelEvent, error) {
	if topic != TopicOrder {
		return []connector.ChannelEvent{{Kind: connector.EventIgnored}}, nil
	}
	var mo mOrder
	if err := jsonpos.Decode(body, &mo); err != nil {
		return nil, fault.Permanent(fmt.Errorf("magento2: order: %w", err))
	}
	ev, err := c.event(&mo)
	if err != nil {
		return nil, err
	}
	return []connector.ChannelEvent{ev}, nil
}

func (c *Connector) event(mo *mOrder) (connector.ChannelEvent, error) {
	o, err := toOrder(c.env.Name, mo)
	if err != nil {
		return connector.ChannelEvent{}, fault.Permanent(fmt.Errorf("magento2: order %s: %w", mo.EntityID, err))
	}
	ev := connector.ChannelEvent{Kind: connector.EventOrderUpdated, ChannelOrderID: o.ChannelOrderID, Order: o, At: o.PlacedAt}
	if mo.UpdatedAt != "" {
		ev.At, _ = time.Parse(timeLayout, mo.UpdatedAt)
	}
	if o.CancelledAt != nil {
		ev.Kind = connector.EventOrderCancelled
		ev.At = *o.CancelledAt
	}
	return ev, nil
}

// toOrder maps a Magento order to the canonical one; errors name the JSON path.
func toOrder(channel string, mo *mOrder) (*model.Order, error) {
	id := mo.EntityID.String()
	if id == "" || strings.ContainsAny(id, ".eE-") {
		return nil, fmt.Errorf("$.entity_id: %q is not an order id", id)
	}
	cur := strings.ToUpper(mo.Currency)
	if !money.KnownCurrency(cur) {
		return nil, fmt.Errorf("$.order_currency_code: %q is not an ISO 4217 currency", mo.Currency)
	}
	placed, err := parseTime("$.created_at", mo.CreatedAt)
	if err != nil {
		return nil, err
	}
	o := &model.Order{
		ID: model.OrderID(channel, id), Channel: channel, ChannelOrderID: id, ChannelOrderNumber: mo.IncrementID,
		PlacedAt: placed, Currency: cur, Status: model.OrderReceived,
		Customer: model.Customer{ID: mo.CustomerID.String(), Email: mo.CustomerEmail,
			Name: strings.TrimSpace(mo.CustomerFirst + " " + mo.CustomerLast)},
		BillingAddress: mo.BillingAddress.model(),
	}
	if sa := mo.ExtensionAttrib.ShippingAssignments; len(sa) > 0 {
		o.ShippingAddress = sa[0].Shipping.Address.model()
		o.ShippingMethod = sa[0].Shipping.Method
	}
	if o.ShippingMethod == "" {
		o.ShippingMethod = mo.ShippingDesc
	}
	m := amounts{cur: cur}
	o.Totals = model.Totals{
		Subtotal: m.get("$.subtotal", mo.Subtotal), Shipping: m.get("$.shipping_amount", mo.ShippingAmount),
		Tax: m.get("$.tax_amount", mo.TaxAmount), Discount: m.abs(m.get("$.discount_amount", mo.DiscountAmount)),
		Total: m.get("$.grand_total", mo.GrandTotal),
	}
	paid, due, refunded := m.get("$.total_paid", mo.TotalPaid), m.get("$.total_due", mo.TotalDue), m.get("$.total_refunded", mo.TotalRefunded)
	for i := range mo.Items {
		it := &mo.Items[i]
		if it.ParentItemID != "" && it.ParentItemID != "0" {
			// The child of a configurable (or bundle) item: its parent
			// carries the ordered SKU, price and quantity.
			continue
		}
		p := fmt.Sprintf("$.items[%d]", i)
		qty, err := quantity(p+".qty_ordered", it.QtyOrdered)
		if err != nil {
			return nil, err
		}
		cancelled, err := quantity(p+".qty_canceled", it.QtyCanceled)
		if err != nil {
			return nil, err
		}
		returned, err := quantity(p+".qty_refunded", it.QtyRefunded)
		if err != nil {
			return nil, err
		}
		o.Lines = append(o.Lines, model.OrderLine{
			ID: it.ItemID.String(), ChannelProductID: it.ProductID.String(), SKU: it.SKU, Title: it.Name,
			Quantity: qty, Cancelled: cancelled, Returned: returned,
			UnitPrice: m.get(p+".price", it.Price), Discount: m.abs(m.get(p+".discount_amount", it.DiscountAmount)),
			Tax: m.get(p+".tax_amount", it.TaxAmount), NoShipping: it.IsVirtual == "1" || it.ProductType == "virtual" || it.ProductType == "downloadable",
		})
	}
	if m.err != nil {
		return nil, m.err
	}
	o.PaymentStatus = payment(mo.State, paid, due, refunded, o.Totals.Total)
	if mo.State == "canceled" {
		at, err := parseTime("$.updated_at", mo.UpdatedAt)
		if err != nil {
			return nil, err
		}
		o.CancelledAt = &at
		o.CancelReason = mo.Status
	}
	return o, nil
}

// payment reads the payment state from the order's totals: Magento keeps
// no single payment status (an invoice captures; a credit memo refunds).
func payment(state string, paid, due, refunded, total money.Money) model.OrderPayment {
	switch {
	case refunded.Amount > 0 && refunded.Amount >= paid.Amount:
		return model.PaymentRefunded
	case refunded.Amount > 0:
		return model.PaymentPartiallyRefunded
	case paid.Amount > 0 && paid.Amount >= total.Amount:
		return model.PaymentPaid
	case paid.Amount > 0:
		return model.PaymentPartiallyPaid
	case state == "canceled":
		return model.PaymentVoided
	case due.Amount > 0 || state == "new" || state == "pending_payment" || state == "payment_review":
		return model.PaymentPending
	}
	return model.PaymentUnknown
}

// amounts reads JSON numbers as money in one currency, exactly; the first
// error is kept.
type amounts struct {
	cur string
	err error
}

func (a *amounts) get(path string, n json.Number) money.Money {
	if n == "" {
		return money.Money{Currency: a.cur}
	}
	v, err := money.Parse(n.String(), a.cur)
	if err != nil && a.err == nil {
		a.err = fmt.Errorf("%s: %q in %s: %w", path, n.String(), a.cur, err)
	}
	return v
}

func (a *amounts) abs(m money.Money) money.Money {
	if m.Amount < 0 {
		m.Amount = -m.Amount
	}
	return m
}

// quantity reads a quantity (Magento writes 1 or 1.0000); fractional
// quantities (is_qty_decimal) are refused.
func quantity(path string, n json.Number) (int64, error) {
	s := n.String()
	if s == "" {
		return 0, nil
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		if strings.Trim(s[i+1:], "0") != "" {
			return 0, fmt.Errorf("%s: %q is not a whole quantity", path, s)
		}
		s = s[:i]
	}
	v, err := json.Number(s).Int64()
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%s: %q is not a quantity", path, n.String())
	}
	return v, nil
}

func parseTime(path, s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		if t2, err2 := time.Parse(time.RFC3339, s); err2 == nil {
			return t2.UTC(), nil
		}
		return time.Time{}, fmt.Errorf("%s: %q is not a Magento date (YYYY-MM-DD HH:MM:SS)", path, s)
	}
	return t, nil
}

func (a *mAddress) model() *model.Address {
	if a == nil {
		return nil
	}
	out := &model.Address{Name: strings.TrimSpace(a.Firstname + " " + a.Lastname), Company: a.Company,
		City: a.City, Region: a.RegionCd, PostalCode: a.Postcode, Country: a.Country, Phone: a.Telephone, Email: a.Email}
	if out.Region == "" {
		out.Region = a.Region
	}
	if len(a.Street) > 0 {
		out.Line1 = a.Street[0]
	}
	if len(a.Street) > 1 {
		out.Line2 = strings.Join(a.Street[1:], ", ")
	}
	return out
}
