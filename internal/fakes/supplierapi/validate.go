package supplierapi

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/dropgate/dropgate/core/money"
)

// newOrder is a create request. Numbers and the price stay raw so the
// validation can insist on their JSON types: a quantity is a JSON
// integer, a price an exact decimal string.
type newOrder struct {
	ExternalRef    string    `json:"external_ref"`
	Currency       string    `json:"currency"`
	ShippingMethod string    `json:"shipping_method"`
	Note           string    `json:"note"`
	ShipTo         *Address  `json:"ship_to"`
	Lines          []newLine `json:"lines"`

	lines []Line // validated
}

type newLine struct {
	Line      json.RawMessage `json:"line"`
	SKU       string          `json:"sku"`
	Quantity  json.RawMessage `json:"quantity"`
	UnitPrice json.RawMessage `json:"unit_price"`
}

// maxLines bounds an order, as real APIs do.
const maxLines = 100

func invalid(field, format string, args ...any) *apiError {
	return &apiError{Code: "invalid_request", Field: field, Message: field + ": " + fmt.Sprintf(format, args...)}
}

// parseNewOrder decodes and validates a create request.
func parseNewOrder(body []byte) (*newOrder, *apiError) {
	var no newOrder
	if err := decodeStrict(body, &no); err != nil {
		return nil, &apiError{Code: "invalid_json", Message: "request body: " + err.Error()}
	}
	switch {
	case strings.TrimSpace(no.ExternalRef) == "":
		return nil, invalid("external_ref", "required")
	case len(no.ExternalRef) > 64:
		return nil, invalid("external_ref", "longer than 64 characters")
	case !money.KnownCurrency(no.Currency):
		return nil, invalid("currency", "%q is not an ISO 4217 currency", no.Currency)
	case no.ShipTo == nil:
		return nil, invalid("ship_to", "required")
	}
	if e := validAddress(no.ShipTo); e != nil {
		return nil, e
	}
	if len(no.Lines) == 0 || len(no.Lines) > maxLines {
		return nil, invalid("lines", "between 1 and %d lines required, got %d", maxLines, len(no.Lines))
	}
	seen := map[int]bool{}
	for i, nl := range no.Lines {
		at := fmt.Sprintf("lines[%d]", i)
		l := Line{SKU: strings.TrimSpace(nl.SKU)}
		n, err := positiveInt(nl.Line)
		if err != nil {
			return nil, invalid(at+".line", "%v", err)
		}
		if seen[int(n)] {
			return nil, invalid(at+".line", "line %d appears twice", n)
		}
		seen[int(n)] = true
		l.Line = int(n)
		if l.SKU == "" {
			return nil, invalid(at+".sku", "required")
		}
		if l.Quantity, err = positiveInt(nl.Quantity); err != nil {
			return nil, invalid(at+".quantity", "%v", err)
		}
		if l.UnitPrice, err = price(nl.UnitPrice, no.Currency); err != nil {
			return nil, invalid(at+".unit_price", "%v", err)
		}
		no.lines = append(no.lines, l)
	}
	return &no, nil
}

func validAddress(a *Address) *apiError {
	for _, f := range []struct{ name, v string }{
		{"name", a.Name}, {"address1", a.Address1}, {"city", a.City}, {"country", a.Country},
	} {
		if strings.TrimSpace(f.v) == "" {
			return invalid("ship_to."+f.name, "required")
		}
	}
	if len(a.Country) != 2 || strings.ToUpper(a.Country) != a.Country {
		return invalid("ship_to.country", "%q is not an ISO 3166-1 alpha-2 code", a.Country)
	}
	return nil
}

// positiveInt reads a JSON integer above zero: not a string, not a
// fraction, not an exponent.
func positiveInt(raw json.RawMessage) (int64, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" {
		return 0, fmt.Errorf("required")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s is not a JSON integer", s)
	}
	if n <= 0 {
		return 0, fmt.Errorf("must be positive, got %d", n)
	}
	return n, nil
}

// price reads an exact decimal string in the currency ("4.50"). A JSON
// number is refused: it may have passed through a float on the way.
func price(raw json.RawMessage, currency string) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("must be a decimal string such as \"4.50\", got %s", strings.TrimSpace(string(raw)))
	}
	m, err := money.Parse(s, currency)
	if err != nil {
		return "", err
	}
	if m.Amount < 0 {
		return "", fmt.Errorf("must not be negative")
	}
	return m.Decimal().String(), nil
}
