package http_api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// Data is what every template is executed with.
type Data struct {
	PO    *model.PurchaseOrder
	Order *model.Order
	// Supplier is the connector's instance name.
	Supplier string
	// SupplierOrderID is the supplier's id of the order (the ref stored
	// when it was created); empty while creating it.
	SupplierOrderID string
	// IdempotencyKey is the key of this request (the PO number for a
	// create), for APIs that want it in the body rather than a header.
	IdempotencyKey string
	// Return is the customer return of a return_request; nil elsewhere.
	Return *model.Return
}

// There is deliberately no "now": a retried request must be the same
// bytes as the first (an API that remembers an idempotency key compares
// the bodies), so dates come from the PO (.PO.Created) and the order.

// funcs are the template functions. Text written into a JSON body must
// go through json, which quotes and escapes it: a customer's address
// holds quotes, backslashes and line breaks, and the sample PO Check
// renders against holds all three, so a body that forgets json fails
// validation rather than an order.
var funcs = template.FuncMap{
	"json":        toJSON,
	"money":       moneyString,
	"minor":       func(m money.Money) int64 { return m.Amount },
	"decimal":     func(d decimal.Decimal) string { return d.String() },
	"date":        func(t any) (string, error) { return formatTime("2006-01-02", t) },
	"datetime":    func(t any) (string, error) { return formatTime(time.RFC3339, t) },
	"timeformat":  formatTime,
	"default":     defaultString,
	"upper":       strings.ToUpper,
	"lower":       strings.ToLower,
	"trim":        strings.TrimSpace,
	"truncate":    truncate,
	"add":         func(a, b int) int { return a + b },
	"pathescape":  url.PathEscape,
	"queryescape": url.QueryEscape,
}

// toJSON renders v as JSON: strings quoted and escaped, numbers as
// numbers, structs with their JSON tags. HTML characters are kept as they
// are (no \u003c): the body goes to an API, not a web page.
func toJSON(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// moneyString is an amount in major units with the currency's decimals
// ("12.50", "1999" for yen), exact: the form most order APIs take as a
// string. Write {{ money .UnitCost | json }} for a JSON string, or
// {{ money .UnitCost }} unquoted for a JSON number.
func moneyString(m money.Money) (string, error) {
	if _, ok := money.Exponent(m.Currency); !ok {
		return "", fmt.Errorf("money: amount %d has unknown currency %q", m.Amount, m.Currency)
	}
	return m.Decimal().String(), nil
}

// formatTime formats a time.Time or *time.Time (nil: "") in UTC.
func formatTime(layout string, t any) (string, error) {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return "", nil
		}
		return v.UTC().Format(layout), nil
	case *time.Time:
		if v == nil || v.IsZero() {
			return "", nil
		}
		return v.UTC().Format(layout), nil
	}
	return "", fmt.Errorf("date: %T is not a time", t)
}

// defaultString returns def when s is empty: {{ default "n/a" .PO.ShipTo.Phone }}.
func defaultString(def string, s string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// truncate keeps the first n characters (not bytes) of s, for APIs with
// field length limits.
func truncate(n int, s string) string {
	if n < 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

// parseTemplate compiles one template text.
func parseTemplate(name, text string) (*template.Template, error) {
	return template.New(name).Funcs(funcs).Option("missingkey=error").Parse(text)
}

// execute runs t on data.
func execute(t *template.Template, data *Data) (string, error) {
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// sampleData is the PO Check renders every template against: two lines,
// and an address with everything that breaks hand-written JSON (double
// quotes, a backslash, a line break, non-ASCII, an HTML character).
func sampleData() *Data {
	created := time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)
	shipTo := model.Address{
		Name: `Ada "The Countess" Lovelace`, Company: "Analytical Engines & Co",
		Line1: `12 Byron St \ Unit 3`, Line2: "Floor 2\nRing twice", City: "Zürich",
		Region: "ZH", PostalCode: "8001", Country: "CH", Phone: "+41 44 000 00 00", Email: "ada@example.com",
	}
	po := &model.PurchaseOrder{
		Number: "POSAMPLE001", Seq: 1, OrderID: "ord_sample", Supplier: "sample", Status: model.PODraft,
		Currency: "USD", ShipTo: shipTo, Created: created, OrderNumber: "#1001", ShippingMethod: "ground",
		Lines: []model.POLine{
			{LineNo: 1, OrderLineID: "11", SKU: "MUG-RED", SupplierSKU: "ACME-MUG-R", GTIN: "00012345678905",
				Description: `Mug "red", 12oz <large>`, Quantity: 2, UnitCost: money.Money{Amount: 450, Currency: "USD"}},
			{LineNo: 2, OrderLineID: "12", SKU: "TEE-M", SupplierSKU: "ACME-TEE-M", Description: "T-shirt, size M",
				Quantity: 1, UnitCost: money.Money{Amount: 1299, Currency: "USD"}},
		},
	}
	order := &model.Order{
		ID: "ord_sample", Channel: "shop", ChannelOrderID: "1001", ChannelOrderNumber: "#1001", PlacedAt: created,
		Currency: "USD", Customer: model.Customer{Name: shipTo.Name, Email: shipTo.Email, Phone: shipTo.Phone},
		ShippingAddress: &shipTo, ShippingMethod: "ground", Note: `Leave at the "back" door`,
	}
	return &Data{PO: po, Order: order, Supplier: "sample", SupplierOrderID: "SAMPLE-ORDER-1", IdempotencyKey: po.Number}
}

// sampleReturnOf is a return of the sample PO's first line, for checking
// return_request templates.
func sampleReturnOf(po *model.PurchaseOrder) *model.Return {
	r := &model.Return{ID: "ret_3kD9sQ2x", OrderID: po.OrderID, Supplier: po.Supplier, PONumber: po.Number, Reason: "arrived broken",
		Status: model.ReturnRequested}
	if len(po.Lines) > 0 {
		l := po.Lines[0]
		r.Lines = []model.ReturnLine{{OrderLineID: l.OrderLineID, SKU: l.SKU, SupplierSKU: l.SupplierSKU, GTIN: l.GTIN, POLineNo: l.LineNo,
			Description: l.Description, Quantity: 1, UnitCost: l.UnitCost}}
	}
	return r
}
