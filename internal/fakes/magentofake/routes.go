package magentofake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/dropgate/dropgate/internal/fakes/kit"
)

const timeLayout = "2006-01-02 15:04:05"

// Stores are the store codes the fake knows; another is a 404.
var Stores = map[string]bool{"default": true, "all": true}

func (f *Fake) routes() {
	f.handle("GET /rest/{store}/V1/orders", f.listOrders)
	f.handle("GET /rest/{store}/V1/orders/{id}", f.getOrder)
	f.handle("POST /rest/{store}/V1/order/{id}/ship", f.ship)
	f.handle("GET /rest/{store}/V1/shipments", f.listShipments)
	f.handle("POST /rest/{store}/V1/inventory/source-items", f.setSourceItems)
	f.handle("PUT /rest/{store}/V1/products/{sku}/stockItems/{item}", f.setStockItem)
	f.handle("POST /rest/{store}/V1/products/base-prices", f.setPrices)
}

func (f *Fake) handle(pattern string, h func(r *http.Request) *kit.Response) {
	f.srv.Handle(pattern, func(r *http.Request) *kit.Response {
		if !Stores[r.PathValue("store")] {
			return f.fail(http.StatusNotFound, "The store that was requested wasn't found. Verify the store and try again.")
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		return h(r)
	})
}

// fail answers Magento's error body with %n parameters.
func (f *Fake) fail(status int, msg string, params ...any) *kit.Response {
	if params == nil {
		params = []any{}
	}
	return kit.JSON(status, map[string]any{"message": msg, "parameters": params})
}

// criteria is the part of searchCriteria the fake understands: filters
// (ANDed across groups, ORed within one), sort orders, paging.
type criteria struct {
	filters [][]filter
	sorts   []string
	page    kit.Numbered
}

type filter struct{ field, value, cond string }

func parseCriteria(q url.Values) (criteria, error) {
	var c criteria
	for g := 0; ; g++ {
		var group []filter
		for i := 0; ; i++ {
			p := fmt.Sprintf("searchCriteria[filter_groups][%d][filters][%d]", g, i)
			field := q.Get(p + "[field]")
			if field == "" {
				break
			}
			group = append(group, filter{field: field, value: q.Get(p + "[value]"), cond: q.Get(p + "[condition_type]")})
		}
		if group == nil {
			break
		}
		c.filters = append(c.filters, group)
	}
	for i := 0; ; i++ {
		field := q.Get(fmt.Sprintf("searchCriteria[sortOrders][%d][field]", i))
		if field == "" {
			break
		}
		c.sorts = append(c.sorts, field)
	}
	n, err := kit.ParseNumbered(q, "searchCriteria[currentPage]", "searchCriteria[pageSize]", 1<<20, 1<<20)
	n.RepeatLast = true // a page past the end is the last page again
	c.page = n
	return c, err
}

func (c criteria) keep(get func(field string) string) (bool, error) {
	for _, g := range c.filters {
		any := false
		for _, fl := range g {
			ok, err := match(get(fl.field), fl)
			if err != nil {
				return false, err
			}
			any = any || ok
		}
		if !any {
			return false, nil
		}
	}
	return true, nil
}

func match(v string, fl filter) (bool, error) {
	switch fl.cond {
	case "", "eq":
		return v == fl.value, nil
	case "neq":
		return v != fl.value, nil
	case "gteq", "from":
		return v >= fl.value, nil
	case "gt":
		return v > fl.value, nil
	case "lteq", "to":
		return v <= fl.value, nil
	case "lt":
		return v < fl.value, nil
	case "in":
		for _, x := range strings.Split(fl.value, ",") {
			if v == x {
				return true, nil
			}
		}
		return false, nil
	}
	return false, fmt.Errorf("%q", fl.cond)
}

func (o *Order) field(name string) string {
	switch name {
	case "updated_at":
		return o.UpdatedAt.Format(timeLayout)
	case "created_at":
		return o.CreatedAt.Format(timeLayout)
	case "entity_id":
		return itoa(o.EntityID)
	case "increment_id":
		return o.IncrementID
	case "state":
		return o.State
	case "status":
		return o.Status
	}
	return ""
}

func (f *Fake) listOrders(r *http.Request) *kit.Response {
	c, err := parseCriteria(r.URL.Query())
	if err != nil {
		return f.fail(http.StatusBadRequest, "%fieldName is a required field.", "searchCriteria")
	}
	var ferr error
	list := f.sorted(func(o *Order) bool {
		ok, err := c.keep(o.field)
		if err != nil {
			ferr = err
		}
		return ok
	})
	if ferr != nil {
		return f.fail(http.StatusBadRequest, "Invalid condition type: %1", ferr.Error())
	}
	page, n := kit.Page(list, c.page)
	items := make([]any, 0, len(page))
	for _, o := range page {
		items = append(items, o.render())
	}
	return kit.OK(map[string]any{"items": items, "search_criteria": map[string]any{
		"current_page": n.Page, "page_size": n.PerPage}, "total_count": n.Total})
}

func (f *Fake) orderOf(r *http.Request) (*Order, *kit.Response) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	o := f.orders[id]
	if err != nil || o == nil {
		return nil, f.fail(http.StatusNotFound, "The entity that was requested doesn't exist. Verify the entity and try again.")
	}
	return o, nil
}

func (f *Fake) getOrder(r *http.Request) *kit.Response {
	o, fail := f.orderOf(r)
	if fail != nil {
		return fail
	}
	return kit.OK(o.render())
}

func (f *Fake) ship(r *http.Request) *kit.Response {
	o, fail := f.orderOf(r)
	if fail != nil {
		return fail
	}
	var in struct {
		Items  []ShipItem `json:"items"`
		Notify bool       `json:"notify"`
		Tracks []Track    `json:"tracks"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		return f.fail(http.StatusBadRequest, "Decoding error: %1", err.Error())
	}
	if o.State == "canceled" || o.State == "closed" {
		return f.fail(http.StatusBadRequest, "Shipment Document Validation Error(s):\nA shipment cannot be created when an order has a status of %1", o.Status)
	}
	if len(in.Items) == 0 {
		return f.fail(http.StatusBadRequest, "Shipment Document Validation Error(s):\nYou can't create a shipment without products.")
	}
	for _, it := range in.Items {
		var item *Item
		for i := range o.Items {
			if o.Items[i].ItemID == it.OrderItemID && o.Items[i].ParentItemID == 0 {
				item = &o.Items[i]
			}
		}
		if item == nil || it.Qty <= 0 || item.QtyShipped+it.Qty > item.Qty {
			return f.fail(http.StatusBadRequest, "Shipment Document Validation Error(s):\nThe order does not allow a shipment to be created.")
		}
	}
	for _, t := range in.Tracks {
		if t.TrackNumber == "" || t.CarrierCode == "" || t.Title == "" {
			return f.fail(http.StatusBadRequest, "Shipment Document Validation Error(s):\nPlease enter a tracking number, carrier and title.")
		}
	}
	for _, it := range in.Items {
		for i := range o.Items {
			if o.Items[i].ItemID == it.OrderItemID || o.Items[i].ParentItemID == it.OrderItemID {
				o.Items[i].QtyShipped += it.Qty
			}
		}
	}
	id := int64(len(f.shipments) + 1)
	f.shipments = append(f.shipments, Shipment{EntityID: id, OrderID: o.EntityID, Items: in.Items, Tracks: in.Tracks})
	o.State, o.Status = "processing", "processing"
	if o.allShipped() {
		o.State, o.Status = "complete", "complete"
	}
	o.UpdatedAt = f.now()
	// The answer is the shipment id, a JSON string.
	return kit.OK(itoa(id))
}

func (o *Order) allShipped() bool {
	for _, it := range o.Items {
		if it.ParentItemID == 0 && it.QtyShipped < it.Qty {
			return false
		}
	}
	return true
}

func (f *Fake) listShipments(r *http.Request) *kit.Response {
	c, err := parseCriteria(r.URL.Query())
	if err != nil {
		return f.fail(http.StatusBadRequest, "%fieldName is a required field.", "searchCriteria")
	}
	var list []Shipment
	for _, s := range f.shipments {
		ok, err := c.keep(func(field string) string {
			switch field {
			case "order_id":
				return itoa(s.OrderID)
			case "entity_id":
				return itoa(s.EntityID)
			}
			return ""
		})
		if err != nil {
			return f.fail(http.StatusBadRequest, "Invalid condition type: %1", err.Error())
		}
		if ok {
			list = append(list, s)
		}
	}
	page, n := kit.Page(list, c.page)
	if page == nil {
		page = []Shipment{}
	}
	return kit.OK(map[string]any{"items": page, "total_count": n.Total})
}

func (f *Fake) setSourceItems(r *http.Request) *kit.Response {
	var in struct {
		SourceItems []SourceItem `json:"sourceItems"`
	}
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil || len(in.SourceItems) == 0 {
		return f.fail(http.StatusBadRequest, "Input data is invalid")
	}
	for _, s := range in.SourceItems {
		if s.SKU == "" || s.SourceCode == "" {
			return f.fail(http.StatusBadRequest, "Validation Failed")
		}
	}
	for _, s := range in.SourceItems {
		f.sourceItems[s.SKU+"|"+s.SourceCode] = s
		f.invWrites = append(f.invWrites, s)
	}
	return kit.OK([]any{})
}

func (f *Fake) setStockItem(r *http.Request) *kit.Response {
	var in struct {
		StockItem struct {
			Qty json.Number `json:"qty"`
		} `json:"stockItem"`
	}
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		return f.fail(http.StatusBadRequest, "Decoding error: %1", err.Error())
	}
	q, err := in.StockItem.Qty.Int64()
	if err != nil {
		return f.fail(http.StatusBadRequest, "Invalid qty")
	}
	f.stockItems[r.PathValue("sku")] = q
	f.invWrites = append(f.invWrites, SourceItem{SKU: r.PathValue("sku"), SourceCode: "legacy", Quantity: in.StockItem.Qty})
	return kit.OK(1)
}

func (f *Fake) setPrices(r *http.Request) *kit.Response {
	var in struct {
		Prices []BasePrice `json:"prices"`
	}
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		return f.fail(http.StatusBadRequest, "Decoding error: %1", err.Error())
	}
	var refused []any
	for _, p := range in.Prices {
		if p.SKU == "" || strings.HasPrefix(p.Price.String(), "-") {
			refused = append(refused, map[string]any{"message": "Invalid attribute %fieldName = %fieldValue.",
				"parameters": map[string]any{"fieldName": "SKU", "fieldValue": p.SKU}})
			continue
		}
		f.prices[p.SKU] = p
		f.priceWrites = append(f.priceWrites, p)
	}
	if refused == nil {
		refused = []any{}
	}
	return kit.OK(refused)
}

// render writes the order as GET /V1/orders/{id} does (the fields
// dropgate and most integrations read).
func (o *Order) render() map[string]any {
	num := func(s string) json.Number { return json.Number(s) }
	items := make([]any, 0, len(o.Items))
	for _, it := range o.Items {
		m := map[string]any{"item_id": it.ItemID, "order_id": o.EntityID, "sku": it.SKU, "name": it.Name,
			"product_type": it.Type, "qty_ordered": it.Qty, "qty_shipped": it.QtyShipped, "qty_canceled": 0,
			"price": num(it.Price), "discount_amount": 0, "tax_amount": 0, "product_id": 1000 + it.ItemID,
			"created_at": o.CreatedAt.Format(timeLayout), "updated_at": o.UpdatedAt.Format(timeLayout)}
		if it.ParentItemID != 0 {
			m["parent_item_id"] = it.ParentItemID
		}
		items = append(items, m)
	}
	// An online payment is invoiced (captured) at checkout; checkmo is
	// paid later, by hand.
	due, paid, method := any(o.grandTotal()), any(0), "checkmo"
	if o.Paid {
		due, paid, method = 0, o.grandTotal(), "braintree"
	}
	addr := map[string]any{"address_type": "shipping", "firstname": "Jane", "lastname": "Doe", "street": []string{"123 Oak Ave"},
		"city": "Purchase", "region_code": "NY", "region": "New York", "postcode": "10577", "country_id": "US", "telephone": "512-555-1111", "email": o.Email}
	return map[string]any{
		"entity_id": o.EntityID, "increment_id": o.IncrementID, "state": o.State, "status": o.Status,
		"created_at": o.CreatedAt.Format(timeLayout), "updated_at": o.UpdatedAt.Format(timeLayout),
		"order_currency_code": o.Currency, "base_currency_code": o.Currency, "customer_email": o.Email,
		"customer_firstname": "Jane", "customer_lastname": "Doe", "customer_is_guest": 1,
		"subtotal": o.subtotal(), "shipping_amount": num(o.Shipping), "tax_amount": 0, "discount_amount": 0,
		"grand_total": o.grandTotal(), "total_due": due, "total_paid": paid, "items": items, "billing_address": addr,
		"payment": map[string]any{"method": method, "amount_ordered": o.grandTotal()},
		"extension_attributes": map[string]any{"shipping_assignments": []any{map[string]any{
			"shipping": map[string]any{"address": addr, "method": "flatrate_flatrate"}}}},
		"status_histories": []any{},
	}
}

// The fake's totals are rendered as exact decimals (no float).
func (o *Order) subtotal() json.Number {
	var cents int64
	for _, it := range o.Items {
		if it.ParentItemID == 0 {
			cents += it.Qty * centsOf(it.Price)
		}
	}
	return json.Number(fmtCents(cents))
}

func (o *Order) grandTotal() json.Number {
	return json.Number(fmtCents(centsOf(string(o.subtotal())) + centsOf(o.Shipping)))
}

func centsOf(s string) int64 {
	whole, frac, _ := strings.Cut(s, ".")
	w, _ := strconv.ParseInt(whole, 10, 64)
	frac = (frac + "00")[:2]
	c, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + c
}

func fmtCents(c int64) string {
	if c%100 == 0 {
		return itoa(c / 100)
	}
	return fmt.Sprintf("%d.%02d", c/100, c%100)
}
