package shopifyfake

import (
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/money"
)

// Wire shapes: what the fake puts on the wire, field names and types as in
// Shopify's REST resources (IDs as JSON integers, money as decimal strings,
// timestamps ISO 8601 with offset, absent values as null). Only the fields
// dropgate reads, and the ones go-shopify's structs must decode, are
// present.

const timeLayout = "2006-01-02T15:04:05-07:00"

func ts(t time.Time) string { return t.Format(timeLayout) }

func tsPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := ts(*t)
	return &s
}

func gid(kind string, id uint64) string {
	return "gid://shopify/" + kind + "/" + strconv.FormatUint(id, 10)
}

// idOrNull renders 0 as null: Shopify sends null for a missing reference
// (a deleted variant), never 0.
func idOrNull(id uint64) *uint64 {
	if id == 0 {
		return nil
	}
	return &id
}

func strOrNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// amount formats money as Shopify does: a decimal string with the
// currency's decimals ("19.99", "1999" for JPY).
func amount(m money.Money) string { return m.Decimal().String() }

type wireMoney struct {
	Amount       string `json:"amount"`
	CurrencyCode string `json:"currency_code"`
}

type wireMoneySet struct {
	ShopMoney        wireMoney `json:"shop_money"`
	PresentmentMoney wireMoney `json:"presentment_money"`
}

func moneySet(m money.Money) wireMoneySet {
	w := wireMoney{Amount: amount(m), CurrencyCode: m.Currency}
	return wireMoneySet{ShopMoney: w, PresentmentMoney: w}
}

type wireAddress struct {
	FirstName    *string  `json:"first_name"`
	LastName     *string  `json:"last_name"`
	Name         *string  `json:"name"`
	Company      *string  `json:"company"`
	Address1     *string  `json:"address1"`
	Address2     *string  `json:"address2"`
	City         *string  `json:"city"`
	Province     *string  `json:"province"`
	ProvinceCode *string  `json:"province_code"`
	Country      *string  `json:"country"`
	CountryCode  *string  `json:"country_code"`
	Zip          *string  `json:"zip"`
	Phone        *string  `json:"phone"`
	Latitude     *float64 `json:"latitude"`
	Longitude    *float64 `json:"longitude"`
}

func renderAddress(a *Address) *wireAddress {
	if a == nil {
		return nil
	}
	name := a.FirstName
	if a.LastName != "" {
		if name != "" {
			name += " "
		}
		name += a.LastName
	}
	return &wireAddress{
		FirstName: strOrNull(a.FirstName), LastName: strOrNull(a.LastName), Name: strOrNull(name),
		Company: strOrNull(a.Company), Address1: strOrNull(a.Address1), Address2: strOrNull(a.Address2),
		City: strOrNull(a.City), Province: strOrNull(a.Province), ProvinceCode: strOrNull(a.ProvinceCode),
		Country: strOrNull(a.Country), CountryCode: strOrNull(a.CountryCode), Zip: strOrNull(a.Zip),
		Phone: strOrNull(a.Phone),
	}
}

type wireCustomer struct {
	ID        uint64  `json:"id"`
	Email     *string `json:"email"`
	FirstName *string `json:"first_name"`
	LastName  *string `json:"last_name"`
}

type wireLineItem struct {
	ID                         uint64       `json:"id"`
	AdminGraphqlAPIID          string       `json:"admin_graphql_api_id"`
	ProductID                  *uint64      `json:"product_id"`
	VariantID                  *uint64      `json:"variant_id"`
	SKU                        string       `json:"sku"`
	Title                      string       `json:"title"`
	Name                       string       `json:"name"`
	VariantTitle               *string      `json:"variant_title"`
	Vendor                     *string      `json:"vendor"`
	Quantity                   int          `json:"quantity"`
	CurrentQuantity            int          `json:"current_quantity"`
	FulfillableQuantity        int          `json:"fulfillable_quantity"`
	FulfillmentStatus          *string      `json:"fulfillment_status"`
	FulfillmentService         string       `json:"fulfillment_service"`
	Price                      string       `json:"price"`
	PriceSet                   wireMoneySet `json:"price_set"`
	TotalDiscount              string       `json:"total_discount"`
	RequiresShipping           bool         `json:"requires_shipping"`
	Taxable                    bool         `json:"taxable"`
	GiftCard                   bool         `json:"gift_card"`
	ProductExists              bool         `json:"product_exists"`
	Grams                      int          `json:"grams"`
	VariantInventoryManagement *string      `json:"variant_inventory_management"`
	Properties                 []any        `json:"properties"`
	TaxLines                   []any        `json:"tax_lines"`
	DiscountAllocations        []any        `json:"discount_allocations"`
}

func (s *Shop) renderLineItem(o *Order, l LineItem, qty, fulfillable int) wireLineItem {
	var fs *string
	switch {
	case l.Fulfilled >= l.Quantity:
		fs = strOrNull("fulfilled")
	case l.Fulfilled > 0:
		fs = strOrNull("partial")
	}
	var inv *string
	if l.InventoryItemID != 0 {
		inv = strOrNull("shopify")
	}
	_, exists := s.variants[l.VariantID]
	return wireLineItem{
		ID: l.ID, AdminGraphqlAPIID: gid("LineItem", l.ID),
		ProductID: idOrNull(l.ProductID), VariantID: idOrNull(l.VariantID),
		SKU: l.SKU, Title: l.Title, Name: lineName(l), VariantTitle: strOrNull(l.VariantTitle),
		Vendor: strOrNull(l.Vendor), Grams: l.Grams,
		Quantity: qty, CurrentQuantity: qty, FulfillableQuantity: fulfillable,
		FulfillmentStatus: fs, FulfillmentService: "manual",
		Price: amount(l.Price), PriceSet: moneySet(l.Price),
		TotalDiscount:    amount(money.Money{Currency: o.Currency}),
		RequiresShipping: true, Taxable: true, ProductExists: exists,
		VariantInventoryManagement: inv,
		Properties:                 []any{}, TaxLines: []any{}, DiscountAllocations: []any{},
	}
}

// lineName is Shopify's "Product - Variant" line name; a lone variant's
// "Default Title" is left out.
func lineName(l LineItem) string {
	if l.VariantTitle == "" || l.VariantTitle == "Default Title" {
		return l.Title
	}
	return l.Title + " - " + l.VariantTitle
}

type wireShippingLine struct {
	ID                 uint64       `json:"id"`
	Title              string       `json:"title"`
	Code               string       `json:"code"`
	Source             string       `json:"source"`
	Price              string       `json:"price"`
	PriceSet           wireMoneySet `json:"price_set"`
	DiscountedPrice    string       `json:"discounted_price"`
	DiscountedPriceSet wireMoneySet `json:"discounted_price_set"`
	TaxLines           []any        `json:"tax_lines"`
}

type wireOrder struct {
	ID                    uint64             `json:"id"`
	AdminGraphqlAPIID     string             `json:"admin_graphql_api_id"`
	Name                  string             `json:"name"`
	Number                int                `json:"number"`
	OrderNumber           int                `json:"order_number"`
	Email                 *string            `json:"email"`
	ContactEmail          *string            `json:"contact_email"`
	CreatedAt             string             `json:"created_at"`
	UpdatedAt             string             `json:"updated_at"`
	ProcessedAt           string             `json:"processed_at"`
	CancelledAt           *string            `json:"cancelled_at"`
	CancelReason          *string            `json:"cancel_reason"`
	ClosedAt              *string            `json:"closed_at"`
	Currency              string             `json:"currency"`
	PresentmentCurrency   string             `json:"presentment_currency"`
	FinancialStatus       string             `json:"financial_status"`
	FulfillmentStatus     *string            `json:"fulfillment_status"`
	TotalPrice            string             `json:"total_price"`
	TotalPriceSet         wireMoneySet       `json:"total_price_set"`
	SubtotalPrice         string             `json:"subtotal_price"`
	TotalLineItemsPrice   string             `json:"total_line_items_price"`
	TotalDiscounts        string             `json:"total_discounts"`
	TotalTax              string             `json:"total_tax"`
	TotalShippingPriceSet wireMoneySet       `json:"total_shipping_price_set"`
	TaxesIncluded         bool               `json:"taxes_included"`
	Test                  bool               `json:"test"`
	Tags                  string             `json:"tags"`
	Note                  *string            `json:"note"`
	Customer              *wireCustomer      `json:"customer"`
	ShippingAddress       *wireAddress       `json:"shipping_address"`
	BillingAddress        *wireAddress       `json:"billing_address"`
	LineItems             []wireLineItem     `json:"line_items"`
	ShippingLines         []wireShippingLine `json:"shipping_lines"`
	Fulfillments          []wireFulfillment  `json:"fulfillments"`
	Refunds               []any              `json:"refunds"`
}

// renderOrder computes the totals from the lines (no taxes, no discounts)
// with exact money arithmetic.
func (s *Shop) renderOrder(o *Order) wireOrder {
	zero := money.Money{Currency: o.Currency}
	subtotal := zero
	var lines []wireLineItem
	for _, l := range o.Lines {
		ext, _ := l.Price.Mul(int64(l.Quantity)) // seeded amounts are far from overflow
		subtotal, _ = subtotal.Add(ext)
		fulfillable := l.Quantity - l.Fulfilled
		if o.CancelledAt != nil {
			fulfillable = 0
		}
		lines = append(lines, s.renderLineItem(o, l, l.Quantity, fulfillable))
	}
	shipping := zero
	if !o.ShippingPrice.IsZero() {
		shipping = o.ShippingPrice
	}
	total, _ := subtotal.Add(shipping)
	w := wireOrder{
		ID: o.ID, AdminGraphqlAPIID: gid("Order", o.ID), Name: o.Name,
		Number: o.Number, OrderNumber: o.Number + 1000,
		Email: strOrNull(o.Email), ContactEmail: strOrNull(o.Email),
		CreatedAt: ts(o.CreatedAt), UpdatedAt: ts(o.UpdatedAt), ProcessedAt: ts(o.CreatedAt),
		CancelledAt: tsPtr(o.CancelledAt), CancelReason: strOrNull(o.CancelReason), ClosedAt: tsPtr(o.ClosedAt),
		Currency: o.Currency, PresentmentCurrency: o.Currency,
		FinancialStatus: o.FinancialStatus, FulfillmentStatus: strOrNull(o.FulfillmentStatus),
		TotalPrice: amount(total), TotalPriceSet: moneySet(total),
		SubtotalPrice: amount(subtotal), TotalLineItemsPrice: amount(subtotal),
		TotalDiscounts: amount(zero), TotalTax: amount(zero), TotalShippingPriceSet: moneySet(shipping),
		Tags: o.Tags, Note: strOrNull(o.Note),
		ShippingAddress: renderAddress(&o.ShippingAddress), BillingAddress: renderAddress(o.BillingAddress),
		LineItems: nonNil(lines), ShippingLines: []wireShippingLine{}, Refunds: []any{},
	}
	if o.shippingLineID != 0 {
		w.ShippingLines = append(w.ShippingLines, wireShippingLine{
			ID: o.shippingLineID, Title: "Standard", Code: "Standard", Source: "shopify",
			Price: amount(shipping), PriceSet: moneySet(shipping),
			DiscountedPrice: amount(shipping), DiscountedPriceSet: moneySet(shipping), TaxLines: []any{},
		})
	}
	if o.Email != "" {
		w.Customer = &wireCustomer{ID: o.CustomerID, Email: strOrNull(o.Email),
			FirstName: strOrNull(o.ShippingAddress.FirstName), LastName: strOrNull(o.ShippingAddress.LastName)}
	}
	w.Fulfillments = []wireFulfillment{}
	for _, id := range s.fulfByOrder[o.ID] {
		w.Fulfillments = append(w.Fulfillments, s.renderFulfillment(s.fulfillments[id]))
	}
	return w
}

type wireFulfillment struct {
	ID                uint64         `json:"id"`
	AdminGraphqlAPIID string         `json:"admin_graphql_api_id"`
	OrderID           uint64         `json:"order_id"`
	LocationID        uint64         `json:"location_id"`
	Name              string         `json:"name"`
	Status            string         `json:"status"`
	Service           string         `json:"service"`
	ShipmentStatus    *string        `json:"shipment_status"`
	TrackingCompany   *string        `json:"tracking_company"`
	TrackingNumber    *string        `json:"tracking_number"`
	TrackingNumbers   []string       `json:"tracking_numbers"`
	TrackingURL       *string        `json:"tracking_url"`
	TrackingURLs      []string       `json:"tracking_urls"`
	Receipt           struct{}       `json:"receipt"`
	LineItems         []wireLineItem `json:"line_items"`
	CreatedAt         string         `json:"created_at"`
	UpdatedAt         string         `json:"updated_at"`
}

func (s *Shop) renderFulfillment(fl *Fulfillment) wireFulfillment {
	o := s.orders[fl.OrderID]
	w := wireFulfillment{
		ID: fl.ID, AdminGraphqlAPIID: gid("Fulfillment", fl.ID), OrderID: fl.OrderID,
		LocationID: fl.LocationID, Name: fl.Name, Status: fl.Status, Service: "manual",
		TrackingCompany: strOrNull(fl.Tracking.Company), TrackingNumber: strOrNull(fl.Tracking.Number),
		TrackingURL: strOrNull(fl.Tracking.URL), TrackingNumbers: []string{}, TrackingURLs: []string{},
		CreatedAt: ts(fl.CreatedAt), UpdatedAt: ts(fl.UpdatedAt), LineItems: []wireLineItem{},
	}
	if len(fl.Tracking.Numbers) > 0 {
		w.TrackingNumbers = fl.Tracking.Numbers
	}
	if len(fl.Tracking.URLs) > 0 {
		w.TrackingURLs = fl.Tracking.URLs
	}
	for _, fline := range fl.Lines {
		for _, l := range o.Lines {
			if l.ID == fline.LineItemID {
				w.LineItems = append(w.LineItems, s.renderLineItem(o, l, fline.Quantity, l.Quantity-l.Fulfilled))
			}
		}
	}
	return w
}

type wireFOLine struct {
	ID                  uint64  `json:"id"`
	ShopID              uint64  `json:"shop_id"`
	FulfillmentOrderID  uint64  `json:"fulfillment_order_id"`
	LineItemID          uint64  `json:"line_item_id"`
	InventoryItemID     *uint64 `json:"inventory_item_id"`
	VariantID           *uint64 `json:"variant_id"`
	Quantity            int     `json:"quantity"`
	FulfillableQuantity int     `json:"fulfillable_quantity"`
}

type wireAssignedLocation struct {
	LocationID  uint64  `json:"location_id"`
	Name        string  `json:"name"`
	Address1    *string `json:"address1"`
	Address2    *string `json:"address2"`
	City        *string `json:"city"`
	Province    *string `json:"province"`
	CountryCode string  `json:"country_code"`
	Zip         *string `json:"zip"`
	Phone       *string `json:"phone"`
}

type wireDeliveryMethod struct {
	ID                  uint64  `json:"id"`
	MethodType          string  `json:"method_type"`
	MinDeliveryDateTime *string `json:"min_delivery_date_time"`
	MaxDeliveryDateTime *string `json:"max_delivery_date_time"`
}

type wireFulfillmentOrder struct {
	ID                  uint64               `json:"id"`
	AdminGraphqlAPIID   string               `json:"admin_graphql_api_id"`
	ShopID              uint64               `json:"shop_id"`
	OrderID             uint64               `json:"order_id"`
	AssignedLocationID  uint64               `json:"assigned_location_id"`
	RequestStatus       string               `json:"request_status"`
	Status              string               `json:"status"`
	SupportedActions    []string             `json:"supported_actions"`
	Destination         *wireAddress         `json:"destination"`
	LineItems           []wireFOLine         `json:"line_items"`
	FulfillAt           string               `json:"fulfill_at"`
	FulfillBy           *string              `json:"fulfill_by"`
	InternationalDuties *struct{}            `json:"international_duties"`
	FulfillmentHolds    []any                `json:"fulfillment_holds"`
	MerchantRequests    []any                `json:"merchant_requests"`
	DeliveryMethod      wireDeliveryMethod   `json:"delivery_method"`
	AssignedLocation    wireAssignedLocation `json:"assigned_location"`
	CreatedAt           string               `json:"created_at"`
	UpdatedAt           string               `json:"updated_at"`
}

func (s *Shop) renderFulfillmentOrder(fo *FulfillmentOrder) wireFulfillmentOrder {
	o := s.orders[fo.OrderID]
	loc := s.locations[fo.LocationID]
	actions := []string{}
	if fo.Status != FOClosed {
		actions = []string{"create_fulfillment", "request_fulfillment", "hold", "move"}
	}
	lines := make([]wireFOLine, len(fo.Lines))
	for i, l := range fo.Lines {
		lines[i] = wireFOLine{
			ID: l.ID, ShopID: s.id, FulfillmentOrderID: fo.ID, LineItemID: l.LineItemID,
			InventoryItemID: idOrNull(l.InventoryItemID), VariantID: idOrNull(l.VariantID),
			Quantity: l.Quantity, FulfillableQuantity: l.FulfillableQuantity,
		}
	}
	dest := renderAddress(&o.ShippingAddress)
	return wireFulfillmentOrder{
		ID: fo.ID, AdminGraphqlAPIID: gid("FulfillmentOrder", fo.ID), ShopID: s.id,
		OrderID: fo.OrderID, AssignedLocationID: fo.LocationID, RequestStatus: "unsubmitted",
		Status: fo.Status, SupportedActions: actions, Destination: dest, LineItems: lines,
		FulfillAt: ts(fo.CreatedAt), FulfillmentHolds: []any{}, MerchantRequests: []any{},
		DeliveryMethod: wireDeliveryMethod{ID: fo.deliveryMethodID, MethodType: "shipping"},
		AssignedLocation: wireAssignedLocation{
			LocationID: loc.ID, Name: loc.Name, Address1: strOrNull(loc.Address1), City: strOrNull(loc.City),
			Province: strOrNull(loc.Province), CountryCode: loc.CountryCode, Zip: strOrNull(loc.Zip),
			Phone: strOrNull(loc.Phone),
		},
		CreatedAt: ts(fo.CreatedAt), UpdatedAt: ts(fo.UpdatedAt),
	}
}

type wireLocation struct {
	ID                uint64 `json:"id"`
	AdminGraphqlAPIID string `json:"admin_graphql_api_id"`
	Name              string `json:"name"`
	Address1          string `json:"address1"`
	Address2          string `json:"address2"`
	City              string `json:"city"`
	Province          string `json:"province"`
	ProvinceCode      string `json:"province_code"`
	Country           string `json:"country"`
	CountryCode       string `json:"country_code"`
	CountryName       string `json:"country_name"`
	Zip               string `json:"zip"`
	Phone             string `json:"phone"`
	Active            bool   `json:"active"`
	Legacy            bool   `json:"legacy"`
	CreatedAt         string `json:"created_at"`
	UpdatedAt         string `json:"updated_at"`
}

func renderLocation(l *Location) wireLocation {
	return wireLocation{
		ID: l.ID, AdminGraphqlAPIID: gid("Location", l.ID), Name: l.Name, Address1: l.Address1,
		City: l.City, Province: l.Province, Country: l.CountryCode, CountryCode: l.CountryCode,
		CountryName: l.Country, Zip: l.Zip, Phone: l.Phone, Active: l.Active,
		CreatedAt: ts(l.CreatedAt), UpdatedAt: ts(l.UpdatedAt),
	}
}

type wireInventoryLevel struct {
	InventoryItemID   uint64 `json:"inventory_item_id"`
	LocationID        uint64 `json:"location_id"`
	Available         int    `json:"available"`
	UpdatedAt         string `json:"updated_at"`
	AdminGraphqlAPIID string `json:"admin_graphql_api_id"`
}

func renderLevel(l *InventoryLevel) wireInventoryLevel {
	return wireInventoryLevel{
		InventoryItemID: l.InventoryItemID, LocationID: l.LocationID, Available: l.Available,
		UpdatedAt: ts(l.UpdatedAt),
		AdminGraphqlAPIID: gid("InventoryLevel", l.LocationID) + "?inventory_item_id=" +
			strconv.FormatUint(l.InventoryItemID, 10),
	}
}

type wireVariant struct {
	ID                   uint64  `json:"id"`
	AdminGraphqlAPIID    string  `json:"admin_graphql_api_id"`
	ProductID            uint64  `json:"product_id"`
	Title                string  `json:"title"`
	Price                string  `json:"price"`
	CompareAtPrice       *string `json:"compare_at_price"`
	SKU                  string  `json:"sku"`
	Barcode              *string `json:"barcode"`
	Position             int     `json:"position"`
	InventoryPolicy      string  `json:"inventory_policy"`
	InventoryManagement  string  `json:"inventory_management"`
	FulfillmentService   string  `json:"fulfillment_service"`
	InventoryItemID      uint64  `json:"inventory_item_id"`
	InventoryQuantity    int     `json:"inventory_quantity"`
	OldInventoryQuantity int     `json:"old_inventory_quantity"`
	Option1              string  `json:"option1"`
	Option2              *string `json:"option2"`
	Option3              *string `json:"option3"`
	Grams                int     `json:"grams"`
	Taxable              bool    `json:"taxable"`
	RequiresShipping     bool    `json:"requires_shipping"`
	ImageID              *uint64 `json:"image_id"`
	CreatedAt            string  `json:"created_at"`
	UpdatedAt            string  `json:"updated_at"`
}

func (s *Shop) renderVariant(v *Variant) wireVariant {
	var compare *string
	if v.CompareAtPrice != nil {
		c := amount(*v.CompareAtPrice)
		compare = &c
	}
	qty := s.availableLocked(v.InventoryItemID)
	return wireVariant{
		ID: v.ID, AdminGraphqlAPIID: gid("ProductVariant", v.ID), ProductID: v.ProductID,
		Title: v.Title, Price: amount(v.Price), CompareAtPrice: compare, SKU: v.SKU,
		Barcode: strOrNull(v.Barcode), Position: v.Position, InventoryPolicy: "deny",
		InventoryManagement: "shopify", FulfillmentService: "manual",
		InventoryItemID: v.InventoryItemID, InventoryQuantity: qty, OldInventoryQuantity: qty,
		Option1: v.Title, Grams: v.Grams, Taxable: true, RequiresShipping: true,
		CreatedAt: ts(v.CreatedAt), UpdatedAt: ts(v.UpdatedAt),
	}
}

type wireOption struct {
	ID        uint64   `json:"id"`
	ProductID uint64   `json:"product_id"`
	Name      string   `json:"name"`
	Position  int      `json:"position"`
	Values    []string `json:"values"`
}

type wireProduct struct {
	ID                uint64        `json:"id"`
	AdminGraphqlAPIID string        `json:"admin_graphql_api_id"`
	Title             string        `json:"title"`
	BodyHTML          string        `json:"body_html"`
	Vendor            string        `json:"vendor"`
	ProductType       string        `json:"product_type"`
	Handle            string        `json:"handle"`
	Status            string        `json:"status"`
	Tags              string        `json:"tags"`
	PublishedScope    string        `json:"published_scope"`
	PublishedAt       *string       `json:"published_at"`
	Variants          []wireVariant `json:"variants"`
	Options           []wireOption  `json:"options"`
	Images            []any         `json:"images"`
	CreatedAt         string        `json:"created_at"`
	UpdatedAt         string        `json:"updated_at"`
}

func (s *Shop) renderProduct(p *Product) wireProduct {
	w := wireProduct{
		ID: p.ID, AdminGraphqlAPIID: gid("Product", p.ID), Title: p.Title, Vendor: p.Vendor,
		ProductType: p.ProductType, Handle: p.Handle, Status: p.Status, PublishedScope: "web",
		Variants: []wireVariant{}, Images: []any{},
		CreatedAt: ts(p.CreatedAt), UpdatedAt: ts(p.UpdatedAt),
	}
	if p.Status == "active" {
		w.PublishedAt = strOrNull(ts(p.CreatedAt))
	}
	opt := wireOption{ID: p.optionID, ProductID: p.ID, Name: "Title", Position: 1}
	for _, id := range s.variantIDs[p.ID] {
		v := s.variants[id]
		w.Variants = append(w.Variants, s.renderVariant(v))
		opt.Values = append(opt.Values, v.Title)
	}
	w.Options = []wireOption{opt}
	return w
}
