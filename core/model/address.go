package model

import "strings"

// Address is a postal address. Country is ISO 3166-1 alpha-2 ("US"), Region
// the ISO 3166-2 subdivision code without the country ("CA" for California)
// when known.
type Address struct {
	Name       string `json:"name,omitempty"`
	Company    string `json:"company,omitempty"`
	Line1      string `json:"line1,omitempty"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city,omitempty"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Email      string `json:"email,omitempty"`
}

// Missing returns the names of the fields a carrier needs that are empty.
// Region and postal code are not required everywhere (Hong Kong has no
// postal codes), so only name, first line, city and country are checked.
func (a *Address) Missing() []string {
	if a == nil {
		return []string{"address"}
	}
	var m []string
	for _, f := range []struct{ name, v string }{
		{"name", a.Name}, {"line1", a.Line1}, {"city", a.City}, {"country", a.Country},
	} {
		if strings.TrimSpace(f.v) == "" {
			m = append(m, f.name)
		}
	}
	return m
}

// Customer is who placed the order.
type Customer struct {
	ID    string `json:"id,omitempty"` // channel customer id
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Ref is an identifier of the entity in another system: the channel's order
// id, the supplier's order number, an EDI control number.
type Ref struct {
	System string `json:"system"` // "shopify:shop", "supplier:acme", "x12:isa13"
	ID     string `json:"id"`
}
