package shopify

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/money"
)

func TestPushPrices(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, rigOptions{cfg: func(c *Config) { c.Currency = "usd" }})
	p := r.product("10.00", "MUG", "TEE")
	compare := usd("29.99")
	err := r.c.PushPrices(ctx, []connector.PriceUpdate{
		{SKU: "MUG", Price: usd("24.99"), CompareAt: &compare},
		{SKU: "TEE", Price: usd("5.10")},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := r.f.PriceHistory()
	if len(h) != 2 {
		t.Fatalf("price history = %+v", h)
	}
	check := func(i int, variant uint64, price, compareAt string) {
		t.Helper()
		g := h[i]
		gotCompare := ""
		if g.CompareAtPrice != nil {
			gotCompare = g.CompareAtPrice.Decimal().String()
		}
		if g.VariantID != variant || g.Price.Decimal().String() != price || g.Price.Currency != "USD" || gotCompare != compareAt {
			t.Errorf("history[%d] = variant %d price %s compare %q; want %d %s %q", i, g.VariantID, g.Price.Decimal(), gotCompare, variant, price, compareAt)
		}
	}
	check(0, p.Variants[0].ID, "24.99", "29.99")
	check(1, p.Variants[1].ID, "5.10", "")

	// The same prices again write nothing; a zero compare-at clears it.
	if err := r.c.PushPrices(ctx, []connector.PriceUpdate{{SKU: "MUG", Price: usd("24.99"), CompareAt: &compare}}); err != nil {
		t.Fatal(err)
	}
	if n := len(r.f.PriceHistory()); n != 2 {
		t.Errorf("unchanged price rewritten (%d changes)", n)
	}
	zero := money.Money{Currency: "USD"}
	if err := r.c.PushPrices(ctx, []connector.PriceUpdate{{SKU: "MUG", Price: usd("24.99"), CompareAt: &zero}}); err != nil {
		t.Fatal(err)
	}
	if h = r.f.PriceHistory(); len(h) != 3 || h[2].CompareAtPrice != nil {
		t.Errorf("clearing compare-at: %+v", h)
	}
	if v, _ := r.f.Variant(p.Variants[0].ID); v.CompareAtPrice != nil || v.Price.Decimal().String() != "24.99" {
		t.Errorf("variant = %+v", v)
	}

	// Another currency is refused before any call.
	before := r.f.Requests("")
	err = r.c.PushPrices(ctx, []connector.PriceUpdate{{SKU: "TEE", Price: money.MustParse("4.50", "EUR")}})
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "EUR") {
		t.Fatalf("EUR price: %v, want permanent", err)
	}
	if r.f.Requests("") != before || len(r.f.PriceHistory()) != 3 {
		t.Error("a refused price reached Shopify")
	}
	// Mixed: the good one goes, the bad one is reported.
	err = r.c.PushPrices(ctx, []connector.PriceUpdate{
		{SKU: "TEE", Price: money.MustParse("4.50", "EUR")},
		{SKU: "MUG", Price: usd("19.00")},
		{SKU: "GONE", Price: usd("1.00")},
	})
	var pe *fault.PartialError
	if !errors.As(err, &pe) || class(err) != fault.ClassPartial || len(pe.Rejected) != 2 || len(pe.Accepted) != 1 {
		t.Fatalf("mixed push: %v", err)
	}
	if h = r.f.PriceHistory(); h[len(h)-1].Price.Decimal().String() != "19.00" {
		t.Errorf("last change = %+v", h[len(h)-1])
	}
}

// Without currency in the config, the shop's is read once.
func TestPushPricesShopCurrency(t *testing.T) {
	ctx := context.Background()
	var shopCalls atomic.Int32
	r := newRig(t, rigOptions{wrap: func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(req *http.Request) (*http.Response, error) {
			// The fake has no shop resource; answer as Shopify does.
			if strings.HasSuffix(req.URL.Path, "/shop.json") {
				shopCalls.Add(1)
				return jsonResponse(req, http.StatusOK, `{"shop":{"id":1,"currency":"USD"}}`), nil
			}
			return next.RoundTrip(req)
		})
	}})
	r.product("10.00", "MUG")
	for _, price := range []string{"11.00", "12.00"} {
		if err := r.c.PushPrices(ctx, []connector.PriceUpdate{{SKU: "MUG", Price: usd(price)}}); err != nil {
			t.Fatal(err)
		}
	}
	if n := shopCalls.Load(); n != 1 {
		t.Errorf("shop.json read %d times, want once", n)
	}
	if err := r.c.PushPrices(ctx, []connector.PriceUpdate{{SKU: "MUG", Price: money.MustParse("1200", "JPY")}}); !fault.IsPermanent(err) {
		t.Errorf("JPY price in a USD shop: %v", err)
	}
}
