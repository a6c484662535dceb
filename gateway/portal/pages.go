package portal

import (
	"encoding/csv"
	"errors"
	"net/http"
	"strconv"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/store"
)

// poRow is a PO in the list.
type poRow struct {
	model.PurchaseOrder
	New bool
}

// visible reports whether the supplier should see the PO: a draft has not
// been sent to anyone yet.
func visible(po *model.PurchaseOrder, supplier string) bool {
	return po.Supplier == supplier && po.Status != model.PODraft
}

// list shows the supplier's POs, newest order first; those still waiting
// for an answer are highlighted.
func (p *Portal) list(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r)
	as, next, err := p.Ops.Orders(r.Context(), map[string]string{"supplier." + s.V.supplier: "1"},
		repo.Page{Cursor: r.URL.Query().Get("cursor"), Limit: 50})
	if err != nil {
		p.Log.Warn("portal list", "supplier", s.V.supplier, "err", err)
		p.fail(w, r, http.StatusInternalServerError, "Your purchase orders could not be read; try again.")
		return
	}
	var rows []poRow
	for _, a := range as {
		for i := range a.POs {
			po := &a.POs[i]
			if !visible(po, s.V.supplier) {
				continue
			}
			rows = append(rows, poRow{PurchaseOrder: *po, New: po.Status == model.POSent || po.Status == model.POAckOverdue})
		}
	}
	p.render(w, r, "list", map[string]any{"POs": rows, "Next": next})
}

// loadPO finds a PO of the logged-in supplier; any other PO, or none, is
// a 404 so that PO numbers of other suppliers cannot be probed.
func (p *Portal) loadPO(w http.ResponseWriter, r *http.Request) (*model.Aggregate, *model.PurchaseOrder, bool) {
	s := sessionOf(r)
	number := r.PathValue("number")
	id, err := p.Ops.OrderOfPO(r.Context(), number)
	var a *model.Aggregate
	if err == nil {
		a, err = p.Ops.Order(r.Context(), id)
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		p.Log.Warn("portal read po", "supplier", s.V.supplier, "po", number, "err", err)
		p.fail(w, r, http.StatusInternalServerError, "The purchase order could not be read; try again.")
		return nil, nil, false
	}
	if err != nil || a.PO(number) == nil || !visible(a.PO(number), s.V.supplier) {
		p.fail(w, r, http.StatusNotFound, "No such purchase order.")
		return nil, nil, false
	}
	return a, a.PO(number), true
}

// shipmentsOf lists the shipments of one PO.
func shipmentsOf(a *model.Aggregate, po string) []model.Shipment {
	var out []model.Shipment
	for _, sh := range a.Shipments {
		if sh.PONumber == po {
			out = append(out, sh)
		}
	}
	return out
}

func invoicesOf(a *model.Aggregate, po string) []model.Invoice {
	var out []model.Invoice
	for _, in := range a.Invoices {
		if in.PONumber == po {
			out = append(out, in)
		}
	}
	return out
}

// poView is what the PO page shows: the PO, its shipments and invoices
// (never another PO's of the same order), and a problem or a notice.
func poView(a *model.Aggregate, po *model.PurchaseOrder, problem, notice string) map[string]any {
	return map[string]any{"PO": po, "Shipments": shipmentsOf(a, po.Number), "Invoices": invoicesOf(a, po.Number),
		"Problem": problem, "Notice": notice, "Carriers": carrierChoices}
}

// poPage shows one PO with its forms.
func (p *Portal) poPage(w http.ResponseWriter, r *http.Request) {
	a, po, ok := p.loadPO(w, r)
	if !ok {
		return
	}
	p.render(w, r, "po", poView(a, po, "", r.URL.Query().Get("done")))
}

// poCSV downloads the PO: one row per line, ship-to on every row so a
// spreadsheet filter keeps it.
func (p *Portal) poCSV(w http.ResponseWriter, r *http.Request) {
	_, po, ok := p.loadPO(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+po.Number+`.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"po_number", "line_no", "supplier_sku", "sku", "description", "quantity", "unit_cost", "currency",
		"ship_to_name", "ship_to_company", "ship_to_line1", "ship_to_line2", "ship_to_city", "ship_to_region", "ship_to_postal_code", "ship_to_country", "ship_to_phone"})
	st := po.ShipTo
	for _, l := range po.Lines {
		_ = cw.Write([]string{po.Number, strconv.Itoa(l.LineNo), safeCell(l.SupplierSKU), safeCell(l.SKU), safeCell(l.Description),
			strconv.FormatInt(l.Quantity, 10), l.UnitCost.Decimal().String(), l.UnitCost.Currency,
			safeCell(st.Name), safeCell(st.Company), safeCell(st.Line1), safeCell(st.Line2), safeCell(st.City), safeCell(st.Region), safeCell(st.PostalCode), safeCell(st.Country), safeCell(st.Phone)})
	}
	cw.Flush()
}

// safeCell defuses spreadsheet formulas in text that came from a customer
// (a name starting with "=" must not run in the supplier's Excel).
func safeCell(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}
