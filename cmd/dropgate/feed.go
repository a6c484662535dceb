package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/app"
	"github.com/dropgate/dropgate/internal/engine"
	"github.com/dropgate/dropgate/internal/feed"
)

const feedUsage = "usage: dropgate feed import --config FILE --supplier NAME [--file F] [--dry-run] [--force]"

// runFeed is `dropgate feed import`: one supplier's feed imported now,
// with the diff it applied (or would). It runs in the server when one owns
// the store (it holds the embedded store's lock), through the admin API,
// and against the store directly otherwise (remote.go says how it
// chooses); it says which on stderr.
func runFeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("feed import", stderr)
	configPath := fs.String("config", os.Getenv("DROPGATE_CONFIG"), "config `file`")
	supplier := fs.String("supplier", "", "the `supplier` whose feed to import")
	file := fs.String("file", "", "read this `file` instead of the feed's configured source")
	dryRun := fs.Bool("dry-run", false, "parse and compare, store and apply nothing")
	force := fs.Bool("force", false, "import even when the source reports no change")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	url := fs.String("url", os.Getenv("DROPGATE_URL"), "import through the server at `URL` (default: when it holds the store, the config's listen address)")
	token := fs.String("token", "", "admin bearer `token` (default: $DROPGATE_ADMIN_TOKEN, or the config's server.admin_token)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *supplier == "" || fs.NArg() > 0 {
		return userErrorf(feedUsage)
	}
	cfg, err := loadConfig(*configPath, stderr)
	if err != nil {
		return err
	}
	c := cfg.Find(*supplier)
	if c == nil || c.Supplier == nil {
		return userErrorf("%s has no supplier %q", *configPath, *supplier)
	}
	if c.Feed == nil {
		return userErrorf("supplier %q has no feed: block in %s", *supplier, *configPath)
	}
	if *file != "" {
		f, err := os.Open(*file)
		if err != nil {
			return userErrorf("--file: %v", err)
		}
		f.Close()
	}
	fi := &feedImport{cfgPath: *configPath, url: *url, token: *token, supplier: *supplier,
		opts: engine.FeedImport{File: *file, DryRun: *dryRun, Force: *force}, json: *asJSON, stdout: stdout, stderr: stderr}
	if serverFirst(cfg, *url) {
		err := fi.remote(ctx)
		var nc noClient
		if !noServer(err) && !(errors.As(err, &nc) && *url == "") {
			return err
		}
		fmt.Fprintf(stderr, "feed import: no server answers at %s; importing into the store directly\n", askedOr(fi.asked))
	}
	// Only warnings: the report below says what happened.
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.Build(ctx, app.Options{Config: cfg, Role: app.RoleWorker, Logger: log})
	if errors.Is(err, store.ErrUnavailable) && cfg.Store.Driver == "embedded" {
		return fi.storeHeld(ctx, cfg.Store.Path)
	}
	if err != nil {
		return err
	}
	defer a.Close()
	if cfg.Store.Driver == "embedded" {
		fmt.Fprintf(stderr, "feed import: into the store %s directly (no server holds it)\n", cfg.Store.Path)
	}
	prog := newFeedProgress(stderr, *supplier, isTerminal(stderr), time.Now)
	fi.opts.Progress = prog.update
	res, err := a.Engine.ImportFeed(ctx, *supplier, fi.opts)
	prog.finish()
	var rowErrs []string
	if res != nil {
		for _, e := range res.Errors {
			rowErrs = append(rowErrs, e.Error())
		}
	}
	switch {
	case errors.Is(err, engine.ErrFeedBusy):
		return fmt.Errorf("%w: wait for it to finish", err)
	case errors.Is(err, feed.ErrUser):
		fi.print(res, rowErrs, true)
		return userError{err}
	case err != nil:
		fi.print(res, rowErrs, true)
		return err
	}
	fi.print(res, rowErrs, false)
	return fi.quarantined(res, engine.FeedExceptionID(*supplier, metaID(res)))
}

// storeHeld runs the import through the server holding the embedded
// store, or says why it cannot.
func (fi *feedImport) storeHeld(ctx context.Context, path string) error {
	if fi.url != "" { // the server at --url was asked already
		return fmt.Errorf("the store %s is in use by another dropgate process, and no server answers at %s", path, fi.url)
	}
	err := fi.remote(ctx)
	if noServer(err) {
		return fmt.Errorf("the store %s is in use by a running dropgate server (the embedded store has one owner) that does not answer at %s: "+
			"pass its address with --url (or DROPGATE_URL) to import through it, or stop it; with the redis store driver, "+
			"feed import runs alongside the servers", path, askedOr(fi.asked))
	}
	return heldBy(path, "import", err)
}

// metaID is the stored snapshot's id, "" when nothing was stored.
func metaID(res *feed.Result) string {
	if res == nil || res.Meta == nil {
		return ""
	}
	return res.Meta.ID
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// printFeedResult writes what an import did, or would do; rowErrs are its
// first bad rows.
func printFeedResult(w io.Writer, res *feed.Result, rowErrs []string) {
	fmt.Fprintf(w, "feed %s: %s\n", res.Supplier, res.Source)
	if res.Unchanged {
		fmt.Fprintln(w, "unchanged since the last import: nothing to do (--force imports it anyway)")
		return
	}
	fmt.Fprintf(w, "read %s rows (%s): %s offers, %s bad rows, %s without a merchant SKU\n",
		grouped(int64(res.Rows)), megabytes(res.Bytes), grouped(int64(res.Offers)), grouped(int64(res.Bad)), grouped(int64(res.Unmapped)))
	if len(rowErrs) > 0 {
		fmt.Fprintf(w, "bad rows (first %d of %d):\n", len(rowErrs), res.Bad)
		for _, e := range rowErrs {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
	d := res.Diff
	if d == nil {
		return
	}
	fmt.Fprintf(w, "compared with the applied snapshot (%s SKUs):\n", grouped(int64(d.Old)))
	for _, c := range []struct {
		name string
		n    int
	}{{"changed", d.Changed}, {"zeroed", d.Zeroed}, {"new", d.Added}, {"missing", d.Missing}, {"unchanged", d.Unchanged}} {
		fmt.Fprintf(w, "  %-10s %12s\n", c.name, grouped(int64(c.n)))
	}
	if len(d.Moves) > 0 {
		fmt.Fprintln(w, "largest price moves:")
		for _, m := range d.Moves {
			sign := ""
			if m.Percent.Sign() > 0 {
				sign = "+"
			}
			fmt.Fprintf(w, "  %-16s %-16s %-5s %14s → %-14s %8s\n", m.SupplierSKU, m.SKU, m.Field,
				m.Old, m.New, sign+m.Percent.String()+"%")
		}
	}
	switch {
	case res.DryRun && res.Quarantined:
		fmt.Fprintf(w, "dry run: nothing stored; this import would be quarantined: %s\n", strings.Join(res.Reasons, "; "))
	case res.DryRun:
		fmt.Fprintln(w, "dry run: nothing stored; this import would be applied")
	case res.Quarantined:
		fmt.Fprintf(w, "quarantined, not applied: %s\n", strings.Join(res.Reasons, "; "))
	case res.Applied:
		fmt.Fprintln(w, "applied: routing uses it now (other replicas within seconds); channel sync scheduled")
	}
}

// grouped formats n with thousands separators: 1,234,567.
func grouped(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// megabytes formats a byte count for people.
func megabytes(n int64) string {
	return fmt.Sprintf("%d.%d MB", n/(1<<20), n%(1<<20)*10/(1<<20))
}

// feedProgress shows an import's progress on stderr: a bar redrawn in
// place on a terminal, otherwise a plain line every plainRows rows or
// plainEvery, whichever comes first (logs and CI output stay readable).
type feedProgress struct {
	w        io.Writer
	supplier string
	tty      bool
	now      func() time.Time
	last     time.Time
	lastRows int
	shown    bool
	final    feed.Progress
}

const (
	plainRows  = 100_000
	plainEvery = 5 * time.Second
	ttyEvery   = 100 * time.Millisecond
	barWidth   = 30
)

func newFeedProgress(w io.Writer, supplier string, tty bool, now func() time.Time) *feedProgress {
	p := &feedProgress{w: w, supplier: supplier, tty: tty, now: now}
	if !tty {
		p.last = now() // a terminal gets its bar at once, a log its first line later
	}
	return p
}

func (p *feedProgress) update(pr feed.Progress) {
	p.final = pr
	now := p.now()
	switch {
	case pr.Done:
		return // finish draws the last state
	case p.tty && now.Sub(p.last) < ttyEvery:
		return
	case !p.tty && pr.Rows-p.lastRows < plainRows && now.Sub(p.last) < plainEvery:
		return
	}
	p.last, p.lastRows = now, pr.Rows
	p.draw(pr)
}

func (p *feedProgress) draw(pr feed.Progress) {
	rate := ""
	if secs := pr.Elapsed.Seconds(); secs > 0 {
		rate = fmt.Sprintf(", %s rows/s", grouped(int64(float64(pr.Rows)/secs)))
	}
	size := megabytes(pr.Bytes)
	if pr.Total > 0 {
		size = fmt.Sprintf("%s of %s (%d%%)", megabytes(pr.Bytes), megabytes(pr.Total), pr.Bytes*100/pr.Total)
	}
	if !p.tty {
		fmt.Fprintf(p.w, "feed %s: %s rows, %s%s\n", p.supplier, grouped(int64(pr.Rows)), size, rate)
		return
	}
	bar := ""
	if pr.Total > 0 {
		done := int(min(pr.Bytes*barWidth/pr.Total, barWidth))
		bar = "[" + strings.Repeat("=", done) + strings.Repeat(" ", barWidth-done) + "] "
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s %s%s rows, %s%s", p.supplier, bar, grouped(int64(pr.Rows)), size, rate)
	p.shown = true
}

// finish draws the final state and ends the bar's line.
func (p *feedProgress) finish() {
	if p.final.Rows == 0 && !p.shown {
		return
	}
	p.draw(p.final)
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
