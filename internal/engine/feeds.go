package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/catalog"
	"github.com/dropgate/dropgate/internal/feed"
)

// Supplier feeds (internal/feed): a scheduled job per feed and schedule
// slot, fired once across replicas through its unique key, imports the
// feed; an applied snapshot goes to the routing catalog of this process
// at once and of every other within Feeds.Refresh, then the channel sync
// is scheduled. A quarantined import waits for an operator's approve or
// discard on its feed_quarantined exception.

// KindFeedImport is the job that imports one supplier's feed.
const KindFeedImport = "feed.import"

// DefaultFeedRefresh is how often a process checks the store for a feed
// snapshot applied elsewhere: one small record read per feed.
const DefaultFeedRefresh = 5 * time.Second

// importClaimTTL bounds how long a crashed import blocks the next one.
const importClaimTTL = 30 * time.Minute

// Feeds configures supplier feed imports.
type Feeds struct {
	// Configs are the suppliers' feed blocks, by supplier name.
	Configs map[string]*feed.Config
	// Sync schedules the channel sync after a snapshot is applied or a
	// feed turns stale (default: Engine.ScheduleSync).
	Sync func(ctx context.Context) error
	// Refresh is the period of the store check (default 5s).
	Refresh time.Duration
	// Transport overrides the HTTP transport of URL sources (tests).
	Transport http.RoundTripper
	// Calls observes the fetches of URL sources (the metrics).
	Calls connector.CallObserver
}

// FeedImport are the options of one import.
type FeedImport struct {
	File string // read this file instead of the configured source
	// Upload, when set, is read instead of the configured source (a file
	// sent to the admin API), named UploadName, of UploadSize bytes (-1
	// unknown).
	Upload     io.Reader
	UploadName string
	UploadSize int64
	DryRun     bool // compare and report, store nothing
	Force      bool // import even when the source reports no change
	Progress   func(feed.Progress)
}

// ErrFeedBusy reports that an import of the same feed is already running
// (another replica, or the CLI).
var ErrFeedBusy = errors.New("an import of this feed is already running")

// FeedImportJob is the job of one schedule slot. Its unique key is the
// slot, so however many replicas schedule it, one import runs.
func FeedImportJob(supplier string, slot time.Time, ttl time.Duration) store.Job {
	return store.Job{Queue: QueueInbound, Kind: KindFeedImport, Key: "supplier:" + supplier,
		Meta:      map[string]string{"supplier": supplier},
		UniqueKey: "feed.import:" + supplier + ":" + strconv.FormatInt(slot.Unix(), 10), UniqueTTL: ttl, MaxAttempts: 3}
}

func (e *Engine) feedConfig(supplier string) (*feed.Config, error) {
	if e.Feeds != nil {
		if c := e.Feeds.Configs[supplier]; c != nil {
			return c, nil
		}
	}
	if _, ok := e.Suppliers[supplier]; !ok && e.Profiles[supplier].Name == "" {
		return nil, fmt.Errorf("%w: no supplier %q", feed.ErrUser, supplier)
	}
	return nil, fmt.Errorf("%w: supplier %q has no feed: block", feed.ErrUser, supplier)
}

// ImportFeed runs one import of a supplier's feed now. Errors matching
// feed.ErrUser are the input's or the config's; the result is returned
// with them when the feed was read (its row errors).
func (e *Engine) ImportFeed(ctx context.Context, supplier string, o FeedImport) (*feed.Result, error) {
	cfg, err := e.feedConfig(supplier)
	if err != nil {
		return nil, err
	}
	if !o.DryRun {
		key := "feed.import:" + supplier
		ok, err := e.Store.Claim(ctx, key, importClaimTTL)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("feed %s: %w", supplier, ErrFeedBusy)
		}
		defer func() { _ = e.Store.Release(context.WithoutCancel(ctx), key) }()
	}
	currency := e.Profiles[supplier].Currency
	if currency == "" {
		currency = "USD"
	}
	req := feed.Request{
		Supplier: supplier, Config: cfg, Currency: currency, Store: e.Store, Clock: e.Clock, Log: e.Log,
		File: o.File, DryRun: o.DryRun, Force: o.Force, Progress: o.Progress,
		Upload: o.Upload, UploadName: o.UploadName, UploadSize: o.UploadSize,
	}
	if e.Catalog != nil {
		req.Mapped, req.Old = e.Catalog.Mapped(supplier), e.Catalog.FeedSnapshot(supplier)
	}
	if e.Feeds != nil {
		req.Transport, req.Calls = e.Feeds.Transport, e.Feeds.Calls
	}
	res, err := feed.Import(ctx, req)
	if err != nil {
		return res, err
	}
	return res, e.afterImport(ctx, supplier, cfg, res)
}

// afterImport carries an import's outcome to the catalog, the operator
// and the channels.
func (e *Engine) afterImport(ctx context.Context, supplier string, cfg *feed.Config, res *feed.Result) error {
	if res.DryRun {
		return nil
	}
	if s := res.Superseded; s != nil {
		if err := e.closeFeedException(ctx, supplier, s.ID, "superseded by import "+res.Meta.ID); err != nil {
			return err
		}
	}
	switch {
	case res.Unchanged:
		if res.State != nil && e.Catalog != nil {
			e.Catalog.SetFeedAsOf(supplier, res.State.AsOf, cfg.Freshness, res.Version)
		}
		e.Log.Info("feed unchanged", "supplier", supplier, "source", res.Source)
		return nil
	case res.Quarantined:
		d := res.Diff
		x := model.Exception{ID: FeedExceptionID(supplier, res.Meta.ID), Kind: model.ExFeedQuarantined, Supplier: supplier,
			Ref: res.Meta.ID, Actions: []string{"approve", "discard"},
			Reason: fmt.Sprintf("feed import of %s quarantined (%d changed, %d zeroed, %d new, %d missing): %s",
				supplier, d.Changed, d.Zeroed, d.Added, d.Missing, strings.Join(res.Reasons, "; "))}
		return e.raise(ctx, x)
	case res.Applied:
		if e.Catalog != nil {
			e.Catalog.SetFeed(supplier, res.Snapshot, catalog.FeedInfo{Version: res.Version, AsOf: res.State.AsOf, Freshness: cfg.Freshness})
		}
		d := res.Diff
		e.Log.Info("feed applied", "supplier", supplier, "offers", res.Offers, "bad", res.Bad, "changed", d.Changed,
			"zeroed", d.Zeroed, "new", d.Added, "missing", d.Missing)
		return e.syncChannels(ctx)
	}
	return nil
}

// FeedExceptionID is the id of the exception raised for a quarantined
// snapshot: what the operator approves or discards.
func FeedExceptionID(supplier, snapshotID string) string {
	return "exc_" + ids.Derive(16, string(model.ExFeedQuarantined), supplier, snapshotID)
}

// closeFeedException resolves a quarantine exception that no longer
// applies.
func (e *Engine) closeFeedException(ctx context.Context, supplier, snapshotID, why string) error {
	x, v, err := e.Exception(ctx, FeedExceptionID(supplier, snapshotID))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil || x.Status != "open" {
		return err
	}
	_, err = e.markResolved(ctx, x, v, "superseded", "dropgate", why)
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	return err
}

func (e *Engine) syncChannels(ctx context.Context) error {
	if e.Feeds != nil && e.Feeds.Sync != nil {
		return e.Feeds.Sync(ctx)
	}
	return e.ScheduleSync(ctx)
}

// ApproveFeed applies a quarantined snapshot (the approve action of its
// exception).
func (e *Engine) ApproveFeed(ctx context.Context, supplier, snapshotID, actor string) error {
	state, version, err := feed.Approve(ctx, e.Store, supplier, snapshotID)
	if errors.Is(err, feed.ErrNotPending) {
		return fault.Permanent(err)
	}
	if err != nil {
		return err
	}
	if e.Catalog != nil {
		snap, err := feed.ReadSnapshot(ctx, e.Store, supplier, state.Applied)
		if err != nil {
			return err
		}
		var freshness time.Duration
		if cfg, err := e.feedConfig(supplier); err == nil {
			freshness = cfg.Freshness
		}
		e.Catalog.SetFeed(supplier, snap, catalog.FeedInfo{Version: version, AsOf: state.AsOf, Freshness: freshness})
	}
	e.Log.Info("quarantined feed approved", "supplier", supplier, "snapshot", snapshotID, "by", actor)
	return e.syncChannels(ctx)
}

// DiscardFeed drops a quarantined snapshot (the discard action).
func (e *Engine) DiscardFeed(ctx context.Context, supplier, snapshotID, actor string) error {
	_, _, err := feed.Discard(ctx, e.Store, supplier, snapshotID)
	if errors.Is(err, feed.ErrNotPending) {
		return nil // superseded meanwhile: nothing left to discard
	}
	if err == nil {
		e.Log.Info("quarantined feed discarded", "supplier", supplier, "snapshot", snapshotID, "by", actor)
	}
	return err
}

// handleFeedImport runs a scheduled import.
func (e *Engine) handleFeedImport(ctx context.Context, j *store.Job) error {
	supplier := j.Meta["supplier"]
	_, err := e.ImportFeed(ctx, supplier, FeedImport{})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrFeedBusy):
		e.Log.Info("feed import skipped: another one is running", "supplier", supplier)
		return nil
	case errors.Is(err, feed.ErrConcurrent):
		return fault.Retryable(err)
	case errors.Is(err, feed.ErrUser):
		return fault.Permanent(err) // a dead letter, and an exception, with the reason
	}
	return err
}

// feedSuppliers lists the suppliers with a feed, sorted.
func (e *Engine) feedSuppliers() []string {
	if e.Feeds == nil {
		return nil
	}
	names := make([]string, 0, len(e.Feeds.Configs))
	for n, c := range e.Feeds.Configs {
		if c != nil {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// LoadFeeds loads every feed's applied snapshot into the catalog, at
// start-up, before jobs are taken.
func (e *Engine) LoadFeeds(ctx context.Context) error {
	var errs []error
	for _, s := range e.feedSuppliers() {
		if _, err := e.Catalog.SyncFeed(ctx, e.Store, s, e.Feeds.Configs[s].Freshness); err != nil {
			errs = append(errs, fmt.Errorf("feed %s: %w", s, err))
		}
	}
	return errors.Join(errs...)
}

// RunFeeds keeps the catalog in step with the store until ctx ends, and
// with schedule set fires the scheduled imports.
func (e *Engine) RunFeeds(ctx context.Context, schedule bool) {
	names := e.feedSuppliers()
	if len(names) == 0 || e.Catalog == nil {
		return
	}
	every := e.Feeds.Refresh
	if every <= 0 {
		every = DefaultFeedRefresh
	}
	t := time.NewTicker(every)
	defer t.Stop()
	stale := map[string]bool{}
	next := map[string]time.Time{}
	for {
		e.RefreshFeeds(ctx, stale)
		if schedule {
			e.ScheduleFeeds(ctx, e.Clock.Now(), next)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RefreshFeeds reloads the feeds whose state changed in the store, and
// schedules the channel sync when a snapshot changed or a feed turned
// stale or fresh (stale remembers each feed's last verdict).
func (e *Engine) RefreshFeeds(ctx context.Context, stale map[string]bool) {
	resync := false
	for _, s := range e.feedSuppliers() {
		before, _ := e.Catalog.Feed(s)
		if _, err := e.Catalog.SyncFeed(ctx, e.Store, s, e.Feeds.Configs[s].Freshness); err != nil {
			e.Log.Warn("refreshing feed snapshot", "supplier", s, "err", err)
			continue
		}
		after, _ := e.Catalog.Feed(s)
		if after.SnapshotID != before.SnapshotID {
			resync = true
		}
		if now := e.Catalog.Stale(s); now != stale[s] {
			stale[s] = now
			resync = true
			if now {
				e.Log.Warn("feed is stale: its stock counts as zero", "supplier", s, "as_of", after.AsOf, "freshness", after.Freshness)
			}
		}
	}
	if resync {
		if err := e.syncChannels(ctx); err != nil {
			e.Log.Warn("scheduling channel sync", "err", err)
		}
	}
}

// ScheduleFeeds enqueues the imports due at now. For `every` the slot is
// now truncated to the period; for cron, the firing time that passed
// (next holds each feed's coming firing, computed from absolute times, so
// every replica derives the same slots).
func (e *Engine) ScheduleFeeds(ctx context.Context, now time.Time, next map[string]time.Time) {
	for _, s := range e.feedSuppliers() {
		sc := e.Feeds.Configs[s].Schedule
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
		if _, err := e.Store.Enqueue(ctx, FeedImportJob(s, slot, ttl)); err != nil && !errors.Is(err, store.ErrDuplicate) {
			e.Log.Warn("scheduling feed import", "supplier", s, "err", err)
		}
	}
}
