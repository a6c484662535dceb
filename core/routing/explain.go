package routing

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Explain writes the result for a person (`dropgate route --explain`):
// the order, the shipments it becomes, then every line with the rule that
// decided it, the rules skipped and why, the winner and why, and a table
// of every candidate with its figures and verdict. It reads only the
// Result, so a result decoded from --json explains the same way. It
// returns the first write error.
func (r Result) Explain(w io.Writer) error {
	e := &explainer{w: w}
	e.header(r)
	e.shipments(r)
	for i := 0; i < len(r.Lines); {
		n := 1
		for r.Lines[i].Part != "" && i+n < len(r.Lines) && r.Lines[i+n].LineID == r.Lines[i].LineID && r.Lines[i+n].Part != "" {
			n++
		}
		e.line(r.Lines[i : i+n])
		i += n
	}
	return e.err
}

// explainer remembers the first write error so the layout code stays
// linear.
type explainer struct {
	w   io.Writer
	err error
}

func (e *explainer) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// table writes rows aligned in columns, two spaces apart.
func (e *explainer) table(rows [][]string) {
	if e.err != nil {
		return
	}
	tw := tabwriter.NewWriter(e.w, 0, 8, 2, ' ', 0)
	for _, row := range rows {
		if _, e.err = fmt.Fprintln(tw, strings.Join(row, "\t")); e.err != nil {
			return
		}
	}
	e.err = tw.Flush()
}

func (e *explainer) header(r Result) {
	order := "order"
	if r.OrderID != "" {
		order += " " + r.OrderID
	}
	facts := []string{"ship to " + orDash(r.ShipTo)}
	if r.OrderValue != nil {
		facts = append(facts, "value "+r.OrderValue.String())
	}
	split := "split allowed"
	if !r.AllowSplit {
		split = "split forbidden"
	}
	e.printf("%s: %s; %s; default strategy %s\n", order, strings.Join(facts, ", "), split, r.Strategy)
	if r.Search != nil {
		e.printf("search: %s\n", r.Search)
	}
	if bad := len(r.Unroutable()); bad > 0 {
		ids := map[string]bool{}
		for _, l := range r.Lines {
			ids[l.LineID] = true
		}
		e.printf("unroutable: %d of %d %s\n", bad, len(ids), plural(len(ids), "line"))
	}
	for _, n := range r.Notes {
		e.printf("note: %s\n", n)
	}
	for _, s := range r.ScoreLines() {
		e.printf("score: %s\n", s)
	}
}

func (e *explainer) shipments(r Result) {
	if len(r.Shipments) == 0 {
		return
	}
	e.printf("\nshipments: %d\n", len(r.Shipments))
	rows := [][]string{{"  SUPPLIER", "LINES", "ITEM COST", "FEES", "LANDED"}}
	for _, s := range r.Shipments {
		rows = append(rows, []string{"  " + s.Supplier, strings.Join(s.Lines, ", "), s.Items.String(), s.Fees.String(), s.Landed.String()})
	}
	for _, t := range r.Totals {
		rows = append(rows, []string{"  total", "", "", "", t.String()})
	}
	e.table(rows)
}

// line explains one line, or all the parts of a split line together.
func (e *explainer) line(parts []LineResult) {
	l := parts[0]
	qty := int64(0)
	for _, p := range parts {
		qty += p.Qty
	}
	e.printf("\nline %s: %s × %d\n", l.LineID, orDash(l.SKU), qty)
	e.printf("  rule     %s (prefer %s)\n", l.Rule, strings.Join(l.Prefer, ", "))
	for _, s := range l.Skipped {
		e.printf("  skipped  %s\n", s)
	}
	switch {
	case l.Winner == nil:
		e.printf("  unroutable: %s\n", l.Why)
	case l.Part != "":
		for _, p := range parts {
			e.printf("  part %s  %s (%s) × %d\n", p.Part, p.Winner.Supplier, p.Winner.SupplierSKU, p.Qty)
		}
		e.printf("  why      %s\n", l.Why)
	default:
		e.printf("  winner   %s (%s)\n", l.Winner.Supplier, l.Winner.SupplierSKU)
		e.printf("  why      %s\n", l.Why)
	}
	if len(l.Candidates) == 0 {
		return
	}
	rows := [][]string{{"  SUPPLIER", "SUPPLIER SKU", "PRIORITY", "SCORE", "STOCK", "ITEM COST", "FEE SHARE", "LANDED", "VERDICT"}}
	for k, c := range l.Candidates {
		rows = append(rows, []string{
			"  " + c.Offer.Supplier, orDash(c.Offer.SupplierSKU), strconv.Itoa(c.Priority), score(c.Score),
			strconv.FormatInt(c.Offer.Stock, 10), c.Items.String(), share(c), c.Landed.String(), verdict(parts, k, c),
		})
	}
	e.table(rows)
}

func score(s int) string {
	if s == 0 {
		return "-"
	}
	return strconv.Itoa(s)
}

// share shows a fee share with what it is a share of: "2.84 USD (8.50/3)".
func share(c Candidate) string {
	if c.Fees.IsZero() || c.SharedWith == 0 {
		return c.FeeShare.String()
	}
	return fmt.Sprintf("%s (%s/%d)", c.FeeShare, c.Fees.Decimal(), c.SharedWith+1)
}

// verdict says what became of candidate k: the winner, a part of a split
// line (filtered for the whole quantity, yet taking some), eligible but
// beaten, or filtered and why.
func verdict(parts []LineResult, k int, c Candidate) string {
	l := parts[0]
	if l.Part != "" {
		for _, p := range parts {
			if p.Winner.Supplier == c.Offer.Supplier && p.Winner.SupplierSKU == c.Offer.SupplierSKU {
				return fmt.Sprintf("part %s: takes %d (alone: %s)", p.Part, p.Qty, c.Reason)
			}
		}
	}
	switch {
	case !c.Eligible:
		return "filtered: " + c.Reason
	case k == 0 && l.Winner != nil:
		return "winner"
	}
	return "eligible"
}
