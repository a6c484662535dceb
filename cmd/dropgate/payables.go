package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/dropgate/dropgate/core/margin"
	"github.com/dropgate/dropgate/core/model"
)

// payableFilters are the flags payables list and export share.
type payableFilters struct{ supplier, status, since string }

func (p *payableFilters) register(fs *flag.FlagSet) {
	fs.StringVar(&p.supplier, "supplier", "", "only payables of this `supplier`")
	fs.StringVar(&p.status, "status", "", "only payables in this `status` (open, paid)")
	fs.StringVar(&p.since, "since", "", "only payables recorded since `DATE` (2006-01-02 or RFC 3339)")
}

func (p *payableFilters) check() error { return oneOf("status", p.status, []string{"open", "paid"}) }

func (p *payableFilters) query(limit int) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"supplier": p.supplier, "status": p.status, "since": p.since} {
		if v != "" {
			q.Set(k, v)
		}
	}
	q.Set("limit", fmt.Sprint(limit))
	return q
}

type payablePage struct {
	Payables []model.Payable `json:"payables"`
	Next     string          `json:"next"`
}

// runPayablesList is `dropgate payables list`: one page of payables,
// newest first.
func runPayablesList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f payableFilters
	var limit int
	_, af, c, help, err := adminCommand("payables list", args, stderr, func(fs *flag.FlagSet) {
		f.register(fs)
		fs.IntVar(&limit, "limit", 50, "at most `N` payables (1-500)")
	}, func() error {
		if limit < 1 || limit > 500 {
			return userErrorf("--limit %d: want 1 to 500", limit)
		}
		return f.check()
	})
	if help || err != nil {
		return err
	}
	var res payablePage
	return show(ctx, c, af, stdout, "GET", "/payables?"+f.query(limit).Encode(), nil, &res, func() error {
		var rows [][]string
		for _, p := range res.Payables {
			flag := ""
			if len(p.Mismatches) > 0 {
				flag = fmt.Sprintf("%d mismatch(es)", len(p.Mismatches))
			}
			rows = append(rows, []string{p.ID, p.Supplier, p.InvoiceNumber, p.PONumber, p.OrderID, day(p.InvoiceDate), day(p.DueDate),
				p.Amount.String(), string(p.Status), dash(flag)})
		}
		if err := printTable(stdout, []string{"PAYABLE", "SUPPLIER", "INVOICE", "PO", "ORDER", "DATED", "DUE", "AMOUNT", "STATUS", "FLAGS"}, rows); err != nil {
			return err
		}
		if res.Next != "" {
			fmt.Fprintf(stdout, "(more: --limit, or payables export for all of them)\n")
		}
		return nil
	})
}

// runPayablesExport is `dropgate payables export --format csv`: every
// payable matching the filters, one CSV row each, amounts as decimal
// strings with their currency in a column of its own (--json: one JSON
// array instead).
func runPayablesExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f payableFilters
	var format string
	_, af, c, help, err := adminCommand("payables export", args, stderr, func(fs *flag.FlagSet) {
		f.register(fs)
		fs.StringVar(&format, "format", "csv", "output `format` (csv)")
	}, func() error {
		if err := oneOf("format", format, []string{"csv"}); err != nil {
			return err
		}
		return f.check()
	})
	if help || err != nil {
		return err
	}
	if af.json {
		all := []model.Payable{}
		if err := eachPayable(ctx, c, f.query(500), func(p model.Payable) error { all = append(all, p); return nil }); err != nil {
			return err
		}
		return writeJSON(stdout, all)
	}
	w := csv.NewWriter(stdout)
	if err := w.Write([]string{"id", "supplier", "invoice_number", "po_number", "order_id", "invoice_date", "due_date",
		"amount", "currency", "status", "paid_at", "mismatches"}); err != nil {
		return err
	}
	err = eachPayable(ctx, c, f.query(500), func(p model.Payable) error {
		paid := ""
		if p.PaidAt != nil {
			paid = p.PaidAt.UTC().Format(time.RFC3339)
		}
		mm := ""
		for i, m := range p.Mismatches {
			if i > 0 {
				mm += "; "
			}
			mm += m
		}
		return w.Write([]string{p.ID, p.Supplier, p.InvoiceNumber, p.PONumber, p.OrderID, day(p.InvoiceDate), day(p.DueDate),
			p.Amount.Decimal().String(), p.Amount.Currency, string(p.Status), paid, mm})
	})
	if err != nil {
		return err
	}
	w.Flush()
	return w.Error()
}

// eachPayable follows the list's cursor to the end.
func eachPayable(ctx context.Context, c *resty.Client, q url.Values, fn func(model.Payable) error) error {
	for {
		var res payablePage
		if _, err := call(ctx, c, "GET", "/payables?"+q.Encode(), &res); err != nil {
			return err
		}
		for _, p := range res.Payables {
			if err := fn(p); err != nil {
				return err
			}
		}
		if res.Next == "" {
			return nil
		}
		q.Set("cursor", res.Next)
	}
}

// runPayablesPaid is `dropgate payables paid ID`: the operator records the
// payment.
func runPayablesPaid(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, af, c, help, err := adminCommand("payables paid", args, stderr, nil)
	if help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return userErrorf("usage: dropgate payables paid ID")
	}
	var p model.Payable
	return show(ctx, c, af, stdout, "POST", "/payables/"+url.PathEscape(fs.Arg(0))+"/paid", nil, &p, func() error {
		fmt.Fprintf(stdout, "payable %s (%s invoice %s, %s) marked paid\n", p.ID, p.Supplier, p.InvoiceNumber, p.Amount)
		return nil
	})
}

// printMargin renders an order's margin: one line per currency, then the
// cost of each PO and its basis.
func printMargin(w io.Writer, m margin.Report) {
	fmt.Fprintln(w, "\nMargin")
	for _, l := range m.Currencies {
		fees := ""
		if !l.PaymentFees.IsZero() {
			fees = fmt.Sprintf(" − payment fees %s", l.PaymentFees)
		}
		fmt.Fprintf(w, "  %s: revenue %s (refunds %s) − cost %s%s = %s\n", l.Currency, l.Revenue, l.Refunds, l.Cost, fees, l.Margin)
		fmt.Fprintf(w, "       shipping charged %s; cost: goods %s, supplier fees %s, shipping %s; margin %s %%\n",
			l.Shipping.Decimal(), l.SupplierCost.Decimal(), l.SupplierFees.Decimal(), l.ShippingCost.Decimal(), dash(l.MarginPercent))
	}
	for _, p := range m.POs {
		fmt.Fprintf(w, "  %s → %s: %s (%s)\n", p.PONumber, p.Supplier, p.Cost, p.Basis)
	}
	for _, p := range m.Payments {
		fmt.Fprintf(w, "  payment %s: fee %s on %s captured\n", p.Provider, p.Fee, p.Captured)
	}
}

// day is a date without its time, or "-".
func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}
