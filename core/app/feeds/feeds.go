// Package feeds runs supplier feed imports: a scheduled job per feed and
// schedule slot (fired once across replicas through its unique key), or an
// operator's import now. Reading, comparing and storing a feed, and
// installing an applied snapshot in the offer catalog, is the driver's
// (Importer, implemented by internal/feed); what an import means for the
// rest of dropgate is decided here: a quarantined import waits for an
// operator's approve or discard on its feed_quarantined exception, and an
// applied one changes what the channels should show.
package feeds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/event"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/store"
)

// Errors of an import.
var (
	// ErrBusy: an import of the same feed is already running (another
	// replica, or the CLI).
	ErrBusy = errors.New("an import of this feed is already running")
	// ErrInput: the feed or its config is at fault (the error says where);
	// retrying the same input cannot help.
	ErrInput = errors.New("feed")
	// ErrConcurrent: the feed's state changed under the import; retry.
	ErrConcurrent = errors.New("feed state changed during the import")
	// ErrNotPending: the snapshot to approve or discard is no longer
	// waiting (superseded, or decided already).
	ErrNotPending = errors.New("feed snapshot is no longer pending")
)

// Request are the options of one import.
type Request struct {
	File string // read this file instead of the configured source
	// Upload, when set, is read instead of the configured source (a file
	// sent to the admin API), named UploadName, of UploadSize bytes (-1
	// unknown).
	Upload     io.Reader
	UploadName string
	UploadSize int64
	DryRun     bool // compare and report, store nothing
	Force      bool // import even when the source reports no change
	Progress   func(Progress)
}

// Progress is how far an import got.
type Progress struct {
	Bytes   int64 // read from the source
	Total   int64 // the source's size; -1 unknown
	Rows    int
	Bad     int
	Elapsed time.Duration
	Done    bool
}

// Report is what an import did.
type Report struct {
	Supplier    string
	DryRun      bool
	Unchanged   bool // the source showed the content of the last import
	Quarantined bool // stored, waiting for an operator (Reasons, Summary)
	Applied     bool // installed: routing and the channels use it
	SnapshotID  string
	Superseded  string // a pending snapshot this import replaced
	Summary     string // counts of the change, for the operator
	Reasons     []string
	// Detail is the driver's full result (rows, bad rows, the diff), which
	// the CLI and the admin API show.
	Detail any
}

// Importer is the feed driver.
type Importer interface {
	// Import reads, compares and stores one import of supplier's feed,
	// and installs an applied snapshot in the catalog.
	Import(ctx context.Context, supplier string, r Request) (Report, error)
	// Approve applies a quarantined snapshot; Discard drops it. Both
	// return ErrNotPending when it no longer waits.
	Approve(ctx context.Context, supplier, snapshotID string) error
	Discard(ctx context.Context, supplier, snapshotID string) error
}

// Import is the scheduled import of one supplier's feed in one slot.
type Import struct {
	Supplier string `json:"supplier"`
	Slot     int64  `json:"slot"`
}

// KindImport runs a scheduled import.
var KindImport = job.Kind[Import]{Name: "feed.import", Queue: app.QueueInbound,
	Options: func(i Import) job.Options {
		return job.Options{Key: "supplier:" + i.Supplier, UniqueKey: "feed.import:" + i.Supplier + ":" + strconv.FormatInt(i.Slot, 10), MaxAttempts: 3}
	},
	Subject: func(i Import) job.Subject { return job.Subject{Connector: i.Supplier} },
}

// Schedule queues the import of supplier's slot; ttl keeps its unique key
// across the slot.
func Schedule(ctx context.Context, q job.Enqueuer, supplier string, slot time.Time, ttl time.Duration) error {
	return job.Enqueue(ctx, q, KindImport, Import{Supplier: supplier, Slot: slot.Unix()}, func(j *store.Job) { j.UniqueTTL = ttl })
}

// importClaimTTL bounds how long a crashed import blocks the next one.
const importClaimTTL = 30 * time.Minute

// Service runs feed imports.
type Service struct {
	d   *app.Deps
	imp Importer
}

// New returns the service over the driver.
func New(d *app.Deps, imp Importer) *Service { return &Service{d: d, imp: imp} }

// Register installs the scheduled import's handler.
func (s *Service) Register(m *job.Mux, _ *event.Table) {
	job.Handle(m, KindImport, s.handleImport)
}

// ImportNow runs one import of a supplier's feed. Errors matching
// ErrInput are the input's or the config's; the report is returned with
// them when the feed was read (its row errors).
func (s *Service) ImportNow(ctx context.Context, supplier string, r Request) (Report, error) {
	if !r.DryRun {
		key := "feed.import:" + supplier
		ok, err := s.d.Claims.Claim(ctx, key, importClaimTTL)
		if err != nil {
			return Report{}, err
		}
		if !ok {
			return Report{}, fmt.Errorf("feed %s: %w", supplier, ErrBusy)
		}
		defer func() { _ = s.d.Claims.Release(app.Background(ctx), key) }()
	}
	rep, err := s.imp.Import(ctx, supplier, r)
	if err != nil {
		return rep, err
	}
	return rep, s.afterImport(ctx, rep)
}

// afterImport carries an import's outcome to the operator and the
// channels.
func (s *Service) afterImport(ctx context.Context, rep Report) error {
	if rep.DryRun {
		return nil
	}
	if rep.Superseded != "" {
		if err := s.closeQuarantine(ctx, rep.Supplier, rep.Superseded, "superseded by import "+rep.SnapshotID); err != nil {
			return err
		}
	}
	switch {
	case rep.Quarantined:
		x := model.Exception{ID: ExceptionID(rep.Supplier, rep.SnapshotID), Kind: model.ExFeedQuarantined, Supplier: rep.Supplier,
			Ref: rep.SnapshotID, Actions: []string{"approve", "discard"},
			Reason: fmt.Sprintf("feed import of %s quarantined (%s): %s", rep.Supplier, rep.Summary, strings.Join(rep.Reasons, "; "))}
		return s.d.Events.Publish(ctx, nil, []model.Event{{Type: model.EvExceptionRaised, Supplier: rep.Supplier, At: s.d.Now(), Exception: &x}})
	case rep.Applied:
		return s.changed(ctx, rep.Supplier)
	}
	return nil
}

// changed tells the subscribers that a supplier's offers changed.
func (s *Service) changed(ctx context.Context, supplier string) error {
	return s.d.Events.Publish(ctx, nil, []model.Event{{Type: model.EvAvailabilityChanged, Supplier: supplier, At: s.d.Now()}})
}

// ExceptionID is the id of the exception raised for a quarantined
// snapshot: what the operator approves or discards.
func ExceptionID(supplier, snapshotID string) string {
	return "exc_" + ids.Derive(16, string(model.ExFeedQuarantined), supplier, snapshotID)
}

// closeQuarantine resolves a quarantine exception that no longer applies.
func (s *Service) closeQuarantine(ctx context.Context, supplier, snapshotID, why string) error {
	now := s.d.Now()
	_, err := s.d.Exceptions.Update(ctx, ExceptionID(supplier, snapshotID), func(x *model.Exception) error {
		if x.Status != "open" {
			return repo.ErrNoChange
		}
		x.Status, x.ResolvedAt, x.Resolution = "resolved", &now, "superseded by dropgate: "+why
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// Approve applies a quarantined snapshot (the approve action of its
// exception).
func (s *Service) Approve(ctx context.Context, supplier, snapshotID, actor string) error {
	err := s.imp.Approve(ctx, supplier, snapshotID)
	if errors.Is(err, ErrNotPending) {
		return fault.Permanent(err)
	}
	if err != nil {
		return err
	}
	s.d.Log.Info("quarantined feed approved", "supplier", supplier, "snapshot", snapshotID, "by", actor)
	return s.changed(ctx, supplier)
}

// Discard drops a quarantined snapshot (the discard action).
func (s *Service) Discard(ctx context.Context, supplier, snapshotID, actor string) error {
	err := s.imp.Discard(ctx, supplier, snapshotID)
	if errors.Is(err, ErrNotPending) {
		return nil // superseded meanwhile: nothing left to discard
	}
	if err == nil {
		s.d.Log.Info("quarantined feed discarded", "supplier", supplier, "snapshot", snapshotID, "by", actor)
	}
	return err
}

// handleImport runs a scheduled import.
func (s *Service) handleImport(ctx context.Context, _ *store.Job, i Import) error {
	_, err := s.ImportNow(ctx, i.Supplier, Request{})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrBusy):
		s.d.Log.Info("feed import skipped: another one is running", "supplier", i.Supplier)
		return nil
	case errors.Is(err, ErrConcurrent):
		return fault.Retryable(err)
	case errors.Is(err, ErrInput):
		return fault.Permanent(err) // a dead letter, and an exception, with the reason
	}
	return err
}
