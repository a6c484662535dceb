package feed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/store"
)

// Request is one import of one supplier's feed.
type Request struct {
	Supplier string
	Config   *Config
	Currency string // the supplier's cost currency
	Store    store.Store
	Clock    clock.Clock
	Log      *slog.Logger
	// File replaces the configured source for this import (CLI --file);
	// the source's validators are then left alone.
	File string
	// Upload, when set, replaces the configured source with this reader
	// (a file sent to the admin API), like File; UploadName names it in
	// messages and UploadSize is its length (-1 unknown).
	Upload     io.Reader
	UploadName string
	UploadSize int64
	// DryRun parses and compares but stores nothing.
	DryRun bool
	// Force imports even when the source reports no change.
	Force bool
	// Mapped tells whether the supplier's catalog maps a supplier SKU to
	// a merchant SKU (for rows without one); nil: nothing is mapped.
	Mapped func(supplierSKU []byte) bool
	// Old is the applied snapshot if the caller holds it in memory (the
	// routing catalog); otherwise it is streamed from the store.
	Old *Snapshot
	// Progress, when set, is called every ProgressRows rows and at the end.
	Progress     func(Progress)
	ProgressRows int // default 10,000
	// Transport overrides the HTTP transport (tests).
	Transport http.RoundTripper
	// Calls is told how an HTTP source's fetch went, as "SUPPLIER-feed"
	// (the metrics; nil: not observed).
	Calls connector.CallObserver
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

// Result is what an import did.
type Result struct {
	Supplier string `json:"supplier"`
	Source   string `json:"source"`
	// Unchanged: the source (or its content hash) showed the content of
	// the last import; nothing was parsed or stored.
	Unchanged   bool     `json:"unchanged,omitempty"`
	DryRun      bool     `json:"dry_run,omitempty"`
	Rows        int      `json:"rows"`
	Offers      int      `json:"offers"`
	Bad         int      `json:"bad"`
	Unmapped    int      `json:"unmapped"`
	Errors      []*Error `json:"-"`
	Bytes       int64    `json:"bytes"`
	Took        time.Duration
	Diff        *Diff    `json:"diff,omitempty"`
	Quarantined bool     `json:"quarantined,omitempty"`
	Reasons     []string `json:"reasons,omitempty"`
	Applied     bool     `json:"applied,omitempty"`
	// Meta is the stored snapshot (applied or pending); Superseded a
	// pending snapshot this import replaced (its exception is moot).
	Meta       *Meta `json:"meta,omitempty"`
	Superseded *Meta `json:"-"`
	// Snapshot is the new snapshot, State the record after the import.
	Snapshot *Snapshot `json:"-"`
	State    *State    `json:"-"`
	Version  int64     `json:"-"`
}

// ErrConcurrent reports that the state changed under an import (another
// replica or the CLI imported at the same time); retry it.
var ErrConcurrent = errors.New("feed state changed during the import")

// Import fetches, parses, compares, checks and stores one feed. The
// caller serialises imports of a supplier (a claim) and, when the result
// is Applied, installs Snapshot in its catalog. A too-large share of bad
// rows returns the result with an error matching ErrUser.
func Import(ctx context.Context, r Request) (*Result, error) {
	start := r.Clock.Now()
	state, version, err := LoadState(ctx, r.Store, r.Supplier)
	if err != nil {
		return nil, err
	}
	var prev *Validators
	if !r.override() && !r.Force {
		prev = &state.Fetched
	}
	src, err := r.open(ctx, prev)
	if err != nil {
		return nil, err
	}
	res := &Result{Supplier: r.Supplier, Source: src.name, DryRun: r.DryRun, State: state, Version: version}
	if src.unchanged {
		return r.unchanged(ctx, res, src, state, version)
	}
	defer src.body.Close()

	counter := &countingReader{r: src.body}
	sum := sha256.New()
	snap, b, err := r.parse(ctx, io.TeeReader(counter, sum), src, counter, start)
	res.Bytes, res.Rows, res.Bad, res.Unmapped, res.Errors = counter.n.Load(), b.Rows, b.Bad, b.Unmapped, b.Errors
	if err != nil {
		return res, err
	}
	src.v.SHA256 = hex.EncodeToString(sum.Sum(nil))
	res.Offers = snap.Len()
	if !r.Force && !r.override() && state.Fetched.SHA256 == src.v.SHA256 && state.Fetched.Size == src.v.Size {
		// Same bytes under a new time or ETag: the supplier re-uploaded.
		return r.unchanged(ctx, res, src, state, version)
	}
	if err := r.checkErrors(b); err != nil {
		if !r.DryRun && !r.override() {
			src.v.Failed = true
			state.Fetched, state.Checked = src.v, r.Clock.Now().UTC()
			_, _ = SaveState(ctx, r.Store, state, version)
		}
		return res, err
	}
	if err := r.compare(ctx, res, snap, state); err != nil {
		return res, err
	}
	res.Snapshot, res.Took = snap, r.Clock.Now().Sub(start)
	if r.DryRun {
		return res, nil
	}
	return res, r.store(ctx, res, snap, src, state, version)
}

// override reports whether this import reads something else than the
// configured source (--file, an upload): the source's validators and its
// unchanged check are then left alone.
func (r *Request) override() bool { return r.File != "" || r.Upload != nil }

// open opens the upload, the file or the configured source.
func (r *Request) open(ctx context.Context, prev *Validators) (*fetched, error) {
	if r.Upload != nil {
		return &fetched{body: io.NopCloser(r.Upload), name: r.UploadName, total: r.UploadSize}, nil
	}
	return openSource(ctx, sourceEnv{supplier: r.Supplier, store: r.Store, clock: r.Clock, log: r.Log, transport: r.Transport, calls: r.Calls},
		&r.Config.Source, r.File, prev)
}

// parse streams the source through the format's reader into a snapshot.
func (r *Request) parse(ctx context.Context, in io.Reader, src *fetched, counter *countingReader, start time.Time) (*Snapshot, *Builder, error) {
	text, err := decodeInput(in, r.encoding())
	if err != nil {
		return nil, &Builder{}, fmt.Errorf("%s: %w", src.name, err)
	}
	rows, err := newRowReader(r.Config, src.name, text)
	if err != nil {
		return nil, &Builder{}, err
	}
	b, err := NewBuilder(src.name, r.Currency, r.Config, rows.Where, r.Mapped)
	if err != nil {
		return nil, &Builder{}, err
	}
	every := r.ProgressRows
	if every <= 0 {
		every = 10_000
	}
	report := func(done bool) {
		if r.Progress != nil {
			r.Progress(Progress{Bytes: counter.n.Load(), Total: src.total, Rows: b.Rows, Bad: b.Bad, Elapsed: r.Clock.Now().Sub(start), Done: done})
		}
	}
	err = fill(rows, b, func() error {
		if b.Rows%every != 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		report(false)
		return nil
	})
	if err != nil {
		return nil, b, fmt.Errorf("%s: %w", src.name, err)
	}
	runtime.GC() // the arena is complete: start Finish's sort from a clean heap (see collectEvery)
	snap := b.Finish(ids.New("fs"))
	report(true)
	return snap, b, nil
}

// fill reads every row into b: bad rows are recorded as rejected and
// reading goes on; after each added row, each may report progress or stop
// the import.
func fill(rows RowReader, b *Builder, each func() error) error {
	for {
		row, err := rows.Next()
		if err == io.EOF {
			return nil
		}
		var rowErr *Error
		if errors.As(err, &rowErr) {
			b.Reject(rowErr)
			continue
		}
		if err != nil {
			return err
		}
		if err := b.Add(row); err != nil {
			return err
		}
		if each != nil {
			if err := each(); err != nil {
				return err
			}
		}
	}
}

func (r *Request) encoding() string {
	switch r.Config.EffectiveFormat() {
	case FormatCSV:
		return r.Config.CSV.Encoding
	case FormatXML:
		return r.Config.XML.Encoding
	}
	return ""
}

// newRowReader builds the configured format's reader.
func newRowReader(cfg *Config, name string, text io.Reader) (RowReader, error) {
	switch cfg.EffectiveFormat() {
	case FormatXML:
		return newXMLReader(text, name, cfg.XML, cfg.Columns), nil
	case FormatJSON:
		return newJSONReader(text, name, cfg.JSON, cfg.Columns), nil
	}
	return newCSVReader(text, name, cfg.CSV, cfg.Columns)
}

// checkErrors fails the import when the share of bad rows is too large.
func (r *Request) checkErrors(b *Builder) error {
	if b.Bad == 0 {
		return nil
	}
	limit := r.Config.ErrorShare()
	if !overShare(b.Bad, b.Rows, limit) {
		return nil
	}
	first := ""
	if len(b.Errors) > 0 {
		first = "; first: " + b.Errors[0].Error()
	}
	return userErrorf("%d of %d rows are bad, more than max_error_share %s%s", b.Bad, b.Rows, limit, first)
}

// overShare reports n/total > share exactly.
func overShare(n, total int, share decimal.Decimal) bool {
	if total == 0 {
		return false
	}
	lhs, err := decimal.FromInt(int64(n)).Rescale(share.Scale)
	if err != nil {
		return true
	}
	rhs, err := share.Mul(decimal.FromInt(int64(total)))
	if err != nil {
		return false
	}
	return lhs.Cmp(rhs) > 0
}

// compare diffs the new snapshot with the applied one and applies the
// guardrails.
func (r *Request) compare(ctx context.Context, res *Result, snap *Snapshot, state *State) error {
	var old recIter
	switch {
	case state.Applied == nil:
	case r.Old != nil && r.Old.ID == state.Applied.ID:
		old = &snapshotIter{s: r.Old}
	default:
		old = newChunkReader(ctx, r.Store, r.Supplier, state.Applied)
	}
	g := r.Config.Guardrails
	d, err := Compare(old, snap, CompareOptions{MaxPrice: g.MaxPriceChange})
	if err != nil {
		return err
	}
	res.Diff = d
	if state.Applied != nil {
		res.Reasons = g.check(d)
		res.Quarantined = len(res.Reasons) > 0
	}
	return nil
}

// check returns why a diff breaks the guardrails (none: apply it).
func (g Guardrails) check(d *Diff) []string {
	var reasons []string
	if share := g.ZeroedShare(); overShare(d.DroppedToZero, d.Old, share) {
		reasons = append(reasons, fmt.Sprintf("%d of %d SKUs (%s%%) would drop to zero stock, more than max_zeroed_share %s",
			d.DroppedToZero, d.Old, percentOf(d.DroppedToZero, d.Old), share))
	}
	if g.MaxPriceChange != nil && d.PriceOver > 0 {
		share := decimal.Decimal{}
		if g.MaxPriceChangeShare != nil {
			share = *g.MaxPriceChangeShare
		}
		if overShare(d.PriceOver, d.Priced, share) {
			reasons = append(reasons, fmt.Sprintf("%d of %d priced SKUs moved more than max_price_change %s%%",
				d.PriceOver, d.Priced, g.MaxPriceChange))
		}
	}
	return reasons
}

// percentOf formats n/total as a percentage with one decimal.
func percentOf(n, total int) string {
	if total == 0 {
		return "0"
	}
	return decimal.New(int64((n*2000+total)/(2*total)), 1).String()
}
