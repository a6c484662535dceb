package gateway

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/routing"
)

// maxOrderBody bounds the order sent to POST /api/v1/route/explain.
const maxOrderBody = 1 << 20

// Where a route explanation's offers came from (RouteExplanation.Source).
const (
	SourceServer = "server" // the running server's live catalog
	SourceStore  = "store"  // catalog files and the feeds applied in the store
	SourceFiles  = "files"  // catalog files only
)

// RouteExplanation is a dry-run routing of one order and where its offers
// came from: the answer of POST /api/v1/route/explain, and what `dropgate
// route --explain --json` prints whichever way it routed.
type RouteExplanation struct {
	routing.Result
	// Source is SourceServer, SourceStore or SourceFiles; Catalog says
	// what the catalog held (files and applied feed snapshots).
	Source  string `json:"source"`
	Catalog string `json:"catalog"`
	// Holds are the reasons intake would hold this order before routing
	// it (an address or currency missing, …).
	Holds []string `json:"holds,omitempty"`
}

// explainRoute is POST /api/v1/route/explain: the body is a canonical
// order (as `GET /api/v1/orders/{id}` shows under "order"); the answer is
// how the server would route it now, against its live catalog (catalog
// files, applied feed snapshots, stock reports since), storing nothing.
func (ad *Admin) explainRoute(w http.ResponseWriter, r *http.Request) {
	var o model.Order
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxOrderBody)).Decode(&o); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "the order exceeds 1 MiB")
			return
		}
		writeError(w, http.StatusBadRequest, "the body is not a canonical order: "+err.Error())
		return
	}
	if len(o.Lines) == 0 {
		writeError(w, http.StatusBadRequest, "the order has no lines")
		return
	}
	res := ad.Engine.Router.Route(routing.OrderRequest(&o))
	ex := RouteExplanation{Result: res, Source: SourceServer, Holds: lifecycle.Validate(&o)}
	if ad.Engine.Catalog != nil {
		ex.Catalog = ad.Engine.Catalog.Describe()
	}
	writeJSON(w, http.StatusOK, ex)
}
