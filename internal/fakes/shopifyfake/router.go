package shopifyfake

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// versions is the set of supported API versions, sorted oldest first.
type versions struct{ list []string }

func newVersions(vs []string) versions {
	l := slices.Clone(vs)
	slices.Sort(l)
	return versions{list: slices.Compact(l)}
}

// resolve maps a request path to the version served and the resource path
// after the version ("orders/1.json"). Shopify's rules, as documented in
// https://shopify.dev/docs/api/usage/versioning:
//   - a supported version is served as asked;
//   - a retired version (older than the oldest supported) falls forward to
//     the oldest supported one, and the header says so;
//   - no version at all (/admin/orders.json, which go-shopify sends when
//     WithVersion is not used) is also the oldest supported.
//
// A well-formed version that is not supported and not older (a future one)
// is refused with 404 here; Shopify's exact answer for it is undocumented.
func (v versions) resolve(p string) (version, rest string, ok bool) {
	rest, found := strings.CutPrefix(p, "/admin/")
	if !found {
		return "", "", false
	}
	oldest := v.list[0]
	after, versioned := strings.CutPrefix(rest, "api/")
	if !versioned {
		return oldest, rest, true
	}
	ver, rest, found := strings.Cut(after, "/")
	if !found {
		return "", "", false
	}
	switch {
	case slices.Contains(v.list, ver):
		return ver, rest, true
	case versionRE.MatchString(ver) && ver < oldest:
		return oldest, rest, true
	}
	return "", "", false
}

// apiRequest is a routed request: the resource path and the IDs taken from
// it, in order.
type apiRequest struct {
	r       *http.Request
	version string
	path    string
	ids     []uint64
}

func (q *apiRequest) query() url.Values { return q.r.URL.Query() }

type handler func(s *Shop, q *apiRequest) *response

type routeDef struct {
	method  string
	pattern []string // "{id}" matches a decimal ID
	h       handler
}

// routeTable is the whole implemented surface; everything else is a 404,
// as on Shopify for a path that does not exist.
func routeTable() []routeDef {
	return []routeDef{
		{http.MethodGet, []string{"orders"}, (*Shop).httpListOrders},
		{http.MethodGet, []string{"orders", "{id}"}, (*Shop).httpGetOrder},
		{http.MethodPost, []string{"orders", "{id}", "cancel"}, (*Shop).httpCancelOrder},
		{http.MethodGet, []string{"orders", "{id}", "fulfillments"}, (*Shop).httpListOrderFulfillments},
		{http.MethodGet, []string{"orders", "{id}", "fulfillments", "{id}"}, (*Shop).httpGetOrderFulfillment},
		// POST orders/{id}/fulfillments is deliberately absent: the legacy
		// order-based fulfillment API was removed after 2022-04 and answers
		// 404 on current versions (see fulfillments.go).
		{http.MethodGet, []string{"orders", "{id}", "refunds"}, (*Shop).httpListRefunds},
		{http.MethodPost, []string{"orders", "{id}", "refunds"}, (*Shop).httpCreateRefund},
		{http.MethodGet, []string{"orders", "{id}", "fulfillment_orders"}, (*Shop).httpListFulfillmentOrders},
		{http.MethodGet, []string{"fulfillment_orders", "{id}"}, (*Shop).httpGetFulfillmentOrder},
		{http.MethodPost, []string{"fulfillments"}, (*Shop).httpCreateFulfillment},
		{http.MethodPost, []string{"fulfillments", "{id}", "update_tracking"}, (*Shop).httpUpdateTracking},
		{http.MethodGet, []string{"locations"}, (*Shop).httpListLocations},
		{http.MethodGet, []string{"locations", "{id}"}, (*Shop).httpGetLocation},
		{http.MethodGet, []string{"inventory_levels"}, (*Shop).httpListInventoryLevels},
		{http.MethodPost, []string{"inventory_levels", "set"}, (*Shop).httpSetInventoryLevel},
		{http.MethodPost, []string{"inventory_levels", "adjust"}, (*Shop).httpAdjustInventoryLevel},
		{http.MethodGet, []string{"products"}, (*Shop).httpListProducts},
		{http.MethodGet, []string{"products", "{id}"}, (*Shop).httpGetProduct},
		{http.MethodGet, []string{"products", "{id}", "variants"}, (*Shop).httpListProductVariants},
		{http.MethodGet, []string{"variants", "{id}"}, (*Shop).httpGetVariant},
		{http.MethodPut, []string{"variants", "{id}"}, (*Shop).httpUpdateVariant},
	}
}

// route finds the handler for q.path ("orders/1/cancel.json"). Every REST
// resource path ends in .json; without it Shopify serves no API response.
func route(s *Shop, q *apiRequest) *response {
	p, found := strings.CutSuffix(q.path, ".json")
	if !found {
		return errNotFound()
	}
	segs := strings.Split(p, "/")
	for _, rt := range s.fake.routes {
		if rt.method != q.r.Method {
			continue
		}
		if ids, ok := match(rt.pattern, segs); ok {
			q.ids = ids
			return rt.h(s, q)
		}
	}
	return errNotFound()
}

func match(pattern, segs []string) ([]uint64, bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	var ids []uint64
	for i, p := range pattern {
		if p != "{id}" {
			if p != segs[i] {
				return nil, false
			}
			continue
		}
		id, err := strconv.ParseUint(segs[i], 10, 64)
		if err != nil || id == 0 {
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, true
}
