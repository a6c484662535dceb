package apptest_test

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

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/app/feeds"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/apptest"
	"github.com/dropgate/dropgate/internal/catalog"
	"github.com/dropgate/dropgate/internal/feed"
	"github.com/dropgate/dropgate/internal/feedimport"
	"github.com/dropgate/dropgate/internal/store/embedded"
	"github.com/dropgate/dropgate/internal/worker"
)

// feedRig is the application whose supplier "a" has a CSV feed in a file,
// with the feed driver (internal/feedimport) wired as a server wires it.
type feedRig struct {
	t    *testing.T
	st   *embedded.Store
	clk  *clock.Fake
	file string
	cfg  *feed.Config
	*replica
	// syncs counts the channel syncs asked for, by every replica: the
	// availability events the sync subscribes to, and the driver's
	// Changed calls (a feed turned stale or fresh, or was applied
	// elsewhere).
	syncs atomic.Int32
}

// replica is one process: its services, catalog and feed driver.
type replica struct {
	*apptest.Rig
	feeds *feedimport.Driver
}

func newFeedRig(t *testing.T) *feedRig {
	t.Helper()
	r := &feedRig{t: t, clk: clock.NewFake(apptest.Start), file: filepath.Join(t.TempDir(), "a.csv")}
	r.cfg = &feed.Config{Source: feed.Source{File: r.file}, Freshness: 24 * time.Hour, Schedule: feed.Schedule{Every: 15 * time.Minute},
		Columns: feed.Columns{SupplierSKU: "ssku", SKU: "sku", Quantity: "qty", Cost: "cost"}}
	r.replica = r.newReplica()
	return r
}

// newReplica builds a process on the rig's store (the first one makes
// the store).
func (r *feedRig) newReplica() *replica {
	r.t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cat := catalog.New(catalog.WithClock(r.clk))
	drv := &feedimport.Driver{Configs: map[string]*feed.Config{"a": r.cfg}, Currencies: map[string]string{"a": "USD"},
		Catalog: cat, Log: log}
	rig := apptest.New(r.t, apptest.Options{Store: r.st, Clock: r.clk, Catalog: cat, Log: log, Feeds: drv,
		Profiles: map[string]routing.SupplierProfile{"a": {Name: "a", Currency: "USD"}}})
	r.st = rig.Store
	drv.Store, drv.Clock = rig.Store, rig.Clock
	drv.Changed = func(ctx context.Context) error {
		r.syncs.Add(1)
		return rig.S.Sync.ScheduleSync(ctx)
	}
	rig.Deps.Events.On(model.EvAvailabilityChanged, "test.count", func(context.Context, *model.Aggregate, model.Event) error {
		r.syncs.Add(1)
		return nil
	})
	return &replica{Rig: rig, feeds: drv}
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

// importNow runs an operator's import of a's feed and returns the
// driver's result.
func (r *feedRig) importNow() *feed.Result {
	r.t.Helper()
	rep, err := r.S.Feeds.ImportNow(context.Background(), "a", feeds.Request{})
	if err != nil {
		r.t.Fatal(err)
	}
	res, ok := rep.Detail.(*feed.Result)
	if !ok {
		r.t.Fatalf("import reported no result: %+v", rep)
	}
	return res
}

func (p *replica) stockOf(sku string) int64 {
	offers := p.Catalog.Offers(sku)
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
	if res := r.importNow(); !res.Applied || r.stockOf("SKU-000") != 10 || r.syncs.Load() != 1 {
		t.Fatalf("first import: applied %v, stock %d, syncs %d", res.Applied, r.stockOf("SKU-000"), r.syncs.Load())
	}

	// 60% of the SKUs drop to zero: quarantined, not applied.
	r.write(10, func(i int) int { return map[bool]int{true: 0, false: 10}[i < 6] }, tenDollars)
	res := r.importNow()
	if !res.Quarantined || res.Applied {
		t.Fatalf("not quarantined: %+v", res)
	}
	xs := r.Exceptions(map[string]string{"kind": string(model.ExFeedQuarantined)})
	if len(xs) != 1 {
		t.Fatalf("exceptions %v", xs)
	}
	x := xs[0]
	if x.Supplier != "a" || x.Ref != res.Meta.ID || !reflect.DeepEqual(x.Actions, []string{"approve", "discard"}) ||
		!strings.Contains(x.Reason, "6 of 10 SKUs (60.0%) would drop to zero stock") {
		t.Errorf("exception %+v", x)
	}
	if r.stockOf("SKU-000") != 10 || r.syncs.Load() != 1 {
		t.Errorf("quarantined import changed the catalog (stock %d) or synced (%d)", r.stockOf("SKU-000"), r.syncs.Load())
	}
	// Another replica refreshing from the store sees the applied one only.
	other := r.newReplica()
	if err := other.feeds.Load(ctx); err != nil || other.stockOf("SKU-000") != 10 {
		t.Fatalf("replica: %v, stock %d", err, other.stockOf("SKU-000"))
	}

	// The operator approves: applied here, synced once, resolved.
	got, err := r.S.Operations.ResolveException(ctx, x.ID, "approve", "ops", "supplier confirmed the sell-out")
	if err != nil || got.Status != "resolved" {
		t.Fatalf("approve: %v %+v", err, got)
	}
	if r.stockOf("SKU-000") != 0 || r.stockOf("SKU-009") != 10 || r.syncs.Load() != 2 {
		t.Errorf("after approve: stock %d/%d, syncs %d", r.stockOf("SKU-000"), r.stockOf("SKU-009"), r.syncs.Load())
	}
	r.feeds.RefreshFeeds(ctx, map[string]bool{})
	other.feeds.RefreshFeeds(ctx, map[string]bool{})
	if other.stockOf("SKU-000") != 0 {
		t.Errorf("replica after approve: stock %d", other.stockOf("SKU-000"))
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
	if _, err := r.S.Operations.ResolveException(ctx, feeds.ExceptionID("a", res.Meta.ID), "discard", "ops", ""); err != nil {
		t.Fatal(err)
	}
	st, _, _ := feed.LoadState(ctx, r.st, "a")
	if st.Pending != nil || r.stockOf("SKU-009") != 10 {
		t.Errorf("after discard: pending %+v, stock %d", st.Pending, r.stockOf("SKU-009"))
	}
}

func TestFeedSupersededQuarantineIsResolved(t *testing.T) {
	r := newFeedRig(t)
	r.write(10, tenUnits, tenDollars)
	r.importNow()
	r.write(2, tenUnits, tenDollars) // 80% missing
	q := r.importNow()
	r.write(10, func(int) int { return 11 }, tenDollars) // a sane feed arrives
	if res := r.importNow(); !res.Applied {
		t.Fatalf("sane import not applied: %+v", res.Reasons)
	}
	x, err := r.S.Operations.Exception(context.Background(), feeds.ExceptionID("a", q.Meta.ID))
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
	if r.stockOf("SKU-010") != 12 {
		t.Errorf("catalog stock %d", r.stockOf("SKU-010"))
	}
}

func TestFeedStaleZeroesStock(t *testing.T) {
	r := newFeedRig(t)
	ctx := context.Background()
	r.write(3, tenUnits, tenDollars)
	r.importNow()
	stale := map[string]bool{}
	r.feeds.RefreshFeeds(ctx, stale)
	syncs := r.syncs.Load()

	r.clk.Advance(23 * time.Hour)
	r.feeds.RefreshFeeds(ctx, stale)
	if r.stockOf("SKU-001") != 10 || r.syncs.Load() != syncs {
		t.Fatalf("fresh at 23h: stock %d", r.stockOf("SKU-001"))
	}
	r.clk.Advance(2 * time.Hour)
	r.feeds.RefreshFeeds(ctx, stale)
	o := r.Catalog.Offers("SKU-001")
	if len(o) != 1 || o[0].Stock != 0 || !o[0].Stale || r.syncs.Load() != syncs+1 {
		t.Fatalf("stale at 25h: %+v, syncs %d", o, r.syncs.Load()-syncs)
	}
	// Routing finds no stock.
	plan := r.Deps.Router.Route(routing.Request{Order: &model.Order{ID: "o1"}, Lines: []routing.Line{{ID: "1", SKU: "SKU-001", Qty: 1}}})
	if len(plan.Unroutable()) != 1 {
		t.Errorf("routed a stale feed's stock: %+v", plan)
	}
	// The file, unchanged, is checked again: its time is still old.
	if res := r.importNow(); !res.Unchanged || !r.Catalog.Stale("a") {
		t.Errorf("unchanged check: %+v, stale %v", res, r.Catalog.Stale("a"))
	}
	// The supplier touches it (same content, new time): fresh again.
	_ = os.Chtimes(r.file, r.clk.Now(), r.clk.Now())
	if res := r.importNow(); !res.Unchanged || r.Catalog.Stale("a") || r.stockOf("SKU-001") != 10 {
		t.Errorf("re-uploaded: %+v, stale %v", res, r.Catalog.Stale("a"))
	}
	r.feeds.RefreshFeeds(ctx, stale)
	if r.syncs.Load() != syncs+2 {
		t.Errorf("fresh again should sync once more, syncs %d", r.syncs.Load()-syncs)
	}
}

func TestFeedScheduleFiresOnceAcrossReplicas(t *testing.T) {
	r := newFeedRig(t)
	r.write(5, tenUnits, tenDollars)
	a, b := r.replica, r.newReplica()
	ctx := context.Background()
	now := r.clk.Now()
	for _, p := range []*replica{a, b, a, b} {
		p.feeds.ScheduleFeeds(ctx, now, map[string]time.Time{})
	}
	stats, _ := r.st.Stats(ctx)
	if n := ready(stats, app.QueueInbound); n != 1 {
		t.Fatalf("%d jobs queued, want 1", n)
	}

	var handled atomic.Int32
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, p := range []*replica{a, b} {
		runner := p.Runner(2, worker.Hooks{Done: func(j *store.Job, _ string, _ time.Duration, _ error) {
			if j.Kind == feeds.KindImport.Name {
				handled.Add(1)
			}
		}})
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
	b.feeds.RefreshFeeds(ctx, map[string]bool{})
	a.feeds.RefreshFeeds(ctx, map[string]bool{})
	if a.stockOf("SKU-001") != 10 || b.stockOf("SKU-001") != 10 {
		t.Errorf("stock a %d, b %d", a.stockOf("SKU-001"), b.stockOf("SKU-001"))
	}

	// Cron: both replicas derive the same firing times.
	r.cfg.Schedule = feed.Schedule{Cron: "*/15 * * * *"}
	nextA, nextB := map[string]time.Time{}, map[string]time.Time{}
	a.feeds.ScheduleFeeds(ctx, r.clk.Now(), nextA)
	r.clk.Advance(7 * time.Second)
	b.feeds.ScheduleFeeds(ctx, r.clk.Now(), nextB)
	if !nextA["a"].Equal(nextB["a"]) || nextA["a"].Minute()%15 != 0 {
		t.Fatalf("next firing a %v, b %v", nextA["a"], nextB["a"])
	}
	r.clk.Set(nextA["a"].Add(3 * time.Second))
	a.feeds.ScheduleFeeds(ctx, r.clk.Now(), nextA)
	r.clk.Advance(5 * time.Second)
	b.feeds.ScheduleFeeds(ctx, r.clk.Now(), nextB)
	a.feeds.ScheduleFeeds(ctx, r.clk.Now(), nextA) // not due again
	stats, _ = r.st.Stats(ctx)
	if n := ready(stats, app.QueueInbound); n != 1 {
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
