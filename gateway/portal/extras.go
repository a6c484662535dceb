package portal

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"github.com/dropgate/dropgate/core/scorecard"
	"github.com/dropgate/dropgate/internal/pdf"
)

// ScorecardFunc is a supplier's scorecard (the scorecards service); the
// portal asks it only for the logged-in supplier.
type ScorecardFunc func(ctx context.Context, supplier string) (scorecard.Card, error)

// poPDF downloads the PO as a printable PDF: the header, the ship-to and
// one line per PO line.
func (p *Portal) poPDF(w http.ResponseWriter, r *http.Request) {
	_, po, ok := p.loadPO(w, r)
	if !ok {
		return
	}
	st := po.ShipTo
	lines := []string{
		fmt.Sprintf("Supplier: %s    Order: %s    Currency: %s", po.Supplier, po.OrderNumber, po.Currency),
		fmt.Sprintf("Status: %s", po.Status),
	}
	if po.SentAt != nil {
		lines = append(lines, "Sent: "+po.SentAt.UTC().Format("2006-01-02 15:04 MST"))
	}
	if po.ShipDueAt != nil {
		lines = append(lines, "Ship by: "+po.ShipDueAt.UTC().Format("2006-01-02 15:04 MST"))
	}
	lines = append(lines, "", "Ship to:", "  "+st.Name)
	if st.Company != "" {
		lines = append(lines, "  "+st.Company)
	}
	lines = append(lines, "  "+st.Line1)
	if st.Line2 != "" {
		lines = append(lines, "  "+st.Line2)
	}
	lines = append(lines, fmt.Sprintf("  %s %s %s %s", st.PostalCode, st.City, st.Region, st.Country))
	if st.Phone != "" {
		lines = append(lines, "  "+st.Phone)
	}
	lines = append(lines, "", fmt.Sprintf("%-4s %-18s %-30s %6s %12s", "#", "Your SKU", "Description", "Qty", "Unit cost"))
	for _, l := range po.Lines {
		desc := l.Description
		if desc == "" {
			desc = l.SKU
		}
		lines = append(lines, fmt.Sprintf("%-4d %-18s %-30.30s %6d %12s", l.LineNo, l.SupplierSKU, desc, l.Quantity, l.UnitCost.Decimal().String()))
	}
	var b bytes.Buffer
	if err := pdf.Write(&b, "Purchase order "+po.Number, lines); err != nil {
		p.fail(w, r, http.StatusInternalServerError, "The PDF could not be made; the CSV has the same content.")
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+po.Number+`.pdf"`)
	_, _ = w.Write(b.Bytes())
}

// scoreRow is one metric across the card's windows.
type scoreRow struct {
	Name  string
	Cells []string
}

// scorecard shows the logged-in supplier its own scorecard: what the
// merchant measures and routes by.
func (p *Portal) scorecard(w http.ResponseWriter, r *http.Request) {
	s := sessionOf(r)
	if p.Scorecard == nil {
		p.fail(w, r, http.StatusNotFound, "Scorecards are not kept on this server.")
		return
	}
	card, err := p.Scorecard(r.Context(), s.V.supplier)
	if err != nil {
		p.Log.Warn("portal scorecard", "supplier", s.V.supplier, "err", err)
		p.fail(w, r, http.StatusInternalServerError, "Your scorecard could not be read; try again.")
		return
	}
	rows := []scoreRow{{Name: "purchase orders"}}
	for _, win := range card.Windows {
		rows[0].Cells = append(rows[0].Cells, fmt.Sprint(win.POs))
	}
	for _, name := range scorecard.Metrics() {
		row := scoreRow{Name: name}
		for _, win := range card.Windows {
			row.Cells = append(row.Cells, scorecard.Format(name, win.Metrics[name]))
		}
		rows = append(rows, row)
	}
	p.render(w, r, "scorecard", map[string]any{"Card": card, "Rows": rows})
}
