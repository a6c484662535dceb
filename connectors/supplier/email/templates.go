package email

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// TemplateData is what the subject and body templates see.
//
//	.PO        the purchase order: .Number, .OrderNumber (the customer's
//	           order number), .Created, .Currency, .ShippingMethod, .ShipTo
//	           (.Name .Company .Line1 .Line2 .City .Region .PostalCode
//	           .Country .Phone .Email) and .Lines (.LineNo .SupplierSKU
//	           .SKU .GTIN .Description .Quantity .UnitCost)
//	.Order     the customer's order (.ChannelOrderNumber, .Customer, .Note, …)
//	.Supplier  the supplier's name in the config
//	.Total     Σ quantity × unit cost of the PO
//	.Cancel    true in a cancellation
//	.Sender    the display name of from (else its address)
//
// Functions: money (19.99 USD), address (multi-line), addressLine (one
// line), upper, lower.
type TemplateData struct {
	PO       *model.PurchaseOrder
	Order    *model.Order
	Supplier string
	Total    money.Money
	Cancel   bool
	Sender   string
}

const defaultSubject = `Purchase order {{.PO.Number}}{{with .PO.OrderNumber}} (order {{.}}){{end}}`

const defaultCancelSubject = `CANCEL purchase order {{.PO.Number}}{{with .PO.OrderNumber}} (order {{.}}){{end}}`

// The default bodies list our lines as "SKU x QTY  description …": the
// trailing description keeps our own lines from matching the "SKU x QTY"
// reply pattern should a quote of them survive. For the same reason their
// wording avoids the phrases the reply patterns look for ("out of stock",
// "already shipped", "confirmed").
const defaultText = `Hello,

please ship the following order directly to our customer.

Purchase order: {{.PO.Number}}
{{- with .PO.OrderNumber}}
Order reference: {{.}}{{end}}
Date: {{.PO.Created.Format "2006-01-02"}}
{{- with .PO.ShippingMethod}}
Shipping method: {{.}}{{end}}

Ship to:
{{address .PO.ShipTo}}

Items:
{{range .PO.Lines}}- {{.SupplierSKU}} x {{.Quantity}}  {{.Description}} (our SKU {{.SKU}}, {{money .UnitCost}} each)
{{end}}
Total: {{money .Total}}

Once it has shipped, please reply to this e-mail with the carrier and the
tracking number(s), keeping {{.PO.Number}} in the subject. If an item cannot
be supplied, please name its SKU in your reply.

Thank you,
{{.Sender}}
`

const defaultCancelText = `Hello,

please CANCEL purchase order {{.PO.Number}}{{with .PO.OrderNumber}} (order {{.}}){{end}}
of {{.PO.Created.Format "2006-01-02"}} and do not ship it.

Items:
{{range .PO.Lines}}- {{.SupplierSKU}} x {{.Quantity}}  {{.Description}}
{{end}}
Please reply to confirm the cancellation. If it is on its way to the
customer, reply with the tracking number(s) instead.

Thank you,
{{.Sender}}
`

// templateSet is the compiled templates of one supplier.
type templateSet struct {
	subject, text, cancelSubject, cancelText *texttemplate.Template
	html, cancelHTML                         *htmltemplate.Template // nil: no HTML part
}

// templateError names the key of the template that failed.
type templateError struct {
	key string
	err error
}

func (e *templateError) Error() string { return fmt.Sprintf("templates.%s: %v", e.key, e.err) }
func (e *templateError) Unwrap() error { return e.err }

var templateFuncs = map[string]any{
	"money":       func(m money.Money) string { return m.String() },
	"address":     formatAddress,
	"addressLine": func(a model.Address) string { return strings.Join(addressParts(a), ", ") },
	"upper":       strings.ToUpper,
	"lower":       strings.ToLower,
}

// compileTemplates parses the configured templates (or the defaults) and
// runs each against a sample order, since text/template reports a
// misspelt field only when it executes.
func compileTemplates(t Templates) (*templateSet, error) {
	var ts templateSet
	texts := []struct {
		key, src, def string
		dst           **texttemplate.Template
	}{
		{"subject", t.Subject, defaultSubject, &ts.subject},
		{"text", t.Text, defaultText, &ts.text},
		{"cancel_subject", t.CancelSubject, defaultCancelSubject, &ts.cancelSubject},
		{"cancel_text", t.CancelText, defaultCancelText, &ts.cancelText},
	}
	sample := sampleData()
	for _, x := range texts {
		src := x.src
		if src == "" {
			src = x.def
		}
		tpl, err := texttemplate.New(x.key).Funcs(templateFuncs).Parse(src)
		if err != nil {
			return nil, &templateError{x.key, err}
		}
		if err := tpl.Execute(&bytes.Buffer{}, sample); err != nil {
			return nil, &templateError{x.key, err}
		}
		*x.dst = tpl
	}
	htmls := []struct {
		key, src string
		dst      **htmltemplate.Template
	}{{"html", t.HTML, &ts.html}, {"cancel_html", t.CancelHTML, &ts.cancelHTML}}
	for _, x := range htmls {
		if x.src == "" {
			continue
		}
		tpl, err := htmltemplate.New(x.key).Funcs(templateFuncs).Parse(x.src)
		if err != nil {
			return nil, &templateError{x.key, err}
		}
		if err := tpl.Execute(&bytes.Buffer{}, sample); err != nil {
			return nil, &templateError{x.key, err}
		}
		*x.dst = tpl
	}
	return &ts, nil
}

// rendered is a message's subject and bodies.
type rendered struct {
	Subject, Text, HTML string
}

// render executes the PO's (or the cancellation's) templates.
func (ts *templateSet) render(d TemplateData) (rendered, error) {
	subj, text, html := ts.subject, ts.text, ts.html
	if d.Cancel {
		subj, text, html = ts.cancelSubject, ts.cancelText, ts.cancelHTML
	}
	var r rendered
	var b bytes.Buffer
	if err := subj.Execute(&b, d); err != nil {
		return r, fmt.Errorf("subject template: %w", err)
	}
	// A subject is one line: a template's line breaks would end the
	// header early.
	r.Subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err := text.Execute(&b, d); err != nil {
		return r, fmt.Errorf("text template: %w", err)
	}
	r.Text = b.String()
	if html != nil {
		b.Reset()
		if err := html.Execute(&b, d); err != nil {
			return r, fmt.Errorf("html template: %w", err)
		}
		r.HTML = b.String()
	}
	return r, nil
}

// addressParts lists an address's non-empty lines.
func addressParts(a model.Address) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	add(a.Name)
	add(a.Company)
	add(a.Line1)
	add(a.Line2)
	add(strings.TrimSpace(strings.Join(nonEmpty(a.PostalCode, a.City, a.Region), " ")))
	add(a.Country)
	if a.Phone != "" {
		add("Phone: " + a.Phone)
	}
	return out
}

func formatAddress(a model.Address) string { return strings.Join(addressParts(a), "\n") }

func nonEmpty(s ...string) []string {
	var out []string
	for _, x := range s {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// sampleData is a fully populated PO for checking templates.
func sampleData() TemplateData {
	usd := money.Money{Amount: 1250, Currency: "USD"}
	addr := model.Address{Name: "Ada Lovelace", Company: "Analytical Ltd", Line1: "1 Engine Way", Line2: "Unit 2", City: "London",
		Region: "LND", PostalCode: "N1 9GU", Country: "GB", Phone: "+44 20 7946 0000", Email: "ada@example.com"}
	po := &model.PurchaseOrder{Number: "PO7K3M9QX2AB", Seq: 1, OrderID: "ord_sample", Supplier: "sample", Status: model.PODraft,
		Currency: "USD", ShipTo: addr, OrderNumber: "#1001", ShippingMethod: "Standard", Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Lines: []model.POLine{{LineNo: 1, OrderLineID: "1", SKU: "MUG-1", SupplierSKU: "ACME-MUG", GTIN: "0012345678905", Description: "Mug", Quantity: 2, UnitCost: usd}}}
	order := &model.Order{ID: "ord_sample", Channel: "shop", ChannelOrderID: "1", ChannelOrderNumber: "#1001", Currency: "USD",
		Customer: model.Customer{Name: "Ada Lovelace", Email: "ada@example.com"}, ShippingAddress: &addr, BillingAddress: &addr}
	return TemplateData{PO: po, Order: order, Supplier: "sample", Total: money.Money{Amount: 2500, Currency: "USD"}, Sender: "Shop"}
}
