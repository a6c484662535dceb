package woocommercefake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/internal/fakes/kit"
)

const (
	wc  = "/wp-json/wc/v3"
	wst = "/wp-json/wc-shipment-tracking/v3"
	ast = "/wp-json/wc-ast/v3"
)

func (f *Fake) routes() {
	s := f.srv
	s.Handle("GET "+wc+"/orders", f.listOrders)
	s.Handle("GET "+wc+"/orders/{id}", f.withOrder(func(_ *http.Request, o *Order) *kit.Response { return kit.OK(o) }))
	s.Handle("PUT "+wc+"/orders/{id}", f.withOrder(f.updateOrder))
	s.Handle("GET "+wc+"/orders/{id}/notes", f.withOrder(func(_ *http.Request, o *Order) *kit.Response { return kit.OK(append([]Note{}, o.Notes...)) }))
	s.Handle("POST "+wc+"/orders/{id}/notes", f.withOrder(f.addNote))
	for _, p := range []string{wst, ast} {
		s.Handle("GET "+p+"/orders/{id}/shipment-trackings", f.withOrder(func(_ *http.Request, o *Order) *kit.Response {
			return kit.OK(append([]Tracking{}, o.Trackings...))
		}))
		s.Handle("POST "+p+"/orders/{id}/shipment-trackings", f.withOrder(f.addTracking))
	}
	s.Handle("GET "+wc+"/products", func(r *http.Request) *kit.Response { return f.listProducts(r, 0) })
	s.Handle("GET "+wc+"/products/{id}/variations", func(r *http.Request) *kit.Response {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		return f.listProducts(r, id)
	})
	s.Handle("POST "+wc+"/products/batch", func(r *http.Request) *kit.Response { return f.batch(r, 0) })
	s.Handle("POST "+wc+"/products/{id}/variations/batch", func(r *http.Request) *kit.Response {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if f.product(id) == nil {
			return f.srv.Error(http.StatusNotFound, "product_invalid_id", "Invalid ID.")
		}
		return f.batch(r, id)
	})
}

func (f *Fake) product(id int64) *Product {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.products[id]
}

// withOrder resolves {id} (404 woocommerce_rest_shop_order_invalid_id)
// and runs h under the lock.
func (f *Fake) withOrder(h func(*http.Request, *Order) *kit.Response) func(*http.Request) *kit.Response {
	return func(r *http.Request) *kit.Response {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		f.mu.Lock()
		defer f.mu.Unlock()
		o := f.orders[id]
		if err != nil || o == nil {
			return f.srv.Error(http.StatusNotFound, "shop_order_invalid_id", "Invalid ID.")
		}
		return h(r, o)
	}
}

func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	return dec.Decode(v)
}

// statuses WooCommerce accepts on an order.
var statuses = map[string]bool{"pending": true, "processing": true, "on-hold": true, "completed": true,
	"cancelled": true, "refunded": true, "failed": true}

func (f *Fake) updateOrder(r *http.Request, o *Order) *kit.Response {
	var in struct {
		Status *string `json:"status"`
	}
	if err := readJSON(r, &in); err != nil {
		return f.srv.Error(http.StatusBadRequest, "invalid_json", "Invalid JSON body passed.")
	}
	if in.Status != nil {
		if !statuses[*in.Status] {
			return f.srv.Error(http.StatusBadRequest, "invalid_param", "Invalid parameter(s): status")
		}
		if o.Status != *in.Status {
			o.Status = *in.Status
			o.DateModifiedGMT = f.now().Format(wcTime)
		}
	}
	return kit.OK(o)
}

func (f *Fake) addNote(r *http.Request, o *Order) *kit.Response {
	var in Note
	if err := readJSON(r, &in); err != nil || in.Note == "" {
		return f.srv.Error(http.StatusBadRequest, "missing_callback_param", "Missing parameter(s): note")
	}
	in.ID, in.DateCreated = f.id(), f.now().Format(wcTime)
	o.Notes = append(o.Notes, in)
	return kit.Created(in)
}

func (f *Fake) addTracking(r *http.Request, o *Order) *kit.Response {
	var in Tracking
	if err := readJSON(r, &in); err != nil || in.TrackingNumber == "" {
		return f.srv.Error(http.StatusBadRequest, "missing_callback_param", "Missing parameter(s): tracking_number")
	}
	in.TrackingID = fmt.Sprintf("%x", f.id())
	o.Trackings = append(o.Trackings, in)
	return kit.Created(in)
}

const wcTime = "2006-01-02T15:04:05"

// listOrders pages the orders by date_modified (modified_after, orderby
// modified, order asc), as the sweep asks.
func (f *Fake) listOrders(r *http.Request) *kit.Response {
	q := r.URL.Query()
	n, err := kit.ParseNumbered(q, "page", "per_page", 10, 100)
	if err != nil {
		return f.srv.Error(http.StatusBadRequest, "invalid_param", err.Error())
	}
	var after time.Time
	if v := q.Get("modified_after"); v != "" {
		if after, err = time.Parse(time.RFC3339, v); err != nil {
			if after, err = time.Parse(wcTime, v); err != nil {
				return f.srv.Error(http.StatusBadRequest, "invalid_param", "Invalid parameter(s): modified_after")
			}
		}
	}
	f.mu.Lock()
	var list []Order
	for _, id := range f.orderSeq {
		o := f.orders[id]
		t, _ := time.Parse(wcTime, o.DateModifiedGMT)
		if after.IsZero() || t.After(after) {
			list = append(list, *o)
		}
	}
	f.mu.Unlock()
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].DateModifiedGMT != list[j].DateModifiedGMT {
			return list[i].DateModifiedGMT < list[j].DateModifiedGMT
		}
		return list[i].ID < list[j].ID
	})
	page, n := kit.Page(list, n)
	resp := kit.OK(page)
	resp.Header = http.Header{}
	kit.WPTotals(resp.Header, n)
	return resp
}

func (f *Fake) listProducts(r *http.Request, parent int64) *kit.Response {
	n, err := kit.ParseNumbered(r.URL.Query(), "page", "per_page", 10, 100)
	if err != nil {
		return f.srv.Error(http.StatusBadRequest, "invalid_param", err.Error())
	}
	f.mu.Lock()
	var list []Product
	for _, id := range f.productSeq {
		if p := f.products[id]; p.ParentID == parent {
			list = append(list, *p)
		}
	}
	f.mu.Unlock()
	page, n := kit.Page(list, n)
	resp := kit.OK(page)
	resp.Header = http.Header{}
	kit.WPTotals(resp.Header, n)
	return resp
}

type batchItem struct {
	ID            json.Number  `json:"id"`
	ManageStock   *bool        `json:"manage_stock"`
	StockQuantity *json.Number `json:"stock_quantity"`
	RegularPrice  *string      `json:"regular_price"`
	SalePrice     *string      `json:"sale_price"`
}

// batch applies {update: [...]}: more than 100 objects is a 413
// (woocommerce_rest_request_entity_too_large); an unknown id is an error
// object in its place, the others applied.
func (f *Fake) batch(r *http.Request, parent int64) *kit.Response {
	var in struct {
		Create []json.RawMessage `json:"create"`
		Update []batchItem       `json:"update"`
		Delete []json.RawMessage `json:"delete"`
	}
	if err := readJSON(r, &in); err != nil {
		return f.srv.Error(http.StatusBadRequest, "invalid_json", "Invalid JSON body passed.")
	}
	if len(in.Create)+len(in.Update)+len(in.Delete) > BatchLimit {
		return f.srv.Error(http.StatusRequestEntityTooLarge, "request_entity_too_large",
			fmt.Sprintf("Unable to accept more than %d items for this request.", BatchLimit))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]any, 0, len(in.Update))
	for _, u := range in.Update {
		id, _ := strconv.ParseInt(u.ID.String(), 10, 64)
		p := f.products[id]
		if p == nil || p.ParentID != parent {
			out = append(out, map[string]any{"id": id, "error": map[string]any{"code": "woocommerce_rest_product_invalid_id",
				"message": "Invalid ID.", "data": map[string]int{"status": 400}}})
			continue
		}
		if u.StockQuantity != nil {
			q, err := u.StockQuantity.Int64()
			if err != nil {
				out = append(out, map[string]any{"id": id, "error": map[string]any{"code": "rest_invalid_param",
					"message": "stock_quantity is not of type integer.", "data": map[string]int{"status": 400}}})
				continue
			}
			if p.StockQuantity == nil || *p.StockQuantity != q {
				f.stockWrites[p.SKU]++
			}
			p.StockQuantity = &q
		}
		if u.ManageStock != nil {
			p.ManageStock = *u.ManageStock
		}
		changed := false
		if u.RegularPrice != nil && *u.RegularPrice != p.RegularPrice {
			p.RegularPrice, changed = *u.RegularPrice, true
		}
		if u.SalePrice != nil && *u.SalePrice != p.SalePrice {
			p.SalePrice, changed = *u.SalePrice, true
		}
		if changed {
			f.priceWrites[p.SKU]++
		}
		out = append(out, *p)
	}
	return kit.OK(map[string]any{"update": out})
}
