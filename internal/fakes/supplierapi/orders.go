package supplierapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/internal/fakes/edisupplier"
)

// Order is an order as the fake stores and serves it.
type Order struct {
	ID             uint64     `json:"id"`
	ExternalRef    string     `json:"external_ref"`
	Status         string     `json:"status"`
	Currency       string     `json:"currency"`
	CreatedAt      time.Time  `json:"created_at"`
	ShippingMethod string     `json:"shipping_method,omitempty"`
	Note           string     `json:"note,omitempty"`
	ShipTo         Address    `json:"ship_to"`
	Lines          []Line     `json:"lines"`
	Shipments      []Shipment `json:"shipments"`
}

// Address is a ship-to address.
type Address struct {
	Name       string `json:"name"`
	Company    string `json:"company,omitempty"`
	Address1   string `json:"address1"`
	Address2   string `json:"address2,omitempty"`
	City       string `json:"city"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country"`
	Phone      string `json:"phone,omitempty"`
	Email      string `json:"email,omitempty"`
}

// Line is one order line with the supplier's verdict.
type Line struct {
	Line      int    `json:"line"`
	SKU       string `json:"sku"`
	Quantity  int64  `json:"quantity"`
	UnitPrice string `json:"unit_price"`
	Status    string `json:"status"`
	Reason    string `json:"reason,omitempty"`
}

// Shipment is what left the warehouse.
type Shipment struct {
	ID        string    `json:"id"`
	Carrier   string    `json:"carrier"`
	Service   string    `json:"service"`
	ShippedAt time.Time `json:"shipped_at"`
	Packages  []Package `json:"packages"`
}

// Package is one parcel.
type Package struct {
	TrackingNumber string        `json:"tracking_number"`
	Lines          []PackageLine `json:"lines"`
}

// PackageLine is a quantity of one order line in a package.
type PackageLine struct {
	Line     int   `json:"line"`
	Quantity int64 `json:"quantity"`
}

func (o *Order) clone() Order {
	c := *o
	c.Lines = append([]Line(nil), o.Lines...)
	c.Shipments = append([]Shipment(nil), o.Shipments...)
	return c
}

// create is POST /v2/orders.
func (f *Fake) create(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, apiError{Code: "too_large", Message: err.Error()})
		return
	}
	scope := ""
	if key := r.Header.Get("Idempotency-Key"); key != "" {
		scope = "POST /v2/orders " + key
		if f.replay(w, scope, body) {
			return
		}
	}
	no, aerr := parseNewOrder(body)
	if aerr != nil {
		f.count(func(s *Stats) { s.Invalid++ })
		writeError(w, http.StatusBadRequest, *aerr)
		return
	}
	f.mu.Lock()
	if ids := f.byRef[no.ExternalRef]; len(ids) > 0 && !f.dupRefs {
		f.stats.Conflicts++
		id := ids[0]
		f.mu.Unlock()
		writeError(w, http.StatusConflict, apiError{Code: "duplicate_external_ref",
			Message: fmt.Sprintf("an order with external_ref %s exists", no.ExternalRef), OrderID: &id})
		return
	}
	o := f.addLocked(no)
	answer, _ := json.Marshal(map[string]Order{"order": o.clone()})
	if scope != "" {
		f.keys[scope] = keyed{digest: sha256.Sum256(body), status: http.StatusCreated, body: answer}
	}
	f.mu.Unlock()
	writeRaw(w, http.StatusCreated, answer, false)
}

// replay answers a request whose idempotency key was seen: the first
// answer again, or 422 when the body differs.
func (f *Fake) replay(w http.ResponseWriter, scope string, body []byte) bool {
	f.mu.Lock()
	k, ok := f.keys[scope]
	if ok && k.digest == sha256.Sum256(body) {
		f.stats.Replayed++
	}
	f.mu.Unlock()
	switch {
	case !ok:
		return false
	case k.digest != sha256.Sum256(body):
		writeError(w, http.StatusUnprocessableEntity, apiError{Code: "idempotency_mismatch",
			Message: "this Idempotency-Key was used with a different request body"})
	default:
		writeRaw(w, k.status, k.body, true)
	}
	return true
}

func writeRaw(w http.ResponseWriter, status int, body []byte, replayed bool) {
	w.Header().Set("Content-Type", "application/json")
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.WriteHeader(status)
	w.Write(body)
}

// addLocked stores a new order and decides its lines.
func (f *Fake) addLocked(no *newOrder) *Order {
	o := &Order{ID: f.nextID, ExternalRef: no.ExternalRef, Currency: no.Currency, CreatedAt: f.now(),
		ShippingMethod: no.ShippingMethod, Note: no.Note, ShipTo: *no.ShipTo, Lines: no.lines, Shipments: []Shipment{}}
	f.nextID += 2
	accepted := 0
	for i := range o.Lines {
		l := &o.Lines[i]
		switch {
		case f.catalog != nil && !f.catalog[l.SKU]:
			l.Status, l.Reason = "rejected", "unknown sku "+l.SKU
		case f.backorder[l.SKU]:
			l.Status, l.Reason = "backordered", "out of stock"
		default:
			l.Status = "accepted"
			accepted++
		}
	}
	switch {
	case accepted == 0 && !anyStatus(o.Lines, "backordered"):
		o.Status = "rejected"
	case accepted < len(o.Lines):
		o.Status = "partially_accepted"
	default:
		o.Status = f.initial
	}
	f.orders[o.ID] = o
	f.ordered = append(f.ordered, o.ID)
	f.byRef[o.ExternalRef] = append(f.byRef[o.ExternalRef], o.ID)
	f.stats.Created++
	return o
}

func anyStatus(lines []Line, status string) bool {
	for _, l := range lines {
		if l.Status == status {
			return true
		}
	}
	return false
}

func (f *Fake) now() time.Time { return f.clock.Now().UTC().Truncate(time.Second) }

// lookup is GET /v2/orders?external_ref=REF.
func (f *Fake) lookup(w http.ResponseWriter, r *http.Request) {
	ref := r.URL.Query().Get("external_ref")
	if ref == "" {
		writeError(w, http.StatusBadRequest, apiError{Code: "invalid_request", Message: "external_ref is required", Field: "external_ref"})
		return
	}
	f.mu.Lock()
	out := []Order{}
	for _, id := range f.byRef[ref] {
		o := f.orders[id]
		f.advanceLocked(o)
		out = append(out, o.clone())
	}
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string][]Order{"orders": out})
}

// get is GET /v2/orders/{id}.
func (f *Fake) get(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	o := f.orderLocked(r.PathValue("id"))
	var c Order
	if o != nil {
		f.advanceLocked(o)
		c = o.clone()
	}
	f.mu.Unlock()
	if o == nil {
		writeError(w, http.StatusNotFound, apiError{Code: "not_found", Message: "no order " + r.PathValue("id")})
		return
	}
	writeJSON(w, http.StatusOK, map[string]Order{"order": c})
}

// cancel is POST /v2/orders/{id}/cancel: 409 once shipped, otherwise the
// order is cancelled (again, harmlessly, if it was).
func (f *Fake) cancel(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	o := f.orderLocked(r.PathValue("id"))
	var c Order
	shipped := false
	if o != nil {
		f.advanceLocked(o)
		if shipped = o.Status == "shipped"; !shipped {
			o.Status = "cancelled"
		}
		c = o.clone()
	}
	f.mu.Unlock()
	switch {
	case o == nil:
		writeError(w, http.StatusNotFound, apiError{Code: "not_found", Message: "no order " + r.PathValue("id")})
	case shipped:
		writeError(w, http.StatusConflict, apiError{Code: "already_shipped", Message: fmt.Sprintf("order %d has shipped", c.ID), OrderID: &c.ID})
	default:
		writeJSON(w, http.StatusOK, map[string]Order{"order": c})
	}
}

func (f *Fake) orderLocked(id string) *Order {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return nil
	}
	return f.orders[n]
}

// advanceLocked ships an order whose WithShipAfter time has come.
func (f *Fake) advanceLocked(o *Order) {
	if f.shipAfter > 0 && !f.now().Before(o.CreatedAt.Add(f.shipAfter)) {
		f.shipLocked(o)
	}
}

// shipLocked ships the accepted lines of an open order: one UPS package,
// with its own tracking number, per line.
func (f *Fake) shipLocked(o *Order) bool {
	switch o.Status {
	case "accepted", "partially_accepted", "processing":
	default:
		return false
	}
	sh := Shipment{ID: fmt.Sprintf("SH-%d", o.ID), Carrier: "UPS", Service: "Ground", ShippedAt: f.now()}
	for _, l := range o.Lines {
		if l.Status == "accepted" {
			sh.Packages = append(sh.Packages, Package{TrackingNumber: edisupplier.UPSNumber(fmt.Sprintf("%d/%d", o.ID, l.Line)),
				Lines: []PackageLine{{Line: l.Line, Quantity: l.Quantity}}})
		}
	}
	if len(sh.Packages) == 0 {
		return false
	}
	o.Shipments = append(o.Shipments, sh)
	o.Status = "shipped"
	return true
}

// Seed adds an order as if it had been created through the API (every
// line accepted unless WithCatalog or WithBackorder say otherwise),
// without a request: for tests that need orders at the supplier without
// spending the client's quota.
func (f *Fake) Seed(externalRef, currency string, shipTo Address, lines ...Line) Order {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addLocked(&newOrder{ExternalRef: externalRef, Currency: currency, ShipTo: &shipTo, lines: append([]Line(nil), lines...)}).clone()
}

// Ship ships an order now, as WithShipAfter would. It reports false when
// the order is unknown or has nothing to ship.
func (f *Fake) Ship(id uint64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.orders[id]
	return o != nil && f.shipLocked(o)
}

// SetStatus sets an order's status as the supplier would (processing,
// cancelled, …); it reports false for an unknown order.
func (f *Fake) SetStatus(id uint64, status string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.orders[id]
	if o != nil {
		o.Status = status
	}
	return o != nil
}

// Order returns a copy of an order.
func (f *Fake) Order(id uint64) (Order, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o := f.orders[id]; o != nil {
		return o.clone(), true
	}
	return Order{}, false
}

// Orders returns copies of every order, in creation order.
func (f *Fake) Orders() []Order {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Order, 0, len(f.ordered))
	for _, id := range f.ordered {
		out = append(out, f.orders[id].clone())
	}
	return out
}

// Created is how many orders were created with external_ref ref: 1 for
// a purchase order delivered exactly once.
func (f *Fake) Created(ref string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.byRef[ref])
}

// decodeStrict decodes one JSON value refusing unknown fields.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("data after the JSON value")
	}
	return nil
}
