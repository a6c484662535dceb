package model

import "time"

// TrackingStatus is the canonical status of a package (DESIGN §3).
type TrackingStatus string

// Tracking statuses.
const (
	TrackLabelCreated       TrackingStatus = "label_created"
	TrackInTransit          TrackingStatus = "in_transit"
	TrackOutForDelivery     TrackingStatus = "out_for_delivery"
	TrackAvailableForPickup TrackingStatus = "available_for_pickup"
	TrackDeliveryAttempted  TrackingStatus = "delivery_attempted"
	TrackDelivered          TrackingStatus = "delivered"
	TrackReturningToSender  TrackingStatus = "returning_to_sender"
	TrackReturned           TrackingStatus = "returned"
	TrackFailure            TrackingStatus = "failure"
	TrackCancelled          TrackingStatus = "cancelled"
	TrackUnknown            TrackingStatus = "unknown"
)

// Final reports whether the status ends the package's journey; a final
// status never regresses to an earlier one.
func (s TrackingStatus) Final() bool {
	switch s {
	case TrackDelivered, TrackReturned, TrackCancelled:
		return true
	}
	return false
}

// Advance returns the status after an event reporting next: a final status
// is kept, anything else takes the new value (carriers report out of
// order; "unknown" never overwrites what we know).
func (s TrackingStatus) Advance(next TrackingStatus) TrackingStatus {
	if s.Final() || next == TrackUnknown || next == "" {
		if s == "" {
			return next
		}
		return s
	}
	return next
}

// Shipment is what a supplier shipped against one purchase order: one or
// more packages, each with its own tracking number.
type Shipment struct {
	ID        string         `json:"id"` // ours, derived from the source document
	OrderID   string         `json:"order_id"`
	PONumber  string         `json:"po_number"`
	Supplier  string         `json:"supplier"`
	ShippedAt time.Time      `json:"shipped_at"`
	Carrier   string         `json:"carrier,omitempty"` // canonical code: ups, fedex, usps, dhl…
	Service   string         `json:"service,omitempty"`
	Packages  []Package      `json:"packages"`
	Status    TrackingStatus `json:"status"`
	// Channel side: the fulfillment created for it, once pushed.
	ChannelFulfillmentID string `json:"channel_fulfillment_id,omitempty"`
	Source               string `json:"source,omitempty"` // inbound document id that reported it
	Refs                 []Ref  `json:"refs,omitempty"`
}

// Package is one parcel with its tracking number and contents.
type Package struct {
	TrackingNumber string          `json:"tracking_number,omitempty"`
	Carrier        string          `json:"carrier,omitempty"` // overrides the shipment's when set
	TrackingURL    string          `json:"tracking_url,omitempty"`
	Lines          []ShipmentLine  `json:"lines"`
	Status         TrackingStatus  `json:"status"`
	Events         []TrackingEvent `json:"events,omitempty"`
	// SSCC is the package's Serial Shipping Container Code (GS1, 18
	// digits) when the supplier labels its cartons with one (EDIFACT
	// GIN+BJ).
	SSCC string `json:"sscc,omitempty"`
}

// ShipmentLine is a quantity of one PO line in a package.
type ShipmentLine struct {
	POLineNo    int    `json:"po_line_no"`
	OrderLineID string `json:"order_line_id"`
	SKU         string `json:"sku,omitempty"`
	// SupplierSKU and GTIN identify the item when the supplier's document
	// does not carry the PO line number; the engine maps them to a line.
	SupplierSKU string `json:"supplier_sku,omitempty"`
	GTIN        string `json:"gtin,omitempty"`
	Quantity    int64  `json:"quantity"`
}

// TrackingEvent is one scan reported by a carrier.
type TrackingEvent struct {
	At          time.Time      `json:"at"`
	Status      TrackingStatus `json:"status"`
	Description string         `json:"description,omitempty"`
	Location    string         `json:"location,omitempty"`
	// Code is the carrier's own status code (EasyPost status_detail,
	// Shippo substatus, AfterShip subtag, UPS type), kept as sent.
	Code     string `json:"code,omitempty"`
	Provider string `json:"provider,omitempty"` // the connector that reported it
}

// TrackingNumbers returns every package's tracking number, in order.
func (s *Shipment) TrackingNumbers() []string {
	var out []string
	for _, p := range s.Packages {
		if p.TrackingNumber != "" {
			out = append(out, p.TrackingNumber)
		}
	}
	return out
}

// LineQuantities sums shipped quantities per order line id.
func (s *Shipment) LineQuantities() map[string]int64 {
	q := map[string]int64{}
	for _, p := range s.Packages {
		for _, l := range p.Lines {
			q[l.OrderLineID] += l.Quantity
		}
	}
	return q
}
