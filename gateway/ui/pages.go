package ui

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/store"
)

// searchScan bounds how many recent orders a free-text search reads when
// the term is not a PO number or an order id (those are index lookups).
const searchScan = 2000

// todayScan bounds the orders the overview counts by state (it refreshes
// every few seconds while open); past it the counts say "at least".
const todayScan = 5000

func (u *UI) fail(w http.ResponseWriter, r *http.Request, code int, msg string) {
	w.WriteHeader(code)
	u.render(w, r, "error", map[string]any{"Message": msg})
}

func (u *UI) opFailed(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		u.fail(w, r, http.StatusNotFound, "Not found.")
	case errors.Is(err, ports.ErrNoSuchAction):
		u.fail(w, r, http.StatusConflict, err.Error())
	default:
		u.Log.Warn("ui", "path", r.URL.Path, "err", err)
		u.fail(w, r, http.StatusInternalServerError, err.Error())
	}
}

type count struct {
	Key string
	N   int
}

func (u *UI) overview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := u.now()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	byState := map[string]int{}
	total, cursor, more := 0, "", false
	for {
		os, next, err := u.Ops.Orders(ctx, nil, repo.Page{Cursor: cursor, Limit: 500, Since: day})
		if err != nil {
			u.opFailed(w, r, err)
			return
		}
		for _, a := range os {
			byState[string(a.Order.Status)]++
		}
		total += len(os)
		if next == "" {
			break
		}
		if total >= todayScan {
			more = true
			break
		}
		cursor = next
	}
	xs, _, err := u.Ops.Exceptions(ctx, map[string]string{"status": "open"}, repo.Page{Limit: 500})
	if err != nil {
		u.opFailed(w, r, err)
		return
	}
	queues, err := u.Ops.Queues(ctx)
	if err != nil {
		u.opFailed(w, r, err)
		return
	}
	var dead int64
	for _, q := range queues {
		dead += q.Dead
	}
	health, _ := u.Ops.ConnectorsHealth(ctx)
	u.render(w, r, "overview", map[string]any{
		"Today": sorted(byState), "TodayTotal": total, "TodayMore": more, "OpenExceptions": len(xs), "Dead": dead,
		"Queues": queues, "Connectors": u.Connectors, "Health": health, "Live": true,
	})
}

func sorted(m map[string]int) []count {
	out := make([]count, 0, len(m))
	for k, v := range m {
		out = append(out, count{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// orders lists orders newest first, filtered by status and channel
// (indexed), paged by the repository's cursor. A search term that is a
// PO number or an order id opens that order; other terms (channel order
// number, customer, SKU, tracking number) are matched over the most
// recent searchScan orders.
func (u *UI) orders(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	qv := r.URL.Query()
	where := map[string]string{}
	for _, k := range []string{"status", "channel"} {
		if v := qv.Get(k); v != "" {
			where[k] = v
		}
	}
	q := strings.TrimSpace(qv.Get("q"))
	if q != "" {
		if id, err := u.Ops.OrderOfPO(ctx, q); err == nil {
			http.Redirect(w, r, "/ui/orders/"+url.PathEscape(id), http.StatusSeeOther)
			return
		}
		if _, err := u.Ops.Order(ctx, q); err == nil {
			http.Redirect(w, r, "/ui/orders/"+url.PathEscape(q), http.StatusSeeOther)
			return
		}
	}
	var rows []model.Aggregate
	next := ""
	if q == "" {
		var err error
		rows, next, err = u.Ops.Orders(ctx, where, repo.Page{Cursor: qv.Get("cursor"), Limit: 50})
		if err != nil {
			u.opFailed(w, r, err)
			return
		}
	} else {
		cursor, seen := "", 0
		for seen < searchScan && len(rows) < 50 {
			os, nx, err := u.Ops.Orders(ctx, where, repo.Page{Cursor: cursor, Limit: 500})
			if err != nil {
				u.opFailed(w, r, err)
				return
			}
			for i := range os {
				if matches(&os[i], q) {
					rows = append(rows, os[i])
				}
			}
			seen += len(os)
			if nx == "" {
				break
			}
			cursor = nx
		}
	}
	nextURL := ""
	if next != "" {
		v := url.Values{}
		for k, x := range where {
			v.Set(k, x)
		}
		v.Set("cursor", next)
		nextURL = "/ui/orders?" + v.Encode()
	}
	u.render(w, r, "orders", map[string]any{"Orders": rows, "Next": nextURL, "Q": q,
		"Status": qv.Get("status"), "Channel": qv.Get("channel"), "Statuses": orderStatuses, "Channels": u.channels()})
}

var orderStatuses = []string{"received", "on_hold", "routed", "processing", "partially_shipped", "shipped", "delivered", "cancelled"}

func (u *UI) channels() []string {
	var out []string
	for _, c := range u.Connectors {
		if c.Kind == "channel" {
			out = append(out, c.Name)
		}
	}
	return out
}

func matches(a *model.Aggregate, q string) bool {
	q = strings.ToLower(q)
	has := func(s string) bool { return s != "" && strings.Contains(strings.ToLower(s), q) }
	o := &a.Order
	if has(o.ChannelOrderNumber) || has(o.ChannelOrderID) || has(o.Customer.Name) || has(o.Customer.Email) {
		return true
	}
	for _, l := range o.Lines {
		if has(l.SKU) {
			return true
		}
	}
	for _, s := range a.Shipments {
		for _, p := range s.Packages {
			if has(p.TrackingNumber) {
				return true
			}
		}
	}
	return false
}

func (u *UI) order(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a, err := u.Ops.Order(r.Context(), id)
	if err != nil {
		u.opFailed(w, r, err)
		return
	}
	xs, _, err := u.Ops.Exceptions(r.Context(), map[string]string{"status": "open", "order": id}, repo.Page{Limit: 100})
	if err != nil {
		u.opFailed(w, r, err)
		return
	}
	tl := append([]model.TimelineEntry(nil), a.Timeline...)
	sort.SliceStable(tl, func(i, j int) bool { return tl[i].At.After(tl[j].At) })
	held := slices.ContainsFunc(a.Order.Holds, func(h model.Hold) bool { return lifecycle.IsReleaseHold(h.Code) })
	cancellable := a.Order.Status != model.OrderCancelled && a.Order.Status != model.OrderShipped && a.Order.Status != model.OrderDelivered
	data := map[string]any{"A": a, "Timeline": tl, "Exceptions": xs, "Live": true, "Flash": r.URL.Query().Get("done"),
		"ReleaseHeld": held, "Cancellable": cancellable, "Returnable": returnable(a)}
	if acc, ok := u.Ops.(ports.Accounts); ok {
		// The margin is a side panel: the page shows without it.
		if m, err := acc.MarginOf(a); err == nil {
			data["Margin"] = m
		}
	}
	u.render(w, r, "order", data)
}

func actorOf(r *http.Request) string { return "ui" }

func (u *UI) reroute(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := u.Ops.Reroute(r.Context(), id, actorOf(r)); err != nil {
		u.opFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/ui/orders/"+url.PathEscape(id)+"?done=rerouted", http.StatusSeeOther)
}

// release lets an order held by the release policy (payment, risk,
// manual) go.
func (u *UI) release(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := u.Ops.Release(r.Context(), id, actorOf(r)); err != nil {
		u.opFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/ui/orders/"+url.PathEscape(id)+"?done=released", http.StatusSeeOther)
}

// cancel cancels an order at its suppliers and on its channel.
func (u *UI) cancel(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if len(reason) > 200 {
		reason = reason[:200]
	}
	if _, err := u.Ops.CancelOrder(r.Context(), id, actorOf(r), reason); err != nil {
		u.opFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/ui/orders/"+url.PathEscape(id)+"?done=cancelled", http.StatusSeeOther)
}

func (u *UI) exceptions(w http.ResponseWriter, r *http.Request) {
	where := map[string]string{"status": "open"}
	if k := r.URL.Query().Get("kind"); k != "" {
		where["kind"] = k
	}
	xs, next, err := u.Ops.Exceptions(r.Context(), where, repo.Page{Cursor: r.URL.Query().Get("cursor"), Limit: 50})
	if err != nil {
		u.opFailed(w, r, err)
		return
	}
	u.render(w, r, "exceptions", map[string]any{"Title": "Exceptions", "Exceptions": xs, "Next": next, "Live": true})
}

// resolve acts on an exception; back= returns to the page it came from.
func (u *UI) resolve(w http.ResponseWriter, r *http.Request) {
	x, err := u.Ops.ResolveException(r.Context(), r.PathValue("id"), r.PathValue("action"), actorOf(r), r.PostFormValue("note"))
	if err != nil {
		u.opFailed(w, r, err)
		return
	}
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/ui/") || strings.HasPrefix(back, "//") {
		back = "/ui/exceptions"
		if x.OrderID != "" {
			back = "/ui/orders/" + url.PathEscape(x.OrderID)
		}
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (u *UI) deadLetters(w http.ResponseWriter, r *http.Request) {
	jobs, next, err := u.Ops.DeadLetters(r.Context(), r.URL.Query().Get("cursor"), 50)
	if err != nil {
		u.opFailed(w, r, err)
		return
	}
	u.render(w, r, "dead", map[string]any{"Jobs": jobs, "Next": next, "Live": true, "Flash": r.URL.Query().Get("done")})
}

func (u *UI) deadLetter(w http.ResponseWriter, r *http.Request) {
	j, err := u.Ops.DeadLetter(r.Context(), r.PathValue("id"))
	if err != nil {
		u.opFailed(w, r, err)
		return
	}
	u.render(w, r, "deadone", map[string]any{"J": j, "Payload": string(j.Payload)})
}

func (u *UI) actOnDead(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var err error
	switch r.PathValue("action") {
	case "replay":
		err = u.Ops.ReplayDeadLetter(r.Context(), id, actorOf(r))
	case "discard":
		err = u.Ops.DiscardDeadLetter(r.Context(), id, actorOf(r))
	default:
		u.fail(w, r, http.StatusNotFound, "No such action.")
		return
	}
	if err != nil {
		u.opFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/ui/dead-letters?done="+url.QueryEscape(r.PathValue("action")+"ed "+id), http.StatusSeeOther)
}

// feeds shows quarantined feed imports (approve or discard) and the
// most recent resolved ones.
func (u *UI) feeds(w http.ResponseWriter, r *http.Request) {
	open, _, err := u.Ops.Exceptions(r.Context(), map[string]string{"status": "open", "kind": string(model.ExFeedQuarantined)}, repo.Page{Limit: 100})
	if err != nil {
		u.opFailed(w, r, err)
		return
	}
	done, _, err := u.Ops.Exceptions(r.Context(), map[string]string{"status": "resolved", "kind": string(model.ExFeedQuarantined)}, repo.Page{Limit: 20})
	if err != nil {
		u.opFailed(w, r, err)
		return
	}
	health, _ := u.Ops.ConnectorsHealth(r.Context())
	u.render(w, r, "feeds", map[string]any{"Open": open, "Done": done, "Suppliers": u.kind("supplier"), "Health": health, "Live": true})
}

func (u *UI) kind(k string) []Connector {
	var out []Connector
	for _, c := range u.Connectors {
		if c.Kind == k {
			out = append(out, c)
		}
	}
	return out
}

func (u *UI) suppliers(w http.ResponseWriter, r *http.Request) {
	health, _ := u.Ops.ConnectorsHealth(r.Context())
	u.render(w, r, "suppliers", map[string]any{"Suppliers": u.kind("supplier"), "Health": health})
}
