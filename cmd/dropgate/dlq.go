package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"

	"github.com/dropgate/dropgate/gateway"
)

// runDLQList is `dropgate dlq list`.
func runDLQList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	_, af, c, help, err := adminCommand("dlq list", args, stderr, nil)
	if help || err != nil {
		return err
	}
	var res struct {
		DeadLetters []gateway.DeadLetter `json:"dead_letters"`
	}
	return show(ctx, c, af, stdout, "GET", "/dead-letters?limit=500", nil, &res, func() error {
		var rows [][]string
		for _, d := range res.DeadLetters {
			last := ""
			if n := len(d.Errors); n > 0 {
				last = d.Errors[n-1].Error
			}
			rows = append(rows, []string{d.ID, d.Kind, strconv.Itoa(d.Attempts), when(d.DeadAt), strconv.Itoa(d.Size), last})
		}
		return printTable(stdout, []string{"ID", "KIND", "ATTEMPTS", "DEAD AT", "BYTES", "LAST ERROR"}, rows)
	})
}

// runDLQShow is `dropgate dlq show ID`: the dead letter, every attempt's
// error, and its payload (the raw webhook body or document).
func runDLQShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, af, c, help, err := adminCommand("dlq show", args, stderr, nil)
	if help || err != nil {
		return err
	}
	id, err := oneID("dlq show", fs)
	if err != nil {
		return err
	}
	var d gateway.DeadLetter
	return show(ctx, c, af, stdout, "GET", "/dead-letters/"+url.PathEscape(id), nil, &d, func() error {
		fmt.Fprintf(stdout, "Dead letter %s  %s on %s\n", d.ID, d.Kind, d.Queue)
		fmt.Fprintf(stdout, "  created %s, dead %s, %d attempt(s), %d byte(s)\n", when(d.CreatedAt), when(d.DeadAt), d.Attempts, d.Size)
		keys := make([]string, 0, len(d.Meta))
		for k := range d.Meta {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(stdout, "  %s: %s\n", k, d.Meta[k])
		}
		fmt.Fprintln(stdout, "\nAttempts")
		for _, e := range d.Errors {
			fmt.Fprintf(stdout, "  %d  %s  %s\n", e.Attempt, when(e.At), e.Error)
		}
		fmt.Fprintf(stdout, "\nPayload (%s)\n%s\n", dash(d.Encoding), d.Payload)
		return nil
	})
}

// runDLQReplay is `dropgate dlq replay ID | --all`.
func runDLQReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var all bool
	fs, af, c, help, err := adminCommand("dlq replay", args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&all, "all", false, "replay every dead letter")
	})
	if help || err != nil {
		return err
	}
	if all {
		if fs.NArg() != 0 {
			return userErrorf("usage: dropgate dlq replay ID | --all")
		}
		var res struct {
			Count int
			IDs   []string
		}
		return show(ctx, c, af, stdout, "POST", "/dead-letters/replay", nil, &res, func() error {
			fmt.Fprintf(stdout, "replayed %d dead letter(s)\n", res.Count)
			return nil
		})
	}
	id, err := oneID("dlq replay", fs)
	if err != nil {
		return err
	}
	return show(ctx, c, af, stdout, "POST", "/dead-letters/"+url.PathEscape(id)+"/replay", nil, nil, func() error {
		fmt.Fprintf(stdout, "replayed %s: it is back on its queue\n", id)
		return nil
	})
}

// runDLQDiscard is `dropgate dlq discard ID`.
func runDLQDiscard(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, af, c, help, err := adminCommand("dlq discard", args, stderr, nil)
	if help || err != nil {
		return err
	}
	id, err := oneID("dlq discard", fs)
	if err != nil {
		return err
	}
	return show(ctx, c, af, stdout, "POST", "/dead-letters/"+url.PathEscape(id)+"/discard", nil, nil, func() error {
		fmt.Fprintf(stdout, "discarded %s\n", id)
		return nil
	})
}

// oneID is the single ID argument of a command.
func oneID(path string, fs *flag.FlagSet) (string, error) {
	if fs.NArg() != 1 {
		return "", userErrorf("usage: dropgate %s ID", path)
	}
	return fs.Arg(0), nil
}
