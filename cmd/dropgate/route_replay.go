package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/app/replay"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/gateway"
	"github.com/dropgate/dropgate/internal/app"
	"github.com/dropgate/dropgate/internal/config"
)

// replayFlags are route --replay's.
type replayFlags struct {
	cfgPath, since, until, url, token string
	json                              bool
}

// runReplay is `dropgate route --replay --since 30d --config NEW.yaml`:
// the stored orders of the period routed again under NEW.yaml, writing
// nothing, and a report of what would change. Like route --explain it
// asks the server that holds the store, or reads the store itself when
// no server does (remote.go).
func runReplay(ctx context.Context, f replayFlags, stdout, stderr io.Writer) error {
	since, until, err := period(f.since, f.until)
	if err != nil {
		return err
	}
	// The new config is checked with the real loader, its problems
	// printed as FILE:LINE before anything runs.
	cfg, err := loadConfig(f.cfgPath, stderr)
	if err != nil {
		return err
	}
	rep, where, err := replayOrders(ctx, cfg, f, since, until, stderr)
	if err != nil {
		return err
	}
	if f.json {
		return writeJSON(stdout, struct {
			*replay.Report
			Where string `json:"where"`
		}{rep, where})
	}
	fmt.Fprintf(stdout, "replayed %d order(s) from %s under %s (%s); nothing was written\n", rep.Orders, when(rep.Since), f.cfgPath, where)
	return printReplay(stdout, rep)
}

// replayOrders runs the replay where the orders are: on the server that
// holds the store, else on the store read-only.
func replayOrders(ctx context.Context, cfg *config.Config, f replayFlags, since, until time.Time, stderr io.Writer) (*replay.Report, string, error) {
	return storeOrServer(ctx, cfg, f.url, "replay",
		func() (*replay.Report, string, error) { return replayOnServer(ctx, f, since, until, stderr) },
		func(src app.ReplaySource) (*replay.Report, error) {
			rep, err := app.Replay(ctx, cfg, src, since, until, clock.Real{})
			return rep, userIfConfig(err)
		})
}

// userIfConfig makes a replay's failure on the new config (a catalog
// file it cannot load) a user error; store failures stay runtime ones.
func userIfConfig(err error) error {
	if errors.Is(err, app.ErrReplayConfig) {
		return userError{err}
	}
	return err
}

// replayOnServer posts the new config: POST /api/v1/route/replay.
func replayOnServer(ctx context.Context, f replayFlags, since, until time.Time, stderr io.Writer) (*replay.Report, string, error) {
	c, err := serverClient(f.cfgPath, f.url, f.token)
	if err != nil {
		return nil, "", noClient{err}
	}
	body, err := os.ReadFile(f.cfgPath)
	if err != nil {
		return nil, "", userError{err}
	}
	q := map[string]string{"since": since.Format(time.RFC3339), "file": f.cfgPath}
	if !until.IsZero() {
		q["until"] = until.Format(time.RFC3339)
	}
	resp, err := c.R().SetContext(ctx).SetHeader("Content-Type", "application/yaml").SetQueryParams(q).SetBody(body).Post("/route/replay")
	if err != nil {
		return nil, "", fmt.Errorf("POST /route/replay: %w", err)
	}
	where := "the server at " + serverURL(c)
	switch resp.StatusCode() {
	case 200:
		var rep replay.Report
		if err := json.Unmarshal(resp.Body(), &rep); err != nil {
			return nil, "", fmt.Errorf("decoding the replay: %w", err)
		}
		return &rep, where, nil
	case 401:
		return nil, "", userErrorf("the server refused the admin token")
	case 422, 400, 413:
		var p gateway.ReplayProblems
		_ = json.Unmarshal(resp.Body(), &p)
		for _, line := range p.Problems {
			fmt.Fprintln(stderr, line)
		}
		return nil, "", userErrorf("%s: %s", where, firstNonEmptyStr(p.Error, strings.TrimSpace(string(resp.Body()))))
	}
	return nil, "", fmt.Errorf("POST /route/replay: %s: %s", resp.Status(), strings.TrimSpace(string(resp.Body())))
}

// printReplay prints the report as tables.
func printReplay(w io.Writer, rep *replay.Report) error {
	fmt.Fprintln(w)
	if err := printTable(w, []string{"", "BEFORE", "AFTER"}, [][]string{
		{"purchase orders", strconv.Itoa(rep.Before.PurchaseOrders), strconv.Itoa(rep.After.PurchaseOrders)},
		{"split orders", strconv.Itoa(rep.Before.SplitOrders), strconv.Itoa(rep.After.SplitOrders)},
		{"landed cost", moneyList(rep.Before.Landed), moneyList(rep.After.Landed)},
		{"margin", moneyList(rep.Before.Margin), moneyList(rep.After.Margin)},
	}); err != nil {
		return err
	}
	if rep.Truncated {
		fmt.Fprintf(w, "(the period holds more than %d orders: only the newest %d were replayed; narrow it with --since/--until)\n", replay.MaxOrders, rep.Orders)
	}
	if rep.Skipped > 0 {
		fmt.Fprintf(w, "(%d cancelled order(s) left out)\n", rep.Skipped)
	}
	fmt.Fprintf(w, "\n%d order(s) would change\n", len(rep.Changed))
	if len(rep.Changed) > 0 {
		var rows [][]string
		for _, c := range rep.Changed {
			base := []string{c.OrderID, dash(c.Number), fmt.Sprintf("%d → %d", c.POsBefore, c.POsAfter), moneyList(c.LandedBefore) + " → " + moneyList(c.LandedAfter)}
			if len(c.Lines) == 0 {
				rows = append(rows, append(base, "-", "-"))
			}
			for i, l := range c.Lines {
				if i > 0 {
					base = []string{"", "", "", ""}
				}
				rows = append(rows, append(base, fmt.Sprintf("%s (%s ×%d)", l.LineID, l.SKU, l.Qty), orNone(l.From)+" → "+orNone(l.To)))
			}
		}
		if err := printTable(w, []string{"ORDER", "NUMBER", "POS", "LANDED", "LINE", "SUPPLIER"}, rows); err != nil {
			return err
		}
	}
	if len(rep.Unroutable) > 0 {
		fmt.Fprintf(w, "\n%d order(s) the new rules cannot route\n", len(rep.Unroutable))
		for _, u := range rep.Unroutable {
			fmt.Fprintf(w, "  %s %s: %s\n", u.OrderID, dash(u.Number), strings.Join(u.Lines, "; "))
		}
	}
	if len(rep.Held) > 0 {
		fmt.Fprintf(w, "\n%d order(s) intake would hold\n", len(rep.Held))
		for _, h := range rep.Held {
			reasons := make([]string, len(h.Holds))
			for i, x := range h.Holds {
				reasons[i] = x.Code + ": " + x.Reason
			}
			fmt.Fprintf(w, "  %s %s: %s\n", h.OrderID, dash(h.Number), strings.Join(reasons, "; "))
		}
	}
	return nil
}

// moneyList prints per-currency amounts ("-" for none).
func moneyList(ms []money.Money) string {
	if len(ms) == 0 {
		return "-"
	}
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return strings.Join(parts, " + ")
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return strings.Join(s, "+")
}

// period reads --since and --until (a span back from now or a time; no
// --until: up to now).
func period(sinceFlag, untilFlag string) (since, until time.Time, err error) {
	now := time.Now().UTC()
	if since, err = replay.ParseWhen(sinceFlag, now); err != nil {
		return since, until, userErrorf("--since: %v", err)
	}
	if untilFlag != "" {
		if until, err = replay.ParseWhen(untilFlag, now); err != nil {
			return since, until, userErrorf("--until: %v", err)
		}
	}
	return since, until, nil
}
