package routing

import (
	"fmt"
	"time"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/money"
)

// SupplierProfile is what routing knows of a supplier, from the keys every
// supplier block in the config shares (whatever its type).
type SupplierProfile struct {
	Name     string        `yaml:"-"`
	Catalog  CatalogSource `yaml:"catalog"`
	Priority int           `yaml:"priority"` // lower is preferred; 0 counts as 100
	Currency string        `yaml:"currency"` // the supplier's cost currency (default USD)
	// ShipTo lists ISO 3166-1 alpha-2 countries the supplier ships to;
	// empty means anywhere.
	ShipTo []string `yaml:"ship_to"`
	Fees   Fees     `yaml:"fees"`
	SLA    SLA      `yaml:"sla"`
	// Score (0–100) is the supplier's scorecard, fed by acknowledgements
	// and shipping times; routing can prefer the better one. 0 means no
	// scorecard yet and ranks last.
	Score int `yaml:"score"`
	// SafetyBuffer, when set, replaces routing.safety_buffer for this
	// supplier: a feed refreshed daily needs more slack than a live API.
	SafetyBuffer *int64 `yaml:"safety_buffer"`
	// PaymentTerms say when the supplier's invoices fall due when an
	// invoice carries no terms of its own (X12 ITD).
	PaymentTerms PaymentTerms `yaml:"payment_terms"`
}

// DefaultNetDays is the payment term of a supplier with no payment_terms.
const DefaultNetDays = 30

// PaymentTerms are a supplier's agreed payment terms.
type PaymentTerms struct {
	NetDays *int `yaml:"net_days"` // days after the invoice date; default 30
}

// Net returns the days after the invoice date its payment is due.
func (t PaymentTerms) Net() int {
	if t.NetDays == nil {
		return DefaultNetDays
	}
	return *t.NetDays
}

// Buffer returns the safety buffer that applies to this supplier.
func (p SupplierProfile) Buffer(global int64) int64 {
	if p.SafetyBuffer != nil {
		return *p.SafetyBuffer
	}
	return global
}

// Check validates the routing keys of a supplier block; paths are relative
// to it. Currency must already hold its default, since fees are checked
// against its number of decimals.
func (p SupplierProfile) Check() []Problem {
	var ps []Problem
	if p.SafetyBuffer != nil && *p.SafetyBuffer < 0 {
		ps = append(ps, Problem{Path: "safety_buffer", Message: "must not be negative"})
	}
	if p.Score < 0 || p.Score > 100 {
		ps = append(ps, Problem{Path: "score", Message: fmt.Sprintf("%d is outside 0–100", p.Score)})
	}
	if n := p.PaymentTerms.NetDays; n != nil && (*n < 0 || *n > 365) {
		ps = append(ps, Problem{Path: "payment_terms.net_days", Message: fmt.Sprintf("%d is outside 0–365", *n)})
	}
	if !money.KnownCurrency(p.Currency) {
		return ps // reported on its own; fees cannot be checked against it
	}
	// A fee with more decimals than the currency would otherwise be left
	// out of landed costs at routing time: say so now.
	for _, f := range []struct {
		key string
		fee decimal.Decimal
	}{{"fees.dropship", p.Fees.Dropship}, {"fees.shipping_estimate", p.Fees.ShippingEstimate}} {
		if _, err := money.FromDecimalIn(f.fee, p.Currency); err != nil {
			ps = append(ps, Problem{Path: f.key, Message: fmt.Sprintf("%s has more decimals than %s allows", f.fee, p.Currency)})
		}
		if f.fee.Sign() < 0 {
			ps = append(ps, Problem{Path: f.key, Message: "must not be negative"})
		}
	}
	return ps
}

// CatalogSource names where a supplier's offers come from.
type CatalogSource struct {
	File string `yaml:"file"` // CSV: supplier_sku, sku, cost, stock[, pack_size, min_qty, gtin, title]
}

// Fees are what a supplier charges on top of item cost.
type Fees struct {
	Dropship         decimal.Decimal `yaml:"dropship"`          // per purchase order
	ShippingEstimate decimal.Decimal `yaml:"shipping_estimate"` // per purchase order
}

// SLA is how fast a supplier promises to answer and ship.
type SLA struct {
	AcknowledgeWithin time.Duration `yaml:"acknowledge_within"`
	ShipWithin        time.Duration `yaml:"ship_within"`
	// DeliverWithin is how long after the PO went out its parcels should
	// be delivered; the scorecard's delivered_on_time measures it
	// (default ship_within + 5 days).
	DeliverWithin time.Duration `yaml:"deliver_within"`
	// OnBreach: "reroute" moves open lines to the next supplier,
	// "exception" (default) raises an exception for a person.
	OnBreach string `yaml:"on_breach"`
}
