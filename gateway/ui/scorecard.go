package ui

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/app/scorecards"
	"github.com/dropgate/dropgate/core/scorecard"
)

// Chart geometry of the weekly sparklines, in SVG user units.
const (
	chartW, chartH, chartPad = 260.0, 80.0, 6.0
)

// scoreRow is one metric across the card's windows.
type scoreRow struct {
	Name  string
	Cells []string
}

// chart is one metric's weekly series as an inline SVG polyline; weeks
// without data are gaps (a new polyline segment starts after them).
type chart struct {
	Name     string
	Segments []string // "x,y x,y …" per run of weeks with data
	Dots     []dot
	Last     string
}

type dot struct {
	X, Y  string
	Title string
}

// scorecard is GET /ui/suppliers/{name}/scorecard: the supplier's metrics
// per window and, per rate, a chart of the last weeks.
func (u *UI) scorecard(w http.ResponseWriter, r *http.Request) {
	sc, ok := u.Ops.(ports.Scorecards)
	if !ok {
		u.fail(w, r, http.StatusNotImplemented, "This server computes no scorecards.")
		return
	}
	card, err := sc.Scorecard(r.Context(), r.PathValue("name"))
	switch {
	case errors.Is(err, scorecards.ErrUnknownSupplier):
		u.fail(w, r, http.StatusNotFound, "No such supplier.")
		return
	case err != nil:
		u.opFailed(w, r, err)
		return
	}
	var rows []scoreRow
	pos := scoreRow{Name: "purchase orders"}
	for _, s := range card.Windows {
		pos.Cells = append(pos.Cells, fmt.Sprint(s.POs))
	}
	rows = append(rows, pos)
	var charts []chart
	for _, name := range scorecard.Metrics() {
		row := scoreRow{Name: name}
		for _, s := range card.Windows {
			row.Cells = append(row.Cells, scorecard.Format(name, s.Metrics[name]))
		}
		rows = append(rows, row)
		if name != scorecard.AckLatency {
			charts = append(charts, weekly(name, card.Weekly))
		}
	}
	u.render(w, r, "scorecard", map[string]any{"Card": card, "Rows": rows, "Charts": charts})
}

// weekly draws a rate's weekly values on a 0–100% scale.
func weekly(name string, weeks []scorecard.Summary) chart {
	c := chart{Name: name, Last: "no data"}
	step := (chartW - 2*chartPad) / float64(max(len(weeks)-1, 1))
	var seg []string
	flush := func() {
		if len(seg) > 0 {
			c.Segments = append(c.Segments, strings.Join(seg, " "))
			seg = nil
		}
	}
	for i, wk := range weeks {
		m := wk.Metrics[name]
		if m.Value == nil {
			flush()
			continue
		}
		x := chartPad + float64(i)*step
		y := chartH - chartPad - *m.Value*(chartH-2*chartPad)
		xs, ys := fmt.Sprintf("%.1f", x), fmt.Sprintf("%.1f", y)
		seg = append(seg, xs+","+ys)
		c.Last = fmt.Sprintf("%.0f%%", 100**m.Value)
		c.Dots = append(c.Dots, dot{X: xs, Y: ys, Title: fmt.Sprintf("week of %s: %.1f%% (%d/%d)", wk.Label, 100**m.Value, m.Num, m.Den)})
	}
	flush()
	return c
}
