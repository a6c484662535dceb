package routing

import (
	"time"

	"github.com/dropgate/dropgate/core/decimal"
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
	// and shipping times; routing can prefer the better one.
	Score int `yaml:"score"`
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
	// OnBreach: "reroute" moves open lines to the next supplier,
	// "exception" (default) raises an exception for a person.
	OnBreach string `yaml:"on_breach"`
}
