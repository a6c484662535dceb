package ui

import (
	"net/http"
	"time"

	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/app/replay"
	"github.com/dropgate/dropgate/core/margin"
)

// marginGroup is one table of the report.
type marginGroup struct {
	Title, ID string
	Rows      []margin.Row
}

// marginReport is GET /ui/reports/margin?since=&until=: the margin of
// the period's orders by supplier and by channel, one row per currency
// (GET /api/v1/reports/margin's figures). A GET form: it changes nothing.
func (u *UI) marginReport(w http.ResponseWriter, r *http.Request) {
	rep, ok := u.Ops.(ports.MarginReports)
	if !ok {
		u.fail(w, r, http.StatusNotImplemented, "This server keeps no margin reports.")
		return
	}
	q := r.URL.Query()
	sinceText, untilText := q.Get("since"), q.Get("until")
	if sinceText == "" {
		sinceText = "30d"
	}
	data := map[string]any{"Since": sinceText, "Until": untilText}
	now := u.now().UTC()
	since, err := replay.ParseWhen(sinceText, now)
	var until time.Time
	if err == nil && untilText != "" {
		until, err = replay.ParseWhen(untilText, now)
	}
	if err != nil {
		data["Problem"] = err.Error()
		w.WriteHeader(http.StatusBadRequest)
		u.render(w, r, "margin", data)
		return
	}
	s, err := rep.MarginReport(r.Context(), since, until)
	if err != nil {
		u.opFailed(w, r, err)
		return
	}
	data["Report"] = s
	data["Groups"] = []marginGroup{{"supplier", "margin-by-supplier", s.BySupplier}, {"channel", "margin-by-channel", s.ByChannel}}
	u.render(w, r, "margin", data)
}
