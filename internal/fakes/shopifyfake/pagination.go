package shopifyfake

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// Cursor pagination as Shopify does it for REST lists: the response carries
// a Link header with rel="previous"/rel="next" URLs whose query is only
// page_info and limit; page_info is opaque and carries the original
// filters, and a request with page_info may add only limit and fields.
// https://shopify.dev/docs/api/admin-rest/usage/pagination

const (
	defaultLimit = 50
	maxLimit     = 250
)

// pageKey orders the items of a list; lists sort ascending by it.
type pageKey [2]uint64

func (k pageKey) cmp(o pageKey) int {
	if c := cmp.Compare(k[0], o[0]); c != 0 {
		return c
	}
	return cmp.Compare(k[1], o[1])
}

// cursor is what page_info encodes.
type cursor struct {
	Dir     string            `json:"d"` // "n" next, "p" previous
	Key     pageKey           `json:"k"` // last (next) or first (previous) key seen
	Filters map[string]string `json:"f,omitempty"`
}

func (c cursor) encode() string { return kit.EncodeCursor(c) }

func decodeCursor(s string) (cursor, bool) {
	var c cursor
	if err := kit.DecodeCursor(s, &c); err != nil || (c.Dir != "n" && c.Dir != "p") {
		return cursor{}, false
	}
	return c, true
}

// pageRequest is a parsed list request: the page size, the filters in
// force (from the query or from page_info) and the cursor if any.
type pageRequest struct {
	limit   int
	filters url.Values
	cur     *cursor
	fields  []string
}

// parsePage validates limit, page_info and fields. Shopify silently caps
// limit at 250; a non-numeric or non-positive limit is a 400 here.
func parsePage(q url.Values) (pageRequest, *response) {
	pr := pageRequest{limit: defaultLimit}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return pr, errField(http.StatusBadRequest, "limit", "Invalid value.")
		}
		pr.limit = min(n, maxLimit)
	}
	if f := q.Get("fields"); f != "" {
		pr.fields = strings.Split(f, ",")
	}
	pi := q.Get("page_info")
	if pi == "" {
		pr.filters = q
		return pr, nil
	}
	for k := range q {
		if k != "page_info" && k != "limit" && k != "fields" {
			// Community-reported wording: "created_at_min cannot be passed
			// when page_info is present." (community.shopify.com/t/178900)
			return pr, errField(http.StatusBadRequest, k, k+" cannot be passed when page_info is present.")
		}
	}
	c, valid := decodeCursor(pi)
	if !valid {
		return pr, errField(http.StatusBadRequest, "page_info", "Invalid value.")
	}
	pr.cur = &c
	pr.filters = url.Values{}
	for k, v := range c.Filters {
		pr.filters.Set(k, v)
	}
	return pr, nil
}

// filterMap keeps the filters worth carrying in page_info.
func filterMap(v url.Values) map[string]string {
	m := map[string]string{}
	for k := range v {
		if k == "limit" || k == "page_info" || k == "fields" {
			continue
		}
		m[k] = v.Get(k)
	}
	return m
}

// paginate cuts one page from items (already filtered, any order) and
// returns the Link header value ("" when everything fit).
func paginate[T any](q *apiRequest, pr pageRequest, items []T, key func(T) pageKey) ([]T, string) {
	slices.SortFunc(items, func(a, b T) int { return key(a).cmp(key(b)) })
	var start, end int
	switch {
	case pr.cur == nil:
		end = min(pr.limit, len(items))
	case pr.cur.Dir == "n":
		// The first item after the cursor's key.
		start, _ = slices.BinarySearchFunc(items, pr.cur.Key, func(t T, k pageKey) int {
			if key(t).cmp(k) <= 0 {
				return -1
			}
			return 1
		})
		end = min(start+pr.limit, len(items))
	default:
		// The page of items just before the cursor's key.
		end, _ = slices.BinarySearchFunc(items, pr.cur.Key, func(t T, k pageKey) int { return key(t).cmp(k) })
		start = max(0, end-pr.limit)
	}
	page := items[start:end]
	var links []kit.Link
	filters := filterMap(pr.filters)
	if start > 0 && len(page) > 0 {
		links = append(links, linkTo(q, pr.limit, cursor{Dir: "p", Key: key(page[0]), Filters: filters}, "previous"))
	}
	if end < len(items) && len(page) > 0 {
		links = append(links, linkTo(q, pr.limit, cursor{Dir: "n", Key: key(page[len(page)-1]), Filters: filters}, "next"))
	}
	return page, kit.LinkHeader(links...)
}

// linkTo renders one Link entry. The URL keeps the shop's own host, so a
// client following it directly (or through Transport) reaches the same
// shop; a plain host (the demo's 127.0.0.1) keeps the request's scheme.
func linkTo(q *apiRequest, limit int, c cursor, rel string) kit.Link {
	host := q.r.Host
	scheme := "https"
	if !strings.HasSuffix(strings.ToLower(host), ".myshopify.com") && q.r.TLS == nil {
		scheme = "http"
	}
	return kit.Link{URL: scheme + "://" + host + q.r.URL.Path + "?limit=" + strconv.Itoa(limit) + "&page_info=" + c.encode(), Rel: rel}
}

// listResponse wraps a page as {"name": [...]} with its Link header,
// applying the fields parameter.
func listResponse[T any](name string, pr pageRequest, page []T, link string) *response {
	resp := respOK(map[string]any{name: selectFieldsAll(page, pr.fields)})
	if link != "" {
		resp.Header = http.Header{"Link": []string{link}}
	}
	return resp
}

// selectFields applies Shopify's fields=a,b parameter: only the named
// top-level keys are returned.
func selectFields(v any, fields []string) any {
	if len(fields) == 0 {
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return v
	}
	out := make(map[string]json.RawMessage, len(fields))
	for _, f := range fields {
		if raw, ok := m[strings.TrimSpace(f)]; ok {
			out[strings.TrimSpace(f)] = raw
		}
	}
	return out
}

func selectFieldsAll[T any](items []T, fields []string) []any {
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = selectFields(it, fields)
	}
	return out
}

// parseSinceID reads since_id (0 when absent).
func parseSinceID(f url.Values) (uint64, *response) {
	s := f.Get("since_id")
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, errField(http.StatusBadRequest, "since_id", "Invalid value.")
	}
	return id, nil
}

// parseTimeFilter reads an ISO 8601 time filter such as updated_at_min
// (go-shopify sends RFC 3339); a bare date means its midnight UTC.
func parseTimeFilter(f url.Values, name string) (*time.Time, *response) {
	s := f.Get(name)
	if s == "" {
		return nil, nil
	}
	// An unescaped "+01:00" arrives as " 01:00".
	s = strings.ReplaceAll(s, " ", "+")
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return &t, nil
		}
	}
	return nil, errField(http.StatusBadRequest, name, "Invalid value.")
}
