package kit

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Pagination styles, as the platforms page their lists:
//
//   - numbered pages with a total (WooCommerce page/per_page with
//     X-WP-Total and X-WP-TotalPages; Magento searchCriteria currentPage
//     and pageSize, whose page past the end repeats the last one;
//     BigCommerce v2 page/limit): Numbered;
//   - offset and limit (Etsy): Offset;
//   - an opaque cursor or next token carried in the body (Amazon
//     NextToken, Walmart nextCursor) or in a Link header (Shopify
//     page_info): EncodeCursor and DecodeCursor, with Link and PageURL
//     for the header.

// ErrBadPage is a malformed paging parameter; a fake answers 400.
var ErrBadPage = errors.New("bad paging parameter")

// Numbered is a page of a numbered list.
type Numbered struct {
	Page, PerPage, Total int
	// RepeatLast serves a page past the end as the last page again
	// (Magento's behaviour on /V1/orders and others), so a client that
	// loops until an empty page never ends; without it a page past the
	// end is empty.
	RepeatLast bool
}

// ParseNumbered reads page and per-page parameters (1-based pages;
// per-page defaults to def and is capped at max, as WordPress caps
// per_page at 100).
func ParseNumbered(q url.Values, pageKey, sizeKey string, def, max int) (Numbered, error) {
	n := Numbered{Page: 1, PerPage: def}
	var err error
	if v := q.Get(pageKey); v != "" {
		if n.Page, err = strconv.Atoi(v); err != nil || n.Page < 1 {
			return n, fmt.Errorf("%w: %s=%q", ErrBadPage, pageKey, v)
		}
	}
	if v := q.Get(sizeKey); v != "" {
		if n.PerPage, err = strconv.Atoi(v); err != nil || n.PerPage < 1 {
			return n, fmt.Errorf("%w: %s=%q", ErrBadPage, sizeKey, v)
		}
		n.PerPage = min(n.PerPage, max)
	}
	return n, nil
}

// TotalPages is how many pages Total items make.
func (n Numbered) TotalPages() int {
	if n.Total == 0 || n.PerPage == 0 {
		return 0
	}
	return (n.Total + n.PerPage - 1) / n.PerPage
}

// Bounds returns the slice of the list this page covers.
func (n Numbered) Bounds() (start, end int) {
	page := n.Page
	if last := n.TotalPages(); n.RepeatLast && page > last && last > 0 {
		page = last
	}
	start = min((page-1)*n.PerPage, n.Total)
	return start, min(start+n.PerPage, n.Total)
}

// Page cuts one page out of items (with Total set from them).
func Page[T any](items []T, n Numbered) ([]T, Numbered) {
	n.Total = len(items)
	start, end := n.Bounds()
	return items[start:end], n
}

// WPTotals sets WordPress's X-WP-Total and X-WP-TotalPages.
func WPTotals(h http.Header, n Numbered) {
	h.Set("X-WP-Total", strconv.Itoa(n.Total))
	h.Set("X-WP-TotalPages", strconv.Itoa(n.TotalPages()))
}

// Offset reads offset and limit parameters (limit defaults to def, capped
// at max).
func Offset(q url.Values, offsetKey, limitKey string, def, max int) (offset, limit int, err error) {
	limit = def
	if v := q.Get(offsetKey); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, fmt.Errorf("%w: %s=%q", ErrBadPage, offsetKey, v)
		}
	}
	if v := q.Get(limitKey); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 {
			return 0, 0, fmt.Errorf("%w: %s=%q", ErrBadPage, limitKey, v)
		}
		limit = min(limit, max)
	}
	return offset, limit, nil
}

// Window cuts items[offset:offset+limit], clamped.
func Window[T any](items []T, offset, limit int) []T {
	start := min(offset, len(items))
	return items[start:min(start+limit, len(items))]
}

// EncodeCursor makes an opaque cursor of v (JSON, base64url): what a
// platform's next token or page_info is to its client.
func EncodeCursor(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("kit: cursor of %T: %v", v, err)) // a fake's own type: a programming error
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reads a cursor EncodeCursor made into v; anything else is
// ErrBadPage.
func DecodeCursor(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, v) != nil {
		return fmt.Errorf("%w: cursor %q", ErrBadPage, s)
	}
	return nil
}

// Link is one entry of an RFC 8288 Link header.
type Link struct{ URL, Rel string }

// LinkHeader renders links as `<url>; rel="next", <url>; rel="previous"`.
func LinkHeader(links ...Link) string {
	parts := make([]string, 0, len(links))
	for _, l := range links {
		parts = append(parts, "<"+l.URL+`>; rel="`+l.Rel+`"`)
	}
	return strings.Join(parts, ", ")
}

// PageURL is the absolute URL of r with its query replaced by q (the
// next page's link). The host is the one the client addressed, so a
// client following it reaches the same tenant.
func PageURL(r *http.Request, q url.Values) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}
