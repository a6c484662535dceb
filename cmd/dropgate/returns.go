package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/dropgate/dropgate/core/app/returns"
	"github.com/dropgate/dropgate/core/model"
)

// returnStatuses are the values of returns list --status.
var returnStatuses = []string{string(model.ReturnRequested), string(model.ReturnAuthorized), string(model.ReturnReceived),
	string(model.ReturnRefunded), string(model.ReturnRejected)}

// lineFlags collects repeated --line SKU:QTY.
type lineFlags []returns.RequestLine

func (l *lineFlags) String() string { return "" }

func (l *lineFlags) Set(s string) error {
	rl, err := returns.ParseLine(s)
	if err != nil {
		return err
	}
	*l = append(*l, rl)
	return nil
}

// runOrdersReturn is `dropgate orders return ID --line SKU:QTY… [--reason]`:
// a return of shipped units, sent to the suppliers that shipped them.
func runOrdersReturn(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var lines lineFlags
	var reason string
	fs, af, c, help, err := adminCommand("orders return", args, stderr, func(fs *flag.FlagSet) {
		fs.Var(&lines, "line", "`SKU:QTY` to return (repeat for more lines)")
		fs.StringVar(&reason, "reason", "", "why, for the timeline and the supplier's RMA request")
	})
	if help || err != nil {
		return err
	}
	if fs.NArg() != 1 || len(lines) == 0 {
		return userErrorf("usage: dropgate orders return ID --line SKU:QTY [--line SKU:QTY…] [--reason TEXT]")
	}
	var res struct {
		Returns []model.Return `json:"returns"`
	}
	body := map[string]any{"lines": lines, "reason": reason}
	return show(ctx, c, af, stdout, "POST", "/orders/"+url.PathEscape(fs.Arg(0))+"/returns", body, &res, func() error {
		for _, r := range res.Returns {
			fmt.Fprintf(stdout, "return %s opened: %s to %s (PO %s), refund %s; the supplier is asked for an RMA\n",
				r.ID, returnLines(r.Lines), r.Supplier, r.PONumber, r.Refund)
		}
		return nil
	})
}

// runReturnsList is `dropgate returns list`: one page of returns, newest
// first.
func runReturnsList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var status, supplier, order string
	var limit int
	_, af, c, help, err := adminCommand("returns list", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&status, "status", "", "only returns in this `status` ("+strings.Join(returnStatuses, ", ")+")")
		fs.StringVar(&supplier, "supplier", "", "only returns to this `supplier`")
		fs.StringVar(&order, "order", "", "only returns of this order `ID`")
		fs.IntVar(&limit, "limit", 50, "at most `N` returns (1-500)")
	}, func() error {
		if limit < 1 || limit > 500 {
			return userErrorf("--limit %d: want 1 to 500", limit)
		}
		return oneOf("status", status, returnStatuses)
	})
	if help || err != nil {
		return err
	}
	q := url.Values{"limit": {fmt.Sprint(limit)}}
	for k, v := range map[string]string{"status": status, "supplier": supplier, "order": order} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var res struct {
		Returns []model.Return `json:"returns"`
		Next    string         `json:"next"`
	}
	return show(ctx, c, af, stdout, "GET", "/returns?"+q.Encode(), nil, &res, func() error {
		var rows [][]string
		for _, r := range res.Returns {
			rows = append(rows, []string{r.ID, r.OrderID, r.Supplier, r.PONumber, dash(r.RMA), string(r.Status), returnLines(r.Lines),
				r.Refund.String(), r.Credit.String(), day(r.Created)})
		}
		return printTable(stdout, []string{"RETURN", "ORDER", "SUPPLIER", "PO", "RMA", "STATUS", "LINES", "REFUND", "CREDIT", "OPENED"}, rows)
	})
}

// runReturnsShow is `dropgate returns show ID`.
func runReturnsShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, af, c, help, err := adminCommand("returns show", args, stderr, nil)
	if help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return userErrorf("usage: dropgate returns show ID")
	}
	var r model.Return
	return show(ctx, c, af, stdout, "GET", "/returns/"+url.PathEscape(fs.Arg(0)), nil, &r, func() error {
		fmt.Fprintf(stdout, "return %s of order %s: %s\nsupplier %s, PO %s, RMA %s\nlines: %s\nrefund %s, supplier credit %s\n",
			r.ID, r.OrderID, r.Status, r.Supplier, r.PONumber, dash(r.RMA), returnLines(r.Lines), r.Refund, r.Credit)
		if r.Reason != "" {
			fmt.Fprintf(stdout, "reason: %s\n", r.Reason)
		}
		if r.Note != "" {
			fmt.Fprintf(stdout, "note: %s\n", r.Note)
		}
		return nil
	})
}

// returnDecision is `dropgate returns authorize|reject|received ID`: the
// supplier's answer, recorded by an operator.
func returnDecision(action string) func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		var rma, reason string
		fs, af, c, help, err := adminCommand("returns "+action, args, stderr, func(fs *flag.FlagSet) {
			switch action {
			case "authorize":
				fs.StringVar(&rma, "rma", "", "the supplier's RMA `NUMBER` (default: the return's id)")
			case "reject":
				fs.StringVar(&reason, "reason", "", "why the supplier refused it")
			}
		})
		if help || err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return userErrorf("usage: dropgate returns %s ID", action)
		}
		var r model.Return
		body := map[string]string{"rma": rma, "reason": reason}
		return show(ctx, c, af, stdout, "POST", "/returns/"+url.PathEscape(fs.Arg(0))+"/"+action, body, &r, func() error {
			fmt.Fprintf(stdout, "return %s: %s", r.ID, r.Status)
			if r.RMA != "" {
				fmt.Fprintf(stdout, " (RMA %s)", r.RMA)
			}
			if r.Status == model.ReturnReceived {
				fmt.Fprintf(stdout, ": refund %s and supplier credit %s follow", r.Refund, r.Credit)
			}
			fmt.Fprintln(stdout)
			return nil
		})
	}
}

func returnLines(lines []model.ReturnLine) string {
	parts := make([]string, 0, len(lines))
	for _, l := range lines {
		parts = append(parts, fmt.Sprintf("%s:%d", l.SKU, l.Quantity))
	}
	return strings.Join(parts, " ")
}

func returnCommands() []*command {
	return []*command{
		{name: "list", synopsis: "[--status S] [--supplier S] [--order ID] [--limit N] " + adminSynopsis,
			summary: "list customer returns, newest first, with RMA, status, refund and supplier credit", run: runReturnsList},
		{name: "show", synopsis: "ID " + adminSynopsis, summary: "one return", run: runReturnsShow},
		{name: "authorize", synopsis: "ID [--rma NUMBER] " + adminSynopsis,
			summary: "record the supplier's authorisation of a return", run: returnDecision("authorize")},
		{name: "reject", synopsis: "ID [--reason TEXT] " + adminSynopsis,
			summary: "record that the supplier refused a return", run: returnDecision("reject")},
		{name: "received", synopsis: "ID " + adminSynopsis,
			summary: "the supplier has the units back: refund the customer, record the supplier's credit", run: returnDecision("received")},
	}
}
