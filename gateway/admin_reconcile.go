package gateway

import (
	"net/http"
	"time"
)

// reconcileChannel is POST /api/v1/channels/{name}/reconcile?since=: the
// channel's sweep now, from `since` (RFC 3339 or a date; default: the last
// sweep minus its lookback). The answer says what it found.
func (ad *Admin) reconcileChannel(w http.ResponseWriter, r *http.Request) {
	var since time.Time
	if v := r.URL.Query().Get("since"); v != "" {
		t, err := parseWhen(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, "since: "+err.Error())
			return
		}
		since = t
	}
	rep, err := ad.Ops.Reconcile(r.Context(), r.PathValue("name"), since)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
