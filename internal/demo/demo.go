// Package demo runs dropgate's guided tour (`dropgate demo`): the server
// on the demo config, a local Shopify store (the fake), and simulated EDI
// suppliers, then one order followed from webhook to tracking on the store.
// Nothing leaves the machine and nothing needs an account.
//
// Each run keeps its state in a data directory of its own (NewRunDir), so
// running it again tells the same story: no order, file or EDI control
// number of an earlier run is seen again.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/app"
	"github.com/dropgate/dropgate/internal/config"
)

// Options tune the demo.
type Options struct {
	Config *config.Config
	// Dir is this run's data directory (NewRunDir): the log goes there,
	// and the config is expected to keep its state there.
	Dir    string
	Listen string // gateway address (default: the config's)
	// ListenGiven says Listen was asked for: a busy port is then an
	// error. A default port that is busy is replaced by a free one.
	ListenGiven bool
	Out         io.Writer     // where the story is told
	LogFile     string        // the server's logs (default Dir/demo.log)
	Timeout     time.Duration // give up after (default 90s)
	// ShipAfter is how long the simulated suppliers take to ship.
	ShipAfter time.Duration
	// Keep leaves everything running after the order shipped, until ctx
	// ends, so the operator commands and the admin API can be tried.
	Keep bool
	// AllowDemoToken: see app.Options.
	AllowDemoToken bool
	// Command is how the user runs dropgate, for the hints printed at the
	// end (default "dropgate").
	Command string
}

// Run tells the story and returns when the order has shipped with
// tracking on the store (or the timeout passes); with Keep, when ctx ends.
func Run(ctx context.Context, o Options) error {
	o.defaults()
	out := o.Out
	ch, sc, err := shopifyChannel(o.Config)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := os.MkdirAll(filepath.Dir(o.LogFile), 0o755); err != nil {
		return err
	}
	logf, err := os.Create(o.LogFile)
	if err != nil {
		return err
	}
	defer logf.Close()
	log := slog.New(slog.NewTextHandler(logf, nil))
	if o.Dir != "" && !within(o.Dir, o.Config.Resolve(o.Config.Store.Path)) && o.Config.Store.Driver == "embedded" {
		fmt.Fprintf(out, "note: %s keeps its store at %s, outside this run's directory %s (${%s}): earlier runs' orders will show up\n",
			o.Config.File, o.Config.Store.Path, o.Dir, DataDirVar)
	}

	// 1. The store: a local Shopify fake where the channel's base_url
	// points (or on a free port, which base_url then names).
	st, err := startStore(ctx, sc, log, out)
	if err != nil {
		return err
	}
	defer st.stop()
	fmt.Fprintf(out, "▸ Shopify store (local fake) for %s at %s\n", sc.ShopDomain, sc.BaseURL)

	// 2. dropgate itself, in this process.
	ln, err := listen(o.Listen, !o.ListenGiven, "dropgate", out)
	if err != nil {
		return err
	}
	a, err := app.Build(ctx, app.Options{Config: o.Config, Listener: ln, Logger: log, AllowDemoToken: o.AllowDemoToken})
	if err != nil {
		ln.Close()
		return err
	}
	defer a.Close()
	st.adoptWebhookOrders(a, ch.Name, log)
	runDone := make(chan error, 1)
	go func() { runDone <- a.Run(ctx) }()
	addr, err := a.Addr(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "▸ dropgate serving %s (data in %s, logs in %s)\n", addr, dataDir(o), o.LogFile)

	// 3. The suppliers: simulated EDI partners answering in their inboxes.
	for _, s := range o.Config.Suppliers {
		sim := simulated(s, o.ShipAfter, log)
		if sim == nil {
			continue
		}
		go sim.Run(ctx, 200*time.Millisecond)
		fmt.Fprintf(out, "▸ supplier %s simulated: 997 + 855 at once, 856 with tracking after %s\n", s.Name, o.ShipAfter)
	}

	// 4. A customer orders: the store has the order, and sends the webhook.
	order, body, err := st.placeOrder(ctx, sc)
	if err != nil {
		return err
	}
	orderID := model.OrderID(ch.Name, fmt.Sprint(order.ID))
	fmt.Fprintf(out, "▸ order %s placed on the store; sending orders/create to /webhooks/%s\n\n", order.Name, ch.Name)
	start := time.Now()
	if err := postWebhook(ctx, ch, addr.String(), body); err != nil {
		return err
	}

	// 5. Follow the order's timeline until it shipped with tracking.
	if err := follow(ctx, a, orderID, out, start, o.Timeout); err != nil {
		return err
	}
	fmt.Fprintln(out)
	for _, f := range st.fake.Fulfillments(order.ID) {
		fmt.Fprintf(out, "✔ on the store: fulfillment %s, %d line(s), %s %s\n", f.Name, len(f.Lines), f.Tracking.Company, strings.Join(f.Tracking.Numbers, ", "))
	}
	if err := summarize(ctx, a, out); err != nil {
		return err
	}
	printHints(out, o, addr.String(), ch.Name, orderID)
	if o.Keep {
		<-ctx.Done()
	}
	cancel()
	if err := <-runDone; err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func (o *Options) defaults() {
	if o.Timeout == 0 {
		o.Timeout = 90 * time.Second
	}
	if o.ShipAfter == 0 {
		o.ShipAfter = 2 * time.Second
	}
	if o.Listen == "" {
		o.Listen = o.Config.Server.Listen
	}
	if o.LogFile == "" {
		o.LogFile = filepath.Join(dataDir(*o), "demo.log")
	}
	if o.Command == "" {
		o.Command = "dropgate"
	}
}

func dataDir(o Options) string {
	if o.Dir != "" {
		return o.Dir
	}
	return "var"
}

// within reports whether path lies in dir.
func within(dir, path string) bool {
	rel, err := filepath.Rel(filepath.Clean(dir), filepath.Clean(path))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
