package shopify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/fakes/shopifyfake"
)

// Levels are set for known SKUs, an unknown one is reported by name in a
// partial error, and the SKU index is read across pages (more than 250
// products) once, then reused until it expires.
func TestPushInventory(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, rigOptions{})
	var products []shopifyfake.Product
	for i := range 260 {
		products = append(products, r.product("5.00", fmt.Sprintf("SKU-%03d", i)))
	}
	first, late := products[1].Variants[0], products[255].Variants[0] // late is on page 2
	loc := r.f.Locations()[0].ID
	if err := r.f.SetInventory(first.InventoryItemID, loc, 3); err != nil {
		t.Fatal(err)
	}

	err := r.c.PushInventory(ctx, []connector.InventoryUpdate{
		{SKU: "SKU-001", Available: 12},
		{SKU: "NOPE-404", Available: 1},
		{SKU: "SKU-255", Available: 7},
	})
	var pe *fault.PartialError
	if !errors.As(err, &pe) || class(err) != fault.ClassPartial {
		t.Fatalf("err = %v, want a partial error", err)
	}
	if _, ok := pe.Rejected["NOPE-404"]; !ok || len(pe.Rejected) != 1 || !strings.Contains(err.Error(), "NOPE-404") {
		t.Errorf("rejected = %v (%v), want NOPE-404 named", pe.Rejected, err)
	}
	if strings.Join(pe.Accepted, ",") != "SKU-001,SKU-255" {
		t.Errorf("accepted = %v", pe.Accepted)
	}
	h := r.f.InventoryHistory()
	if len(h) != 2 {
		t.Fatalf("history = %+v, want 2 sets", h)
	}
	want := []shopifyfake.InventoryChange{
		{Kind: "set", InventoryItemID: first.InventoryItemID, LocationID: loc, Previous: 3, Available: 12},
		{Kind: "set", InventoryItemID: late.InventoryItemID, LocationID: loc, Previous: 0, Available: 7},
	}
	for i, w := range want {
		g := h[i]
		if g.Kind != w.Kind || g.InventoryItemID != w.InventoryItemID || g.LocationID != w.LocationID || g.Previous != w.Previous || g.Available != w.Available {
			t.Errorf("history[%d] = %+v, want %+v", i, g, w)
		}
	}

	// Same levels again: the index is cached and nothing differs, so one
	// read of the levels is the only call.
	before := r.f.Requests("")
	if err := r.c.PushInventory(ctx, []connector.InventoryUpdate{{SKU: "SKU-001", Available: 12}, {SKU: "SKU-255", Available: 7}}); err != nil {
		t.Fatal(err)
	}
	if calls := r.f.Requests("") - before; calls != 1 {
		t.Errorf("unchanged push made %d calls, want 1 (read levels)", calls)
	}
	if n := len(r.f.InventoryHistory()); n != 2 {
		t.Errorf("unchanged push wrote %d levels", n-2)
	}

	// After the TTL the products are listed again (2 pages).
	r.clk.Advance(DefaultSKUCacheTTL + time.Second)
	before = r.f.Requests("")
	if err := r.c.PushInventory(ctx, []connector.InventoryUpdate{{SKU: "SKU-001", Available: 11}}); err != nil {
		t.Fatal(err)
	}
	if calls := r.f.Requests("") - before; calls != 4 {
		t.Errorf("push after the TTL made %d calls, want 4 (2 product pages, levels, set)", calls)
	}
	if n := r.f.Throttled(""); n != 0 {
		t.Errorf("%d × 429", n)
	}
}

// location_id picks the location; nothing known at all is permanent.
func TestPushInventoryLocationAndPermanent(t *testing.T) {
	ctx := context.Background()
	var warehouse uint64
	r := newRig(t, rigOptions{})
	warehouse = r.f.AddLocation(shopifyfake.NewLocation{Name: "Warehouse", CountryCode: "US"}).ID
	r.cfg.LocationID = formatID(warehouse)
	p := r.product("5.00", "A")
	if err := r.c.PushInventory(ctx, []connector.InventoryUpdate{{SKU: "A", Available: 4}}); err != nil {
		t.Fatal(err)
	}
	h := r.f.InventoryHistory()
	if len(h) != 1 || h[0].LocationID != warehouse || h[0].InventoryItemID != p.Variants[0].InventoryItemID || h[0].Available != 4 {
		t.Errorf("history = %+v, want item %d at %d = 4", h, p.Variants[0].InventoryItemID, warehouse)
	}
	err := r.c.PushInventory(ctx, []connector.InventoryUpdate{{SKU: "ZZZ", Available: 1}})
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "ZZZ") {
		t.Errorf("only unknown SKUs: %v, want permanent naming ZZZ", err)
	}
}

// A push throttled half way resumes: the next run sets only what still
// differs, so a push larger than the burst converges.
func TestPushInventoryConverges(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, rigOptions{})
	var ups []connector.InventoryUpdate
	for i := range 70 {
		sku := fmt.Sprintf("B-%02d", i)
		r.product("1.00", sku)
		ups = append(ups, connector.InventoryUpdate{SKU: sku, Available: int64(i + 1)})
	}
	for round := 0; ; round++ {
		err := r.c.PushInventory(ctx, ups)
		if err == nil {
			break
		}
		cl, nb := fault.Classify(err)
		if cl != fault.ClassThrottled || round > 20 {
			t.Fatalf("round %d: %v", round, err)
		}
		r.clk.Set(nb.Add(10 * time.Second))
	}
	if n := len(r.f.InventoryHistory()); n != 70 {
		t.Errorf("%d sets, want exactly 70 (none repeated)", n)
	}
	if n := r.f.Throttled(""); n != 0 {
		t.Errorf("%d × 429", n)
	}
}

// An interrupted listing of the catalog resumes from its page cursor.
func TestSKUIndexResumes(t *testing.T) {
	ctx := context.Background()
	var fail bool
	r := newRig(t, rigOptions{wrap: func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(req *http.Request) (*http.Response, error) {
			if fail && strings.HasSuffix(req.URL.Path, "/products.json") && req.URL.Query().Get("page_info") != "" {
				fail = false
				return jsonResponse(req, http.StatusBadGateway, `{"errors":"Bad Gateway"}`), nil
			}
			return next.RoundTrip(req)
		})
	}})
	for i := range 255 {
		r.product("1.00", fmt.Sprintf("C-%03d", i))
	}
	fail = true
	err := r.c.PushInventory(ctx, []connector.InventoryUpdate{{SKU: "C-254", Available: 1}})
	if class(err) != fault.ClassRetryable {
		t.Fatalf("502 on page 2: %v", err)
	}
	before := r.f.Requests("")
	if err := r.c.PushInventory(ctx, []connector.InventoryUpdate{{SKU: "C-254", Available: 1}}); err != nil {
		t.Fatal(err)
	}
	// page 2 + locations + levels + set: page 1 was not read again.
	if calls := r.f.Requests("") - before; calls != 4 {
		t.Errorf("resumed push made %d calls, want 4", calls)
	}
}
