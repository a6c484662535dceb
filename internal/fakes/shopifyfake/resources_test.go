package shopifyfake

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	goshopify "github.com/bold-commerce/go-shopify/v4"
	"github.com/shopspring/decimal"

	"github.com/dropgate/dropgate/core/money"
)

func wantStatus(t *testing.T, err error, status int) goshopify.ResponseError {
	t.Helper()
	var re goshopify.ResponseError
	if !errors.As(err, &re) || re.Status != status {
		t.Fatalf("err = %#v, want ResponseError %d", err, status)
	}
	return re
}

func TestPaginationFollowsLinkHeader(t *testing.T) {
	f, clk := newTestFake(t)
	var ids []uint64
	for range 5 {
		_, o := seed(t, f)
		ids = append(ids, o.ID)
		clk.Advance(time.Minute)
	}
	c := client(t, f)
	ctx := context.Background()
	opts := goshopify.OrderListOptions{ListOptions: goshopify.ListOptions{Limit: 2}, Status: goshopify.OrderStatusAny}
	page, pg, err := c.Order.ListWithPagination(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 || page[0].Id != ids[0] || pg.NextPageOptions == nil || pg.PreviousPageOptions != nil {
		t.Fatalf("page 1: %d orders, pagination %+v", len(page), pg)
	}
	page, pg, err = c.Order.ListWithPagination(ctx, pg.NextPageOptions)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 || page[0].Id != ids[2] || pg.NextPageOptions == nil || pg.PreviousPageOptions == nil {
		t.Fatalf("page 2: %d orders, pagination %+v", len(page), pg)
	}
	prev, _, err := c.Order.ListWithPagination(ctx, pg.PreviousPageOptions)
	if err != nil || len(prev) != 2 || prev[0].Id != ids[0] {
		t.Fatalf("previous page: %v %d", err, len(prev))
	}
	page, pg, err = c.Order.ListWithPagination(ctx, pg.NextPageOptions)
	if err != nil || len(page) != 1 || page[0].Id != ids[4] || pg.NextPageOptions != nil {
		t.Fatalf("page 3: %v %d %+v", err, len(page), pg)
	}
	all, err := c.Order.ListAll(ctx, opts)
	if err != nil || len(all) != 5 {
		t.Fatalf("ListAll: %v %d", err, len(all))
	}
	// Filters travel inside page_info; the fake keeps them across pages.
	since := goshopify.OrderListOptions{ListOptions: goshopify.ListOptions{Limit: 1, SinceId: &ids[2]}}
	if rest, err := c.Order.ListAll(ctx, since); err != nil || len(rest) != 2 {
		t.Fatalf("since_id across pages: %v %d", err, len(rest))
	}
	resp, _ := raw(t, f, "GET", shopURL+"orders.json?limit=2&status=any", DefaultToken, "")
	link := resp.Header.Get("Link")
	if !strings.HasPrefix(link, "<https://"+DefaultShop+"/admin/api/2025-01/orders.json?limit=2&page_info=") ||
		!strings.HasSuffix(link, `>; rel="next"`) {
		t.Errorf("Link = %s", link)
	}
	pageInfo := link[strings.Index(link, "page_info=")+len("page_info=") : strings.Index(link, ">")]
	resp, body := raw(t, f, "GET", shopURL+"orders.json?page_info="+pageInfo+"&status=any", DefaultToken, "")
	if resp.StatusCode != 400 || !strings.Contains(body, "status cannot be passed when page_info is present.") {
		t.Errorf("filters with page_info: %d %s", resp.StatusCode, body)
	}
	resp, _ = raw(t, f, "GET", shopURL+"orders.json?page_info=garbage", DefaultToken, "")
	if resp.StatusCode != 400 {
		t.Errorf("bad page_info: %d", resp.StatusCode)
	}
}

func TestProductsPaginate(t *testing.T) {
	f, _ := newTestFake(t)
	for i := range 3 {
		if _, err := f.AddProduct(NewProduct{Title: fmt.Sprint("P", i), Variants: []NewVariant{{Price: money.MustParse("1.00", "USD")}}}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := client(t, f).Product.ListAll(context.Background(), goshopify.ListOptions{Limit: 2})
	if err != nil || len(all) != 3 || len(all[0].Variants) != 1 || all[0].Variants[0].InventoryItemId == 0 {
		t.Fatalf("ListAll: %v %+v", err, all)
	}
}

func TestFulfillmentByFulfillmentOrder(t *testing.T) {
	f, clk := newTestFake(t)
	_, o := seed(t, f)
	c := client(t, f)
	ctx := context.Background()

	fos, err := c.FulfillmentOrder.List(ctx, o.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fos) != 1 || fos[0].Status != "open" || len(fos[0].LineItems) != 2 {
		t.Fatalf("fulfillment orders = %+v", fos)
	}
	fo := fos[0]
	l0 := fo.LineItems[0]
	if l0.LineItemId != o.Lines[0].ID || l0.Quantity != 3 || l0.FulfillableQuantity != 3 ||
		l0.VariantId != o.Lines[0].VariantID || l0.InventoryItemId != o.Lines[0].InventoryItemID || l0.FulfillmentOrderId != fo.Id {
		t.Fatalf("fulfillment order line = %+v", l0)
	}

	clk.Advance(time.Hour)
	fl, err := c.Fulfillment.Create(ctx, goshopify.Fulfillment{
		LineItemsByFulfillmentOrder: []goshopify.LineItemByFulfillmentOrder{{
			FulfillmentOrderId:        fo.Id,
			FulfillmentOrderLineItems: []goshopify.LineItemByFulfillmentOrderItemQuantity{{Id: l0.Id, Quantity: 2}},
		}},
		TrackingInfo:   goshopify.FulfillmentTrackingInfo{Company: "UPS", Number: "1Z999", Url: "https://ups.example/1Z999"},
		NotifyCustomer: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if fl.OrderId != o.ID || fl.TrackingNumber != "1Z999" || fl.TrackingCompany != "UPS" || fl.Status != "success" {
		t.Errorf("fulfillment = %+v", fl)
	}
	got, err := c.FulfillmentOrder.Get(ctx, fo.Id, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != FOInProgress || got.LineItems[0].FulfillableQuantity != 1 || got.LineItems[1].FulfillableQuantity != 1 {
		t.Errorf("after partial: %+v", got)
	}
	order, _ := c.Order.Get(ctx, o.ID, nil)
	if order.FulfillmentStatus != "partial" || len(order.Fulfillments) != 1 || !order.UpdatedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("order after partial: %s %d %v", order.FulfillmentStatus, len(order.Fulfillments), order.UpdatedAt)
	}

	// Without fulfillment_order_line_items: everything that remains.
	if _, err := c.Fulfillment.Create(ctx, goshopify.Fulfillment{
		LineItemsByFulfillmentOrder: []goshopify.LineItemByFulfillmentOrder{{FulfillmentOrderId: fo.Id}},
	}); err != nil {
		t.Fatal(err)
	}
	got, _ = c.FulfillmentOrder.Get(ctx, fo.Id, nil)
	if got.Status != FOClosed || got.LineItems[0].FulfillableQuantity != 0 {
		t.Errorf("after rest: %+v", got)
	}
	order, _ = c.Order.Get(ctx, o.ID, nil)
	if order.FulfillmentStatus != "fulfilled" {
		t.Errorf("order fulfillment_status %q", order.FulfillmentStatus)
	}

	// update_tracking has no go-shopify method; the generic Post reaches it.
	var out goshopify.FulfillmentResource
	err = c.Post(ctx, fmt.Sprintf("fulfillments/%d/update_tracking.json", fl.Id), map[string]any{
		"fulfillment": map[string]any{"notify_customer": false, "tracking_info": map[string]any{"company": "UPS", "number": "1Z000"}},
	}, &out)
	if err != nil || out.Fulfillment.TrackingNumber != "1Z000" {
		t.Fatalf("update_tracking: %v %+v", err, out.Fulfillment)
	}
	rec := f.Fulfillments(o.ID)
	if len(rec) != 2 || len(rec[0].History) != 2 || rec[0].History[0].Tracking.Number != "1Z999" ||
		rec[0].Tracking.Number != "1Z000" || !rec[0].NotifyCustomer || rec[0].Lines[0].Quantity != 2 || rec[0].Name != "#1001.1" {
		t.Errorf("recorded fulfillments = %+v", rec)
	}
}

func TestOverFulfilmentIs422AndChangesNothing(t *testing.T) {
	f, _ := newTestFake(t)
	_, o := seed(t, f)
	c := client(t, f)
	ctx := context.Background()
	fo := f.FulfillmentOrders(o.ID)[0]
	create := func(lines ...goshopify.LineItemByFulfillmentOrderItemQuantity) error {
		_, err := c.Fulfillment.Create(ctx, goshopify.Fulfillment{
			LineItemsByFulfillmentOrder: []goshopify.LineItemByFulfillmentOrder{{FulfillmentOrderId: fo.ID, FulfillmentOrderLineItems: lines}},
		})
		return err
	}
	line := func(id, qty uint64) goshopify.LineItemByFulfillmentOrderItemQuantity {
		return goshopify.LineItemByFulfillmentOrderItemQuantity{Id: id, Quantity: qty}
	}
	for name, lines := range map[string][]goshopify.LineItemByFulfillmentOrderItemQuantity{
		"more than ordered":       {line(fo.Lines[0].ID, 4)},
		"twice in one request":    {line(fo.Lines[0].ID, 2), line(fo.Lines[0].ID, 2)},
		"zero":                    {line(fo.Lines[0].ID, 0)},
		"order line id, not FO's": {line(o.Lines[0].ID, 1)},
		"valid then invalid":      {line(fo.Lines[1].ID, 1), line(fo.Lines[0].ID, 9)},
	} {
		re := wantStatus(t, create(lines...), http.StatusUnprocessableEntity)
		if len(re.Errors) == 0 {
			t.Errorf("%s: no errors list: %+v", name, re)
		}
	}
	if got := f.FulfillmentOrders(o.ID)[0]; got.Status != FOOpen || got.Lines[0].FulfillableQuantity != 3 || got.Lines[1].FulfillableQuantity != 1 {
		t.Errorf("rejected requests changed state: %+v", got)
	}
	// A blind retry of an accepted fulfillment is refused, not doubled.
	if err := create(line(fo.Lines[0].ID, 3)); err != nil {
		t.Fatal(err)
	}
	re := wantStatus(t, create(line(fo.Lines[0].ID, 3)), http.StatusUnprocessableEntity)
	if re.Message != "Invalid fulfillment order line item quantity requested." {
		t.Errorf("message %q", re.Message)
	}
	if n := len(f.Fulfillments(o.ID)); n != 1 {
		t.Errorf("%d fulfillments after a retried create", n)
	}
	// Closed fulfillment orders refuse everything.
	if err := create(line(fo.Lines[1].ID, 1)); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, create(), http.StatusUnprocessableEntity)
}

func TestSplitLocationsMakeSeparateFulfillmentOrders(t *testing.T) {
	f, _ := newTestFake(t)
	p, _ := seed(t, f)
	wh := f.AddLocation(NewLocation{Name: "Warehouse", CountryCode: "US"})
	o, err := f.AddOrder(NewOrder{Lines: []NewLineItem{
		{VariantID: p.Variants[0].ID, Quantity: 1, Price: money.MustParse("19.99", "USD")},
		{VariantID: p.Variants[1].ID, Quantity: 1, Price: money.MustParse("24.50", "USD"), LocationID: wh.ID},
	}})
	if err != nil {
		t.Fatal(err)
	}
	fos := f.FulfillmentOrders(o.ID)
	if len(fos) != 2 || fos[1].LocationID != wh.ID {
		t.Fatalf("fulfillment orders = %+v", fos)
	}
	_, err = client(t, f).Fulfillment.Create(context.Background(), goshopify.Fulfillment{
		LineItemsByFulfillmentOrder: []goshopify.LineItemByFulfillmentOrder{{FulfillmentOrderId: fos[0].ID}, {FulfillmentOrderId: fos[1].ID}},
	})
	wantStatus(t, err, http.StatusUnprocessableEntity) // one fulfillment, one location
}

func TestLegacyOrderFulfillmentEndpointIsGone(t *testing.T) {
	f, _ := newTestFake(t)
	_, o := seed(t, f)
	_, err := client(t, f).Order.CreateFulfillment(context.Background(), o.ID, goshopify.Fulfillment{
		LocationId: f.Locations()[0].ID, TrackingNumber: "1Z999",
		LineItems: []goshopify.LineItem{{Id: o.Lines[0].ID, Quantity: 1}},
	})
	re := wantStatus(t, err, http.StatusNotFound)
	if re.Message != "Not Found" {
		t.Errorf("message %q", re.Message)
	}
	if len(f.Fulfillments(o.ID)) != 0 {
		t.Error("legacy endpoint fulfilled")
	}
}

func TestCancel(t *testing.T) {
	f, clk := newTestFake(t)
	_, o := seed(t, f)
	_, fulfilled := seed(t, f)
	c := client(t, f)
	ctx := context.Background()
	clk.Advance(time.Minute)
	got, err := c.Order.Cancel(ctx, o.ID, goshopify.OrderCancelOptions{Reason: "customer"})
	if err != nil {
		t.Fatal(err)
	}
	if got.CancelledAt == nil || !got.CancelledAt.Equal(t0.Add(time.Minute)) || got.CancelReason != "customer" {
		t.Errorf("cancelled order = %v %q", got.CancelledAt, got.CancelReason)
	}
	if fo := f.FulfillmentOrders(o.ID)[0]; fo.Status != FOClosed || fo.Lines[0].FulfillableQuantity != 0 {
		t.Errorf("fulfillment order after cancel: %+v", fo)
	}
	wantStatus(t, func() error { _, err := c.Order.Cancel(ctx, o.ID, nil); return err }(), http.StatusUnprocessableEntity)
	open, err := c.Order.List(ctx, nil) // default status=open
	if err != nil || len(open) != 1 || open[0].Id != fulfilled.ID {
		t.Errorf("open orders after cancel: %v %d", err, len(open))
	}

	if _, err := c.Fulfillment.Create(ctx, goshopify.Fulfillment{LineItemsByFulfillmentOrder: []goshopify.LineItemByFulfillmentOrder{
		{FulfillmentOrderId: f.FulfillmentOrders(fulfilled.ID)[0].ID},
	}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Order.Cancel(ctx, fulfilled.ID, nil)
	re := wantStatus(t, err, http.StatusUnprocessableEntity)
	if !strings.HasPrefix(re.Message, "base: ") {
		t.Errorf("422 not in {\"errors\":{\"base\":[...]}} shape: %+v", re)
	}
	wantStatus(t, func() error { _, err := c.Order.Cancel(ctx, 1, nil); return err }(), http.StatusNotFound)
}

func TestInventory(t *testing.T) {
	f, clk := newTestFake(t)
	p, _ := seed(t, f)
	c := client(t, f)
	ctx := context.Background()
	locs, err := c.Location.List(ctx, nil)
	if err != nil || len(locs) != 1 || locs[0].Name != "Shop location" || !locs[0].Active {
		t.Fatalf("locations: %v %+v", err, locs)
	}
	item, loc := p.Variants[0].InventoryItemID, locs[0].Id
	if err := f.SetInventory(item, loc, 5); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	lvl, err := c.InventoryLevel.Set(ctx, goshopify.InventoryLevel{InventoryItemId: item, LocationId: loc, Available: 12})
	if err != nil || lvl.Available != 12 || lvl.InventoryItemId != item {
		t.Fatalf("set: %v %+v", err, lvl)
	}
	lvl, err = c.InventoryLevel.Adjust(ctx, goshopify.InventoryLevelAdjustOptions{InventoryItemId: item, LocationId: loc, Adjust: -2})
	if err != nil || lvl.Available != 10 {
		t.Fatalf("adjust: %v %+v", err, lvl)
	}
	levels, err := c.InventoryLevel.List(ctx, goshopify.InventoryLevelListOptions{InventoryItemIds: []uint64{item, p.Variants[1].InventoryItemID}})
	if err != nil || len(levels) != 1 || levels[0].Available != 10 || levels[0].LocationId != loc {
		t.Fatalf("list: %v %+v", err, levels)
	}
	want := []InventoryChange{
		{At: t0.Add(time.Minute), Kind: "set", InventoryItemID: item, LocationID: loc, Previous: 5, Available: 12},
		{At: t0.Add(time.Minute), Kind: "adjust", InventoryItemID: item, LocationID: loc, Previous: 12, Available: 10},
	}
	if got := f.InventoryHistory(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("history = %+v", got)
	}
	v, _ := c.Variant.Get(ctx, p.Variants[0].ID, nil)
	if v.InventoryQuantity != 10 {
		t.Errorf("variant inventory_quantity %d", v.InventoryQuantity)
	}

	_, err = c.InventoryLevel.Set(ctx, goshopify.InventoryLevel{InventoryItemId: 12345, LocationId: loc, Available: 1})
	wantStatus(t, err, http.StatusUnprocessableEntity)
	_, err = c.InventoryLevel.Adjust(ctx, goshopify.InventoryLevelAdjustOptions{InventoryItemId: p.Variants[1].InventoryItemID, LocationId: loc, Adjust: 1})
	wantStatus(t, err, http.StatusUnprocessableEntity) // not stocked there yet
	_, err = c.InventoryLevel.List(ctx, nil)
	wantStatus(t, err, http.StatusUnprocessableEntity) // needs ids
}

func TestVariantPriceUpdate(t *testing.T) {
	f, clk := newTestFake(t)
	p, _ := seed(t, f)
	c := client(t, f)
	ctx := context.Background()
	clk.Advance(time.Minute)
	price, compare := decimal.RequireFromString("21.00"), decimal.RequireFromString("25.00")
	v, err := c.Variant.Update(ctx, goshopify.Variant{Id: p.Variants[0].ID, Price: &price, CompareAtPrice: &compare})
	if err != nil {
		t.Fatal(err)
	}
	if v.Price.String() != "21" || v.CompareAtPrice.String() != "25" || v.Sku != "MUG-S" {
		t.Errorf("variant = %+v", v)
	}
	hist := f.PriceHistory()
	if len(hist) != 1 || hist[0].PreviousPrice != money.MustParse("19.99", "USD") || hist[0].Price != money.MustParse("21", "USD") ||
		hist[0].CompareAtPrice == nil || *hist[0].CompareAtPrice != money.MustParse("25", "USD") || !hist[0].At.Equal(t0.Add(time.Minute)) {
		t.Errorf("price history = %+v", hist)
	}
	variants, err := c.Variant.List(ctx, p.ID, nil)
	if err != nil || len(variants) != 2 || variants[0].Price.String() != "21" {
		t.Errorf("product variants: %v %+v", err, variants)
	}
	// Clearing compare_at_price needs an explicit null, which go-shopify's
	// omitempty field cannot send; the raw request can.
	resp, body := raw(t, f, "PUT", shopURL+"variants/"+u64(p.Variants[0].ID)+".json", DefaultToken,
		`{"variant":{"compare_at_price":null}}`)
	if resp.StatusCode != 200 || !strings.Contains(body, `"compare_at_price":null`) || !strings.Contains(body, `"price":"21.00"`) {
		t.Errorf("clear compare_at_price: %d %s", resp.StatusCode, body)
	}
	for _, bad := range []string{`"-1.00"`, `"abc"`, `"1.999"`} {
		resp, body = raw(t, f, "PUT", shopURL+"variants/"+u64(p.Variants[0].ID)+".json", DefaultToken, `{"variant":{"price":`+bad+`}}`)
		if resp.StatusCode != 422 || !strings.HasPrefix(body, `{"errors":{"price":[`) {
			t.Errorf("price %s: %d %s", bad, resp.StatusCode, body)
		}
	}
	if n := len(f.PriceHistory()); n != 2 {
		t.Errorf("%d price changes, want 2 (refused updates are not recorded)", n)
	}
}

func TestConcurrentClients(t *testing.T) {
	f, _ := newTestFake(t, WithBucket(1000, 2))
	_, o := seed(t, f)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			// One go-shopify client per goroutine: the SDK's Client is not
			// safe for concurrent use.
			c, err := f.Client("", "2025-01")
			if err != nil {
				t.Error(err)
				return
			}
			for range 20 {
				if _, err := c.Order.Get(context.Background(), o.ID, nil); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if f.Requests("") != 160 || f.Throttled("") != 0 {
		t.Errorf("requests %d throttled %d", f.Requests(""), f.Throttled(""))
	}
}
