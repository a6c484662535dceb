package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/config"
)

// runRoute dry-runs routing for an order and explains every decision. The
// order is a channel's webhook body (decoded by that channel's connector)
// or a canonical order as `dropgate orders show --json` prints it. It
// routes against the offers the server routes with: the running server's
// live catalog when a server owns the store, otherwise the catalog files
// and the feed snapshots applied in the store (route_remote.go), and it
// says which.
func runRoute(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("route", stderr)
	cfgPath := fs.String("config", os.Getenv("DROPGATE_CONFIG"), "config `file`")
	explain := fs.String("explain", "", "order `file` to route (a channel webhook body or a canonical order)")
	channel := fs.String("channel", "", "channel `name` whose connector decodes the file (default: the first channel)")
	asJSON := fs.Bool("json", false, "print the routing result as JSON")
	url := fs.String("url", os.Getenv("DROPGATE_URL"), "ask the server at `URL` (default: when it holds the store, the config's listen address)")
	token := fs.String("token", "", "admin bearer `token` (default: $DROPGATE_ADMIN_TOKEN, or the config's server.admin_token)")
	replayMode := fs.Bool("replay", false, "re-route the stored orders under --config's rules and report what would change (route_replay.go)")
	since := fs.String("since", "30d", "with --replay: orders created since `T` (30d, 12h, RFC 3339, 2006-01-02)")
	until := fs.String("until", "", "with --replay: orders created before `T`")
	if help, err := parse(fs, reorder(args, "json", "replay", "h", "help")); help || err != nil {
		return err
	}
	if *replayMode {
		return runReplay(ctx, replayFlags{cfgPath: *cfgPath, since: *since, until: *until, url: *url, token: *token, json: *asJSON}, stdout, stderr)
	}
	if *explain == "" && fs.NArg() == 1 {
		*explain = fs.Arg(0)
	}
	if *explain == "" {
		return userErrorf("usage: dropgate route --config FILE --explain ORDER.json")
	}
	cfg, err := loadConfig(*cfgPath, stderr)
	if err != nil {
		return err
	}
	body, err := os.ReadFile(*explain)
	if err != nil {
		return userError{err}
	}
	order, err := orderFromFile(ctx, cfg, *channel, body)
	if err != nil {
		return userErrorf("%s: %v", *explain, err)
	}
	ex, err := explainOrder(ctx, explainer{cfg: cfg, cfgPath: *cfgPath, url: *url, token: *token, stderr: stderr}, order)
	if err != nil {
		return err
	}
	for _, h := range ex.Holds {
		fmt.Fprintf(stderr, "note: this order would be held: %s\n", h)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ex)
	}
	fmt.Fprintf(stdout, "offers: %s\n", offersLine(ex))
	if ex.Note != "" {
		fmt.Fprintf(stdout, "note: %s\n", ex.Note)
	}
	return ex.Explain(stdout)
}

// orderFromFile reads a canonical order, or decodes a channel payload.
func orderFromFile(ctx context.Context, cfg *config.Config, channel string, body []byte) (*model.Order, error) {
	var probe struct {
		ChannelOrderID string          `json:"channel_order_id"`
		Lines          json.RawMessage `json:"lines"`
		Order          json.RawMessage `json:"order"`
	}
	_ = json.Unmarshal(body, &probe)
	if probe.ChannelOrderID != "" && len(probe.Lines) > 0 {
		var o model.Order
		if err := json.Unmarshal(body, &o); err != nil {
			return nil, fmt.Errorf("canonical order: %w", err)
		}
		return &o, nil
	}
	if probe.Order != nil && bytes.Contains(probe.Order, []byte(`"channel_order_id"`)) {
		// `dropgate orders show --json` prints the whole aggregate.
		var a model.Aggregate
		if err := json.Unmarshal(body, &a); err != nil {
			return nil, fmt.Errorf("order aggregate: %w", err)
		}
		return &a.Order, nil
	}
	for _, c := range cfg.Channels {
		if channel != "" && c.Name != channel {
			continue
		}
		inst, err := c.Spec.Build(connector.Env{Name: c.Name, Logger: newLogger(io.Discard)}, c.Settings)
		if err != nil {
			return nil, err
		}
		dec, ok := connector.As[connector.EventDecoder](inst)
		if !ok {
			continue
		}
		events, err := dec.DecodeEvent(ctx, "orders/create", body)
		if err != nil {
			return nil, fmt.Errorf("as a %s order (%s): %w", c.Type, c.Name, err)
		}
		for _, ev := range events {
			if ev.Order != nil {
				return ev.Order, nil
			}
		}
	}
	if channel != "" {
		return nil, fmt.Errorf("no channel named %q can decode orders", channel)
	}
	return nil, fmt.Errorf("neither a canonical order nor an order any configured channel decodes")
}
