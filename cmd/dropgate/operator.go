package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/user"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/config"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// adminFlags are the flags every operator command shares.
type adminFlags struct {
	url, token, config string
	json               bool
}

func (f *adminFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "url", os.Getenv("DROPGATE_URL"), "server `URL` (default: the config's listen address, or http://127.0.0.1:8080)")
	fs.StringVar(&f.token, "token", "", "admin bearer `token` (default: $DROPGATE_ADMIN_TOKEN, or the config's server.admin_token)")
	fs.StringVar(&f.config, "config", os.Getenv("DROPGATE_CONFIG"), "config `file` to read the URL and token from")
	fs.BoolVar(&f.json, "json", false, "print the API's JSON")
}

// client builds the admin API client. The token comes from the flag, the
// environment or the config, never from a file the CLI writes.
func (f *adminFlags) client() (*resty.Client, error) {
	base, token := f.url, f.token
	if token == "" {
		token = os.Getenv("DROPGATE_ADMIN_TOKEN")
	}
	if f.config != "" && (base == "" || token == "") {
		cfg, probs, err := config.Load(f.config, config.Options{})
		if err != nil {
			return nil, userError{err}
		}
		if len(probs.Errors()) > 0 {
			return nil, userErrorf("%s has problems; run dropgate validate", f.config)
		}
		if base == "" {
			base = "http://" + dialable(cfg.Server.Listen)
		}
		if token == "" {
			token = cfg.Server.AdminToken.Reveal()
		}
	}
	if base == "" {
		base = "http://127.0.0.1:8080"
	}
	if token == "" {
		return nil, userErrorf("no admin token: set DROPGATE_ADMIN_TOKEN, --token or --config")
	}
	who := "cli"
	if u, err := user.Current(); err == nil {
		who = "cli:" + u.Username
	}
	c := httpclient.New(httpclient.Options{Name: "admin-cli", Timeout: 30 * time.Second}).
		SetBaseURL(strings.TrimRight(base, "/")+"/api/v1").SetAuthToken(token).SetHeader("X-Dropgate-Actor", who)
	return c, nil
}

// call does one request and decodes the answer; API errors become user
// errors (404, 409) or runtime errors.
func call(ctx context.Context, c *resty.Client, method, path string, out any) ([]byte, error) {
	return callWith(ctx, c, method, path, nil, out)
}

// callWith is call with a JSON request body.
func callWith(ctx context.Context, c *resty.Client, method, path string, reqBody, out any) ([]byte, error) {
	req := c.R().SetContext(ctx)
	if reqBody != nil {
		req.SetBody(reqBody)
	}
	resp, err := req.Execute(method, path)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w (is dropgate serve running?)", method, path, err)
	}
	body := resp.Body()
	if resp.IsError() {
		var e struct{ Error string }
		_ = json.Unmarshal(body, &e)
		msg := firstNonEmptyStr(e.Error, strings.TrimSpace(string(body)))
		switch resp.StatusCode() {
		case 401:
			return nil, userErrorf("the server refused the admin token")
		case 404, 409, 400:
			return nil, userErrorf("%s", msg)
		}
		return nil, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status(), msg)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return nil, fmt.Errorf("decoding %s: %w", path, err)
		}
	}
	return body, nil
}

func firstNonEmptyStr(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// printTable prints a header and rows aligned in columns.
func printTable(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

func printJSON(w io.Writer, b []byte) {
	var v any
	if json.Unmarshal(b, &v) == nil {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(v)
		return
	}
	w.Write(b)
}

// runOrders is `dropgate orders list|show ID`.
func runOrders(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return userErrorf("usage: dropgate orders list [--status S] [--channel C] [--supplier S] [--since DATE] | show ID")
	}
	sub, args := args[0], args[1:]
	fs := newFlags("orders "+sub, stderr)
	var af adminFlags
	af.register(fs)
	status := fs.String("status", "", "only orders in this `status` (received, on_hold, routed, processing, partially_shipped, shipped, delivered, cancelled)")
	channel := fs.String("channel", "", "only orders from this `channel`")
	supplier := fs.String("supplier", "", "only orders with a PO to this `supplier`")
	since := fs.String("since", "", "only orders created since `DATE` (2006-01-02 or RFC 3339)")
	limit := fs.Int("limit", 50, "at most `N` orders")
	if help, err := parse(fs, reorder(args, "json", "all", "h", "help")); help || err != nil {
		return err
	}
	c, err := af.client()
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		q := url.Values{}
		for k, v := range map[string]string{"status": *status, "channel": *channel, "supplier": *supplier, "since": *since} {
			if v != "" {
				q.Set(k, v)
			}
		}
		q.Set("limit", fmt.Sprint(*limit))
		var res struct {
			Orders []struct {
				ID, Channel, Number, Total string
				Status                     string
				PlacedAt                   time.Time `json:"placed_at"`
				Suppliers, Holds           []string
			}
			Next string
		}
		body, err := call(ctx, c, "GET", "/orders?"+q.Encode(), &res)
		if err != nil {
			return err
		}
		if af.json {
			printJSON(stdout, body)
			return nil
		}
		var rows [][]string
		for _, o := range res.Orders {
			rows = append(rows, []string{o.ID, o.Channel, o.Number, o.Status, o.Total,
				strings.Join(o.Suppliers, ","), o.PlacedAt.Format("2006-01-02 15:04"), strings.Join(o.Holds, "; ")})
		}
		if err := printTable(stdout, []string{"ORDER", "CHANNEL", "NUMBER", "STATUS", "TOTAL", "SUPPLIERS", "PLACED", "HOLD"}, rows); err != nil {
			return err
		}
		if res.Next != "" {
			fmt.Fprintf(stdout, "(more: --limit or the API's cursor %s)\n", res.Next)
		}
		return nil
	case "show":
		if fs.NArg() != 1 {
			return userErrorf("usage: dropgate orders show ID")
		}
		var a model.Aggregate
		body, err := call(ctx, c, "GET", "/orders/"+url.PathEscape(fs.Arg(0)), &a)
		if err != nil {
			return err
		}
		if af.json {
			printJSON(stdout, body)
			return nil
		}
		printOrder(stdout, &a)
		return nil
	}
	return userErrorf("unknown orders command %q (list, show)", sub)
}

// printOrder renders an order for a person: header, lines, POs,
// shipments, timeline.
func printOrder(w io.Writer, a *model.Aggregate) {
	o := &a.Order
	fmt.Fprintf(w, "Order %s  %s %s  %s\n", o.ID, o.Channel, o.ChannelOrderNumber, strings.ToUpper(string(o.Status)))
	fmt.Fprintf(w, "  placed %s, total %s, payment %s\n", o.PlacedAt.Format(time.RFC3339), o.Totals.Total, firstNonEmptyStr(o.PaymentStatus, "-"))
	if ad := o.ShippingAddress; ad != nil {
		fmt.Fprintf(w, "  ship to %s, %s, %s %s %s %s\n", ad.Name, ad.Line1, ad.City, ad.Region, ad.PostalCode, ad.Country)
	}
	for _, h := range o.Holds {
		fmt.Fprintf(w, "  HOLD %s: %s\n", h.Code, h.Reason)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nLINE\tSKU\tQTY\tSTATE\tROUTED\tSENT\tACKED\tBACKORD\tSHIPPED\tCANCELLED")
	for _, l := range o.Lines {
		q := l.Qty
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", l.ID, l.SKU, l.Quantity, l.State, q.Routed, q.Sent, q.Acknowledged, q.Backordered, q.Shipped, q.Cancelled)
	}
	tw.Flush()
	for _, p := range a.POs {
		fmt.Fprintf(w, "\nPO %s → %s  %s", p.Number, p.Supplier, strings.ToUpper(string(p.Status)))
		if p.Document != "" {
			fmt.Fprintf(w, "  (%s)", p.Document)
		}
		fmt.Fprintln(w)
		for _, l := range p.Lines {
			fmt.Fprintf(w, "  %d. %d × %s (%s) @ %s", l.LineNo, l.Quantity, l.SKU, l.SupplierSKU, l.UnitCost)
			if l.Rejected > 0 {
				fmt.Fprintf(w, "  rejected %d: %s", l.Rejected, l.RejectReason)
			}
			if l.Shipped > 0 {
				fmt.Fprintf(w, "  shipped %d", l.Shipped)
			}
			fmt.Fprintln(w)
		}
	}
	for _, s := range a.Shipments {
		fmt.Fprintf(w, "\nShipment %s from %s (%s) via %s, tracking %s", s.ID, s.Supplier, s.PONumber, firstNonEmptyStr(s.Carrier, "-"), strings.Join(s.TrackingNumbers(), ", "))
		if s.ChannelFulfillmentID != "" {
			fmt.Fprintf(w, ", %s fulfillment %s", o.Channel, s.ChannelFulfillmentID)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "\nTimeline")
	for _, e := range a.Timeline {
		fmt.Fprintf(w, "  %s  %-24s %s  [%s %s]\n", e.At.Format("2006-01-02 15:04:05"), e.Event, e.Message, e.Cause.Kind, e.Cause.Ref)
	}
}

// runDLQ is `dropgate dlq list | replay ID | replay --all | discard ID`.
func runDLQ(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return userErrorf("usage: dropgate dlq list | show ID | replay ID | replay --all | discard ID")
	}
	sub, args := args[0], args[1:]
	fs := newFlags("dlq "+sub, stderr)
	var af adminFlags
	af.register(fs)
	all := fs.Bool("all", false, "replay every dead letter")
	if help, err := parse(fs, reorder(args, "json", "all", "h", "help")); help || err != nil {
		return err
	}
	c, err := af.client()
	if err != nil {
		return err
	}
	id := fs.Arg(0)
	needID := func() error {
		if id == "" {
			return userErrorf("usage: dropgate dlq %s ID", sub)
		}
		return nil
	}
	switch sub {
	case "list":
		var res struct {
			DeadLetters []struct {
				ID, Queue, Kind string
				Attempts        int
				Errors          []struct{ Error string }
				DeadAt          time.Time `json:"dead_at"`
				Size            int       `json:"payload_bytes"`
			} `json:"dead_letters"`
		}
		body, err := call(ctx, c, "GET", "/dead-letters?limit=500", &res)
		if err != nil {
			return err
		}
		if af.json {
			printJSON(stdout, body)
			return nil
		}
		var rows [][]string
		for _, d := range res.DeadLetters {
			last := ""
			if n := len(d.Errors); n > 0 {
				last = d.Errors[n-1].Error
			}
			rows = append(rows, []string{d.ID, d.Kind, strconv.Itoa(d.Attempts), d.DeadAt.Format("2006-01-02 15:04:05"), strconv.Itoa(d.Size), last})
		}
		return printTable(stdout, []string{"ID", "KIND", "ATTEMPTS", "DEAD AT", "BYTES", "LAST ERROR"}, rows)
	case "show":
		if err := needID(); err != nil {
			return err
		}
		body, err := call(ctx, c, "GET", "/dead-letters/"+url.PathEscape(id), nil)
		if err != nil {
			return err
		}
		printJSON(stdout, body)
		return nil
	case "replay":
		path := "/dead-letters/replay"
		if !*all {
			if err := needID(); err != nil {
				return err
			}
			path = "/dead-letters/" + url.PathEscape(id) + "/replay"
		}
		body, err := call(ctx, c, "POST", path, nil)
		if err != nil {
			return err
		}
		printJSON(stdout, body)
		return nil
	case "discard":
		if err := needID(); err != nil {
			return err
		}
		body, err := call(ctx, c, "POST", "/dead-letters/"+url.PathEscape(id)+"/discard", nil)
		if err != nil {
			return err
		}
		printJSON(stdout, body)
		return nil
	}
	return userErrorf("unknown dlq command %q (list, show, replay, discard)", sub)
}

// runExceptions is `dropgate exceptions list | ACTION ID` where ACTION is
// one the exception offers: reroute, retry, discard, resolve.
func runExceptions(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return userErrorf("usage: dropgate exceptions list [--kind K] [--all] | reroute|retry|discard|resolve ID [--note TEXT]")
	}
	sub, args := args[0], args[1:]
	fs := newFlags("exceptions "+sub, stderr)
	var af adminFlags
	af.register(fs)
	kind := fs.String("kind", "", "only exceptions of this `kind`")
	allFlag := fs.Bool("all", false, "include resolved exceptions")
	note := fs.String("note", "", "a `note` for the timeline")
	if help, err := parse(fs, reorder(args, "json", "all", "h", "help")); help || err != nil {
		return err
	}
	c, err := af.client()
	if err != nil {
		return err
	}
	if sub == "list" {
		q := url.Values{"limit": {"500"}}
		if *kind != "" {
			q.Set("kind", *kind)
		}
		if *allFlag {
			q.Set("status", "all")
		}
		var res struct{ Exceptions []model.Exception }
		body, err := call(ctx, c, "GET", "/exceptions?"+q.Encode(), &res)
		if err != nil {
			return err
		}
		if af.json {
			printJSON(stdout, body)
			return nil
		}
		var rows [][]string
		for _, x := range res.Exceptions {
			rows = append(rows, []string{x.ID, string(x.Kind), x.Status, x.OrderID, x.PONumber, strings.Join(x.Actions, ","), x.Reason})
		}
		return printTable(stdout, []string{"ID", "KIND", "STATUS", "ORDER", "PO", "ACTIONS", "REASON"}, rows)
	}
	if fs.NArg() != 1 {
		return userErrorf("usage: dropgate exceptions %s ID", sub)
	}
	body, err := callWith(ctx, c, "POST", "/exceptions/"+url.PathEscape(fs.Arg(0))+"/"+url.PathEscape(sub), map[string]string{"note": *note}, nil)
	if err != nil {
		return err
	}
	printJSON(stdout, body)
	return nil
}
