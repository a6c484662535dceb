package shopify

import (
	"time"

	goshopify "github.com/bold-commerce/go-shopify/v4"
)

// hookOrder is the part of a Shopify order that dropgate reads (ToOrder,
// markNoShipping, the poll's cursor), with go-shopify's field names and
// types, so decoding errors read as before. go-shopify's Order has a
// hundred fields and line items with a decoder of their own (which
// decodes each item twice); decoding every webhook into it was most of
// the decode stage's CPU. The rest of the payload is skipped, not
// decoded. Prices stay decimal strings read exactly (money.Parse), never
// floats.
type hookOrder struct {
	Id              uint64                         `json:"id,omitempty"`
	Name            string                         `json:"name,omitempty"`
	Email           string                         `json:"email,omitempty"`
	CreatedAt       *time.Time                     `json:"created_at,omitempty"`
	UpdatedAt       *time.Time                     `json:"updated_at,omitempty"`
	CancelledAt     *time.Time                     `json:"cancelled_at,omitempty"`
	ProcessedAt     *time.Time                     `json:"processed_at,omitempty"`
	Customer        *hookCustomer                  `json:"customer,omitempty"`
	BillingAddress  *hookAddress                   `json:"billing_address,omitempty"`
	ShippingAddress *hookAddress                   `json:"shipping_address,omitempty"`
	Currency        string                         `json:"currency,omitempty"`
	TotalPrice      *hookDecimal                   `json:"total_price,omitempty"`
	SubtotalPrice   *hookDecimal                   `json:"subtotal_price,omitempty"`
	TotalDiscounts  *hookDecimal                   `json:"total_discounts,omitempty"`
	TotalTax        *hookDecimal                   `json:"total_tax,omitempty"`
	FinancialStatus goshopify.OrderFinancialStatus `json:"financial_status,omitempty"`
	Note            string                         `json:"note,omitempty"`
	CancelReason    goshopify.OrderCancelReason    `json:"cancel_reason,omitempty"`
	LineItems       []hookLineItem                 `json:"line_items,omitempty"`
	ShippingLines   []hookShippingLine             `json:"shipping_lines,omitempty"`
	Tags            string                         `json:"tags,omitempty"`
	Phone           string                         `json:"phone,omitempty"`
	ContactEmail    string                         `json:"contact_email,omitempty"`
}

type hookCustomer struct {
	Id        uint64 `json:"id,omitempty"`
	Email     string `json:"email,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

type hookAddress struct {
	Address1     string `json:"address1,omitempty"`
	Address2     string `json:"address2,omitempty"`
	City         string `json:"city,omitempty"`
	Company      string `json:"company,omitempty"`
	CountryCode  string `json:"country_code,omitempty"`
	FirstName    string `json:"first_name,omitempty"`
	LastName     string `json:"last_name,omitempty"`
	Name         string `json:"name,omitempty"`
	Phone        string `json:"phone,omitempty"`
	ProvinceCode string `json:"province_code,omitempty"`
	Zip          string `json:"zip,omitempty"`
}

type hookLineItem struct {
	Id               uint64       `json:"id,omitempty"`
	ProductId        uint64       `json:"product_id,omitempty"`
	VariantId        uint64       `json:"variant_id,omitempty"`
	Quantity         int          `json:"quantity,omitempty"`
	Price            *hookDecimal `json:"price,omitempty"`
	TotalDiscount    *hookDecimal `json:"total_discount,omitempty"`
	Title            string       `json:"title,omitempty"`
	Name             string       `json:"name,omitempty"`
	SKU              string       `json:"sku,omitempty"`
	RequiresShipping bool         `json:"requires_shipping,omitempty"`
	TaxLines         []struct {
		Price *hookDecimal `json:"price,omitempty"`
	} `json:"tax_lines,omitempty"`
}

type hookShippingLine struct {
	Title string       `json:"title,omitempty"`
	Price *hookDecimal `json:"price,omitempty"`
}

// order is h as a go-shopify Order, the fields hookOrder reads filled.
func (h *hookOrder) order() *goshopify.Order {
	o := &goshopify.Order{
		Id: h.Id, Name: h.Name, Email: h.Email, CreatedAt: h.CreatedAt, UpdatedAt: h.UpdatedAt, CancelledAt: h.CancelledAt,
		ProcessedAt: h.ProcessedAt, BillingAddress: h.BillingAddress.address(), ShippingAddress: h.ShippingAddress.address(),
		Currency: h.Currency, TotalPrice: h.TotalPrice.dec(), SubtotalPrice: h.SubtotalPrice.dec(), TotalDiscounts: h.TotalDiscounts.dec(),
		TotalTax: h.TotalTax.dec(), FinancialStatus: h.FinancialStatus, Note: h.Note, CancelReason: h.CancelReason, Tags: h.Tags,
		Phone: h.Phone, ContactEmail: h.ContactEmail,
	}
	if c := h.Customer; c != nil {
		o.Customer = &goshopify.Customer{Id: c.Id, Email: c.Email, FirstName: c.FirstName, LastName: c.LastName}
	}
	if h.LineItems != nil {
		o.LineItems = make([]goshopify.LineItem, len(h.LineItems))
		for i, li := range h.LineItems {
			l := &o.LineItems[i]
			l.Id, l.ProductId, l.VariantId, l.Quantity = li.Id, li.ProductId, li.VariantId, li.Quantity
			l.Price, l.TotalDiscount, l.Title, l.Name, l.SKU, l.RequiresShipping = li.Price.dec(), li.TotalDiscount.dec(), li.Title, li.Name, li.SKU, li.RequiresShipping
			if li.TaxLines != nil {
				l.TaxLines = make([]goshopify.TaxLine, len(li.TaxLines))
				for j, tl := range li.TaxLines {
					l.TaxLines[j].Price = tl.Price.dec()
				}
			}
		}
	}
	if h.ShippingLines != nil {
		o.ShippingLines = make([]goshopify.ShippingLines, len(h.ShippingLines))
		for i, sl := range h.ShippingLines {
			o.ShippingLines[i].Title, o.ShippingLines[i].Price = sl.Title, sl.Price.dec()
		}
	}
	return o
}

func (a *hookAddress) address() *goshopify.Address {
	if a == nil {
		return nil
	}
	return &goshopify.Address{Address1: a.Address1, Address2: a.Address2, City: a.City, Company: a.Company, CountryCode: a.CountryCode,
		FirstName: a.FirstName, LastName: a.LastName, Name: a.Name, Phone: a.Phone, ProvinceCode: a.ProvinceCode, Zip: a.Zip}
}
