package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"time"

	"github.com/dropgate/dropgate/core/app/reconcile"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/app"
)

// runReconcile is `dropgate reconcile --channel NAME [--since T]`: the
// channel's sweep now. Like feed import it runs in the server that owns
// the store when there is one (remote.go), and against the store
// otherwise.
func runReconcile(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("reconcile", stderr)
	configPath := fs.String("config", os.Getenv("DROPGATE_CONFIG"), "config `file`")
	channel := fs.String("channel", "", "the `channel` to sweep")
	sinceFlag := fs.String("since", "", "list orders changed since `T` (RFC 3339 or YYYY-MM-DD; default: the last sweep minus its lookback)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	urlFlag := fs.String("url", os.Getenv("DROPGATE_URL"), "sweep through the server at `URL` (default: when it holds the store, the config's listen address)")
	token := fs.String("token", "", "admin bearer `token` (default: $DROPGATE_ADMIN_TOKEN, or the config's server.admin_token)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *channel == "" || fs.NArg() > 0 {
		return userErrorf("usage: dropgate reconcile --config FILE --channel NAME [--since T] [--url URL] [--json]")
	}
	var since time.Time
	if *sinceFlag != "" {
		t, err := parseSince(*sinceFlag)
		if err != nil {
			return userErrorf("--since: %v", err)
		}
		since = t
	}
	cfg, err := loadConfig(*configPath, stderr)
	if err != nil {
		return err
	}
	if c := cfg.Find(*channel); c == nil || c.Supplier != nil {
		return userErrorf("%s has no channel %q", *configPath, *channel)
	}
	print := func(rep reconcile.Report) error {
		if *asJSON {
			return writeJSON(stdout, rep)
		}
		fmt.Fprintf(stdout, "channel %s swept since %s: %d order(s) listed, %d new, %d missed by webhooks, %d cancelled\n",
			rep.Channel, rep.Since.UTC().Format(time.RFC3339), rep.Orders, rep.New, rep.Missed, rep.Cancels)
		return nil
	}
	remote := func() error {
		c, err := serverClient(*configPath, *urlFlag, *token)
		if err != nil {
			return noClient{err}
		}
		path := "/channels/" + url.PathEscape(*channel) + "/reconcile"
		if !since.IsZero() {
			path += "?since=" + url.QueryEscape(since.Format(time.RFC3339))
		}
		var rep reconcile.Report
		if _, err := call(ctx, c, "POST", path, &rep); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "reconcile: through the server at %s\n", serverURL(c))
		return print(rep)
	}
	if serverFirst(cfg, *urlFlag) {
		err := remote()
		var nc noClient
		if !noServer(err) && !(errors.As(err, &nc) && *urlFlag == "") {
			return err
		}
		fmt.Fprintf(stderr, "reconcile: no server answers; sweeping against the store directly\n")
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.Build(ctx, app.Options{Config: cfg, Role: app.RoleWorker, Logger: log})
	if errors.Is(err, store.ErrUnavailable) && cfg.Store.Driver == "embedded" {
		return heldBy(cfg.Store.Path, "sweep "+*channel, remote())
	}
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(stderr, "reconcile: against the store directly (no server holds it); queued work runs when the server next starts\n")
	rep, err := a.Services.Reconcile.SweepNow(ctx, *channel, since)
	if err != nil {
		return err
	}
	return print(rep)
}

// parseSince reads RFC 3339 or a date.
func parseSince(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", v)
}
