package engine

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/catalog"
	"github.com/dropgate/dropgate/internal/feed"
	"github.com/dropgate/dropgate/internal/store/embedded"
	"github.com/dropgate/dropgate/internal/worker"
)

// feedRig is an engine whose supplier "a" has a CSV feed in a file.
type feedRig struct {
	t     *testing.T
	st    *embedded.Store
	clk   *clock.Fake
	file  string
	cfg   *feed.Config
	e     *Engine
	syncs atomic.Int32
}

func newFeedRig(t *testing.T) *feedRig {
	t.Helper()
	dir := t.TempDir()
	clk := clock.NewFake(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	st, err := embedded.Open(filepath.Join(dir, "db"), embedded.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r := &feedRig{t: t, st: st, clk: clk, file: filepath.Join(dir, "a.csv")}
	r.cfg = &feed.Config{Source: feed.Source{File: r.file}, Freshness: 24 * time.Hour, Schedule: feed.Schedule{Every: 15 * time.Minute},
		Columns: feed.Columns{SupplierSKU: "ssku", SKU: "sku", Quantity: "qty", Cost: "cost"}}
	r.e = r.engine()
	return r
}

// engine builds an engine (a replica) on the rig's store.
func (r *feedRig) engine() *Engine {
	cat := catalog.New(catalog.WithClock(r.clk))
	profiles := map[string]routing.SupplierProfile{"a": {Name: "a", Currency: "USD"}}
	return &Engine{
		Store: r.st, Clock: r.clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Catalog: cat,
		Router: &routing.Router{Suppliers: profiles, Catalog: cat}, Profiles: profiles,
		Feeds: &Feeds{Configs: map[string]*feed.Config{"a": r.cfg}, Sync: func(context.Context) error {
			r.syncs.Add(1)
			return nil
		}},
	}
}

// write writes n SKUs; stock(i) and cost(i) (cents) give row i.
func (r *feedRig) write(n int, stock, cost func(int) int) {
	r.t.Helper()
	var b strings.Builder
	b.WriteString("ssku,sku,qty,cost\n")
	for i := range n {
		fmt.Fprintf(&b, "A-%03d,SKU-%03d,%d,%d.%02d\n", i, i, stock(i), cost(i)/100, cost(i)%100)
	}
	if err := os.WriteFile(r.file, []byte(b.String()), 0o644); err != nil {
		r.t.Fatal(err)
	}
	r.clk.Advance(time.Minute)
	_ = os.Chtimes(r.file, r.clk.Now(), r.clk.Now())
}

func (r *feedRig) importNow() *feed.Result {
	r.t.Helper()
	res, err := r.e.ImportFeed(context.Background(), "a", FeedImport{})
	if err != nil {
		r.t.Fatal(err)
	}
	return res
}

func stockOf(e *Engine, sku string) int64 {
	offers := e.Catalog.Offers(sku)
	if len(offers) != 1 {
		return -1
	}
	return offers[0].Stock
}

func tenUnits(int) int   { return 10 }
func tenDollars(int) int { return 1000 }

func TestFeedQuarantineApproveAndDiscard(t *testing.T) {
	r := newFeedRig(t)
	ctx := context.Background()
	r.write(10, tenUnits, tenDollars)
	if res := r.importNow(); !res.Applied || stockOf(r.e, "SKU-000") != 10 || r.syncs.Load() != 1 {
		t.Fatalf("first import: applied %v, stock %d, syncs %d", res.Applied, stockOf(r.e, "SKU-000"), r.syncs.Load())
	}

	// 60% of the SKUs drop to zero: quarantined, not applied.
	r.write(10, func(i int) int { return map[bool]int{true: 0, false: 10}[i < 6] }, tenDollars)
	res := r.importNow()
	if !res.Quarantined || res.Applied {
		t.Fatalf("not quarantined: %+v", res)
	}
	xs, _, err := r.e.Exceptions(ctx, store.Query{Field: "kind", Value: string(model.ExFeedQuarantined)})
	if err != nil || len(xs) != 1 {
		t.Fatalf("exceptions %v %v", xs, err)
	}
	x := xs[0]
	if x.Supplier != "a" || x.Ref != res.Meta.ID || !reflect.DeepEqual(x.Actions, []string{"approve", "discard"}) ||
		!strings.Contains(x.Reason, "6 of 10 SKUs (60.0%) would drop to zero stock") {
		t.Errorf("exception %+v", x)
	}
	if stockOf(r.e, "SKU-000") != 10 || r.syncs.Load() != 1 {
		t.Errorf("quarantined import changed the catalog (stock %d) or synced (%d)", stockOf(r.e, "SKU-000"), r.syncs.Load())
	}
	// Another replica refreshing from the store sees the applied one only.
	other := r.engine()
	if err := other.LoadFeeds(ctx); err != nil || stockOf(other, "SKU-000") != 10 {
		t.Fatalf("replica: %v, stock %d", err, stockOf(other, "SKU-000"))
	}

	// The operator approves: applied here, synced once, resolved.
	got, err := r.e.ResolveException(ctx, x.ID, "approve", "ops", "supplier confirmed the sell-out")
	if err != nil || got.Status != "resolved" {
		t.Fatalf("approve: %v %+v", err, got)
	}
	if stockOf(r.e, "SKU-000") != 0 || stockOf(r.e, "SKU-009") != 10 || r.syncs.Load() != 2 {
		t.Errorf("after approve: stock %d/%d, syncs %d", stockOf(r.e, "SKU-000"), stockOf(r.e, "SKU-009"), r.syncs.Load())
	}
	r.e.RefreshFeeds(ctx, map[string]bool{})
	other.RefreshFeeds(ctx, map[string]bool{})
	if stockOf(other, "SKU-000") != 0 {
		t.Errorf("replica after approve: stock %d", stockOf(other, "SKU-000"))
	}

	// Quarantined again (4 of 10 SKUs is above a 0.3 share), then
	// discarded: nothing applied.
	share := decimal.MustParse("0.3")
	r.cfg.Guardrails.MaxZeroedShare = &share
	r.write(10, func(i int) int { return map[bool]int{true: 0, false: 10}[i >= 3] }, tenDollars)
	res = r.importNow()
	if !res.Quarantined {
		t.Fatalf("third import: %+v", res.Diff)
	}
	if _, err := r.e.ResolveException(ctx, FeedExceptionID("a", res.Meta.ID), "discard", "ops", ""); err != nil {
		t.Fatal(err)
	}
	st, _, _ := feed.LoadState(ctx, r.st, "a")
	if st.Pending != nil || stockOf(r.e, "SKU-009") != 10 {
		t.Errorf("after discard: pending %+v, stock %d", st.Pending, stockOf(r.e, "SKU-009"))
	}
}

func TestFeedSupersededQuarantineIsResolved(t *testing.T) {
	r := newFeedRig(t)
	ctx := context.Background()
	r.write(10, tenUnits, tenDollars)
	r.importNow()
	r.write(2, tenUnits, tenDollars) // 80% missing
	q := r.importNow()
	r.write(10, func(int) int { return 11 }, tenDollars) // a sane feed arrives
	if res := r.importNow(); !res.Applied {
		t.Fatalf("sane import not applied: %+v", res.Reasons)
	}
	x, _, err := r.e.Exception(ctx, FeedExceptionID("a", q.Meta.ID))
	if err != nil || x.Status != "resolved" || !strings.Contains(x.Resolution, "superseded") {
		t.Errorf("superseded exception: %v %+v", err, x)
	}
}

func TestFeedTenPercentChangeSyncsOnce(t *testing.T) {
	r := newFeedRig(t)
	r.write(50, tenUnits, tenDollars)
	r.importNow()
	before := r.syncs.Load()
	r.write(50, func(i int) int { return map[bool]int{true: 12, false: 10}[i%10 == 0] }, tenDollars)
	res := r.importNow()
	var changed []string
	for _, c := range res.Diff.Changes {
		changed = append(changed, c.SKU)
	}
	if want := []string{"SKU-000", "SKU-010", "SKU-020", "SKU-030", "SKU-040"}; !reflect.DeepEqual(changed, want) || res.Diff.Changed != 5 {
		t.Errorf("changed %v (%d)", changed, res.Diff.Changed)
	}
	if n := r.syncs.Load() - before; n != 1 {
		t.Errorf("ScheduleSync called %d times, want 1", n)
	}
	if stockOf(r.e, "SKU-010") != 12 {
		t.Errorf("catalog stock %d", stockOf(r.e, "SKU-010"))
	}
}

func TestFeedStaleZeroesStock(t *testing.T) {
	r := newFeedRig(t)
	ctx := context.Background()
	r.write(3, tenUnits, tenDollars)
	r.importNow()
	stale := map[string]bool{}
	r.e.RefreshFeeds(ctx, stale)
	syncs := r.syncs.Load()

	r.clk.Advance(23 * time.Hour)
	r.e.RefreshFeeds(ctx, stale)
	if stockOf(r.e, "SKU-001") != 10 || r.syncs.Load() != syncs {
		t.Fatalf("fresh at 23h: stock %d", stockOf(r.e, "SKU-001"))
	}
	r.clk.Advance(2 * time.Hour)
	r.e.RefreshFeeds(ctx, stale)
	o := r.e.Catalog.Offers("SKU-001")
	if len(o) != 1 || o[0].Stock != 0 || !o[0].Stale || r.syncs.Load() != syncs+1 {
		t.Fatalf("stale at 25h: %+v, syncs %d", o, r.syncs.Load()-syncs)
	}
	// Routing finds no stock.
	plan := r.e.Router.Route(routing.Request{Order: &model.Order{ID: "o1"}, Lines: []routing.Line{{ID: "1", SKU: "SKU-001", Qty: 1}}})
	if len(plan.Unroutable()) != 1 {
		t.Errorf("routed a stale feed's stock: %+v", plan)
	}
	// The file, unchanged, is checked again: its time is still old.
	if res := r.importNow(); !res.Unchanged || !r.e.Catalog.Stale("a") {
		t.Errorf("unchanged check: %+v, stale %v", res, r.e.Catalog.Stale("a"))
	}
	// The supplier touches it (same content, new time): fresh again.
	_ = os.Chtimes(r.file, r.clk.Now(), r.clk.Now())
	if res := r.importNow(); !res.Unchanged || r.e.Catalog.Stale("a") || stockOf(r.e, "SKU-001") != 10 {
		t.Errorf("re-uploaded: %+v, stale %v", res, r.e.Catalog.Stale("a"))
	}
	r.e.RefreshFeeds(ctx, stale)
	if r.syncs.Load() != syncs+2 {
		t.Errorf("fresh again should sync once more, syncs %d", r.syncs.Load()-syncs)
	}
}

func TestFeedScheduleFiresOnceAcrossReplicas(t *testing.T) {
	r := newFeedRig(t)
	r.write(5, tenUnits, tenDollars)
	a, b := r.e, r.engine()
	ctx := context.Background()
	now := r.clk.Now()
	for _, e := range []*Engine{a, b, a, b} {
		e.ScheduleFeeds(ctx, now, map[string]time.Time{})
	}
	stats, _ := r.st.Stats(ctx)
	if n := ready(stats, QueueInbound); n != 1 {
		t.Fatalf("%d jobs queued, want 1", n)
	}

	var handled atomic.Int32
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, e := range []*Engine{a, b} {
		runner := &worker.Runner{Queue: r.st, Queues: Queues, Concurrency: 2, Lease: time.Minute, Clock: r.clk, Logger: e.Log,
			Hooks: worker.Hooks{Done: func(j *store.Job, _ string, _ time.Duration, _ error) {
				if j.Kind == KindFeedImport {
					handled.Add(1)
				}
			}}}
		e.Register(runner)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = runner.Run(runCtx, time.Second)
		}()
	}
	// Until the import ran and nothing is ready or running: a second run
	// would need a second job, which would show there.
	deadline := time.Now().Add(time.Minute) // a hang guard
	for !(handled.Load() > 0 && idle(t, r.st)) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	if handled.Load() != 1 || r.syncs.Load() != 1 {
		t.Fatalf("imports run %d, syncs %d; want 1 and 1", handled.Load(), r.syncs.Load())
	}
	// Both replicas route on it: the importer at once, the other after
	// its refresh.
	b.RefreshFeeds(ctx, map[string]bool{})
	a.RefreshFeeds(ctx, map[string]bool{})
	if stockOf(a, "SKU-001") != 10 || stockOf(b, "SKU-001") != 10 {
		t.Errorf("stock a %d, b %d", stockOf(a, "SKU-001"), stockOf(b, "SKU-001"))
	}

	// Cron: both replicas derive the same firing times.
	r.cfg.Schedule = feed.Schedule{Cron: "*/15 * * * *"}
	nextA, nextB := map[string]time.Time{}, map[string]time.Time{}
	a.ScheduleFeeds(ctx, r.clk.Now(), nextA)
	r.clk.Advance(7 * time.Second)
	b.ScheduleFeeds(ctx, r.clk.Now(), nextB)
	if !nextA["a"].Equal(nextB["a"]) || nextA["a"].Minute()%15 != 0 {
		t.Fatalf("next firing a %v, b %v", nextA["a"], nextB["a"])
	}
	r.clk.Set(nextA["a"].Add(3 * time.Second))
	a.ScheduleFeeds(ctx, r.clk.Now(), nextA)
	r.clk.Advance(5 * time.Second)
	b.ScheduleFeeds(ctx, r.clk.Now(), nextB)
	a.ScheduleFeeds(ctx, r.clk.Now(), nextA) // not due again
	stats, _ = r.st.Stats(ctx)
	if n := ready(stats, QueueInbound); n != 1 {
		t.Errorf("cron: %d jobs queued, want 1", n)
	}
}

// idle reports whether no job is ready or running.
func idle(t *testing.T, st *embedded.Store) bool {
	t.Helper()
	stats, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range stats {
		if q.Ready+q.InFlight != 0 {
			return false
		}
	}
	return true
}

func ready(stats []store.QueueStats, queue string) int64 {
	for _, s := range stats {
		if s.Queue == queue {
			return s.Ready + s.Scheduled
		}
	}
	return 0
}
