package bigcommercefake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/internal/fakes/kit"
)

const root = "/stores/" + StoreHash

func (f *Fake) routes() {
	s := f.srv
	s.Handle("GET "+root+"/v2/orders", f.listOrders)
	s.Handle("GET "+root+"/v2/orders/{id}", f.withOrder(func(_ *http.Request, o *Order) *kit.Response { return kit.OK(o.Fields) }))
	s.Handle("PUT "+root+"/v2/orders/{id}", f.withOrder(f.updateOrder))
	s.Handle("GET "+root+"/v2/orders/{id}/products", f.withOrder(f.listProducts))
	s.Handle("GET "+root+"/v2/orders/{id}/shipping_addresses", f.withOrder(func(_ *http.Request, o *Order) *kit.Response {
		return listOrEmpty(o.Addresses)
	}))
	s.Handle("GET "+root+"/v2/orders/{id}/shipments", f.withOrder(func(_ *http.Request, o *Order) *kit.Response {
		return listOrEmpty(o.Shipments)
	}))
	s.Handle("POST "+root+"/v2/orders/{id}/shipments", f.withOrder(f.addShipment))
	s.Handle("GET "+root+"/v3/catalog/variants", f.listVariants)
	s.Handle("PUT "+root+"/v3/catalog/variants", f.updateVariants)
	s.Handle("PUT "+root+"/v3/inventory/adjustments/absolute", f.adjustAbsolute)
}

// listOrEmpty answers a v2 list: 204 with no body when empty.
func listOrEmpty(items []map[string]any) *kit.Response {
	if len(items) == 0 {
		return &kit.Response{Status: http.StatusNoContent}
	}
	return kit.OK(items)
}

// v2Error is the v2 error body: [{"status", "message"}].
func v2Error(status int, msg string) *kit.Response {
	return &kit.Response{Status: status, Body: []map[string]any{{"status": status, "message": msg}}}
}

func (f *Fake) withOrder(h func(*http.Request, *Order) *kit.Response) func(*http.Request) *kit.Response {
	return func(r *http.Request) *kit.Response {
		f.mu.Lock()
		defer f.mu.Unlock()
		o := f.orders[r.PathValue("id")]
		if o == nil {
			return v2Error(http.StatusNotFound, "The requested resource was not found.")
		}
		return h(r, o)
	}
}

func readJSON(r *http.Request, v any) error {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	return decode(b, v)
}

// pageArgs reads v2's page (from 1) and limit (1–250, default 50).
func pageArgs(r *http.Request) (page, limit int, bad *kit.Response) {
	page, limit = 1, 50
	q := r.URL.Query()
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, v2Error(http.StatusBadRequest, "The field 'page' is invalid.")
		}
		page = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 250 {
			return 0, 0, v2Error(http.StatusBadRequest, "The field 'limit' is invalid.")
		}
		limit = n
	}
	return page, limit, nil
}

// parseDate reads a date filter: RFC 2822 or ISO 8601, as v2 accepts.
func parseDate(v string) (time.Time, bool) {
	for _, l := range []string{time.RFC1123Z, time.RFC1123, time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(l, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func (f *Fake) modified(o *Order) time.Time {
	t, _ := parseDate(fmt.Sprint(o.Fields["date_modified"]))
	return t
}

// listOrders: GET /v2/orders with min_date_modified (inclusive) and sort
// date_modified:asc; a page past the end is 204.
func (f *Fake) listOrders(r *http.Request) *kit.Response {
	page, limit, bad := pageArgs(r)
	if bad != nil {
		return bad
	}
	q := r.URL.Query()
	var since time.Time
	if v := q.Get("min_date_modified"); v != "" {
		t, ok := parseDate(v)
		if !ok {
			return v2Error(http.StatusBadRequest, "The field 'min_date_modified' is invalid.")
		}
		since = t
	}
	if s := q.Get("sort"); s != "" && s != "date_modified:asc" && s != "id:asc" && s != "date_created:asc" {
		return v2Error(http.StatusBadRequest, "The field 'sort' is invalid.")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var sel []*Order
	for _, id := range f.seq {
		o := f.orders[id]
		if !since.IsZero() && f.modified(o).Before(since) {
			continue
		}
		sel = append(sel, o)
	}
	sort.SliceStable(sel, func(i, j int) bool { return f.modified(sel[i]).Before(f.modified(sel[j])) })
	start := (page - 1) * limit
	if start >= len(sel) {
		return &kit.Response{Status: http.StatusNoContent}
	}
	out := make([]map[string]any, 0, limit)
	for _, o := range sel[start:min(start+limit, len(sel))] {
		out = append(out, o.Fields)
	}
	return kit.OK(out)
}

func (f *Fake) listProducts(r *http.Request, o *Order) *kit.Response {
	page, limit, bad := pageArgs(r)
	if bad != nil {
		return bad
	}
	start := (page - 1) * limit
	if start >= len(o.Products) {
		return &kit.Response{Status: http.StatusNoContent}
	}
	return kit.OK(o.Products[start:min(start+limit, len(o.Products))])
}

func (f *Fake) updateOrder(r *http.Request, o *Order) *kit.Response {
	var in map[string]any
	if err := readJSON(r, &in); err != nil {
		return v2Error(http.StatusBadRequest, "The request body is not valid JSON.")
	}
	for k, v := range in {
		switch k {
		case "status_id":
			n, err := strconv.Atoi(fmt.Sprint(v))
			if err != nil || statusName(n) == "" {
				return v2Error(http.StatusBadRequest, "The field 'status_id' is invalid.")
			}
			if n == 5 && fmt.Sprint(o.Fields["status_id"]) != "5" {
				o.Cancels++
			}
			o.Fields["status_id"], o.Fields["status"] = n, statusName(n)
		case "staff_notes", "customer_message":
			o.Fields[k] = v
		default:
			return v2Error(http.StatusBadRequest, fmt.Sprintf("The field '%s' cannot be written to.", k))
		}
	}
	o.Fields["date_modified"] = f.now().Format(time.RFC1123Z)
	return kit.OK(o.Fields)
}

// addShipment: POST /v2/orders/{id}/shipments. order_address_id must be
// one of the order's; each item's order_product_id one of its products,
// its quantity within what is left to ship.
func (f *Fake) addShipment(r *http.Request, o *Order) *kit.Response {
	var in struct {
		OrderAddressID  json.Number `json:"order_address_id"`
		TrackingNumber  string      `json:"tracking_number"`
		TrackingCarrier string      `json:"tracking_carrier"`
		TrackingLink    string      `json:"tracking_link"`
		ShippingMethod  string      `json:"shipping_method"`
		ShippingProvide string      `json:"shipping_provider"`
		Comments        string      `json:"comments"`
		Items           []struct {
			OrderProductID json.Number `json:"order_product_id"`
			Quantity       json.Number `json:"quantity"`
		} `json:"items"`
	}
	if err := readJSON(r, &in); err != nil {
		return v2Error(http.StatusBadRequest, "The request body is not valid JSON.")
	}
	addrOK := false
	for _, a := range o.Addresses {
		if fmt.Sprint(a["id"]) == in.OrderAddressID.String() {
			addrOK = true
		}
	}
	if !addrOK {
		return v2Error(http.StatusBadRequest, "The field 'order_address_id' is invalid.")
	}
	if len(in.Items) == 0 {
		return v2Error(http.StatusBadRequest, "The field 'items' is required.")
	}
	if in.TrackingCarrier != "" && !knownCarriers[in.TrackingCarrier] {
		return v2Error(http.StatusBadRequest, "The field 'tracking_carrier' is invalid.")
	}
	type upd struct {
		p map[string]any
		n int64
	}
	var ups []upd
	for _, it := range in.Items {
		var p map[string]any
		for _, x := range o.Products {
			if fmt.Sprint(x["id"]) == it.OrderProductID.String() {
				p = x
			}
		}
		q, err := it.Quantity.Int64()
		if p == nil || err != nil || q < 1 {
			return v2Error(http.StatusBadRequest, fmt.Sprintf("The field 'order_product_id' %s is invalid.", it.OrderProductID))
		}
		ordered, _ := strconv.ParseInt(fmt.Sprint(p["quantity"]), 10, 64)
		shipped, _ := strconv.ParseInt(fmt.Sprint(p["quantity_shipped"]), 10, 64)
		if shipped+q > ordered {
			return v2Error(http.StatusBadRequest, fmt.Sprintf("Order product %s: quantity exceeds the quantity left to ship.", it.OrderProductID))
		}
		ups = append(ups, upd{p, shipped + q})
	}
	for _, u := range ups {
		u.p["quantity_shipped"] = u.n
	}
	items := make([]map[string]any, len(in.Items))
	for i, it := range in.Items {
		items[i] = map[string]any{"order_product_id": it.OrderProductID, "quantity": it.Quantity}
	}
	sh := map[string]any{"id": json.Number(strconv.FormatInt(f.nextIDLocked(), 10)), "order_id": o.Fields["id"],
		"order_address_id": in.OrderAddressID, "date_created": f.now().Format(time.RFC1123Z),
		"tracking_number": in.TrackingNumber, "tracking_carrier": in.TrackingCarrier, "tracking_link": in.TrackingLink,
		"shipping_method": in.ShippingMethod, "comments": in.Comments, "items": items}
	o.Shipments = append(o.Shipments, sh)
	all := true
	for _, p := range o.Products {
		if fmt.Sprint(p["quantity_shipped"]) != fmt.Sprint(p["quantity"]) {
			all = false
		}
	}
	if all {
		o.Fields["status_id"], o.Fields["status"] = 2, statusName(2)
	} else {
		o.Fields["status_id"], o.Fields["status"] = 3, statusName(3)
	}
	o.Fields["date_modified"] = f.now().Format(time.RFC1123Z)
	return kit.Created(sh)
}

// knownCarriers are tracking_carrier values BigCommerce accepts (its
// shipment-provider slugs; a subset).
var knownCarriers = map[string]bool{"ups": true, "usps": true, "fedex": true, "dhl": true, "dhl-global-mail": true,
	"ontrac": true, "canada-post": true, "royal-mail": true, "australia-post": true, "dpd": true, "gls": true, "purolator": true}

func (f *Fake) variantsBy(pred func(*Variant) bool) []*Variant {
	var out []*Variant
	for _, v := range f.variants {
		if pred(v) {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// listVariants: GET /v3/catalog/variants with sku:in, page and limit
// (≤ 250), answered {data, meta.pagination}.
func (f *Fake) listVariants(r *http.Request) *kit.Response {
	q := r.URL.Query()
	page, limit := 1, 50
	if v := q.Get("page"); v != "" {
		page, _ = strconv.Atoi(v)
	}
	if v := q.Get("limit"); v != "" {
		limit, _ = strconv.Atoi(v)
	}
	if page < 1 || limit < 1 || limit > 250 {
		return f.srv.Error(http.StatusUnprocessableEntity, "", "Invalid page or limit")
	}
	want := map[string]bool{}
	if v := q.Get("sku:in"); v != "" {
		for _, s := range strings.Split(v, ",") {
			want[s] = true
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	all := f.variantsBy(func(v *Variant) bool { return len(want) == 0 || want[v.SKU] })
	pages := (len(all) + limit - 1) / limit
	start := min((page-1)*limit, len(all))
	data := make([]map[string]any, 0, limit)
	for _, v := range all[start:min(start+limit, len(all))] {
		data = append(data, map[string]any{"id": v.ID, "product_id": v.ProductID, "sku": v.SKU, "price": json.Number(v.Price)})
	}
	return kit.OK(map[string]any{"data": data, "meta": map[string]any{"pagination": map[string]any{
		"total": len(all), "count": len(data), "per_page": limit, "current_page": page, "total_pages": pages}}})
}

// updateVariants: PUT /v3/catalog/variants, at most 50, each with an id
// the store has; price must be a JSON number of at most 4 decimals.
func (f *Fake) updateVariants(r *http.Request) *kit.Response {
	var in []map[string]json.Number
	if err := readJSON(r, &in); err != nil {
		return f.srv.Error(http.StatusUnprocessableEntity, "", "The request body is not a list of variants")
	}
	if len(in) > VariantBatch {
		return f.srv.Error(http.StatusRequestEntityTooLarge, "", "The request payload is too large. The maximum items allowed in the array is 50")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	byID := map[string]*Variant{}
	for _, v := range f.variants {
		byID[strconv.FormatInt(v.ID, 10)] = v
	}
	for i, obj := range in {
		v := byID[obj["id"].String()]
		if v == nil {
			return f.srv.Error(http.StatusUnprocessableEntity, "", fmt.Sprintf("[%d].id: variant %s not found", i, obj["id"]))
		}
		for _, k := range []string{"price", "retail_price"} {
			if p, ok := obj[k]; ok {
				if _, frac, _ := cutDot(p.String()); len(frac) > 4 || dec(p.String()).String() != p.String() {
					return f.srv.Error(http.StatusUnprocessableEntity, "", fmt.Sprintf("[%d].%s: %q is not a price", i, k, p))
				}
			}
		}
	}
	for _, obj := range in {
		v := byID[obj["id"].String()]
		if p, ok := obj["price"]; ok && p.String() != v.Price {
			v.Price = p.String()
			f.priceW[v.SKU]++
		}
		if p, ok := obj["retail_price"]; ok {
			v.RetailPrice = p.String()
		}
	}
	return kit.OK(map[string]any{"data": in, "meta": map[string]any{}})
}

// adjustAbsolute: PUT /v3/inventory/adjustments/absolute. Each item names
// a location and exactly one of variant_id, sku or product_id.
func (f *Fake) adjustAbsolute(r *http.Request) *kit.Response {
	var in struct {
		Reason string                   `json:"reason"`
		Items  []map[string]json.Number `json:"items"`
	}
	if err := readJSON(r, &in); err != nil || len(in.Items) == 0 {
		return f.srv.Error(http.StatusUnprocessableEntity, "", "The request body needs items")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	type set struct {
		v   *Variant
		loc int64
		q   int64
	}
	var sets []set
	for i, it := range in.Items {
		ids := 0
		var v *Variant
		for _, k := range []string{"variant_id", "sku", "product_id"} {
			if x, ok := it[k]; ok {
				ids++
				for _, c := range f.variants {
					if (k == "variant_id" && strconv.FormatInt(c.ID, 10) == x.String()) || (k == "sku" && c.SKU == x.String()) ||
						(k == "product_id" && strconv.FormatInt(c.ProductID, 10) == x.String()) {
						v = c
					}
				}
			}
		}
		loc, err1 := it["location_id"].Int64()
		q, err2 := it["quantity"].Int64()
		if ids != 1 || v == nil || err1 != nil || loc < 1 || err2 != nil || q < 0 {
			return f.srv.Error(http.StatusUnprocessableEntity, "", fmt.Sprintf("items[%d]: invalid item", i))
		}
		sets = append(sets, set{v, loc, q})
	}
	for _, s := range sets {
		if s.v.Stock[s.loc] != s.q {
			f.stockW[s.v.SKU]++
		}
		s.v.Stock[s.loc] = s.q
	}
	return kit.OK(map[string]any{"transaction_id": fmt.Sprintf("tx-%d", f.nextIDLocked())})
}
