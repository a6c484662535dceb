package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/gateway"
	"github.com/dropgate/dropgate/gateway/ui"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// repoOps serves the order list from the order repository, as
// core/app/services does.
type repoOps struct {
	ports.Operator
	orders *repo.Orders
}

func (o repoOps) Orders(ctx context.Context, where map[string]string, p repo.Page) ([]model.Aggregate, string, error) {
	return o.orders.List(ctx, where, p)
}

// seed writes n orders (every 100th on hold) with 32 writers, so the
// store's group commit takes many per transaction.
func seed(b *testing.B, orders *repo.Orders, n int) {
	b.Helper()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += 32 {
				st := model.OrderProcessing
				if i%100 == 0 {
					st = model.OrderOnHold
				}
				a := &model.Aggregate{Created: base.Add(time.Duration(i) * time.Second),
					Order: model.Order{ID: fmt.Sprintf("ord-%06d", i), Channel: "shop", ChannelOrderID: fmt.Sprint(5000000 + i),
						ChannelOrderNumber: fmt.Sprintf("#%d", 1000+i), PlacedAt: base.Add(time.Duration(i) * time.Second), Currency: "USD",
						Customer: model.Customer{Name: fmt.Sprintf("Customer %d", i), Email: fmt.Sprintf("c%d@example.com", i)},
						Status:   st, Totals: model.Totals{Total: money.MustParse("42.50", "USD")},
						Lines: []model.OrderLine{{ID: "1", SKU: "MUG-BLUE", Quantity: 2, UnitPrice: money.MustParse("21.25", "USD")}}},
					POs: []model.PurchaseOrder{{Number: fmt.Sprintf("PO-%06d", i), Supplier: "acme", Status: "sent"}},
				}
				if st == model.OrderOnHold {
					a.Order.Holds = []model.Hold{{Code: "unroutable", Reason: "no supplier carries MUG-BLUE"}}
				}
				if _, err := orders.Put(context.Background(), a, 0); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

// uiSession logs in through the handler and returns the session cookie.
func uiSession(b *testing.B, h http.Handler) *http.Cookie {
	b.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/ui/login", nil))
	m := csrfRE.FindStringSubmatch(rec.Body.String())
	req := httptest.NewRequest("POST", "/ui/login", strings.NewReader(url.Values{"csrf": {m[1]}, "token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == ui.SessionCookie && c.Value != "" {
			return c
		}
	}
	b.Fatalf("login failed: %d", rec.Code)
	return nil
}

// BenchmarkOrdersList100k measures the dashboard's orders page over 100k
// stored orders (embedded store, the repository's cursor paging and
// status index) against the admin API's JSON list of the same page, in
// the same run:
//
//	go test -run '^$' -bench OrdersList100k -benchtime 200x ./gateway/ui/
//
// It reports server time per request (ns/op) and the page's bytes.
func BenchmarkOrdersList100k(b *testing.B) {
	const n = 100_000
	st, err := embedded.Open(filepath.Join(b.TempDir(), "db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	orders := repo.NewOrders(st, clock.Real{})
	start := time.Now()
	seed(b, orders, n)
	b.Logf("seeded %d orders in %s", n, time.Since(start).Round(time.Millisecond))
	ops := repoOps{orders: orders}
	uiH := (&ui.UI{Ops: ops, Token: token}).Handler()
	sess := uiSession(b, uiH)
	api := (&gateway.Admin{Ops: ops}).Handler()

	for _, c := range []struct {
		name, path string
		h          http.Handler
		cookie     *http.Cookie
	}{
		{"ui/first", "/ui/orders", uiH, sess},
		{"api/first", "/api/v1/orders?limit=50", api, nil},
		{"ui/on_hold", "/ui/orders?status=on_hold", uiH, sess},
		{"api/on_hold", "/api/v1/orders?status=on_hold&limit=50", api, nil},
	} {
		b.Run(c.name, func(b *testing.B) {
			var size int
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("GET", c.path, nil)
				if c.cookie != nil {
					req.AddCookie(c.cookie)
				}
				rec := httptest.NewRecorder()
				c.h.ServeHTTP(rec, req)
				if rec.Code != 200 || !strings.Contains(rec.Body.String(), "#") {
					b.Fatalf("%s: %d %s", c.path, rec.Code, rec.Body.String())
				}
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(size), "page-bytes")
		})
	}
}
