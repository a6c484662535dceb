package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/app/returns"
	"github.com/dropgate/dropgate/core/model"
)

// returnable reports whether the order has shipped units a return could
// take back (the page shows the return form then).
func returnable(a *model.Aggregate) bool {
	for _, l := range a.Order.Lines {
		if l.Qty.Shipped > l.Qty.Returned {
			return true
		}
	}
	return false
}

// returnFailed shows a refused return as the user's mistake (400) or the
// return's state (409), anything else as opFailed does.
func (u *UI) returnFailed(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, returns.ErrInput):
		u.fail(w, r, http.StatusBadRequest, err.Error())
	case errors.Is(err, returns.ErrState):
		u.fail(w, r, http.StatusConflict, err.Error())
	default:
		u.opFailed(w, r, err)
	}
}

// openReturn is the order page's return form: a quantity per shipped
// line (fields q.<SKU>) and a reason.
func (u *UI) openReturn(w http.ResponseWriter, r *http.Request) {
	rp, ok := u.Ops.(ports.Returns)
	if !ok {
		u.fail(w, r, http.StatusNotImplemented, "This server keeps no returns.")
		return
	}
	id := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		u.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	var lines []returns.RequestLine
	for k, vs := range r.PostForm {
		sku, isQty := strings.CutPrefix(k, "q.")
		if !isQty || len(vs) == 0 || strings.TrimSpace(vs[0]) == "" || vs[0] == "0" {
			continue
		}
		q, err := strconv.ParseInt(strings.TrimSpace(vs[0]), 10, 64)
		if err != nil {
			u.fail(w, r, http.StatusBadRequest, "quantity of "+sku+": a whole number")
			return
		}
		lines = append(lines, returns.RequestLine{SKU: sku, Quantity: q})
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if len(reason) > 200 {
		reason = reason[:200]
	}
	req := returns.Request{OrderID: id, Lines: lines, Reason: reason, Source: "operator", Actor: actorOf(r)}
	if _, err := rp.OpenReturn(r.Context(), req); err != nil {
		u.returnFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/ui/orders/"+url.PathEscape(id)+"?done=return+opened", http.StatusSeeOther)
}

// decideReturn records the supplier's answer from the order page:
// authorize (field rma), reject (field reason) or received.
func (u *UI) decideReturn(w http.ResponseWriter, r *http.Request) {
	rp, ok := u.Ops.(ports.Returns)
	if !ok {
		u.fail(w, r, http.StatusNotImplemented, "This server keeps no returns.")
		return
	}
	action := r.PathValue("action")
	value := ""
	switch action {
	case "authorize":
		value = strings.TrimSpace(r.PostFormValue("rma"))
	case "reject":
		value = strings.TrimSpace(r.PostFormValue("reason"))
	case "received":
	default:
		u.fail(w, r, http.StatusNotFound, "No such action.")
		return
	}
	ret, err := rp.DecideReturn(r.Context(), r.PathValue("id"), action, value, actorOf(r))
	if err != nil {
		u.returnFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/ui/orders/"+url.PathEscape(ret.OrderID)+"?done=return+"+url.QueryEscape(string(ret.Status)), http.StatusSeeOther)
}
