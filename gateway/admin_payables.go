package gateway

import (
	"net/http"
	"time"

	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/repo"
)

// accounts is the operator's money port, or nil (with a 501 written)
// when this server has none.
func (ad *Admin) accounts(w http.ResponseWriter) ports.Accounts {
	acc, ok := ad.Ops.(ports.Accounts)
	if !ok {
		writeError(w, http.StatusNotImplemented, "this server keeps no payables")
		return nil
	}
	return acc
}

// listPayables is GET /api/v1/payables?supplier=&status=open|paid&order=&since=&until=&cursor=&limit=
// The filters combine; since and until bound when the payable was recorded.
func (ad *Admin) listPayables(w http.ResponseWriter, r *http.Request) {
	acc := ad.accounts(w)
	if acc == nil {
		return
	}
	qv := r.URL.Query()
	cursor, limit := page(r)
	p := repo.Page{Cursor: cursor, Limit: limit}
	where := map[string]string{}
	for _, k := range []string{"supplier", "status", "order"} {
		if v := qv.Get(k); v != "" {
			where[k] = v
		}
	}
	if s := qv.Get("status"); s != "" && s != "open" && s != "paid" {
		writeError(w, http.StatusBadRequest, "status: want open or paid")
		return
	}
	for k, dst := range map[string]*time.Time{"since": &p.Since, "until": &p.Until} {
		if v := qv.Get(k); v != "" {
			t, err := parseWhen(v)
			if err != nil {
				writeError(w, http.StatusBadRequest, k+": "+err.Error())
				return
			}
			*dst = t
		}
	}
	ps, next, err := acc.Payables(r.Context(), where, p)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"payables": ps, "next": next})
}

// payPayable is POST /api/v1/payables/{id}/paid: the operator records
// the payment; doing it again changes nothing.
func (ad *Admin) payPayable(w http.ResponseWriter, r *http.Request) {
	acc := ad.accounts(w)
	if acc == nil {
		return
	}
	p, err := acc.MarkPayablePaid(r.Context(), r.PathValue("id"), actor(r))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// getMargin is GET /api/v1/orders/{id}/margin: revenue less landed cost,
// one line per currency, and what each PO cost on which basis.
func (ad *Admin) getMargin(w http.ResponseWriter, r *http.Request) {
	acc := ad.accounts(w)
	if acc == nil {
		return
	}
	m, err := acc.Margin(r.Context(), r.PathValue("id"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}
