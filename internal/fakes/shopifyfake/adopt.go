package shopifyfake

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/money"
)

// orderJSON is the part of a Shopify order (REST, as in an orders/create
// webhook) that AdoptOrder keeps. Ids are json.Number: they exceed 2^53.
type orderJSON struct {
	ID              json.Number  `json:"id"`
	Name            string       `json:"name"`
	OrderNumber     json.Number  `json:"order_number"`
	Email           string       `json:"email"`
	Currency        string       `json:"currency"`
	FinancialStatus string       `json:"financial_status"`
	CreatedAt       string       `json:"created_at"`
	Tags            string       `json:"tags"`
	Note            *string      `json:"note"`
	ShippingAddress *addressJSON `json:"shipping_address"`
	BillingAddress  *addressJSON `json:"billing_address"`
	LineItems       []struct {
		ID        json.Number `json:"id"`
		ProductID json.Number `json:"product_id"`
		VariantID json.Number `json:"variant_id"`
		SKU       string      `json:"sku"`
		Title     string      `json:"title"`
		Name      string      `json:"name"`
		Quantity  int         `json:"quantity"`
		Price     string      `json:"price"`
	} `json:"line_items"`
	ShippingLines []struct {
		Price string `json:"price"`
	} `json:"shipping_lines"`
}

type addressJSON struct {
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Company      string `json:"company"`
	Address1     string `json:"address1"`
	Address2     string `json:"address2"`
	City         string `json:"city"`
	Province     string `json:"province"`
	ProvinceCode string `json:"province_code"`
	Country      string `json:"country"`
	CountryCode  string `json:"country_code"`
	Zip          string `json:"zip"`
	Phone        string `json:"phone"`
}

func (a *addressJSON) address() Address {
	if a == nil {
		return Address{}
	}
	return Address{FirstName: a.FirstName, LastName: a.LastName, Company: a.Company, Address1: a.Address1, Address2: a.Address2,
		City: a.City, Province: a.Province, ProvinceCode: a.ProvinceCode, Country: a.Country, CountryCode: a.CountryCode, Zip: a.Zip, Phone: a.Phone}
}

// AdoptOrder records an order that was placed elsewhere (its orders/create
// body, with Shopify's own ids), with its fulfillment orders, as if it had
// been placed on this shop. `dropgate demo --keep` adopts what `dropgate
// trigger` sends, so fulfilling it works as for an order placed on the
// store. An order already known is left as it is.
func (s *Shop) AdoptOrder(body []byte) (Order, error) {
	var in orderJSON
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		return Order{}, fmt.Errorf("shopifyfake: adopt order: %w", err)
	}
	id, err := strconv.ParseUint(in.ID.String(), 10, 64)
	if err != nil || id == 0 {
		return Order{}, fmt.Errorf("shopifyfake: adopt order: id %q is not an order id", in.ID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.orders[id]; ok {
		return o.clone(), nil
	}
	o, err := s.adoptedLocked(id, &in)
	if err != nil {
		return Order{}, fmt.Errorf("shopifyfake: adopt order %d: %w", id, err)
	}
	s.orders[o.ID] = o
	s.createFulfillmentOrdersLocked(o)
	return o.clone(), nil
}

func (s *Shop) adoptedLocked(id uint64, in *orderJSON) (*Order, error) {
	if len(in.LineItems) == 0 {
		return nil, errors.New("an order needs at least one line")
	}
	created := s.fake.now()
	if t, err := time.Parse(time.RFC3339, in.CreatedAt); err == nil {
		created = t.UTC().Truncate(time.Second)
	}
	o := &Order{
		ID: id, Name: in.Name, Email: in.Email, Currency: in.Currency,
		FinancialStatus: cmp.Or(in.FinancialStatus, "paid"), CreatedAt: created, UpdatedAt: created,
		ShippingAddress: in.ShippingAddress.address(), Tags: in.Tags,
	}
	if n, err := strconv.Atoi(in.OrderNumber.String()); err == nil {
		o.Number = n - 1000 // Shopify's "number" counts from 1 where order_number counts from 1001
		o.Name = cmp.Or(o.Name, "#"+strconv.Itoa(n))
	}
	if in.Note != nil {
		o.Note = *in.Note
	}
	if in.BillingAddress != nil {
		b := in.BillingAddress.address()
		o.BillingAddress = &b
	}
	for _, sl := range in.ShippingLines {
		p, err := money.Parse(sl.Price, in.Currency)
		if err != nil {
			return nil, fmt.Errorf("shipping line price: %w", err)
		}
		if o.ShippingPrice.IsZero() {
			o.ShippingPrice = p
			o.shippingLineID = s.fake.nextID()
		}
	}
	for i, li := range in.LineItems {
		lid, err := strconv.ParseUint(li.ID.String(), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line_items[%d].id %q: %w", i, li.ID, err)
		}
		price, err := money.Parse(li.Price, in.Currency)
		if err != nil {
			return nil, fmt.Errorf("line_items[%d].price: %w", i, err)
		}
		l, err := s.buildLineLocked(NewLineItem{VariantID: optionalID(li.VariantID), ProductID: optionalID(li.ProductID),
			SKU: li.SKU, Title: cmp.Or(li.Title, li.Name), Quantity: li.Quantity, Price: price}, in.Currency)
		if err != nil {
			return nil, fmt.Errorf("line_items[%d]: %w", i, err)
		}
		l.ID = lid // Shopify's id, which dropgate refers to when it fulfills
		o.Lines = append(o.Lines, l)
	}
	return o, nil
}

// optionalID reads an id that may be null or absent (0).
func optionalID(n json.Number) uint64 {
	v, _ := strconv.ParseUint(strings.TrimSpace(n.String()), 10, 64)
	return v
}
