package gateway

import (
	"errors"
	"net/http"

	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/app/scorecards"
)

// getScorecard is GET /api/v1/suppliers/{name}/scorecard: the supplier's
// metrics over the last 7, 30 and 90 days and per week, each metric with
// its value and the numerator and denominator it is made of (value null
// when there is no data yet).
func (ad *Admin) getScorecard(w http.ResponseWriter, r *http.Request) {
	sc, ok := ad.Ops.(ports.Scorecards)
	if !ok {
		writeError(w, http.StatusNotImplemented, "this server computes no scorecards")
		return
	}
	card, err := sc.Scorecard(r.Context(), r.PathValue("name"))
	if errors.Is(err, scorecards.ErrUnknownSupplier) {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, card)
}
