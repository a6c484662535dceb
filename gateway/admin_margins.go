package gateway

import (
	"net/http"
	"time"

	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/app/replay"
	"github.com/dropgate/dropgate/core/margin"
	"github.com/dropgate/dropgate/core/model"
)

// orderDetail is GET /api/v1/orders/{id}: the aggregate with its margin
// beside it when this server keeps accounts (an additive field: clients
// reading the aggregate alone see nothing change).
type orderDetail struct {
	*model.Aggregate
	Margin *margin.Report `json:"margin,omitempty"`
}

// withMargin adds a's margin; an order whose margin cannot be worked out
// (amounts in clashing currencies) shows without it, logged.
func (ad *Admin) withMargin(r *http.Request, a *model.Aggregate) orderDetail {
	d := orderDetail{Aggregate: a}
	acc, ok := ad.Ops.(ports.Accounts)
	if !ok {
		return d
	}
	m, err := acc.MarginOf(a)
	if err != nil {
		if ad.Log != nil {
			ad.Log.Warn("order margin", "order", a.Order.ID, "err", err)
		}
		return d
	}
	d.Margin = &m
	return d
}

// marginReport is GET /api/v1/reports/margin?since=&until=&by=: the
// margin of the orders created in the period, one row per (supplier,
// currency) and per (channel, currency). since and until take a span
// back from now (720h, 30d) or a time (RFC 3339, 2006-01-02); since is
// required. by=supplier or by=channel leaves the other grouping out.
func (ad *Admin) marginReport(w http.ResponseWriter, r *http.Request) {
	rep, ok := ad.Ops.(ports.MarginReports)
	if !ok {
		writeError(w, http.StatusNotImplemented, "this server keeps no margin reports")
		return
	}
	qv := r.URL.Query()
	now := time.Now().UTC()
	var since, until time.Time
	for k, dst := range map[string]*time.Time{"since": &since, "until": &until} {
		if v := qv.Get(k); v != "" {
			t, err := replay.ParseWhen(v, now)
			if err != nil {
				writeError(w, http.StatusBadRequest, k+": "+err.Error())
				return
			}
			*dst = t
		}
	}
	if since.IsZero() {
		writeError(w, http.StatusBadRequest, "since is required (a span such as 720h or 30d, or RFC 3339)")
		return
	}
	by := qv.Get("by")
	if by != "" && by != "supplier" && by != "channel" {
		writeError(w, http.StatusBadRequest, "by: want supplier or channel")
		return
	}
	s, err := rep.MarginReport(r.Context(), since, until)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	switch by {
	case "supplier":
		s.ByChannel = nil
	case "channel":
		s.BySupplier = nil
	}
	writeJSON(w, http.StatusOK, s)
}
