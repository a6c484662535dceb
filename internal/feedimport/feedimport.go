// Package feedimport is the feed driver behind core/app/feeds: it reads,
// compares and stores supplier feed imports (internal/feed), installs
// applied snapshots in this process's offer catalog, keeps the catalog in
// step with snapshots other replicas applied, and fires the feeds'
// schedules.
package feedimport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"time"

	"github.com/dropgate/dropgate/core/app/feeds"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/catalog"
	"github.com/dropgate/dropgate/internal/feed"
)

// DefaultRefresh is how often a process checks the store for a feed
// snapshot applied elsewhere: one small record read per feed.
const DefaultRefresh = 5 * time.Second

// Driver implements feeds.Importer.
type Driver struct {
	// Configs are the suppliers' feed blocks, by supplier name.
	Configs map[string]*feed.Config
	// Currencies are the suppliers' cost currencies (default USD).
	Currencies map[string]string
	Store      store.Store
	Catalog    *catalog.Catalog
	Clock      clock.Clock
	Log        *slog.Logger
	// Transport overrides the HTTP transport of URL sources (tests).
	Transport http.RoundTripper
	// Calls observes the fetches of URL sources (the metrics).
	Calls connector.CallObserver
	// Refresh is the period of the store check (default 5s).
	Refresh time.Duration
	// Changed is told when a snapshot was installed or a feed turned stale
	// or fresh: what the channels should show changed.
	Changed func(ctx context.Context) error
}

var _ feeds.Importer = (*Driver)(nil)

func (d *Driver) config(supplier string) (*feed.Config, error) {
	if c := d.Configs[supplier]; c != nil {
		return c, nil
	}
	if _, ok := d.Currencies[supplier]; !ok {
		return nil, fmt.Errorf("%w: no supplier %q", feeds.ErrInput, supplier)
	}
	return nil, fmt.Errorf("%w: supplier %q has no feed: block", feeds.ErrInput, supplier)
}

// Import implements feeds.Importer.
func (d *Driver) Import(ctx context.Context, supplier string, r feeds.Request) (feeds.Report, error) {
	cfg, err := d.config(supplier)
	if err != nil {
		return feeds.Report{}, err
	}
	currency := d.Currencies[supplier]
	if currency == "" {
		currency = "USD"
	}
	req := feed.Request{
		Supplier: supplier, Config: cfg, Currency: currency, Store: d.Store, Clock: d.Clock, Log: d.Log,
		File: r.File, DryRun: r.DryRun, Force: r.Force,
		Upload: r.Upload, UploadName: r.UploadName, UploadSize: r.UploadSize,
		Transport: d.Transport, Calls: d.Calls,
	}
	if r.Progress != nil {
		req.Progress = func(p feed.Progress) { r.Progress(feeds.Progress(p)) }
	}
	if d.Catalog != nil {
		req.Mapped, req.Old = d.Catalog.Mapped(supplier), d.Catalog.FeedSnapshot(supplier)
	}
	res, err := feed.Import(ctx, req)
	rep := report(supplier, res)
	if err != nil {
		return rep, classify(err)
	}
	switch {
	case res.DryRun:
	case res.Unchanged:
		if res.State != nil && d.Catalog != nil {
			d.Catalog.SetFeedAsOf(supplier, res.State.AsOf, cfg.Freshness, res.Version)
		}
		d.Log.Info("feed unchanged", "supplier", supplier, "source", res.Source)
	case res.Applied:
		if d.Catalog != nil {
			d.Catalog.SetFeed(supplier, res.Snapshot, catalog.FeedInfo{Version: res.Version, AsOf: res.State.AsOf, Freshness: cfg.Freshness})
		}
		df := res.Diff
		d.Log.Info("feed applied", "supplier", supplier, "offers", res.Offers, "bad", res.Bad, "changed", df.Changed,
			"zeroed", df.Zeroed, "new", df.Added, "missing", df.Missing)
	}
	return rep, nil
}

// report is the core's view of a result (nil: nothing was read).
func report(supplier string, res *feed.Result) feeds.Report {
	rep := feeds.Report{Supplier: supplier}
	if res == nil {
		return rep
	}
	rep.Detail = res
	rep.DryRun, rep.Unchanged, rep.Quarantined, rep.Applied, rep.Reasons = res.DryRun, res.Unchanged, res.Quarantined, res.Applied, res.Reasons
	if res.Meta != nil {
		rep.SnapshotID = res.Meta.ID
	}
	if res.Superseded != nil {
		rep.Superseded = res.Superseded.ID
	}
	if df := res.Diff; df != nil {
		rep.Summary = fmt.Sprintf("%d changed, %d zeroed, %d new, %d missing", df.Changed, df.Zeroed, df.Added, df.Missing)
	}
	return rep
}

// classify maps the feed package's errors onto the core's.
func classify(err error) error {
	switch {
	case errors.Is(err, feed.ErrUser):
		return fmt.Errorf("%w: %w", feeds.ErrInput, err)
	case errors.Is(err, feed.ErrConcurrent):
		return fmt.Errorf("%w: %w", feeds.ErrConcurrent, err)
	case errors.Is(err, feed.ErrNotPending):
		return fmt.Errorf("%w: %w", feeds.ErrNotPending, err)
	}
	return err
}

// Approve implements feeds.Importer: the snapshot becomes the applied one
// and this process's catalog uses it at once.
func (d *Driver) Approve(ctx context.Context, supplier, snapshotID string) error {
	state, version, err := feed.Approve(ctx, d.Store, supplier, snapshotID)
	if err != nil {
		return classify(err)
	}
	if d.Catalog == nil {
		return nil
	}
	snap, err := feed.ReadSnapshot(ctx, d.Store, supplier, state.Applied)
	if err != nil {
		return err
	}
	var freshness time.Duration
	if cfg := d.Configs[supplier]; cfg != nil {
		freshness = cfg.Freshness
	}
	d.Catalog.SetFeed(supplier, snap, catalog.FeedInfo{Version: version, AsOf: state.AsOf, Freshness: freshness})
	return nil
}

// Discard implements feeds.Importer.
func (d *Driver) Discard(ctx context.Context, supplier, snapshotID string) error {
	_, _, err := feed.Discard(ctx, d.Store, supplier, snapshotID)
	return classify(err)
}

// suppliers lists the suppliers with a feed, sorted.
func (d *Driver) suppliers() []string {
	names := make([]string, 0, len(d.Configs))
	for n, c := range d.Configs {
		if c != nil {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Load lays every feed's applied snapshot over the catalog, at start-up,
// before jobs are taken.
func (d *Driver) Load(ctx context.Context) error {
	var errs []error
	for _, s := range d.suppliers() {
		if _, err := d.Catalog.SyncFeed(ctx, d.Store, s, d.Configs[s].Freshness); err != nil {
			errs = append(errs, fmt.Errorf("feed %s: %w", s, err))
		}
	}
	return errors.Join(errs...)
}

// Run keeps the catalog in step with the store until ctx ends, and with
// schedule set fires the scheduled imports.
func (d *Driver) Run(ctx context.Context, schedule bool) {
	names := d.suppliers()
	if len(names) == 0 || d.Catalog == nil {
		return
	}
	every := d.Refresh
	if every <= 0 {
		every = DefaultRefresh
	}
	t := time.NewTicker(every)
	defer t.Stop()
	stale := map[string]bool{}
	next := map[string]time.Time{}
	for {
		d.RefreshFeeds(ctx, stale)
		if schedule {
			d.ScheduleFeeds(ctx, d.Clock.Now(), next)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RefreshFeeds reloads the feeds whose state changed in the store, and
// tells Changed when a snapshot changed or a feed turned stale or fresh
// (stale remembers each feed's last verdict).
func (d *Driver) RefreshFeeds(ctx context.Context, stale map[string]bool) {
	changed := false
	for _, s := range d.suppliers() {
		before, _ := d.Catalog.Feed(s)
		if _, err := d.Catalog.SyncFeed(ctx, d.Store, s, d.Configs[s].Freshness); err != nil {
			d.Log.Warn("refreshing feed snapshot", "supplier", s, "err", err)
			continue
		}
		after, _ := d.Catalog.Feed(s)
		if after.SnapshotID != before.SnapshotID {
			changed = true
		}
		if now := d.Catalog.Stale(s); now != stale[s] {
			stale[s] = now
			changed = true
			if now {
				d.Log.Warn("feed is stale: its stock counts as zero", "supplier", s, "as_of", after.AsOf, "freshness", after.Freshness)
			}
		}
	}
	if changed && d.Changed != nil {
		if err := d.Changed(ctx); err != nil {
			d.Log.Warn("scheduling channel sync", "err", err)
		}
	}
}

// ScheduleFeeds enqueues the imports due at now. For `every` the slot is
// now truncated to the period; for cron, the firing time that passed
// (next holds each feed's coming firing, computed from absolute times, so
// every replica derives the same slots).
func (d *Driver) ScheduleFeeds(ctx context.Context, now time.Time, next map[string]time.Time) {
	for _, s := range d.suppliers() {
		sc := d.Configs[s].Schedule
		var slot time.Time
		var ttl time.Duration
		switch {
		case sc.Every > 0:
			slot, ttl = now.Truncate(sc.Every), 2*sc.Every
		case sc.Cron != "":
			cs, err := sc.CronSchedule()
			if err != nil {
				continue // reported by validate
			}
			n, ok := next[s]
			if !ok || now.Before(n) {
				if !ok {
					next[s] = cs.Next(now)
				}
				continue
			}
			slot, next[s] = n, cs.Next(now)
			ttl = max(2*cs.Next(n).Sub(n), time.Hour)
		default:
			continue
		}
		if err := feeds.Schedule(ctx, d.Store, s, slot, ttl); err != nil {
			d.Log.Warn("scheduling feed import", "supplier", s, "err", err)
		}
	}
}
