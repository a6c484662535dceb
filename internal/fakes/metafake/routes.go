package metafake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/internal/fakes/kit"
)

var version = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

func (f *Fake) routes() {
	f.handle("GET /{ver}/{cms}/commerce_orders", f.listOrders)
	f.handle("GET /{ver}/{id}", f.getOrder)
	f.handle("POST /{ver}/{id}/acknowledge_order", f.acknowledge)
	f.handle("POST /{ver}/{id}/shipments", f.ship)
	f.handle("POST /{ver}/{id}/items_batch", f.itemsBatch)
}

func (f *Fake) handle(pattern string, h func(r *http.Request) *kit.Response) {
	f.srv.Handle(pattern, func(r *http.Request) *kit.Response {
		if !version.MatchString(r.PathValue("ver")) {
			return fail(http.StatusBadRequest, 2500, "Unknown path components: /"+r.PathValue("ver"))
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		return h(r)
	})
}

func fail(status, code int, message string) *kit.Response {
	return kit.JSON(status, Errors(status, strconv.Itoa(code), message))
}

func noObject(id string) *kit.Response {
	b := Errors(http.StatusBadRequest, "100", "Unsupported get request. Object with ID '"+id+"' does not exist, cannot be loaded due to missing permissions, or does not support this operation").(map[string]any)
	b["error"].(map[string]any)["error_subcode"] = 33
	return kit.JSON(http.StatusBadRequest, b)
}

// render writes an order with the fields asked: Graph returns only the
// id without fields, and an edge (items, cancellations) only when
// expanded.
func render(o *Order, fields string) map[string]any {
	out := map[string]any{"id": o.ID}
	if fields == "" {
		return out
	}
	b, _ := json.Marshal(o)
	var all map[string]any
	_ = json.Unmarshal(b, &all)
	for _, fld := range splitFields(fields) {
		switch fld {
		case "items":
			out["items"] = map[string]any{"data": o.Items}
		case "cancellations":
			out["cancellations"] = map[string]any{"data": o.Cancellations}
		default:
			if v, ok := all[fld]; ok {
				out[fld] = v
			}
		}
	}
	return out
}

// splitFields reads a Graph fields list, expansions ("items{id,…}")
// reduced to their edge's name.
func splitFields(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, ch := range s + "," {
		switch ch {
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				fld := s[start:i]
				if j := strings.IndexByte(fld, '{'); j >= 0 {
					fld = fld[:j]
				}
				out = append(out, strings.TrimSpace(fld))
				start = i + 1
			}
		}
	}
	return out
}

type listCursor struct {
	At int64  `json:"t"` // last_updated, unix nanoseconds
	ID string `json:"i"`
}

// listOrders answers GET /{cms_id}/commerce_orders: orders in one of the
// states asked, updated after updated_after (unix seconds), oldest change
// first, `limit` a page (default 25, at most 100), `after` the cursor of
// the previous page's last order; paging.next only when more remain.
func (f *Fake) listOrders(r *http.Request) *kit.Response {
	if r.PathValue("cms") != CommerceAccountID {
		return noObject(r.PathValue("cms"))
	}
	q := r.URL.Query()
	states := map[string]bool{}
	for _, s := range strings.Split(q.Get("state"), ",") {
		switch s = strings.TrimSpace(s); s {
		case "":
		case "FB_PROCESSING", "CREATED", "IN_PROGRESS", "COMPLETED":
			states[s] = true
		default:
			return fail(http.StatusBadRequest, 100, "(#100) Param state["+s+"] must be one of {FB_PROCESSING, CREATED, IN_PROGRESS, COMPLETED}")
		}
	}
	var after time.Time
	if ua := q.Get("updated_after"); ua != "" {
		n, err := strconv.ParseInt(ua, 10, 64)
		if err != nil {
			return fail(http.StatusBadRequest, 100, "(#100) Param updated_after must be a UNIX timestamp")
		}
		after = time.Unix(n, 0)
	}
	limit := 25
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return fail(http.StatusBadRequest, 100, "(#100) Param limit must be a positive integer")
		}
		limit = min(n, 100)
	}
	var cur listCursor
	if a := q.Get("after"); a != "" {
		if kit.DecodeCursor(a, &cur) != nil {
			return fail(http.StatusBadRequest, 100, "(#100) Invalid cursor")
		}
	}
	list := f.sorted(func(o *Order) bool {
		if len(states) > 0 && !states[o.OrderStatus.State] {
			return false
		}
		if !after.IsZero() && !o.updated.After(after) {
			return false
		}
		if cur.ID != "" {
			t := time.Unix(0, cur.At)
			return o.updated.After(t) || (o.updated.Equal(t) && o.ID > cur.ID)
		}
		return true
	})
	page := list[:min(limit, len(list))]
	data := make([]map[string]any, 0, len(page))
	for _, o := range page {
		data = append(data, render(o, q.Get("fields")))
	}
	res := map[string]any{"data": data}
	if len(page) > 0 {
		first, last := page[0], page[len(page)-1]
		paging := map[string]any{"cursors": map[string]string{
			"before": kit.EncodeCursor(listCursor{At: first.updated.UnixNano(), ID: first.ID}),
			"after":  kit.EncodeCursor(listCursor{At: last.updated.UnixNano(), ID: last.ID})}}
		if len(list) > len(page) {
			nq := url.Values{}
			for k, v := range q {
				nq[k] = v
			}
			nq.Set("after", paging["cursors"].(map[string]string)["after"])
			paging["next"] = kit.PageURL(r, nq)
		}
		res["paging"] = paging
	}
	return kit.OK(res)
}

// getOrder answers GET /{order_id}?fields=….
func (f *Fake) getOrder(r *http.Request) *kit.Response {
	o, ok := f.orders[r.PathValue("id")]
	if !ok {
		return noObject(r.PathValue("id"))
	}
	return kit.OK(render(o, r.URL.Query().Get("fields")))
}

func readJSON(r *http.Request, v any) bool {
	b, err := io.ReadAll(r.Body)
	return err == nil && json.Unmarshal(b, v) == nil
}

// acknowledge answers POST /{order_id}/acknowledge_order: an
// idempotency_key is required; a CREATED order moves to IN_PROGRESS; a
// key seen before answers as the first time did; any other state is
// refused.
func (f *Fake) acknowledge(r *http.Request) *kit.Response {
	id := r.PathValue("id")
	o, ok := f.orders[id]
	if !ok {
		return noObject(id)
	}
	var b struct {
		IdempotencyKey string `json:"idempotency_key"`
	}
	if !readJSON(r, &b) || b.IdempotencyKey == "" {
		return fail(http.StatusBadRequest, 100, "(#100) The parameter idempotency_key is required")
	}
	if prev, seen := f.keys[b.IdempotencyKey]; seen {
		if prev != "ack:"+id {
			return fail(http.StatusBadRequest, 100, "(#100) idempotency_key was used for another request")
		}
		return kit.OK(map[string]any{"id": id, "state": "IN_PROGRESS"})
	}
	if o.OrderStatus.State != "CREATED" {
		return fail(http.StatusBadRequest, 100, "(#100) Order "+id+" is in state "+o.OrderStatus.State+", not CREATED")
	}
	f.keys[b.IdempotencyKey] = "ack:" + id
	f.acks[id]++
	// last_updated is left alone: the fake has no clock of Meta's own
	// (tests stamp orders with a skewed one), and the merchant's own
	// acknowledgement is no news to poll for.
	o.OrderStatus.State = "IN_PROGRESS"
	return kit.OK(map[string]any{"id": id, "state": "IN_PROGRESS"})
}

// ship answers POST /{order_id}/shipments: items by item id or retailer
// id within what is unshipped, tracking_info with a tracking number and
// a carrier, an idempotency_key (a repeated key records nothing), on an
// acknowledged (IN_PROGRESS) order only. A
// wholly shipped order is COMPLETED.
func (f *Fake) ship(r *http.Request) *kit.Response {
	id := r.PathValue("id")
	o, ok := f.orders[id]
	if !ok {
		return noObject(id)
	}
	var b struct {
		Items []struct {
			ItemID     string `json:"item_id"`
			RetailerID string `json:"retailer_id"`
			Quantity   int64  `json:"quantity"`
		} `json:"items"`
		TrackingInfo struct {
			TrackingNumber     string `json:"tracking_number"`
			Carrier            string `json:"carrier"`
			ShippingMethodName string `json:"shipping_method_name"`
		} `json:"tracking_info"`
		IdempotencyKey string `json:"idempotency_key"`
	}
	if !readJSON(r, &b) || b.IdempotencyKey == "" {
		return fail(http.StatusBadRequest, 100, "(#100) The parameter idempotency_key is required")
	}
	if prev, seen := f.keys[b.IdempotencyKey]; seen {
		if prev != "ship:"+id {
			return fail(http.StatusBadRequest, 100, "(#100) idempotency_key was used for another request")
		}
		return kit.OK(map[string]any{"success": true})
	}
	if o.OrderStatus.State != "IN_PROGRESS" {
		return fail(http.StatusBadRequest, 100, "(#100) Order "+id+" cannot be shipped in state "+o.OrderStatus.State+": acknowledge it first")
	}
	ti := b.TrackingInfo
	if ti.TrackingNumber == "" || ti.Carrier == "" {
		return fail(http.StatusBadRequest, 100, "(#100) tracking_info needs tracking_number and carrier")
	}
	if len(b.Items) == 0 {
		return fail(http.StatusBadRequest, 100, "(#100) The parameter items is required")
	}
	shipped := map[string]int64{}
	for _, s := range f.shipments {
		if s.OrderID == id {
			for _, it := range s.Items {
				shipped[it.ID] += it.Quantity
			}
		}
	}
	sh := Shipment{OrderID: id, TrackingNumber: ti.TrackingNumber, Carrier: ti.Carrier, MethodName: ti.ShippingMethodName, IdempotencyKey: b.IdempotencyKey}
	for _, want := range b.Items {
		var it *Item
		for i := range o.Items {
			if (want.ItemID != "" && o.Items[i].ID == want.ItemID) || (want.ItemID == "" && want.RetailerID != "" && o.Items[i].RetailerID == want.RetailerID) {
				it = &o.Items[i]
			}
		}
		if it == nil {
			return fail(http.StatusBadRequest, 100, "(#100) No item "+want.ItemID+want.RetailerID+" in order "+id)
		}
		if want.Quantity < 1 || shipped[it.ID]+want.Quantity > it.Quantity {
			return fail(http.StatusBadRequest, 100, "(#100) Quantity of item "+it.ID+" exceeds what is left to ship")
		}
		shipped[it.ID] += want.Quantity
		sh.Items = append(sh.Items, ItemQty{ID: it.ID, RetailerID: it.RetailerID, Quantity: want.Quantity})
	}
	f.keys[b.IdempotencyKey] = "ship:" + id
	f.shipments = append(f.shipments, sh)
	done := true
	for _, it := range o.Items {
		if shipped[it.ID] < it.Quantity {
			done = false
		}
	}
	if done {
		o.OrderStatus.State = "COMPLETED"
	}
	o.updated = f.clock.Now()
	o.LastUpdated = stamp(o.updated)
	return kit.OK(map[string]any{"success": true})
}
