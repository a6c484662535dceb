package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/app/margins"
	"github.com/dropgate/dropgate/core/margin"
	"github.com/dropgate/dropgate/internal/app"
)

// marginFlags are reports margin's own flags.
type marginFlags struct{ since, until, by, format string }

// runReportsMargin is `dropgate reports margin --since 720h [--by
// supplier|channel] [--format table|csv]`: the margin of the orders
// received in the period, per supplier and per channel, one row per
// currency. Like route --replay it asks the server that holds the store,
// or with --config reads the store itself when no server does.
func runReportsMargin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("reports margin", stderr)
	af := &adminFlags{}
	af.register(fs)
	var f marginFlags
	fs.StringVar(&f.since, "since", "", "orders received since `T`: a span back from now (720h, 30d) or a time (RFC 3339, 2006-01-02)")
	fs.StringVar(&f.until, "until", "", "orders received before `T` (default now)")
	fs.StringVar(&f.by, "by", "", "only the rows by `GROUP`: supplier or channel (default both)")
	fs.StringVar(&f.format, "format", "table", "output `format`: table or csv (--json: the API's JSON)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if f.since == "" {
		return userErrorf("--since is required (720h, 30d or a time)")
	}
	if err := oneOf("by", f.by, []string{"supplier", "channel"}); err != nil {
		return err
	}
	if err := oneOf("format", f.format, []string{"table", "csv"}); err != nil {
		return err
	}
	since, until, err := period(f.since, f.until)
	if err != nil {
		return err
	}
	s, where, err := marginSummary(ctx, af, since, until, f.by, stderr)
	if err != nil {
		return err
	}
	switch f.by {
	case "supplier":
		s.ByChannel = nil
	case "channel":
		s.BySupplier = nil
	}
	switch {
	case af.json:
		return writeJSON(stdout, s)
	case f.format == "csv":
		return marginCSV(stdout, s)
	}
	fmt.Fprintf(stdout, "margin of %d order(s) received since %s (%s; %d cancelled left out)\n", s.Orders, when(s.Since), where, s.Cancelled)
	if s.Unpriced > 0 {
		fmt.Fprintf(stdout, "%d order(s) could not be priced: %v\n", s.Unpriced, s.UnpricedIDs)
	}
	for _, g := range []struct {
		title string
		rows  []margin.Row
	}{{"SUPPLIER", s.BySupplier}, {"CHANNEL", s.ByChannel}} {
		if g.rows == nil {
			continue
		}
		fmt.Fprintln(stdout)
		var rows [][]string
		for _, r := range g.rows {
			rows = append(rows, []string{r.Group, r.Currency, strconv.Itoa(r.Orders), r.Revenue.Decimal().String(), r.Shipping.Decimal().String(),
				r.SupplierCost.Decimal().String(), r.SupplierFees.Decimal().String(), r.ShippingCost.Decimal().String(),
				r.PaymentFees.Decimal().String(), r.Margin.Decimal().String(), dash(r.MarginPercent)})
		}
		if err := printTable(stdout, []string{g.title, "CUR", "ORDERS", "REVENUE", "SHIPPING", "SUPPLIER COST", "SUPPLIER FEES",
			"SHIPPING COST", "PAYMENT FEES", "MARGIN", "MARGIN %"}, rows); err != nil {
			return err
		}
	}
	return nil
}

// marginCSV writes one row per (grouping, group, currency), amounts as
// decimal strings with the currency in a column of its own.
func marginCSV(w io.Writer, s *margins.Summary) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"by", "group", "currency", "orders", "revenue", "refunds", "shipping", "supplier_cost", "supplier_fees",
		"shipping_cost", "payment_fees", "cost", "margin", "margin_percent"}); err != nil {
		return err
	}
	for _, g := range []struct {
		by   string
		rows []margin.Row
	}{{"supplier", s.BySupplier}, {"channel", s.ByChannel}} {
		for _, r := range g.rows {
			rec := []string{g.by, r.Group, r.Currency, strconv.Itoa(r.Orders)}
			for _, m := range []interface{ String() string }{r.Revenue.Decimal(), r.Refunds.Decimal(), r.Shipping.Decimal(), r.SupplierCost.Decimal(),
				r.SupplierFees.Decimal(), r.ShippingCost.Decimal(), r.PaymentFees.Decimal(), r.Cost.Decimal(), r.Margin.Decimal()} {
				rec = append(rec, m.String())
			}
			if err := cw.Write(append(rec, r.MarginPercent)); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// marginSummary asks the server, or reads the store of --config when no
// server holds it (remote.go says which first).
func marginSummary(ctx context.Context, af *adminFlags, since, until time.Time, by string, stderr io.Writer) (*margins.Summary, string, error) {
	if af.config == "" {
		return marginOnServer(ctx, af, since, until, by)
	}
	cfg, err := loadConfig(af.config, stderr)
	if err != nil {
		return nil, "", err
	}
	return storeOrServer(ctx, cfg, af.url, "report",
		func() (*margins.Summary, string, error) { return marginOnServer(ctx, af, since, until, by) },
		func(src app.ReplaySource) (*margins.Summary, error) {
			return app.MarginReport(ctx, cfg, src, since, until)
		})
}

// marginOnServer is GET /api/v1/reports/margin.
func marginOnServer(ctx context.Context, af *adminFlags, since, until time.Time, by string) (*margins.Summary, string, error) {
	c, err := af.client()
	if err != nil {
		return nil, "", noClient{err}
	}
	q := url.Values{"since": {since.Format(time.RFC3339)}}
	if !until.IsZero() {
		q.Set("until", until.Format(time.RFC3339))
	}
	if by != "" {
		q.Set("by", by)
	}
	var s margins.Summary
	if _, err := call(ctx, c, "GET", "/reports/margin?"+q.Encode(), &s); err != nil {
		return nil, "", err
	}
	return &s, "the server at " + serverURL(c), nil
}
