package bigcommerce

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// bcOrder is the part of a v2 order dropgate reads. Ids and money stay as
// their JSON text (json.Number, 4-decimal strings): never a float.
type bcOrder struct {
	ID                json.Number `json:"id"`
	CustomerID        json.Number `json:"customer_id"`
	DateCreated       string      `json:"date_created"`
	DateModified      string      `json:"date_modified"`
	StatusID          json.Number `json:"status_id"`
	Status            string      `json:"status"`
	SubtotalExTax     string      `json:"subtotal_ex_tax"`
	BaseShippingCost  string      `json:"base_shipping_cost"`
	TotalIncTax       string      `json:"total_inc_tax"`
	TotalTax          string      `json:"total_tax"`
	PaymentMethod     string      `json:"payment_method"`
	PaymentStatus     string      `json:"payment_status"`
	CurrencyCode      string      `json:"currency_code"`
	DiscountAmount    string      `json:"discount_amount"`
	CouponDiscount    string      `json:"coupon_discount"`
	CustomerMessage   string      `json:"customer_message"`
	BillingAddress    *bcAddress  `json:"billing_address"`
	ExternalSource    *string     `json:"external_source"`
	ShippingAddrCount json.Number `json:"shipping_address_count"`
}

// bcProduct is an order product (GET /v2/orders/{id}/products): its id is
// the order_product_id a shipment names.
type bcProduct struct {
	ID             json.Number  `json:"id"`
	OrderID        json.Number  `json:"order_id"`
	ProductID      json.Number  `json:"product_id"`
	VariantID      json.Number  `json:"variant_id"`
	OrderAddressID json.Number  `json:"order_address_id"`
	Name           string       `json:"name"`
	SKU            string       `json:"sku"`
	Type           string       `json:"type"`
	BasePrice      string       `json:"base_price"`
	BaseTotal      string       `json:"base_total"`
	TotalTax       string       `json:"total_tax"`
	Quantity       json.Number  `json:"quantity"`
	QuantityRefund json.Number  `json:"quantity_refunded"`
	ParentID       *json.Number `json:"parent_order_product_id"`
	Discounts      []struct {
		Amount string `json:"amount"`
	} `json:"applied_discounts"`
}

// bcAddress is a billing or shipping address (shipping ones have an id,
// which a shipment names as order_address_id).
type bcAddress struct {
	ID             json.Number `json:"id"`
	FirstName      string      `json:"first_name"`
	LastName       string      `json:"last_name"`
	Company        string      `json:"company"`
	Street1        string      `json:"street_1"`
	Street2        string      `json:"street_2"`
	City           string      `json:"city"`
	State          string      `json:"state"`
	Zip            string      `json:"zip"`
	Country        string      `json:"country"`
	CountryISO2    string      `json:"country_iso2"`
	Phone          string      `json:"phone"`
	Email          string      `json:"email"`
	ShippingMethod string      `json:"shipping_method"`
}

// Order statuses (orders.v2.oas2.yml, status_id).
const (
	statusIncomplete          = "0"
	statusPending             = "1"
	statusShipped             = "2"
	statusPartiallyShipped    = "3"
	statusRefunded            = "4"
	statusCancelled           = "5"
	statusDeclined            = "6"
	statusAwaitingPayment     = "7"
	statusAwaitingPickup      = "8"
	statusAwaitingShipment    = "9"
	statusCompleted           = "10"
	statusAwaitingFulfillment = "11"
	statusManualVerification  = "12"
	statusDisputed            = "13"
	statusPartiallyRefunded   = "14"
)

// ToOrder maps a v2 order with its products and shipping addresses to
// the canonical model. An amount more precise than its currency (v2
// writes four decimals) becomes a hold, so the order is kept and visible.
func (c *Connector) ToOrder(bo bcOrder, products []bcProduct, addrs []bcAddress) (model.Order, error) {
	id, err := integer("$.id", bo.ID)
	if err != nil {
		return model.Order{}, err
	}
	status := bo.StatusID.String()
	o := model.Order{
		ID: model.OrderID(c.env.Name, id), Channel: c.env.Name, ChannelOrderID: id, ChannelOrderNumber: "#" + id,
		Currency: strings.ToUpper(strings.TrimSpace(bo.CurrencyCode)), Note: bo.CustomerMessage,
		PaymentStatus: paymentOf(status, bo.PaymentStatus),
		Refs:          []model.Ref{{System: "bigcommerce:" + c.cfg.StoreHash, ID: id}},
	}
	if status == statusManualVerification || status == statusDisputed {
		o.Risk = "high"
	}
	if o.PlacedAt, err = rfc2822("$.date_created", bo.DateCreated); err != nil {
		return model.Order{}, err
	}
	if status == statusCancelled {
		at, err := rfc2822("$.date_modified", bo.DateModified)
		if err != nil || at.IsZero() {
			at = c.now()
		}
		o.CancelledAt, o.CancelReason = &at, "status "+firstNonEmpty(bo.Status, "Cancelled")
	}
	if b := bo.BillingAddress; b != nil {
		o.Customer = model.Customer{Name: strings.TrimSpace(b.FirstName + " " + b.LastName), Email: b.Email, Phone: b.Phone}
		o.BillingAddress = toAddress(b, b.Email)
	}
	if cid := bo.CustomerID.String(); cid != "" && cid != "0" {
		o.Customer.ID = cid
	}
	m := moneyReader{currency: o.Currency}
	if len(addrs) > 0 {
		o.ShippingAddress = toAddress(&addrs[0], o.Customer.Email)
		o.ShippingMethod = addrs[0].ShippingMethod
	}
	discount := m.read("$.discount_amount", bo.DiscountAmount)
	if cd := m.read("$.coupon_discount", bo.CouponDiscount); cd.Amount != 0 {
		if s, err := discount.Add(cd); err == nil {
			discount = s
		}
	}
	o.Totals = model.Totals{
		Shipping: m.read("$.base_shipping_cost", bo.BaseShippingCost),
		Tax:      m.read("$.total_tax", bo.TotalTax),
		Discount: discount,
		Total:    m.read("$.total_inc_tax", bo.TotalIncTax),
	}
	sub := money.Money{Currency: o.Currency}
	for i, p := range products {
		path := fmt.Sprintf("$.products[%d]", i)
		line, err := toLine(&m, path, p)
		if err != nil {
			return model.Order{}, err
		}
		if s, err := sub.Add(m.read(path+".base_total", p.BaseTotal)); err == nil {
			sub = s
		}
		o.Lines = append(o.Lines, line)
	}
	o.Totals.Subtotal = sub
	now := c.now()
	for _, p := range m.problems {
		o.AddHold(model.Hold{Code: model.HoldInvalidOrder, Reason: p, At: now})
	}
	if len(addrs) > 1 {
		// Lines to several addresses need a PO per address; the model
		// has one ship-to per order, so a person splits it.
		o.AddHold(model.Hold{Code: model.HoldManual, At: now,
			Reason: fmt.Sprintf("the order ships to %d addresses: split it by order_address_id in BigCommerce", len(addrs))})
	}
	return o, nil
}

// toLine maps an order product. The unit price is base_price (as the
// catalogue priced it, before discounts); the line discount sums
// applied_discounts. A bundled product's children (parent_order_product_id
// set) are lines of their own: they are the physical items to ship.
func toLine(m *moneyReader, path string, p bcProduct) (model.OrderLine, error) {
	id, err := integer(path+".id", p.ID)
	if err != nil {
		return model.OrderLine{}, err
	}
	qty, err := p.Quantity.Int64()
	if err != nil || qty < 0 {
		return model.OrderLine{}, fmt.Errorf("%s.quantity: %q is not a whole number", path, p.Quantity)
	}
	line := model.OrderLine{ID: id, SKU: strings.TrimSpace(p.SKU), Title: p.Name, Quantity: qty,
		UnitPrice: m.read(path+".base_price", p.BasePrice), Tax: m.read(path+".total_tax", p.TotalTax),
		Discount: money.Money{Currency: m.currency}, NoShipping: p.Type == "digital"}
	for j, d := range p.Discounts {
		if a, err := line.Discount.Add(m.read(fmt.Sprintf("%s.applied_discounts[%d].amount", path, j), d.Amount)); err == nil {
			line.Discount = a
		}
	}
	if v := p.ProductID.String(); v != "" && v != "0" {
		line.ChannelProductID = v
	}
	if v := p.VariantID.String(); v != "" && v != "0" {
		line.ChannelVariantID = v
	}
	if r, err := p.QuantityRefund.Int64(); err == nil && r > 0 {
		line.Returned = r
	}
	return line, nil
}

// rfc2822 reads v2's dates ("Tue, 05 Mar 2019 21:40:11 +0000"); empty is
// the zero time.
func rfc2822(path, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC1123Z, time.RFC1123, time.RFC3339} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s: %q is not an RFC 2822 date", path, v)
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

func toAddress(a *bcAddress, email string) *model.Address {
	if a == nil || (a.Street1 == "" && a.City == "" && a.CountryISO2 == "") {
		return nil
	}
	if a.Email != "" {
		email = a.Email
	}
	return &model.Address{Name: strings.TrimSpace(a.FirstName + " " + a.LastName), Company: a.Company,
		Line1: a.Street1, Line2: a.Street2, City: a.City, Region: a.State, PostalCode: a.Zip,
		Country: strings.ToUpper(a.CountryISO2), Phone: a.Phone, Email: email}
}

// paymentOf maps the status and payment_status to the payment state.
// payment_status (authorized, captured, partially refunded, refunded,
// voided, declined, pending) is the gateway's word when present.
func paymentOf(status, payment string) model.OrderPayment {
	switch strings.ToLower(strings.TrimSpace(payment)) {
	case "authorized", "authorised":
		return model.PaymentAuthorized
	case "captured", "paid":
		return model.PaymentPaid
	case "partially refunded":
		return model.PaymentPartiallyRefunded
	case "refunded":
		return model.PaymentRefunded
	case "void", "voided":
		return model.PaymentVoided
	case "declined", "failed":
		return model.PaymentFailed
	case "pending":
		return model.PaymentPending
	}
	switch status {
	case statusPending, statusAwaitingPayment:
		return model.PaymentPending
	case statusAwaitingFulfillment, statusAwaitingShipment, statusAwaitingPickup, statusShipped,
		statusPartiallyShipped, statusCompleted, statusManualVerification, statusDisputed:
		return model.PaymentPaid
	case statusRefunded:
		return model.PaymentRefunded
	case statusPartiallyRefunded:
		return model.PaymentPartiallyRefunded
	case statusDeclined:
		return model.PaymentFailed
	}
	return model.PaymentUnknown
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
