package kit

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
)

func TestNumberedPages(t *testing.T) {
	items := []int{1, 2, 3, 4, 5}
	q := url.Values{"page": {"2"}, "per_page": {"2"}}
	n, err := ParseNumbered(q, "page", "per_page", 10, 100)
	if err != nil {
		t.Fatal(err)
	}
	page, n := Page(items, n)
	if len(page) != 2 || page[0] != 3 || n.TotalPages() != 3 {
		t.Fatalf("page 2: %v %+v", page, n)
	}
	h := http.Header{}
	WPTotals(h, n)
	if h.Get("X-WP-Total") != "5" || h.Get("X-WP-TotalPages") != "3" {
		t.Errorf("totals %v", h)
	}
	n.Page = 9
	if page, _ := Page(items, n); len(page) != 0 {
		t.Errorf("past the end: %v", page)
	}
	n.RepeatLast = true // Magento
	if page, _ := Page(items, n); len(page) != 1 || page[0] != 5 {
		t.Errorf("past the end, repeating: %v", page)
	}
	if n, _ := ParseNumbered(url.Values{"per_page": {"500"}}, "page", "per_page", 10, 100); n.PerPage != 100 || n.Page != 1 {
		t.Errorf("capped: %+v", n)
	}
	for _, bad := range []url.Values{{"page": {"0"}}, {"page": {"x"}}, {"per_page": {"-1"}}} {
		if _, err := ParseNumbered(bad, "page", "per_page", 10, 100); !errors.Is(err, ErrBadPage) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

func TestOffsetAndCursor(t *testing.T) {
	off, lim, err := Offset(url.Values{"offset": {"3"}, "limit": {"500"}}, "offset", "limit", 25, 100)
	if err != nil || off != 3 || lim != 100 {
		t.Fatalf("%d %d %v", off, lim, err)
	}
	if w := Window([]int{1, 2, 3, 4}, 3, 2); len(w) != 1 || w[0] != 4 {
		t.Errorf("window %v", w)
	}
	if w := Window([]int{1}, 5, 2); len(w) != 0 {
		t.Errorf("window past the end %v", w)
	}
	type cur struct {
		After uint64 `json:"a"`
	}
	s := EncodeCursor(cur{After: 1<<53 + 1})
	var back cur
	if err := DecodeCursor(s, &back); err != nil || back.After != 1<<53+1 {
		t.Errorf("round trip: %+v %v", back, err)
	}
	if err := DecodeCursor("%%", &back); !errors.Is(err, ErrBadPage) {
		t.Errorf("bad cursor: %v", err)
	}
	r, _ := http.NewRequest("GET", "http://shop.test/admin/orders.json?status=any", nil)
	link := LinkHeader(Link{PageURL(r, url.Values{"page_info": {s}, "limit": {"2"}}), "next"})
	if link != `<http://shop.test/admin/orders.json?limit=2&page_info=`+s+`>; rel="next"` {
		t.Errorf("link %s", link)
	}
}
