package repo_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/core/store/memstore"
)

func open(_ *testing.T, clk clock.Clock) store.Records { return memstore.New(clk.Now) }

// TestUpdateIsOptimisticAndRetries: concurrent updates of one order all
// land (each retried on a conflict with a fresh copy); ErrNoChange writes
// nothing.
func TestUpdateIsOptimisticAndRetries(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	orders := repo.NewOrders(open(t, clk), clk)
	ctx := context.Background()
	a := &model.Aggregate{Order: model.Order{ID: "o1", Channel: "shop", Currency: "USD"}}
	if err := orders.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := orders.Create(ctx, a); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second create: %v", err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := orders.Update(ctx, "o1", func(a *model.Aggregate) error {
				a.Order.Tags = append(a.Order.Tags, "t")
				return nil
			}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, v, err := orders.Get(ctx, "o1")
	if err != nil || len(got.Order.Tags) != 6 || v != 7 {
		t.Fatalf("tags %v version %d err %v", got.Order.Tags, v, err)
	}
	if _, err := orders.Update(ctx, "o1", func(*model.Aggregate) error { return repo.ErrNoChange }); err != nil {
		t.Fatal(err)
	}
	if _, v2, _ := orders.Get(ctx, "o1"); v2 != v {
		t.Errorf("ErrNoChange wrote: version %d → %d", v, v2)
	}
}

// TestUpdateFromSkipsTheReadUnlessSomeoneWrote: from an untouched copy the
// change lands on it; after another write in between, it is redone on a
// fresh copy, so neither write is lost.
func TestUpdateFromSkipsTheReadUnlessSomeoneWrote(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	orders := repo.NewOrders(open(t, clk), clk)
	ctx := context.Background()
	if err := orders.Create(ctx, &model.Aggregate{Order: model.Order{ID: "o1", Channel: "shop", Currency: "USD"}}); err != nil {
		t.Fatal(err)
	}
	tag := func(s string) func(*model.Aggregate) error {
		return func(a *model.Aggregate) error { a.Order.Tags = append(a.Order.Tags, s); return nil }
	}
	a, v, _ := orders.Get(ctx, "o1")
	got, err := orders.UpdateFrom(ctx, a, v, tag("a"))
	if err != nil || got != a {
		t.Fatalf("untouched copy: %v, same copy %v", err, got == a)
	}
	stale, sv, _ := orders.Get(ctx, "o1")
	if _, err := orders.Update(ctx, "o1", tag("b")); err != nil {
		t.Fatal(err)
	}
	if _, err := orders.UpdateFrom(ctx, stale, sv, tag("c")); err != nil {
		t.Fatal(err)
	}
	final, _, _ := orders.Get(ctx, "o1")
	if strings.Join(final.Order.Tags, ",") != "a,b,c" {
		t.Errorf("tags %v, want a,b,c", final.Order.Tags)
	}
}

// TestOutboxIsPrunedAfterADay and the index follows the aggregate.
func TestOutboxIsPrunedAfterADay(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	orders := repo.NewOrders(open(t, clk), clk)
	ctx := context.Background()
	a := &model.Aggregate{Order: model.Order{ID: "o2", Channel: "shop"}, Outbox: []model.Event{{Type: model.EvOrderReceived, At: clk.Now()}}}
	orders.Create(ctx, a)
	clk.Advance(25 * time.Hour)
	got, _ := orders.Update(ctx, "o2", func(a *model.Aggregate) error {
		a.Outbox = append(a.Outbox, model.Event{Type: model.EvPODrafted, At: clk.Now()})
		return nil
	})
	if len(got.Outbox) != 1 || got.Outbox[0].Type != model.EvPODrafted {
		t.Errorf("outbox = %+v", got.Outbox)
	}
	list, _, err := orders.List(ctx, map[string]string{"channel": "shop", "status": string(model.OrderReceived)}, repo.Page{})
	if err != nil || len(list) != 1 {
		t.Errorf("list = %d, %v", len(list), err)
	}
}

func TestListPagesThroughCombinedFilters(t *testing.T) {
	xs := repo.NewExceptions(open(t, clock.Real{}))
	ctx := context.Background()
	for i := 0; i < 25; i++ {
		sup := "a"
		if i%3 == 0 {
			sup = "b"
		}
		x := &model.Exception{ID: fmt.Sprint("x", i), Kind: model.ExSLABreach, Status: "open", Supplier: sup, CreatedAt: time.Unix(int64(i), 0)}
		if err := xs.Create(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	var got []model.Exception
	p := repo.Page{Limit: 4}
	for {
		page, next, err := xs.Where(ctx, map[string]string{"status": "open", "supplier": "b"}, p)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
		if next == "" {
			break
		}
		p.Cursor = next
	}
	if len(got) != 9 {
		t.Errorf("%d exceptions of b, want 9", len(got))
	}
	for i := 1; i < len(got); i++ {
		if !got[i].CreatedAt.Before(got[i-1].CreatedAt) {
			t.Errorf("not newest first at %d", i)
		}
	}
}

// A PO number finds its order through one blob per PO, and a supplier's
// POs are those of the orders indexed by it, then any known only to a PO
// index record an earlier version wrote (each PO once).
func TestPOIndex(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	recs := withBlobs{Records: open(t, clk), blobs: map[string][]byte{}}
	orders := repo.NewOrders(recs, clk)
	ctx := context.Background()
	create := func(order, number, supplier string, index bool) {
		t.Helper()
		clk.Advance(time.Minute)
		po := model.PurchaseOrder{Number: number, OrderID: order, Supplier: supplier, Status: model.POSent}
		if err := orders.Create(ctx, &model.Aggregate{Order: model.Order{ID: order, Channel: "shop", Currency: "USD"},
			POs: []model.PurchaseOrder{po}}); err != nil {
			t.Fatal(err)
		}
		if !index {
			return
		}
		for range 2 { // indexing again writes the same entry
			if err := orders.IndexPO(ctx, &po); err != nil {
				t.Fatal(err)
			}
		}
	}
	create("ord_b", "PO0", "acme", true)
	create("ord_a", "PO1", "bolt", true)
	create("ord_c", "PO2", "acme", true)
	if got, err := orders.OrderOfPO(ctx, "PO1"); err != nil || got != "ord_a" {
		t.Fatalf("order of PO1: %q, %v", got, err)
	}
	if b, err := recs.GetBlob(ctx, "index/po/PO0"); err != nil || !strings.Contains(string(b), `"ord_b"`) {
		t.Fatalf("PO0's index blob: %s, %v", b, err)
	}
	if _, err := recs.GetRecord(ctx, repo.KindPOIndex, "PO0"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a PO index record was written too: %v", err)
	}

	// What an earlier version left: an order saved without the supplier
	// entry, found only through its PO index record, and a record for a
	// PO its order lists already.
	create("ord_x", "PO7", "acme", false)
	rec, err := recs.GetRecord(ctx, repo.KindOrder, "ord_x")
	if err != nil {
		t.Fatal(err)
	}
	rec.Index = map[string]string{"channel": "shop"}
	if _, err := recs.PutRecord(ctx, rec); err != nil {
		t.Fatal(err)
	}
	for number, order := range map[string]string{"PO7": "ord_x", "PO0": "ord_b"} {
		if _, err := recs.PutRecord(ctx, store.Record{Kind: repo.KindPOIndex, ID: number,
			Data: []byte(`{"order_id":"` + order + `","supplier":"acme"}`), Index: map[string]string{"supplier": "acme"}}); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := orders.OrderOfPO(ctx, "PO7"); err != nil || got != "ord_x" {
		t.Fatalf("order of PO7, indexed by a record: %q, %v", got, err)
	}
	var acme []string
	if err := orders.EachPOOf(ctx, "acme", func(po *model.PurchaseOrder, a *model.Aggregate) error {
		acme = append(acme, po.Number+"="+a.Order.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(acme, ",") != "PO2=ord_c,PO0=ord_b,PO7=ord_x" {
		t.Fatalf("acme's POs: %v", acme)
	}
}

// On a store without blobs (a read-only view) PO numbers are indexed by
// record, as before.
func TestPOIndexWithoutBlobs(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	recs := open(t, clk)
	orders := repo.NewOrders(recs, clk)
	ctx := context.Background()
	po := &model.PurchaseOrder{Number: "PO0", OrderID: "ord_b", Supplier: "acme"}
	for range 2 {
		if err := orders.IndexPO(ctx, po); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := orders.OrderOfPO(ctx, "PO0"); err != nil || got != "ord_b" {
		t.Fatalf("order of PO0: %q, %v", got, err)
	}
	if rec, err := recs.GetRecord(ctx, repo.KindPOIndex, "PO0"); err != nil || rec.Index["supplier"] != "acme" {
		t.Fatalf("index record: %v, %v", rec.Index, err)
	}
}

// withBlobs adds blobs in memory to a store of records.
type withBlobs struct {
	store.Records
	blobs map[string][]byte
}

func (w withBlobs) PutBlob(_ context.Context, key string, data []byte) error {
	w.blobs[key] = append([]byte(nil), data...)
	return nil
}

func (w withBlobs) GetBlob(_ context.Context, key string) ([]byte, error) {
	b, ok := w.blobs[key]
	if !ok {
		return nil, store.ErrNotFound
	}
	return b, nil
}
