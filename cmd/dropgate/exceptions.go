package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/dropgate/dropgate/core/model"
)

// runExceptionsList is `dropgate exceptions list`.
func runExceptionsList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var kind, status, supplier, order string
	var all bool
	_, af, c, help, err := adminCommand("exceptions list", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&kind, "kind", "", "only exceptions of this `kind` ("+strings.Join(exceptionKinds(), ", ")+")")
		fs.StringVar(&status, "status", "", "only exceptions in this `status` (open, resolved, all; default open)")
		fs.StringVar(&supplier, "supplier", "", "only exceptions about this `supplier`")
		fs.StringVar(&order, "order", "", "only exceptions about this `order` id")
		fs.BoolVar(&all, "all", false, "include resolved exceptions (--status all)")
	}, func() error {
		if err := oneOf("kind", kind, exceptionKinds()); err != nil {
			return err
		}
		return oneOf("status", status, []string{"open", "resolved", "all"})
	})
	if help || err != nil {
		return err
	}
	// The filters combine: --kind sla_breach --supplier acme lists acme's.
	q := url.Values{"limit": {"500"}}
	if all && status == "" {
		status = "all"
	}
	for k, v := range map[string]string{"kind": kind, "status": status, "supplier": supplier, "order": order} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var res struct{ Exceptions []model.Exception }
	return show(ctx, c, af, stdout, "GET", "/exceptions?"+q.Encode(), nil, &res, func() error {
		var rows [][]string
		for _, x := range res.Exceptions {
			rows = append(rows, []string{x.ID, string(x.Kind), x.Status, dash(x.OrderID), dash(x.PONumber), strings.Join(x.Actions, ","), x.Reason})
		}
		return printTable(stdout, []string{"ID", "KIND", "STATUS", "ORDER", "PO", "ACTIONS", "REASON"}, rows)
	})
}

func exceptionKinds() []string {
	out := make([]string, len(model.ExceptionKinds))
	for i, k := range model.ExceptionKinds {
		out[i] = string(k)
	}
	return out
}

// exceptionAction is `dropgate exceptions ACTION ID [--note TEXT]`: one of
// the actions the exception offers.
func exceptionAction(action string) func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		path := "exceptions " + action
		var note string
		fs, af, c, help, err := adminCommand(path, args, stderr, func(fs *flag.FlagSet) {
			fs.StringVar(&note, "note", "", "a `note` for the timeline")
		})
		if help || err != nil {
			return err
		}
		id, err := oneID(path, fs)
		if err != nil {
			return err
		}
		var x model.Exception
		return show(ctx, c, af, stdout, "POST", "/exceptions/"+url.PathEscape(id)+"/"+action, map[string]string{"note": note}, &x, func() error {
			fmt.Fprintf(stdout, "exception %s (%s): %s, %s\n", x.ID, x.Kind, action, x.Status)
			if x.Resolution != "" {
				fmt.Fprintf(stdout, "  %s\n", x.Resolution)
			}
			return nil
		})
	}
}
