package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"text/tabwriter"

	"github.com/dropgate/dropgate/core/scorecard"
)

// runSuppliersScorecard is `dropgate suppliers scorecard NAME`: the
// supplier's metrics over the last 7, 30 and 90 days, each with the counts
// it is made of.
func runSuppliersScorecard(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, af, c, help, err := adminCommand("suppliers scorecard", args, stderr, nil)
	if help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return userErrorf("usage: dropgate suppliers scorecard NAME")
	}
	var card scorecard.Card
	return show(ctx, c, af, stdout, "GET", "/suppliers/"+url.PathEscape(fs.Arg(0))+"/scorecard", nil, &card, func() error {
		printScorecard(stdout, card)
		return nil
	})
}

// printScorecard renders a card as a table: one row per metric, one
// column per window, "value (numerator/denominator)".
func printScorecard(w io.Writer, card scorecard.Card) {
	fmt.Fprintf(w, "Scorecard of %s as of %s\n", card.Supplier, when(card.AsOf))
	if card.Routing != nil {
		fmt.Fprintf(w, "routing score: %s\n", card.Routing)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprint(tw, "METRIC")
	for _, s := range card.Windows {
		fmt.Fprintf(tw, "\t%s", s.Label)
	}
	fmt.Fprint(tw, "\npurchase orders")
	for _, s := range card.Windows {
		fmt.Fprintf(tw, "\t%d", s.POs)
	}
	fmt.Fprintln(tw)
	for _, name := range scorecard.Metrics() {
		fmt.Fprint(tw, name)
		for _, s := range card.Windows {
			fmt.Fprintf(tw, "\t%s", scorecard.Format(name, s.Metrics[name]))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}
