package catalog

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/internal/feed"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

var t0 = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

// importFeed imports csv as supplier acme's feed into st.
func importFeed(t *testing.T, st *embedded.Store, clk clock.Clock, csv string, mapped func([]byte) bool) *feed.Result {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f.csv")
	if err := os.WriteFile(p, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := &feed.Config{Source: feed.Source{File: p},
		Columns: feed.Columns{SupplierSKU: "ssku", SKU: "sku", Quantity: "qty", Cost: "cost", MAP: "map"}}
	res, err := feed.Import(context.Background(), feed.Request{Supplier: "acme", Config: cfg, Currency: "USD", Store: st, Clock: clk,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Mapped: mapped})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func usd(s string) money.Money { return money.MustParse(s, "USD") }

func TestFeedLayer(t *testing.T) {
	clk := clock.NewFake(t0)
	st, err := embedded.Open(filepath.Join(t.TempDir(), "db"), embedded.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := New(WithClock(clk))
	// The catalog file: MUG (pack of 2), TEE and CAP; another supplier
	// also offers TEE.
	c.Replace("acme", []routing.Offer{
		{SKU: "MUG", SupplierSKU: "A-MUG", Cost: usd("4.00"), Stock: 5, PackSize: 2, Title: "Mug"},
		{SKU: "TEE", SupplierSKU: "A-TEE", Cost: usd("7.00"), Stock: 5},
		{SKU: "CAP", SupplierSKU: "A-CAP", Cost: usd("3.00"), Stock: 5},
	})
	c.Replace("other", []routing.Offer{{SKU: "TEE", SupplierSKU: "O-TEE", Cost: usd("8.00"), Stock: 1}})

	// The feed: MUG without a merchant SKU (the file maps it), TEE, a new
	// HAT, an unmapped row, and no CAP.
	res := importFeed(t, st, clk, "ssku,sku,qty,cost,map\nA-MUG,,9,4.50,9.99\nA-TEE,TEE,0,7.00,\nA-HAT,HAT,3,2.00,\nA-ZZZ,,4,1.00,\n", c.Mapped("acme"))
	if res.Unmapped != 1 {
		t.Errorf("unmapped %d, want 1", res.Unmapped)
	}
	if changed, err := c.SyncFeed(context.Background(), st, "acme", 24*time.Hour); err != nil || !changed {
		t.Fatalf("sync: %v %v", changed, err)
	}
	mapP := usd("9.99")
	want := map[string][]routing.Offer{
		"MUG": {{Supplier: "acme", SKU: "MUG", SupplierSKU: "A-MUG", Cost: usd("4.50"), Stock: 9, PackSize: 2, Title: "Mug", MAP: &mapP}},
		"TEE": {{Supplier: "other", SKU: "TEE", SupplierSKU: "O-TEE", Cost: usd("8.00"), Stock: 1},
			{Supplier: "acme", SKU: "TEE", SupplierSKU: "A-TEE", Cost: usd("7.00"), Stock: 0}},
		"HAT": {{Supplier: "acme", SKU: "HAT", SupplierSKU: "A-HAT", Cost: usd("2.00"), Stock: 3}},
		"CAP": {{Supplier: "acme", SKU: "CAP", SupplierSKU: "A-CAP", Cost: usd("3.00"), Stock: 0}}, // missing from the feed
	}
	for sku, w := range want {
		if got := c.Offers(sku); !reflect.DeepEqual(got, w) {
			t.Errorf("%s: got %+v\nwant %+v", sku, got, w)
		}
	}
	if got := c.SKUs(); !reflect.DeepEqual(got, []string{"CAP", "HAT", "MUG", "TEE"}) {
		t.Errorf("SKUs %v", got)
	}
	var all []string
	c.Each("acme", func(o routing.Offer) bool { all = append(all, o.SupplierSKU); return true })
	if !reflect.DeepEqual(all, []string{"A-HAT", "A-MUG", "A-TEE", "A-CAP"}) {
		t.Errorf("Each %v", all)
	}
	// An 846 updates a feed offer until the next snapshot.
	if !c.SetStock("acme", "A-HAT", 1) || c.Offers("HAT")[0].Stock != 1 {
		t.Errorf("SetStock on a feed offer: %+v", c.Offers("HAT"))
	}
	// A second check costs a record read and changes nothing.
	if changed, _ := c.SyncFeed(context.Background(), st, "acme", 24*time.Hour); changed {
		t.Error("second sync reloaded")
	}
	want1 := "acme: catalog file + feed snapshot " + res.Meta.ID + " (4 offers, as of 2026-11-21 09:00 UTC); other: catalog file"
	if got := c.Describe(); got != want1 {
		t.Errorf("Describe = %q\nwant       %q", got, want1)
	}
	// Stale after the freshness: no stock, marked.
	clk.Advance(25 * time.Hour)
	if !c.Stale("acme") {
		t.Fatal("not stale after 25h")
	}
	if got, want := c.Describe(), strings.Replace(want1, "UTC)", "UTC, stale: older than 24h0m0s, so no stock)", 1); got != want {
		t.Errorf("Describe = %q\nwant       %q", got, want)
	}
	if got := New().Describe(); got != "no offers loaded" {
		t.Errorf("empty: %q", got)
	}
	if o := c.Offers("MUG")[0]; o.Stock != 0 || !o.Stale {
		t.Errorf("stale offer %+v", o)
	}
	if o := c.Offers("TEE")[0]; o.Supplier != "other" || o.Stale || o.Stock != 1 {
		t.Errorf("other supplier affected: %+v", o)
	}
}
