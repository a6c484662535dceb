package demo

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/app"
)

// follow prints the timeline as it grows until every unit shipped and the
// store shows each shipment. Offsets count from start, when the webhook
// was sent.
func follow(ctx context.Context, a *app.App, orderID string, out io.Writer, start time.Time, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	printed := 0
	for time.Now().Before(deadline) {
		if err := ctx.Err(); err != nil {
			return err
		}
		agg, err := a.Engine.Load(ctx, orderID)
		if err == nil {
			for _, e := range agg.Timeline[printed:] {
				fmt.Fprintf(out, "  %s  %-26s %s\n", offset(e.At.Sub(start)), e.Event, e.Message)
			}
			printed = len(agg.Timeline)
			if done(agg) {
				fmt.Fprintf(out, "\n✔ order %s: %s, with tracking on the store, in %.1fs\n", agg.Order.ChannelOrderNumber, agg.Order.Status, time.Since(start).Seconds())
				return nil
			}
			if agg.Order.Status == model.OrderOnHold {
				return fmt.Errorf("the order went on hold: %s", agg.Order.Holds[0].Reason)
			}
		}
		time.Sleep(150 * time.Millisecond)
	}
	return fmt.Errorf("the order did not ship within %s; see the logs and `dropgate orders show %s`", timeout, orderID)
}

// offset formats a timeline entry's time since the webhook: "+  1.0s". An
// entry stamped a hair before start (clocks of two goroutines) is +0.0s,
// never -0.0s.
func offset(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return fmt.Sprintf("+%5.1fs", d.Seconds())
}

func done(a *model.Aggregate) bool {
	if a.Order.Status != model.OrderShipped || len(a.Shipments) == 0 {
		return false
	}
	for _, s := range a.Shipments {
		if s.ChannelFulfillmentID == "" {
			return false
		}
	}
	return true
}

// summarize says what needs an operator after the run: open exceptions
// and dead letters. A clean run has neither.
func summarize(ctx context.Context, a *app.App, out io.Writer) error {
	xs, _, err := a.Engine.Exceptions(ctx, store.Query{Field: "status", Value: "open", Limit: 100})
	if err != nil {
		return fmt.Errorf("reading exceptions: %w", err)
	}
	dead, _, err := a.Store.DeadLetters(ctx, "", 100)
	if err != nil {
		return fmt.Errorf("reading dead letters: %w", err)
	}
	if len(xs) == 0 && len(dead) == 0 {
		fmt.Fprintln(out, "✔ nothing for an operator: no exceptions, no dead letters")
		return nil
	}
	kinds := map[string]int{}
	for _, x := range xs {
		kinds[string(x.Kind)]++
	}
	var parts []string
	for k, n := range kinds {
		parts = append(parts, fmt.Sprintf("%d %s", n, k))
	}
	sort.Strings(parts)
	fmt.Fprintf(out, "⚠ %d open exception(s) [%s] and %d dead letter(s): see `dropgate exceptions list`\n", len(xs), strings.Join(parts, ", "), len(dead))
	return nil
}

// printHints tells what to try next, as commands that work as printed:
// with --keep against this run's server (its real address, the token from
// the config), without it how to get one.
func printHints(out io.Writer, o Options, addr, channel, orderID string) {
	if !o.Keep {
		fmt.Fprintf(out, "\nThis run's 850 and the supplier's answers are under %s.\n", dataDir(o))
		fmt.Fprintf(out, "To try the operator commands on it, keep it running:\n  %s demo --keep\n", o.Command)
		return
	}
	srv := "--url http://" + addr + " --config " + o.Config.File
	fmt.Fprintf(out, "\nStill running (Ctrl-C stops it). In another terminal, in this directory:\n")
	for _, h := range []string{
		"orders show " + orderID + " " + srv,
		"trigger --config " + o.Config.File + " --connector " + channel + " --event orders/create --url http://" + addr,
		"orders list " + srv,
		"exceptions list " + srv,
		"connectors " + srv,
		"queues " + srv,
	} {
		fmt.Fprintf(out, "  %s %s\n", o.Command, h)
	}
	fmt.Fprintf(out, "  curl http://%s/metrics\n", addr)
	fmt.Fprintf(out, "(--config gives the admin token: $DROPGATE_ADMIN_TOKEN, or the demo's own.)\n")
}
