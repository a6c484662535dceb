package gateway

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/app/returns"
	"github.com/dropgate/dropgate/core/repo"
)

// returnsPort is the operator's returns port, or nil (with a 501
// written) when this server has none.
func (ad *Admin) returnsPort(w http.ResponseWriter) ports.Returns {
	rp, ok := ad.Ops.(ports.Returns)
	if !ok {
		writeError(w, http.StatusNotImplemented, "this server keeps no returns")
		return nil
	}
	return rp
}

// returnBody is the body of the returns endpoints; each uses its part.
type returnBody struct {
	Lines  []returns.RequestLine `json:"lines"`
	Reason string                `json:"reason"`
	RMA    string                `json:"rma"`
}

// returnCall is the port and the decoded body of a POST on returns;
// false when an error was written.
func (ad *Admin) returnCall(w http.ResponseWriter, r *http.Request) (ports.Returns, returnBody, bool) {
	var in returnBody
	rp := ad.returnsPort(w)
	if rp == nil {
		return nil, in, false
	}
	if r.ContentLength == 0 {
		return rp, in, true
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil && !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, "body: want {\"lines\": [{\"sku\": …, \"quantity\": …}], \"reason\": …, \"rma\": …}: "+err.Error())
		return nil, in, false
	}
	return rp, in, true
}

func writeReturnError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, returns.ErrInput):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, returns.ErrState):
		writeError(w, http.StatusConflict, err.Error())
	default:
		writeStoreError(w, err)
	}
}

// openReturn is POST /api/v1/orders/{id}/returns with
// {"lines": [{"sku": "A", "quantity": 1}], "reason": "…"}: a return of
// shipped units, one per PO that shipped them (201 with the returns).
func (ad *Admin) openReturn(w http.ResponseWriter, r *http.Request) {
	rp, in, ok := ad.returnCall(w, r)
	if !ok {
		return
	}
	req := returns.Request{OrderID: r.PathValue("id"), Lines: in.Lines, Reason: strings.TrimSpace(in.Reason), Source: "operator", Actor: actor(r)}
	made, err := rp.OpenReturn(r.Context(), req)
	if err != nil {
		writeReturnError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"returns": made})
}

// listReturns is GET /api/v1/returns?status=&supplier=&order=&cursor=&limit=
func (ad *Admin) listReturns(w http.ResponseWriter, r *http.Request) {
	rp := ad.returnsPort(w)
	if rp == nil {
		return
	}
	cursor, limit := page(r)
	where := map[string]string{}
	for _, k := range []string{"status", "supplier", "order"} {
		if v := r.URL.Query().Get(k); v != "" {
			where[k] = v
		}
	}
	rs, next, err := rp.Returns(r.Context(), where, repo.Page{Cursor: cursor, Limit: limit})
	if err != nil {
		writeReturnError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"returns": rs, "next": next})
}

// getReturn is GET /api/v1/returns/{id}.
func (ad *Admin) getReturn(w http.ResponseWriter, r *http.Request) {
	rp := ad.returnsPort(w)
	if rp == nil {
		return
	}
	ret, err := rp.Return(r.Context(), r.PathValue("id"))
	if err != nil {
		writeReturnError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, ret)
}

// decideReturn is POST /api/v1/returns/{id}/authorize ({"rma": "…"}),
// /reject ({"reason": "…"}) or /received: the supplier's answer as an
// operator records it. Repeating an answer changes nothing.
func (ad *Admin) decideReturn(w http.ResponseWriter, r *http.Request) {
	rp, in, ok := ad.returnCall(w, r)
	if !ok {
		return
	}
	action := r.PathValue("action")
	value := ""
	switch action {
	case "authorize":
		value = strings.TrimSpace(in.RMA)
	case "reject":
		value = strings.TrimSpace(in.Reason)
	case "received":
	default:
		writeError(w, http.StatusNotFound, "no such action: want authorize, reject or received")
		return
	}
	ret, err := rp.DecideReturn(r.Context(), r.PathValue("id"), action, value, actor(r))
	if err != nil {
		writeReturnError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, ret)
}
