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
	var kind string
	var all bool
	_, af, c, help, err := adminCommand("exceptions list", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&kind, "kind", "", "only exceptions of this `kind` ("+strings.Join(exceptionKinds(), ", ")+")")
		fs.BoolVar(&all, "all", false, "include resolved exceptions")
	}, func() error { return oneOf("kind", kind, exceptionKinds()) })
	if help || err != nil {
		return err
	}
	q := url.Values{"limit": {"500"}}
	if kind != "" {
		q.Set("kind", kind)
	}
	if all {
		q.Set("status", "all")
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
