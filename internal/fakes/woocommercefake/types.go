package woocommercefake

import "encoding/json"

// Order is a WC REST v3 order as the fake keeps it. Money is the decimal
// strings WooCommerce writes.
type Order struct {
	ID              int64      `json:"id"`
	Number          string     `json:"number"`
	Status          string     `json:"status"`
	Currency        string     `json:"currency"`
	DateCreatedGMT  string     `json:"date_created_gmt"`
	DateModifiedGMT string     `json:"date_modified_gmt"`
	DatePaidGMT     *string    `json:"date_paid_gmt"`
	DiscountTotal   string     `json:"discount_total"`
	ShippingTotal   string     `json:"shipping_total"`
	Total           string     `json:"total"`
	TotalTax        string     `json:"total_tax"`
	CustomerID      int64      `json:"customer_id"`
	CustomerNote    string     `json:"customer_note"`
	Billing         Address    `json:"billing"`
	Shipping        Address    `json:"shipping"`
	LineItems       []LineItem `json:"line_items"`
	ShippingLines   []ShipLine `json:"shipping_lines"`
	Notes           []Note     `json:"-"`
	Trackings       []Tracking `json:"-"`
}

// Address is a billing or shipping address.
type Address struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Company   string `json:"company"`
	Address1  string `json:"address_1"`
	Address2  string `json:"address_2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postcode  string `json:"postcode"`
	Country   string `json:"country"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
}

// LineItem is an order line; price is a JSON number, as WooCommerce sends.
type LineItem struct {
	ID          int64       `json:"id"`
	Name        string      `json:"name"`
	ProductID   int64       `json:"product_id"`
	VariationID int64       `json:"variation_id"`
	Quantity    int64       `json:"quantity"`
	Subtotal    string      `json:"subtotal"`
	Total       string      `json:"total"`
	TotalTax    string      `json:"total_tax"`
	SKU         string      `json:"sku"`
	Price       json.Number `json:"price"`
}

// ShipLine is a shipping line.
type ShipLine struct {
	ID          int64  `json:"id"`
	MethodTitle string `json:"method_title"`
	MethodID    string `json:"method_id"`
	Total       string `json:"total"`
}

// Note is an order note.
type Note struct {
	ID           int64  `json:"id"`
	Note         string `json:"note"`
	CustomerNote bool   `json:"customer_note"`
	DateCreated  string `json:"date_created_gmt"`
}

// Tracking is a Shipment Tracking extension entry.
type Tracking struct {
	TrackingID       string `json:"tracking_id"`
	TrackingProvider string `json:"tracking_provider"`
	CustomProvider   string `json:"custom_tracking_provider,omitempty"`
	TrackingNumber   string `json:"tracking_number"`
	DateShipped      string `json:"date_shipped"`
}

// Product is a product or a variation (ParentID set).
type Product struct {
	ID            int64  `json:"id"`
	ParentID      int64  `json:"parent_id,omitempty"`
	SKU           string `json:"sku"`
	Type          string `json:"type,omitempty"`
	ManageStock   bool   `json:"manage_stock"`
	StockQuantity *int64 `json:"stock_quantity"`
	RegularPrice  string `json:"regular_price"`
	SalePrice     string `json:"sale_price"`
}
