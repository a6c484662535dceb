package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/store"
)

// Admin is the operator API under /api/v1 (DESIGN §1.3). It is mounted
// behind the bearer token by Server. Responses carry no secrets: connector
// entries show name, type and kind only.
type Admin struct {
	// Ops is the application's operator port.
	Ops        ports.Operator
	Log        *slog.Logger
	Connectors []ConnectorInfo
	// MaxFeedUpload bounds a feed file sent to the import endpoint
	// (default DefaultMaxFeedUpload).
	MaxFeedUpload int64
	// Replay serves POST /api/v1/route/replay (admin_replay.go); nil
	// answers 501.
	Replay ReplayFunc
}

// ConnectorInfo names a configured connector.
type ConnectorInfo struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Kind string `json:"kind"`
}

// Handler routes the admin API.
func (ad *Admin) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/orders", ad.listOrders)
	mux.HandleFunc("GET /api/v1/orders/{id}", ad.getOrder)
	mux.HandleFunc("POST /api/v1/orders/{id}/reroute", ad.rerouteOrder)
	mux.HandleFunc("POST /api/v1/orders/{id}/release", ad.releaseOrder)
	mux.HandleFunc("POST /api/v1/orders/{id}/cancel", ad.cancelOrder)
	mux.HandleFunc("GET /api/v1/orders/{id}/margin", ad.getMargin)
	mux.HandleFunc("GET /api/v1/reports/margin", ad.marginReport)
	mux.HandleFunc("GET /api/v1/payables", ad.listPayables)
	mux.HandleFunc("POST /api/v1/orders/{id}/returns", ad.openReturn)
	mux.HandleFunc("GET /api/v1/returns", ad.listReturns)
	mux.HandleFunc("GET /api/v1/returns/{id}", ad.getReturn)
	mux.HandleFunc("POST /api/v1/returns/{id}/{action}", ad.decideReturn)
	mux.HandleFunc("POST /api/v1/payables/{id}/paid", ad.payPayable)
	mux.HandleFunc("GET /api/v1/purchase-orders/{number}", ad.getPO)
	mux.HandleFunc("GET /api/v1/exceptions", ad.listExceptions)
	mux.HandleFunc("GET /api/v1/exceptions/{id}", ad.getException)
	mux.HandleFunc("POST /api/v1/exceptions/{id}/{action}", ad.actOnException)
	mux.HandleFunc("GET /api/v1/dead-letters", ad.listDead)
	mux.HandleFunc("GET /api/v1/dead-letters/{id}", ad.getDead)
	mux.HandleFunc("POST /api/v1/dead-letters/replay", ad.replayAll)
	mux.HandleFunc("POST /api/v1/dead-letters/{id}/replay", ad.replayDead)
	mux.HandleFunc("POST /api/v1/dead-letters/{id}/discard", ad.discardDead)
	mux.HandleFunc("DELETE /api/v1/dead-letters/{id}", ad.discardDead)
	mux.HandleFunc("GET /api/v1/connectors", ad.connectors)
	mux.HandleFunc("GET /api/v1/queues", ad.queues)
	mux.HandleFunc("POST /api/v1/route/explain", ad.explainRoute)
	mux.HandleFunc("POST /api/v1/route/replay", ad.replayRoute)
	mux.HandleFunc("POST /api/v1/channels/{name}/reconcile", ad.reconcileChannel)
	mux.HandleFunc("POST /api/v1/feeds/{supplier}/import", ad.importFeed)
	mux.HandleFunc("GET /api/v1/suppliers/{name}/scorecard", ad.getScorecard)
	mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "no such admin endpoint")
	})
	return mux
}

// actor names who acted, for the timeline: the X-Dropgate-Actor header
// (the CLI sends the OS user) or "admin-api".
func actor(r *http.Request) string {
	if a := strings.TrimSpace(r.Header.Get("X-Dropgate-Actor")); a != "" && len(a) < 100 {
		return a
	}
	return "admin-api"
}

// page reads cursor and limit.
func page(r *http.Request) (string, int) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	return r.URL.Query().Get("cursor"), limit
}

// OrderSummary is one row of the order list.
type OrderSummary struct {
	ID             string            `json:"id"`
	Channel        string            `json:"channel"`
	ChannelOrderID string            `json:"channel_order_id"`
	Number         string            `json:"number,omitempty"`
	Status         model.OrderStatus `json:"status"`
	PlacedAt       time.Time         `json:"placed_at"`
	Total          string            `json:"total"`
	Suppliers      []string          `json:"suppliers"`
	Holds          []string          `json:"holds,omitempty"`
	Updated        time.Time         `json:"updated_at"`
}

// listOrders is GET /api/v1/orders?status=&channel=&supplier=&since=&until=&cursor=&limit=
// The filters combine.
func (ad *Admin) listOrders(w http.ResponseWriter, r *http.Request) {
	qv := r.URL.Query()
	cursor, limit := page(r)
	p := repo.Page{Cursor: cursor, Limit: limit}
	where := map[string]string{}
	if v := qv.Get("status"); v != "" {
		where["status"] = v
	}
	if v := qv.Get("channel"); v != "" {
		where["channel"] = v
	}
	if v := qv.Get("supplier"); v != "" {
		where["supplier."+v] = "1"
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
	orders, next, err := ad.Ops.Orders(r.Context(), where, p)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	out := make([]OrderSummary, 0, len(orders))
	for _, a := range orders {
		sum := OrderSummary{ID: a.Order.ID, Channel: a.Order.Channel, ChannelOrderID: a.Order.ChannelOrderID, Number: a.Order.ChannelOrderNumber,
			Status: a.Order.Status, PlacedAt: a.Order.PlacedAt, Total: a.Order.Totals.Total.String(), Suppliers: a.Suppliers(), Updated: a.Updated}
		for _, h := range a.Order.Holds {
			sum.Holds = append(sum.Holds, h.Reason)
		}
		out = append(out, sum)
	}
	writeJSON(w, http.StatusOK, map[string]any{"orders": out, "next": next})
}

// parseWhen accepts RFC 3339 or a date.
func parseWhen(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", v)
}

func (ad *Admin) getOrder(w http.ResponseWriter, r *http.Request) {
	a, err := ad.Ops.Order(r.Context(), r.PathValue("id"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, ad.withMargin(r, a))
}

func (ad *Admin) rerouteOrder(w http.ResponseWriter, r *http.Request) {
	a, err := ad.Ops.Reroute(r.Context(), r.PathValue("id"), actor(r))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (ad *Admin) releaseOrder(w http.ResponseWriter, r *http.Request) {
	a, err := ad.Ops.Release(r.Context(), r.PathValue("id"), actor(r))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// cancelOrder cancels an order; the body may give {"reason": "…"}.
func (ad *Admin) cancelOrder(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	if r.ContentLength != 0 {
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
		if err := dec.Decode(&in); err != nil && !errors.Is(err, io.EOF) {
			writeError(w, http.StatusBadRequest, "body: want {\"reason\": \"…\"}: "+err.Error())
			return
		}
	}
	a, err := ad.Ops.CancelOrder(r.Context(), r.PathValue("id"), actor(r), strings.TrimSpace(in.Reason))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (ad *Admin) getPO(w http.ResponseWriter, r *http.Request) {
	n := r.PathValue("number")
	orderID, err := ad.Ops.OrderOfPO(r.Context(), n)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	a, err := ad.Ops.Order(r.Context(), orderID)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	po := a.PO(n)
	if po == nil {
		writeError(w, http.StatusNotFound, "no such purchase order")
		return
	}
	var shipments []model.Shipment
	for _, s := range a.Shipments {
		if s.PONumber == n {
			shipments = append(shipments, s)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"order_id": orderID, "purchase_order": po, "shipments": shipments})
}

func (ad *Admin) listExceptions(w http.ResponseWriter, r *http.Request) {
	cursor, limit := page(r)
	qv := r.URL.Query()
	where := map[string]string{"status": "open"}
	switch st := qv.Get("status"); st {
	case "", "open":
	case "all":
		delete(where, "status")
	case "resolved":
		where["status"] = st
	default:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("status %q: want open, resolved or all", st))
		return
	}
	if k := qv.Get("kind"); k != "" {
		if !slices.Contains(model.ExceptionKinds, model.ExceptionKind(k)) {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("kind %q: want one of %v", k, model.ExceptionKinds))
			return
		}
		where["kind"] = k
	}
	// Every filter given applies: ?status=open&kind=sla_breach&supplier=acme.
	for _, f := range []string{"order", "supplier", "ref"} {
		if v := qv.Get(f); v != "" {
			where[f] = v
		}
	}
	xs, next, err := ad.Ops.Exceptions(r.Context(), where, repo.Page{Cursor: cursor, Limit: limit})
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"exceptions": xs, "next": next})
}

func (ad *Admin) getException(w http.ResponseWriter, r *http.Request) {
	x, err := ad.Ops.Exception(r.Context(), r.PathValue("id"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, x)
}

func (ad *Admin) actOnException(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Note string `json:"note"`
	}
	_ = json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&body)
	x, err := ad.Ops.ResolveException(r.Context(), r.PathValue("id"), r.PathValue("action"), actor(r), body.Note)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, x)
}

// DeadLetter is a dead job as the API shows it: the payload as text when
// it is text (webhook bodies, EDI files), base64 otherwise.
type DeadLetter struct {
	ID        string               `json:"id"`
	Queue     string               `json:"queue"`
	Kind      string               `json:"kind"`
	Meta      map[string]string    `json:"meta,omitempty"`
	Attempts  int                  `json:"attempts"`
	Errors    []store.AttemptError `json:"errors"`
	CreatedAt time.Time            `json:"created_at"`
	DeadAt    time.Time            `json:"dead_at"`
	Size      int                  `json:"payload_bytes"`
	Payload   string               `json:"payload,omitempty"`
	Encoding  string               `json:"payload_encoding,omitempty"`
}

func toDead(j store.Job, withPayload bool) DeadLetter {
	d := DeadLetter{ID: j.ID, Queue: j.Queue, Kind: j.Kind, Meta: j.Meta, Attempts: j.Attempt, Errors: j.Errors,
		CreatedAt: j.CreatedAt, DeadAt: j.DeadAt, Size: len(j.Payload)}
	if withPayload {
		d.Payload, d.Encoding = encodePayload(j.Payload)
	}
	return d
}

func (ad *Admin) listDead(w http.ResponseWriter, r *http.Request) {
	cursor, limit := page(r)
	jobs, next, err := ad.Ops.DeadLetters(r.Context(), cursor, limit)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	out := make([]DeadLetter, len(jobs))
	for i, j := range jobs {
		out[i] = toDead(j, false)
	}
	writeJSON(w, http.StatusOK, map[string]any{"dead_letters": out, "next": next})
}

func (ad *Admin) getDead(w http.ResponseWriter, r *http.Request) {
	j, err := ad.Ops.DeadLetter(r.Context(), r.PathValue("id"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toDead(*j, true))
}

func (ad *Admin) replayDead(w http.ResponseWriter, r *http.Request) {
	if err := ad.Ops.ReplayDeadLetter(r.Context(), r.PathValue("id"), actor(r)); err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "replayed", "id": r.PathValue("id")})
}

// replayAll replays every dead letter (optionally of one kind).
func (ad *Admin) replayAll(w http.ResponseWriter, r *http.Request) {
	kind := r.URL.Query().Get("kind")
	var ids []string
	cursor := ""
	for {
		jobs, next, err := ad.Ops.DeadLetters(r.Context(), cursor, 500)
		if err != nil {
			writeStoreError(w, err)
			return
		}
		for _, j := range jobs {
			if kind == "" || j.Kind == kind {
				ids = append(ids, j.ID)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	var replayed []string
	for _, id := range ids {
		if err := ad.Ops.ReplayDeadLetter(r.Context(), id, actor(r)); err != nil && !errors.Is(err, store.ErrNotFound) {
			writeJSON(w, http.StatusInternalServerError, map[string]any{"error": err.Error(), "replayed": replayed})
			return
		}
		replayed = append(replayed, id)
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "replayed", "count": len(replayed), "ids": replayed})
}

func (ad *Admin) discardDead(w http.ResponseWriter, r *http.Request) {
	if err := ad.Ops.DiscardDeadLetter(r.Context(), r.PathValue("id"), actor(r)); err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "discarded", "id": r.PathValue("id")})
}

// ConnectorStatus is a connector's health row.
type ConnectorStatus struct {
	ConnectorInfo
	LastSuccess time.Time `json:"last_success,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitempty"`
	Successes   int64     `json:"successes"`
	Failures    int64     `json:"failures"`
	QueueDepth  int64     `json:"queue_depth"`
}

// connectors is GET /api/v1/connectors: health (last success, last
// error) and how many jobs wait for each.
func (ad *Admin) connectors(w http.ResponseWriter, r *http.Request) {
	health, err := ad.Ops.ConnectorsHealth(r.Context())
	if err != nil {
		writeStoreError(w, err)
		return
	}
	depth := ad.depthByConnector(r.Context())
	out := make([]ConnectorStatus, 0, len(ad.Connectors))
	for _, c := range ad.Connectors {
		h := health[c.Name]
		out = append(out, ConnectorStatus{ConnectorInfo: c, LastSuccess: h.LastSuccess, LastError: h.LastError, LastErrorAt: h.LastErrorAt,
			Successes: h.Successes, Failures: h.Failures, QueueDepth: depth[c.Name]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind+out[i].Name < out[j].Kind+out[j].Name })
	writeJSON(w, http.StatusOK, map[string]any{"connectors": out})
}

// depthByConnector counts the jobs waiting for each connector, from the
// per-rate-limit-key counts of the queues ("supplier:acme" → acme).
func (ad *Admin) depthByConnector(ctx context.Context) map[string]int64 {
	out := map[string]int64{}
	stats, err := ad.Ops.Queues(ctx)
	if err != nil {
		return out
	}
	for _, q := range stats {
		for k, v := range q.Keys {
			if _, name, ok := strings.Cut(k, ":"); ok {
				out[name] += v
			}
		}
	}
	return out
}

func (ad *Admin) queues(w http.ResponseWriter, r *http.Request) {
	stats, err := ad.Ops.Queues(r.Context())
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"queues": stats})
}

// writeStoreError maps store and engine errors to statuses.
func writeStoreError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not found")
	case errors.Is(err, ports.ErrNoSuchAction):
		writeError(w, http.StatusConflict, err.Error())
	case errors.Is(err, store.ErrUnavailable), errors.Is(err, store.ErrClosed):
		writeError(w, http.StatusServiceUnavailable, err.Error())
	case fault.IsPermanent(err):
		// The request is fine but the order's state refuses it.
		writeError(w, http.StatusConflict, err.Error())
	default:
		writeError(w, http.StatusInternalServerError, err.Error())
	}
}

// encodePayload shows a payload as text when it is printable UTF-8
// (webhook JSON, EDI files), as base64 otherwise.
func encodePayload(b []byte) (string, string) {
	if utf8.Valid(b) {
		printable := true
		for _, r := range string(b) {
			if r < 0x20 && r != '\n' && r != '\r' && r != '\t' {
				printable = false
				break
			}
		}
		if printable {
			return string(b), "text"
		}
	}
	return base64.StdEncoding.EncodeToString(b), "base64"
}
