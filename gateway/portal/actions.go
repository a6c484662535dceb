package portal

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/tracking"
)

// The actions build the canonical documents an EDI supplier would send:
// an acknowledgement (855), a ship notice (856) and an invoice (810). Each
// document's id is a digest of what was submitted, so a form posted twice
// (a double click, a reload) is applied once.

// carrierChoices are the carriers the shipment form offers.
var carrierChoices = tracking.Carriers()

// docID names a portal document by its kind, PO and content.
func docID(kind, po string, form url.Values, extra ...string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", kind, po)
	keys := make([]string, 0, len(form))
	for k := range form {
		if k != csrfField {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "%s=%s\x00", k, strings.Join(form[k], "\x01"))
	}
	for _, e := range extra {
		fmt.Fprintf(h, "%s\x00", e)
	}
	return "portal:" + kind + ":" + po + ":" + hex.EncodeToString(h.Sum(nil))[:16]
}

// refuse shows the PO page again with what was wrong (422).
func (p *Portal) refuse(w http.ResponseWriter, r *http.Request, a *model.Aggregate, po *model.PurchaseOrder, msg string) {
	w.WriteHeader(http.StatusUnprocessableEntity)
	p.render(w, r, "po", poView(a, po, msg, ""))
}

// submit hands the document to the purchasing service and goes back to
// the PO page, which shows it once the order's worker has applied it.
func (p *Portal) submit(w http.ResponseWriter, r *http.Request, a *model.Aggregate, po *model.PurchaseOrder, d connector.InboundDoc, done string) {
	s := sessionOf(r)
	err := p.Submit(r.Context(), s.V.supplier, actor(s), d)
	if errors.Is(err, ErrNotYours) {
		p.fail(w, r, http.StatusNotFound, "No such purchase order.")
		return
	}
	if err != nil {
		p.Log.Warn("portal submit", "supplier", s.V.supplier, "po", po.Number, "doc", d.ID, "err", err)
		p.refuse(w, r, a, po, "That could not be recorded; try again in a moment.")
		return
	}
	p.Log.Info("portal document", "actor", actor(s), "po", po.Number, "doc", d.ID)
	http.Redirect(w, r, "/portal/pos/"+url.PathEscape(po.Number)+"?done="+url.QueryEscape(done), http.StatusSeeOther)
}

// ack acknowledges a PO: each line accepted, backordered or rejected with a
// reason (the form's line_<n> and reason_<n>).
func (p *Portal) ack(w http.ResponseWriter, r *http.Request) {
	a, po, ok := p.loadPO(w, r)
	if !ok {
		return
	}
	s := sessionOf(r)
	ack := &model.POAck{PONumber: po.Number, Supplier: s.V.supplier, Date: p.now(), SupplierID: strings.TrimSpace(r.PostFormValue("supplier_order_id"))}
	accepted, rejected := 0, 0
	for _, l := range po.Lines {
		n := strconv.Itoa(l.LineNo)
		al := model.AckLine{LineNo: l.LineNo, SupplierSKU: l.SupplierSKU, Quantity: l.Quantity - l.Cancelled}
		reason := strings.TrimSpace(r.PostFormValue("reason_" + n))
		switch v := r.PostFormValue("line_" + n); v {
		case "", "accept":
			al.Status = model.AckAccepted
			accepted++
		case "backorder":
			al.Status, al.Reason = model.AckBackordered, reason
			accepted++
		case "reject":
			if reason == "" {
				p.refuse(w, r, a, po, fmt.Sprintf("Line %d: say why it is rejected.", l.LineNo))
				return
			}
			al.Status, al.Reason = model.AckRejected, reason
			rejected++
		default:
			p.refuse(w, r, a, po, fmt.Sprintf("Line %d: unknown answer %q.", l.LineNo, v))
			return
		}
		ack.Lines = append(ack.Lines, al)
	}
	switch {
	case rejected == 0:
		ack.Status = "accepted"
	case accepted == 0:
		ack.Status, ack.Reason = "rejected", "every line rejected"
	default:
		ack.Status = "accepted_with_changes"
	}
	d := connector.InboundDoc{ID: docID("ack", po.Number, r.PostForm), PONumber: po.Number, POAck: ack}
	p.submit(w, r, a, po, d, "acknowledgement")
}

// ship records a shipment: one package with its carrier and tracking
// number (checked against the carrier's format and check digit) and the
// quantity of each line (qty_<n>; all that is still due when none given).
func (p *Portal) ship(w http.ResponseWriter, r *http.Request) {
	a, po, ok := p.loadPO(w, r)
	if !ok {
		return
	}
	carrier, number, msg := checkTracking(r.PostFormValue("carrier"), r.PostFormValue("tracking"))
	if msg != "" {
		p.refuse(w, r, a, po, msg)
		return
	}
	pkg := model.Package{TrackingNumber: number, Carrier: carrier}
	given := false
	for _, l := range po.Lines {
		v := strings.TrimSpace(r.PostFormValue("qty_" + strconv.Itoa(l.LineNo)))
		if v == "" {
			continue
		}
		given = true
		q, err := strconv.ParseInt(v, 10, 64)
		due := l.Live() - l.Shipped
		if err != nil || q < 0 || q > due {
			p.refuse(w, r, a, po, fmt.Sprintf("Line %d: ship a whole number from 0 to %d.", l.LineNo, due))
			return
		}
		if q > 0 {
			pkg.Lines = append(pkg.Lines, model.ShipmentLine{POLineNo: l.LineNo, OrderLineID: l.OrderLineID, SupplierSKU: l.SupplierSKU, Quantity: q})
		}
	}
	if !given {
		for _, l := range po.Lines {
			if due := l.Live() - l.Shipped; due > 0 {
				pkg.Lines = append(pkg.Lines, model.ShipmentLine{POLineNo: l.LineNo, OrderLineID: l.OrderLineID, SupplierSKU: l.SupplierSKU, Quantity: due})
			}
		}
	}
	if len(pkg.Lines) == 0 {
		p.refuse(w, r, a, po, "Nothing to ship: every line is shipped, cancelled or rejected.")
		return
	}
	id := docID("ship", po.Number, r.PostForm)
	sn := &model.ShipNotice{PONumber: po.Number, Supplier: sessionOf(r).V.supplier, ShipmentID: id[strings.LastIndexByte(id, ':')+1:],
		ShippedAt: p.now(), Carrier: carrier, Packages: []model.Package{pkg}}
	p.submit(w, r, a, po, connector.InboundDoc{ID: id, PONumber: po.Number, ShipNotice: sn}, "shipment")
}

// checkTracking validates a carrier and tracking number with the
// check-digit detector. An empty carrier is detected from the number.
// msg, when not empty, is what to tell the supplier.
func checkTracking(carrier, number string) (code, normalized, msg string) {
	number = strings.TrimSpace(number)
	if number == "" {
		return "", "", "Enter the tracking number."
	}
	normalized = tracking.Normalize(number)
	carrier = strings.TrimSpace(carrier)
	if carrier == "" {
		ms := tracking.Detect(number)
		if len(ms) == 0 {
			return "", "", fmt.Sprintf("%s is not a tracking number of any carrier we know; check it, or choose the carrier.", normalized)
		}
		return ms[0].Carrier, normalized, ""
	}
	code = strings.ToLower(carrier)
	if c, ok := tracking.CarrierFromName(carrier); ok {
		code = c
	}
	err := tracking.Validate(code, number)
	var te *tracking.Error
	switch {
	case err == nil:
		return code, normalized, ""
	case errors.Is(err, tracking.ErrUnknownCarrier):
		return "", "", fmt.Sprintf("%q is not a carrier we know; choose one from the list.", carrier)
	case errors.Is(err, tracking.ErrCheckDigit) && errors.As(err, &te):
		return "", "", fmt.Sprintf("%s is not a valid %s tracking number: its check digit is wrong (%s). Check for a typo.", normalized, code, te.Detail)
	default:
		return "", "", fmt.Sprintf("%s is not a valid %s tracking number: it has the shape of none of %s's numbers.", normalized, code, code)
	}
}
